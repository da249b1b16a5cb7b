import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Queryable } from "@db/client.server";
import {
  guidelines,
  memberships,
  roundItems,
  roundResults,
  rounds,
  statementRevisions,
  statements,
  type PanelSnapshot,
} from "@db/schema";
import { evaluate, RuleSchema, type Verdict } from "~/consensus/rule";
import { recordAudit } from "./audit.server";
import { Refusal } from "./errors";

type Round = typeof rounds.$inferSelect;

function findRound(db: Queryable, roundId: string): Round {
  const round = db.select().from(rounds).where(eq(rounds.id, roundId)).get();
  if (!round) throw new Refusal("No such round.", 404);
  return round;
}

export function disciplineCounts(members: { discipline: string | null }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { discipline } of members) {
    const name = discipline ?? "Unspecified";
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/**
 * Opens a draft round: fixes who may vote (the guideline's panelists now) and the rule, and
 * locks the items. Refused for an empty round, an empty panel, or a round that is not a draft.
 */
export function openRound(
  db: Queryable,
  input: { roundId: string; actorId: string | null; closesAt?: Date | null; now?: Date },
): Round {
  const now = input.now ?? new Date();
  const round = findRound(db, input.roundId);
  if (round.status !== "draft") throw new Refusal(`Round ${round.number} is already ${round.status}.`);
  const items = db.select({ revisionId: roundItems.revisionId }).from(roundItems).where(eq(roundItems.roundId, round.id)).all();
  if (items.length === 0) throw new Refusal(`Round ${round.number} has no statements: add at least one before opening it.`, 422);
  if (input.closesAt && input.closesAt.getTime() <= now.getTime()) {
    throw new Refusal("The deadline must be in the future.", 422);
  }
  const guideline = db.select().from(guidelines).where(eq(guidelines.id, round.guidelineId)).get()!;
  const members = db
    .select({ membershipId: memberships.id, discipline: memberships.discipline })
    .from(memberships)
    .where(and(eq(memberships.guidelineId, round.guidelineId), eq(memberships.role, "panelist"), isNull(memberships.removedAt)))
    .orderBy(asc(memberships.createdAt), asc(memberships.id))
    .all();
  if (members.length === 0) throw new Refusal("The panel is empty: invite panelists before opening a round.", 422);
  const snapshot: PanelSnapshot = { members, disciplines: disciplineCounts(members) };

  const opened = db
    .update(rounds)
    .set({
      status: "open",
      openedAt: now,
      closesAt: input.closesAt ?? round.closesAt,
      panelSize: members.length,
      panelSnapshot: snapshot,
      ruleSnapshot: RuleSchema.parse(guideline.rule),
    })
    .where(eq(rounds.id, round.id))
    .returning()
    .get();
  const statementIds = db
    .select({ id: statementRevisions.statementId })
    .from(statementRevisions)
    .where(inArray(statementRevisions.id, items.map((i) => i.revisionId)))
    .all()
    .map((s) => s.id);
  db.update(statements).set({ status: "in_round" }).where(inArray(statements.id, statementIds)).run();
  recordAudit(db, {
    guidelineId: round.guidelineId,
    actorId: input.actorId,
    action: "round.opened",
    details: { round: round.number, items: items.length, eligible: members.length },
    at: now,
  });
  return opened;
}

export type ItemTally = { roundItemId: string; agree: number; disagree: number; abstain: number; eligible: number };

/**
 * Freezes an open round: each item's tally and verdict under the round's rule snapshot, the
 * statements' new status, and the round closed. Call inside an immediate transaction.
 */
export function freezeResults(
  db: Queryable,
  input: { round: Round; tallies: ItemTally[]; actorId: string | null; now: Date },
): { roundItemId: string; verdict: Verdict }[] {
  const rule = RuleSchema.parse(input.round.ruleSnapshot);
  const verdicts = input.tallies.map((tally) => {
    const verdict = evaluate(rule, tally);
    db.insert(roundResults)
      .values({
        roundItemId: tally.roundItemId,
        agree: tally.agree,
        disagree: tally.disagree,
        abstain: tally.abstain,
        eligible: tally.eligible,
        adopted: verdict.adopted,
        reasons: verdict.reasons,
        agreePercent: verdict.agreePercent,
        disagreePercent: verdict.disagreePercent,
      })
      .run();
    return { roundItemId: tally.roundItemId, verdict };
  });
  const statementOf = new Map(
    db
      .select({ itemId: roundItems.id, statementId: statementRevisions.statementId })
      .from(roundItems)
      .innerJoin(statementRevisions, eq(statementRevisions.id, roundItems.revisionId))
      .where(eq(roundItems.roundId, input.round.id))
      .all()
      .map((row) => [row.itemId, row.statementId]),
  );
  for (const { roundItemId, verdict } of verdicts) {
    db.update(statements)
      .set({ status: verdict.adopted ? "adopted" : "not_adopted" })
      .where(and(eq(statements.id, statementOf.get(roundItemId)!), sql`${statements.status} <> 'retired'`))
      .run();
  }
  db.update(rounds).set({ status: "closed", closedAt: input.now }).where(eq(rounds.id, input.round.id)).run();
  recordAudit(db, {
    guidelineId: input.round.guidelineId,
    actorId: input.actorId,
    action: "round.closed",
    details: {
      round: input.round.number,
      items: verdicts.length,
      adopted: verdicts.filter((v) => v.verdict.adopted).length,
    },
    at: input.now,
  });
  return verdicts;
}

/**
 * The tallies of an open round, counted in SQL from its ballots. A recused member's ballot is
 * not counted and the member is not eligible for that statement.
 */
export function tallyRound(db: Queryable, round: Round): ItemTally[] {
  const snapshot = round.panelSnapshot;
  const memberIds = snapshot?.members.map((m) => m.membershipId) ?? [];
  const rows = db.all<{ roundItemId: string; agree: number; disagree: number; abstain: number; recused: number }>(sql`
    select i.id as roundItemId,
      coalesce(sum(b.choice = 'agree'), 0) as agree,
      coalesce(sum(b.choice = 'disagree'), 0) as disagree,
      coalesce(sum(b.choice = 'abstain'), 0) as abstain,
      (select count(*) from recusals r
        where r.statement_id = rev.statement_id
          and r.membership_id in (select value from json_each(${JSON.stringify(memberIds)}))) as recused
    from round_items i
    join statement_revisions rev on rev.id = i.revision_id
    left join ballots b on b.round_item_id = i.id
      and not exists (select 1 from recusals r where r.membership_id = b.membership_id and r.statement_id = rev.statement_id)
    where i.round_id = ${round.id}
    group by i.id
    order by i.position`);
  return rows.map(({ recused, ...row }) => ({ ...row, eligible: (round.panelSize ?? 0) - recused }));
}

/** Closes an open round and freezes its results, all in one immediate transaction. */
export function closeRound(
  db: Queryable,
  input: { roundId: string; actorId: string | null; now?: Date },
): { round: Round; verdicts: { roundItemId: string; verdict: Verdict }[] } {
  const now = input.now ?? new Date();
  return db.transaction(
    (tx) => {
      const round = findRound(tx, input.roundId);
      if (round.status !== "open") {
        throw new Refusal(
          round.status === "closed" ? `Round ${round.number} is already closed.` : `Round ${round.number} has not been opened.`,
        );
      }
      const verdicts = freezeResults(tx, { round, tallies: tallyRound(tx, round), actorId: input.actorId, now });
      return { round: findRound(tx, round.id), verdicts };
    },
    { behavior: "immediate" },
  );
}
