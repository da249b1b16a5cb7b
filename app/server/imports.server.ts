import { eq } from "drizzle-orm";
import type { Queryable } from "@db/client.server";
import { guidelines, roundItems, rounds, statementRevisions, statements } from "@db/schema";
import {
  closedAtOf,
  itemTally,
  statementHistories,
  statementKey,
  validateRecord,
  type ConsensusRecord,
  type Problem,
  type RecordRound,
  type StatementHistory,
} from "~/consensus/consensus-record";
import { msg } from "~/i18n";
import { recordAudit } from "./audit.server";
import { inEach, Refusal } from "./errors.server";
import { completeRound } from "./rounds.server";

/** An invalid consensus record, refused whole: every problem, by path and reason. */
export class ImportRefused extends Refusal {
  constructor(
    readonly problems: Problem[],
    readonly warnings: string[],
  ) {
    super(msg("The consensus record has {{problems}}: nothing was imported."), 422, {
      problems: inEach((t) => t("{{count}} problems", { count: problems.length })),
    });
    this.name = "ImportRefused";
  }
}

type Context = { record: ConsensusRecord; guidelineId: string; actorId: string | null; now: Date };

function insertGuideline(tx: Queryable, { record, actorId, now }: Omit<Context, "guidelineId">): string {
  const { slug, title, language, registration, source } = record.guideline;
  return tx
    .insert(guidelines)
    .values({
      slug,
      title,
      language,
      languages: [language],
      registration,
      source,
      scale: record.scale,
      rule: record.rule,
      ruleText: record.ruleText,
      createdBy: actorId,
      createdAt: now,
    })
    .returning({ id: guidelines.id })
    .get().id;
}

/** The statements and their revisions; returns each statement key's revision ids, revision n at n - 1. */
function insertStatements(tx: Queryable, ctx: Context, histories: StatementHistory[]): Map<string, string[]> {
  const revisionIds = new Map<string, string[]>();
  histories.forEach((history, index) => {
    const statement = tx
      .insert(statements)
      .values({ guidelineId: ctx.guidelineId, position: index + 1, createdAt: ctx.now })
      .returning({ id: statements.id })
      .get();
    const ids = history.revisions.map(
      ({ text, section }, i) =>
        tx
          .insert(statementRevisions)
          .values({
            statementId: statement.id,
            revision: i + 1,
            section,
            text,
            changeNote: "Imported from a consensus record",
            createdAt: ctx.now,
          })
          .returning({ id: statementRevisions.id })
          .get().id,
    );
    revisionIds.set(history.key, ids);
  });
  return revisionIds;
}

/**
 * A recorded round goes the way an online one does, so the database's rules hold for it too:
 * created as a draft with its items, opened with the panel, rule and scale fixed, then closed by
 * freezing the recorded totals (completeRound evaluates every verdict again with the rule).
 */
function importRound(tx: Queryable, ctx: Context, round: RecordRound, revisionIds: string[]): void {
  const draft = tx
    .insert(rounds)
    .values({ guidelineId: ctx.guidelineId, number: round.number, origin: "import", createdAt: ctx.now })
    .returning({ id: rounds.id })
    .get();
  const itemIds = round.items.map(
    (item, i) =>
      tx
        .insert(roundItems)
        .values({ roundId: draft.id, revisionId: revisionIds[i]!, position: i + 1, eligible: item.eligible ?? null })
        .returning({ id: roundItems.id })
        .get().id,
  );
  const opened = tx
    .update(rounds)
    .set({
      status: "open",
      panelSize: round.panelSize,
      panelSnapshot: { members: [], disciplines: ctx.record.panel?.disciplines ?? {} },
      ruleSnapshot: ctx.record.rule,
      scaleSnapshot: ctx.record.scale,
      openedAt: null,
    })
    .where(eq(rounds.id, draft.id))
    .returning()
    .get();
  // A record gives totals only (votes, or ratings on its scale): no groups.
  completeRound(tx, {
    round: opened,
    items: round.items.map((item, i) => ({
      roundItemId: itemIds[i]!,
      tally: itemTally(ctx.record.scale, round, item),
      groups: [],
    })),
    actorId: ctx.actorId,
    now: closedAtOf(round) ?? ctx.now,
  });
}

/**
 * Imports a consensus record (DESIGN §6) as a new guideline whose rounds are closed, ready to be
 * published. Every verdict is recomputed with the record's rule. An invalid record or a slug in
 * use is refused and nothing is written.
 */
export function importRecord(
  db: Queryable,
  input: { text: string; actorId: string | null; now?: Date },
): { slug: string; warnings: string[] } {
  const now = input.now ?? new Date();
  const checked = validateRecord(input.text);
  if (!checked.ok) throw new ImportRefused(checked.problems, checked.warnings);
  const { record, warnings } = checked;
  const { slug } = record.guideline;
  return db.transaction(
    (tx) => {
      if (tx.select({ id: guidelines.id }).from(guidelines).where(eq(guidelines.slug, slug)).get()) {
        throw new Refusal(msg('A guideline "{{slug}}" already exists: nothing was imported.'), 409, { slug });
      }
      const guidelineId = insertGuideline(tx, { record, actorId: input.actorId, now });
      const ctx: Context = { record, guidelineId, actorId: input.actorId, now };
      const { statements: histories, revisionOf } = statementHistories(record);
      const revisionIds = insertStatements(tx, ctx, histories);
      record.rounds.forEach((round, r) => {
        const voted = round.items.map((item, i) => revisionIds.get(statementKey(item))![revisionOf[r]![i]! - 1]!);
        importRound(tx, ctx, round, voted);
      });
      recordAudit(tx, {
        guidelineId,
        actorId: input.actorId,
        action: "guideline.imported",
        details: { rounds: record.rounds.length, statements: revisionIds.size, warnings: warnings.length },
        at: now,
      });
      return { slug, warnings };
    },
    { behavior: "immediate" },
  );
}
