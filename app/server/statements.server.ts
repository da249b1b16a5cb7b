import { and, asc, desc, eq, gt, inArray, lt, ne, sql } from "drizzle-orm";
import { tallySummary, type Tally } from "~/consensus/tally";
import type { Queryable } from "@db/client.server";
import {
  guidelines,
  roundItems,
  roundResults,
  rounds,
  statementRevisions,
  statements,
  users,
  type STATEMENT_STATUSES,
} from "@db/schema";
import { normalizeLineBreaks } from "~/consensus/characters";
import { wordDiff, type DiffSegment } from "~/consensus/diff";
import { recordAudit } from "./audit.server";
import { currentLanguage, translator } from "./i18n.server";
import { msg } from "~/i18n";
import { Refusal } from "./errors.server";
import {
  applyTranslations,
  confirmTranslation,
  otherLanguages,
  translationsOf,
  type Translation,
  type TranslationInput,
} from "./translations.server";
import { changeNoteRequired, type EditBasis, type StatementFields } from "./statement-form";

export type StatementStatus = (typeof STATEMENT_STATUSES)[number];
type Statement = typeof statements.$inferSelect;
type Revision = typeof statementRevisions.$inferSelect;

export type StatementSummary = {
  id: string;
  position: number;
  status: StatementStatus;
  /** The latest revision's section, text and number. */
  section: string;
  text: string;
  revision: number;
  revisions: number;
  /** The open round the statement is in (its wording is locked), if any. */
  lockedInRound: number | null;
  /** The draft round the statement is in (to be voted on when it opens), if any. */
  inDraftRound: number | null;
};

export type RevisionRound = {
  number: number;
  status: "draft" | "open" | "closed";
  /** The frozen outcome, and the tally in a few words (tally.ts tallySummary). */
  result: { adopted: boolean; summary: string } | null;
};

export type RevisionEntry = {
  id: string;
  revision: number;
  section: string;
  text: string;
  rationale: string;
  references: string;
  author: string | null;
  changeNote: string | null;
  createdAt: Date;
  rounds: RevisionRound[];
  /** Word-level changes from the previous revision's text; null for the first revision. */
  diff: DiffSegment[] | null;
  /** The text in the guideline's other languages, each with its own diff from the previous revision's translation. */
  translations: (Translation & { diff: DiffSegment[] | null })[];
};

export type StatementDetail = {
  id: string;
  position: number;
  /** The latest revision's section. */
  section: string;
  status: StatementStatus;
  lockedInRound: number | null;
  inDraftRound: number | null;
  /** Oldest first. */
  revisions: RevisionEntry[];
  basis: EditBasis;
};

/** The round of a status holding one of a statement's revisions: an open one locks its wording. */
function roundHoldingSql(statementId: typeof statements.id | string, status: "open" | "draft") {
  return sql<number | null>`(select min(${rounds.number}) from ${roundItems}
    join ${rounds} on ${rounds.id} = ${roundItems.roundId}
    join ${statementRevisions} on ${statementRevisions.id} = ${roundItems.revisionId}
    where ${statementRevisions.statementId} = ${statementId} and ${rounds.status} = ${status})`;
}

const lockedInRoundSql = (statementId: typeof statements.id | string) => roundHoldingSql(statementId, "open");

/** The guideline's statements in order, each with its latest revision. */
export function listStatements(
  db: Queryable,
  input: { guidelineId: string; status?: StatementStatus | null },
): StatementSummary[] {
  const latest = sql`(select max(${statementRevisions.revision}) from ${statementRevisions} where ${statementRevisions.statementId} = ${statements.id})`;
  return db
    .select({
      id: statements.id,
      position: statements.position,
      status: statements.status,
      section: statementRevisions.section,
      text: statementRevisions.text,
      revision: statementRevisions.revision,
      revisions: sql<number>`(select count(*) from ${statementRevisions} r where r.statement_id = ${statements.id})`,
      lockedInRound: lockedInRoundSql(statements.id),
      inDraftRound: roundHoldingSql(statements.id, "draft"),
    })
    .from(statements)
    .innerJoin(
      statementRevisions,
      and(eq(statementRevisions.statementId, statements.id), eq(statementRevisions.revision, latest)),
    )
    .where(and(eq(statements.guidelineId, input.guidelineId), input.status ? eq(statements.status, input.status) : undefined))
    .orderBy(asc(statements.position), asc(statements.createdAt))
    .all();
}

function statementOf(db: Queryable, input: { guidelineId: string; statementId: string }): Statement | undefined {
  return db
    .select()
    .from(statements)
    .where(and(eq(statements.id, input.statementId), eq(statements.guidelineId, input.guidelineId)))
    .get();
}

function findStatement(db: Queryable, input: { guidelineId: string; statementId: string }): Statement {
  const statement = statementOf(db, input);
  // The same answer whether the statement is missing or belongs to another guideline.
  if (!statement) throw new Refusal(msg("No such statement."), 404);
  return statement;
}

function roundsOf(db: Queryable, revisionIds: string[]) {
  return db
    .select({
      revisionId: roundItems.revisionId,
      number: rounds.number,
      status: rounds.status,
      adopted: roundResults.adopted,
      tally: roundResults.tally,
      eligible: roundResults.eligible,
    })
    .from(roundItems)
    .innerJoin(rounds, eq(rounds.id, roundItems.roundId))
    .leftJoin(roundResults, eq(roundResults.roundItemId, roundItems.id))
    .where(inArray(roundItems.revisionId, revisionIds))
    .orderBy(asc(rounds.number))
    .all()
    .map(({ revisionId, number, status, adopted, tally, eligible }) => ({
      revisionId,
      number,
      status,
      result:
        adopted === null
          ? null
          : {
              adopted,
              summary: tallySummary(
                { ...(tally as object), eligible: eligible! } as Tally,
                translator(currentLanguage(), "statements"),
              ),
            },
    }));
}

function history(db: Queryable, statementId: string): RevisionEntry[] {
  const revisions = db
    .select({ revision: statementRevisions, author: users.name })
    .from(statementRevisions)
    .leftJoin(users, eq(users.id, statementRevisions.authorId))
    .where(eq(statementRevisions.statementId, statementId))
    .orderBy(asc(statementRevisions.revision))
    .all();
  const votes = roundsOf(
    db,
    revisions.map((r) => r.revision.id),
  );
  const translations = translationsOf(
    db,
    revisions.map((r) => r.revision.id),
  );
  return revisions.map(({ revision, author }, index) => {
    const previous = revisions[index - 1]?.revision;
    const earlier = previous ? (translations.get(previous.id) ?? []) : [];
    return {
      id: revision.id,
      revision: revision.revision,
      section: revision.section,
      text: revision.text,
      rationale: revision.rationale,
      references: revision.references,
      author,
      changeNote: revision.changeNote,
      createdAt: revision.createdAt,
      rounds: votes.filter((v) => v.revisionId === revision.id).map(({ revisionId: _, ...round }) => round),
      diff: previous ? wordDiff(previous.text, revision.text) : null,
      translations: (translations.get(revision.id) ?? []).map((translation) => {
        const before = earlier.find((t) => t.language === translation.language);
        return { ...translation, diff: before ? wordDiff(before.text, translation.text) : null };
      }),
    };
  });
}

function basisOf(latest: Pick<RevisionEntry, "revision" | "text" | "rationale" | "references" | "rounds">): EditBasis {
  const voted = latest.rounds.filter((r) => r.status !== "draft").at(-1);
  return {
    revision: latest.revision,
    text: latest.text,
    rationale: latest.rationale,
    references: latest.references,
    votedInRound: voted?.number ?? null,
  };
}

/** One statement of the guideline with its whole history, or null if the guideline has no such statement. */
export function getStatement(db: Queryable, input: { guidelineId: string; statementId: string }): StatementDetail | null {
  const statement = statementOf(db, input);
  if (!statement) return null;
  const revisions = history(db, statement.id);
  const held = revisions.flatMap((r) => r.rounds);
  return {
    id: statement.id,
    position: statement.position,
    section: revisions.at(-1)!.section,
    status: statement.status,
    lockedInRound: held.find((r) => r.status === "open")?.number ?? null,
    inDraftRound: held.find((r) => r.status === "draft")?.number ?? null,
    revisions,
    basis: basisOf(revisions.at(-1)!),
  };
}

function refuseIfLocked(db: Queryable, statement: Statement): void {
  const round = db.get<{ number: number | null }>(sql`select ${lockedInRoundSql(statement.id)} as number`).number;
  if (round !== null) throw new Refusal(msg("Locked while round {{number}} is open."), 409, { number: round });
}

function latestRevision(db: Queryable, statementId: string): Revision {
  return db
    .select()
    .from(statementRevisions)
    .where(eq(statementRevisions.statementId, statementId))
    .orderBy(desc(statementRevisions.revision))
    .limit(1)
    .get()!;
}

/** Adds a draft statement at the end of the guideline's order, as its revision 1. */
export function createStatement(
  db: Queryable,
  input: {
    guidelineId: string;
    actorId: string;
    fields: StatementFields;
    translations?: Record<string, TranslationInput>;
    now?: Date;
  },
): { statement: Statement; revision: Revision } {
  const now = input.now ?? new Date();
  const { section, text, rationale, references } = input.fields;
  return db.transaction(
    (tx) => {
      const last = tx
        .select({ position: sql<number | null>`max(${statements.position})` })
        .from(statements)
        .where(eq(statements.guidelineId, input.guidelineId))
        .get();
      const statement = tx
        .insert(statements)
        .values({ guidelineId: input.guidelineId, position: (last?.position ?? 0) + 1, createdAt: now })
        .returning()
        .get();
      const revision = tx
        .insert(statementRevisions)
        .values({
          statementId: statement.id,
          revision: 1,
          section,
          text,
          rationale,
          references,
          authorId: input.actorId,
          createdAt: now,
        })
        .returning()
        .get();
      const translated = applyTranslations(tx, {
        revisionId: revision.id,
        current: [],
        edited: input.translations ?? {},
        authoritativeChanged: false,
        actorId: input.actorId,
        now,
      });
      recordAudit(tx, {
        guidelineId: input.guidelineId,
        actorId: input.actorId,
        action: "statement.created",
        details: { statementId: statement.id, statement: statement.position, ...(translated.length ? { translated } : {}) },
        at: now,
      });
      return { statement, revision };
    },
    { behavior: "immediate" },
  );
}

/**
 * Saves an edit. A revision a round has voted on never changes, so a new section or wording for
 * it becomes revision n+1 with a change note (and draft rounds that hold the statement move to
 * it); an unvoted revision is a draft and is changed in place. Refused while the statement is in
 * an open round, and for a retired statement.
 */
export function editStatement(
  db: Queryable,
  input: {
    guidelineId: string;
    statementId: string;
    actorId: string;
    edit: StatementFields & { changeNote: string; translations?: Record<string, TranslationInput> };
    now?: Date;
  },
): { revision: number; created: boolean } {
  const now = input.now ?? new Date();
  const { changeNote, translations: edited = {}, ...fields } = input.edit;
  return db.transaction(
    (tx) => {
      const statement = findStatement(tx, input);
      if (statement.status === "retired") throw new Refusal(msg("This statement is retired: restore it before editing it."), 409);
      refuseIfLocked(tx, statement);
      const latest = latestRevision(tx, statement.id);
      const basis = basisOf({ ...latest, rounds: roundsOf(tx, [latest.id]) });
      const voted = basis.votedInRound !== null;
      if (changeNote === "" && changeNoteRequired(basis)) {
        throw basis.votedInRound === null
          ? new Refusal(msg("Say what changed in revision {{revision}}"), 422, { revision: basis.revision })
          : new Refusal(msg("Say what changed: revision {{revision}} was voted on in round {{round}}"), 422, {
              revision: basis.revision,
              round: basis.votedInRound,
            });
      }
      const note = basis.revision >= 2 || voted ? changeNote : null;
      // Texts saved before line breaks were normalized may hold the CRLF a browser sends.
      const changed = (["section", "text", "rationale", "references"] as const).some(
        (field) => fields[field] !== normalizeLineBreaks(latest[field]),
      );
      const current = translationsOf(tx, [latest.id]).get(latest.id) ?? [];
      const retranslated = Object.entries(edited).some(([language, edit]) => {
        const before = current.find((t) => t.language === language);
        return edit.text !== (before?.text ?? "") || edit.rationale !== (before?.rationale ?? "");
      });
      if (!changed && !retranslated && (voted || note === latest.changeNote)) throw new Refusal(msg("Nothing changed."), 422);
      // A translation holds the text and the rationale: a new section or references leave it as it was.
      const reworded = (["text", "rationale"] as const).some((field) => fields[field] !== normalizeLineBreaks(latest[field]));
      const translating = (revisionId: string) =>
        applyTranslations(tx, { revisionId, current, edited, authoritativeChanged: reworded, actorId: input.actorId, now });

      const audit = { guidelineId: input.guidelineId, actorId: input.actorId, at: now };
      if (voted) {
        const next = tx
          .insert(statementRevisions)
          .values({
            statementId: statement.id,
            revision: basis.revision + 1,
            ...fields,
            authorId: input.actorId,
            changeNote,
            createdAt: now,
          })
          .returning()
          .get();
        const translated = translating(next.id);
        moveDraftRoundItems(tx, { statementId: statement.id, revisionId: next.id });
        recordAudit(tx, {
          ...audit,
          action: "statement.revised",
          details: {
            statementId: statement.id,
            statement: statement.position,
            previousRevision: basis.revision,
            revision: next.revision,
            changeNote,
            ...(translated.length ? { translated } : {}),
          },
        });
        return { revision: next.revision, created: true };
      }
      if (changed || note !== latest.changeNote) {
        tx.update(statementRevisions)
          .set({ ...fields, changeNote: note })
          .where(eq(statementRevisions.id, latest.id))
          .run();
      }
      const translated = translating(latest.id);
      recordAudit(tx, {
        ...audit,
        action: "statement.edited",
        details: {
          statementId: statement.id,
          statement: statement.position,
          revision: basis.revision,
          ...(note ? { changeNote: note } : {}),
          ...(translated.length ? { translated } : {}),
        },
      });
      return { revision: basis.revision, created: false };
    },
    { behavior: "immediate" },
  );
}

/** A draft round votes on the statement's newest wording, not the one it was drafted with. */
function moveDraftRoundItems(db: Queryable, input: { statementId: string; revisionId: string }): void {
  const items = db
    .select({ id: roundItems.id })
    .from(roundItems)
    .innerJoin(rounds, and(eq(rounds.id, roundItems.roundId), eq(rounds.status, "draft")))
    .innerJoin(statementRevisions, eq(statementRevisions.id, roundItems.revisionId))
    .where(and(eq(statementRevisions.statementId, input.statementId), ne(roundItems.revisionId, input.revisionId)))
    .all();
  if (items.length === 0) return;
  db.update(roundItems)
    .set({ revisionId: input.revisionId })
    .where(
      inArray(
        roundItems.id,
        items.map((i) => i.id),
      ),
    )
    .run();
}

function draftRoundOf(db: Queryable, statementId: string): number | null {
  const row = db
    .select({ number: rounds.number })
    .from(roundItems)
    .innerJoin(rounds, and(eq(rounds.id, roundItems.roundId), eq(rounds.status, "draft")))
    .innerJoin(statementRevisions, eq(statementRevisions.id, roundItems.revisionId))
    .where(eq(statementRevisions.statementId, statementId))
    .orderBy(asc(rounds.number))
    .limit(1)
    .get();
  return row?.number ?? null;
}

/** Takes a statement out of the guideline: no new rounds, and listed as retired in the next version. */
export function retireStatement(
  db: Queryable,
  input: { guidelineId: string; statementId: string; actorId: string; now?: Date },
): void {
  db.transaction(
    (tx) => {
      const statement = findStatement(tx, input);
      if (statement.status === "retired") {
        throw new Refusal(msg("Statement {{number}} is already retired."), 409, { number: statement.position });
      }
      refuseIfLocked(tx, statement);
      // Opening that round would put the statement back to "in round".
      const draft = draftRoundOf(tx, statement.id);
      if (draft !== null) {
        throw new Refusal(
          msg("Statement {{number}} is in draft round {{round}}: take it out of that round before retiring it."),
          409,
          { number: statement.position, round: draft },
        );
      }
      tx.update(statements).set({ status: "retired" }).where(eq(statements.id, statement.id)).run();
      recordAudit(tx, {
        guidelineId: input.guidelineId,
        actorId: input.actorId,
        action: "statement.retired",
        details: { statementId: statement.id, statement: statement.position, previousStatus: statement.status },
        at: input.now,
      });
    },
    { behavior: "immediate" },
  );
}

/** The status a statement had before it was retired: the verdict of the latest closed round that voted on it, else draft. */
function decidedStatus(db: Queryable, statementId: string): StatementStatus {
  const latest = db
    .select({ adopted: roundResults.adopted })
    .from(roundResults)
    .innerJoin(roundItems, eq(roundItems.id, roundResults.roundItemId))
    .innerJoin(rounds, and(eq(rounds.id, roundItems.roundId), eq(rounds.status, "closed")))
    .innerJoin(statementRevisions, eq(statementRevisions.id, roundItems.revisionId))
    .where(eq(statementRevisions.statementId, statementId))
    .orderBy(desc(rounds.number))
    .limit(1)
    .get();
  if (!latest) return "draft";
  return latest.adopted ? "adopted" : "not_adopted";
}

export function restoreStatement(
  db: Queryable,
  input: { guidelineId: string; statementId: string; actorId: string; now?: Date },
): { status: StatementStatus } {
  return db.transaction(
    (tx) => {
      const statement = findStatement(tx, input);
      if (statement.status !== "retired") {
        throw new Refusal(msg("Statement {{number}} is not retired."), 409, { number: statement.position });
      }
      refuseIfLocked(tx, statement);
      const status = decidedStatus(tx, statement.id);
      tx.update(statements).set({ status }).where(eq(statements.id, statement.id)).run();
      recordAudit(tx, {
        guidelineId: input.guidelineId,
        actorId: input.actorId,
        action: "statement.restored",
        details: { statementId: statement.id, statement: statement.position, status },
        at: input.now,
      });
      return { status };
    },
    { behavior: "immediate" },
  );
}

/** Swaps a statement with its neighbour in the guideline's order (published numbers follow it). */
export function moveStatement(
  db: Queryable,
  input: { guidelineId: string; statementId: string; direction: "up" | "down" },
): void {
  db.transaction(
    (tx) => {
      const statement = findStatement(tx, input);
      const up = input.direction === "up";
      const neighbour = tx
        .select()
        .from(statements)
        .where(
          and(
            eq(statements.guidelineId, input.guidelineId),
            up ? lt(statements.position, statement.position) : gt(statements.position, statement.position),
          ),
        )
        .orderBy(up ? desc(statements.position) : asc(statements.position))
        .limit(1)
        .get();
      if (!neighbour) {
        const already = up ? msg("Statement {{number}} is already first.") : msg("Statement {{number}} is already last.");
        throw new Refusal(already, 409, { number: statement.position });
      }
      tx.update(statements).set({ position: neighbour.position }).where(eq(statements.id, statement.id)).run();
      tx.update(statements).set({ position: statement.position }).where(eq(statements.id, neighbour.id)).run();
    },
    { behavior: "immediate" },
  );
}

/** Confirms that the latest wording's translation into `language` still says what the authoritative text says. */
export function confirmStatementTranslation(
  db: Queryable,
  input: { guidelineId: string; statementId: string; language: string; actorId: string; now?: Date },
): void {
  db.transaction(
    (tx) => {
      const statement = findStatement(tx, input);
      refuseIfLocked(tx, statement);
      const latest = latestRevision(tx, statement.id);
      if (basisOf({ ...latest, rounds: roundsOf(tx, [latest.id]) }).votedInRound !== null) {
        throw new Refusal(
          msg("This wording went to a vote: its translations stay as they were. Edit the statement to give it a new one."),
          409,
        );
      }
      const guideline = tx.select().from(guidelines).where(eq(guidelines.id, input.guidelineId)).get()!;
      if (!otherLanguages(guideline).includes(input.language)) {
        throw new Refusal(msg("This statement has no {{language}} translation to confirm."), 404, { language: input.language });
      }
      confirmTranslation(tx, { ...input, statement: statement.position, revisionId: latest.id });
    },
    { behavior: "immediate" },
  );
}
