/**
 * Statements in a guideline's other languages (issue 14). The authoritative text is the
 * revision's own; each other language has a translation of the revision, confirmed or stale.
 * A translation goes stale when the authoritative wording changes under it, and a round opens
 * only when every statement it holds has a confirmed translation in every language of the
 * guideline. A voted revision's translations never change (migration 0009's triggers).
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Queryable } from "@db/client.server";
import { statementRevisions, statementTranslations } from "@db/schema";
import { msg } from "~/i18n";
import { recordAudit } from "./audit.server";
import { Refusal } from "./errors.server";

export type Translation = { language: string; text: string; rationale: string; confirmed: boolean };

/** The languages a guideline is translated into: all of its languages but the authoritative one. */
export function otherLanguages(guideline: { language: string; languages: string[] }): string[] {
  return guideline.languages.filter((language) => language !== guideline.language);
}

/** Every translation of the given revisions, by revision id, in the order of `languages` when given. */
export function translationsOf(db: Queryable, revisionIds: string[], languages?: string[]): Map<string, Translation[]> {
  const byRevision = new Map<string, Translation[]>();
  if (revisionIds.length === 0) return byRevision;
  const rows = db
    .select({
      revisionId: statementTranslations.revisionId,
      language: statementTranslations.language,
      text: statementTranslations.text,
      rationale: statementTranslations.rationale,
      confirmed: statementTranslations.confirmed,
    })
    .from(statementTranslations)
    .where(inArray(statementTranslations.revisionId, [...new Set(revisionIds)]))
    .all();
  const rank = (language: string) => (languages ? languages.indexOf(language) : 0);
  for (const { revisionId, ...translation } of rows) {
    if (languages && !languages.includes(translation.language)) continue;
    const list = byRevision.get(revisionId) ?? [];
    list.push(translation);
    byRevision.set(revisionId, list);
  }
  for (const list of byRevision.values()) list.sort((a, b) => rank(a.language) - rank(b.language));
  return byRevision;
}

export type TranslationInput = { text: string; rationale: string };

/**
 * Applies an edit's translations to `revisionId`, which holds `current` (the translations of the
 * revision the edit started from). A translation the edit changed is saved as confirmed; one it
 * left as it was is kept, and goes stale when the authoritative wording changed. An empty text
 * removes the translation. Returns the languages whose translation the edit changed.
 */
export function applyTranslations(
  db: Queryable,
  input: {
    revisionId: string;
    current: Translation[];
    edited: Record<string, TranslationInput>;
    authoritativeChanged: boolean;
    actorId: string;
    now: Date;
  },
): string[] {
  const changed: string[] = [];
  const languages = new Set([...input.current.map((t) => t.language), ...Object.keys(input.edited)]);
  for (const language of languages) {
    const before = input.current.find((t) => t.language === language);
    const edit = input.edited[language];
    const differs = edit !== undefined && (edit.text !== (before?.text ?? "") || edit.rationale !== (before?.rationale ?? ""));
    const where = and(eq(statementTranslations.revisionId, input.revisionId), eq(statementTranslations.language, language));
    if (differs && edit.text === "") {
      db.delete(statementTranslations).where(where).run();
      changed.push(language);
      continue;
    }
    const row = differs
      ? { text: edit.text, rationale: edit.rationale, confirmed: true }
      : before && { text: before.text, rationale: before.rationale, confirmed: before.confirmed && !input.authoritativeChanged };
    if (!row) continue;
    if (differs) changed.push(language);
    db.insert(statementTranslations)
      .values({ revisionId: input.revisionId, language, ...row, updatedBy: input.actorId, updatedAt: input.now })
      .onConflictDoUpdate({
        target: [statementTranslations.revisionId, statementTranslations.language],
        set: { ...row, updatedBy: input.actorId, updatedAt: input.now },
      })
      .run();
  }
  return changed;
}

/** Confirms a stale translation of a statement's latest revision as matching its current wording. */
export function confirmTranslation(
  db: Queryable,
  input: {
    guidelineId: string;
    statementId: string;
    statement: number;
    revisionId: string;
    language: string;
    actorId: string;
    now?: Date;
  },
): void {
  const now = input.now ?? new Date();
  const where = and(eq(statementTranslations.revisionId, input.revisionId), eq(statementTranslations.language, input.language));
  const row = db.select({ confirmed: statementTranslations.confirmed }).from(statementTranslations).where(where).get();
  if (!row)
    throw new Refusal(msg("This statement has no {{language}} translation to confirm."), 404, { language: input.language });
  if (row.confirmed) throw new Refusal(msg("This translation is already confirmed."), 409);
  db.update(statementTranslations).set({ confirmed: true, updatedBy: input.actorId, updatedAt: now }).where(where).run();
  recordAudit(db, {
    guidelineId: input.guidelineId,
    actorId: input.actorId,
    action: "statement.translation_confirmed",
    details: { statementId: input.statementId, statement: input.statement, language: input.language },
    at: now,
  });
}

export type MissingTranslation = { number: number; language: string; state: "missing" | "stale" };

/** The statements of a round that lack a confirmed translation in one of the guideline's languages. */
export function untranslated(db: Queryable, input: { roundId: string; languages: string[] }): MissingTranslation[] {
  if (input.languages.length === 0) return [];
  const rows = db.all<{ number: number; revisionId: string }>(sql`
    select s.position as number, i.revision_id as revisionId
    from round_items i
    join statement_revisions rev on rev.id = i.revision_id
    join statements s on s.id = rev.statement_id
    where i.round_id = ${input.roundId}
    order by i.position`);
  const translations = translationsOf(
    db,
    rows.map((r) => r.revisionId),
  );
  return rows.flatMap(({ number, revisionId }) =>
    input.languages.flatMap((language): MissingTranslation[] => {
      const found = translations.get(revisionId)?.find((t) => t.language === language);
      if (!found) return [{ number, language, state: "missing" }];
      return found.confirmed ? [] : [{ number, language, state: "stale" }];
    }),
  );
}

/**
 * The confirmed translations of decided statements as a published set carries them: by statement,
 * then language (in the guideline's order), the rationale only when there is one.
 */
export function publishedTranslations(
  db: Queryable,
  input: { decided: { statementId: string; revision: number }[]; languages: string[] },
): Map<string, Record<string, { text: string; rationale?: string }>> {
  const result = new Map<string, Record<string, { text: string; rationale?: string }>>();
  if (input.decided.length === 0 || input.languages.length === 0) return result;
  const revisions = db
    .select({ id: statementRevisions.id, statementId: statementRevisions.statementId, revision: statementRevisions.revision })
    .from(statementRevisions)
    .where(
      inArray(
        statementRevisions.statementId,
        input.decided.map((d) => d.statementId),
      ),
    )
    .all()
    .filter((r) => input.decided.some((d) => d.statementId === r.statementId && d.revision === r.revision));
  const translations = translationsOf(
    db,
    revisions.map((r) => r.id),
    input.languages,
  );
  for (const revision of revisions) {
    const confirmed = (translations.get(revision.id) ?? []).filter((t) => t.confirmed);
    if (confirmed.length === 0) continue;
    result.set(
      revision.statementId,
      Object.fromEntries(
        confirmed.map((t) => [t.language, { text: t.text, ...(t.rationale ? { rationale: t.rationale } : {}) }]),
      ),
    );
  }
  return result;
}
