import { and, asc, desc, eq, inArray, lt, sql } from "drizzle-orm";
import type { Queryable } from "@db/client.server";
import {
  ballots,
  type guidelines,
  type memberships,
  recusals,
  roundItems,
  roundResults,
  rounds,
  statementRevisions,
  statements,
  type Choice,
} from "@db/schema";
import { evaluate, RuleSchema, type Rule } from "~/consensus/rule";
import { recordAudit } from "./audit.server";
import { Refusal } from "./errors";

type Guideline = typeof guidelines.$inferSelect;
type Membership = typeof memberships.$inferSelect;
type Round = typeof rounds.$inferSelect;

export type BallotInput = { roundItemId: string; choice: Choice; comment: string | null };

/** The guideline's open round, if any. */
export function findOpenRound(db: Queryable, guidelineId: string): Round | null {
  return (
    db
      .select()
      .from(rounds)
      .where(and(eq(rounds.guidelineId, guidelineId), eq(rounds.status, "open")))
      .get() ?? null
  );
}

function isEligible(round: Round, membershipId: string): boolean {
  return round.panelSnapshot?.members.some((m) => m.membershipId === membershipId) ?? false;
}

// A round's panel is fixed when it opens and never changes: each round's eligible members are
// read and parsed once, not on every ballot (a 10,000-member snapshot is most of a ballot's cost).
const panels = new Map<string, Set<string>>();

function eligibleMembers(db: Queryable, roundId: string): Set<string> {
  let panel = panels.get(roundId);
  if (!panel) {
    const row = db.select({ snapshot: rounds.panelSnapshot }).from(rounds).where(eq(rounds.id, roundId)).get();
    panel = new Set(row?.snapshot?.members.map((m) => m.membershipId) ?? []);
    panels.set(roundId, panel);
  }
  return panel;
}

function recusedStatements(db: Queryable, membershipId: string): Set<string> {
  return new Set(
    db
      .select({ statementId: recusals.statementId })
      .from(recusals)
      .where(eq(recusals.membershipId, membershipId))
      .all()
      .map((r) => r.statementId),
  );
}

/** The guideline's open round, refused unless this member may vote in it now. */
function roundToVoteIn(db: Queryable, input: { guideline: Guideline; membership: Membership; now: Date }) {
  const { guideline, membership, now } = input;
  if (membership.role !== "panelist") throw new Refusal("Only panelists vote.", 403);
  const round = db
    .select({ id: rounds.id, number: rounds.number, closesAt: rounds.closesAt })
    .from(rounds)
    .where(and(eq(rounds.guidelineId, guideline.id), eq(rounds.status, "open")))
    .get();
  if (!round) throw new Refusal("No round of this guideline is open for voting.", 409);
  if (round.closesAt && round.closesAt.getTime() <= now.getTime()) {
    throw new Refusal(`Round ${round.number} closed at its deadline; ballots can no longer change.`, 409);
  }
  if (!eligibleMembers(db, round.id).has(membership.id)) {
    throw new Refusal(`You joined after round ${round.number} opened: you can vote from the next round.`, 403);
  }
  return round;
}

/** A statement's ballot could not be saved: why, and the status a request about it alone gets. */
export type RefusedBallot = { roundItemId: string; message: string; status: 403 | 404 };

export type CastOutcome = {
  /** Ballots that now hold what was sent, changed or not. */
  saved: number;
  /** Of those, the ones that changed (each one audit event). */
  changed: number;
  refused: RefusedBallot[];
};

/**
 * Records a panelist's ballots on items of the guideline's open round, replacing earlier ones,
 * in one transaction. A statement that cannot take a ballot (not in the round, recused) is
 * refused on its own; the others are saved. A ballot identical to the saved one (same choice,
 * same comment) is left alone: no write, no audit event. The voter is always the session's own
 * membership, never an id from the request.
 */
export function castBallots(
  db: Queryable,
  input: { guideline: Guideline; membership: Membership; ballots: BallotInput[]; now?: Date },
): CastOutcome {
  const now = input.now ?? new Date();
  const { guideline, membership } = input;
  return db.transaction(
    (tx) => {
      const round = roundToVoteIn(tx, { guideline, membership, now });
      const ids = input.ballots.map((b) => b.roundItemId);
      const items = tx
        .select({ id: roundItems.id, position: roundItems.position, statementId: statementRevisions.statementId })
        .from(roundItems)
        .innerJoin(statementRevisions, eq(statementRevisions.id, roundItems.revisionId))
        .where(and(eq(roundItems.roundId, round.id), inArray(roundItems.id, ids.length ? ids : [""])))
        .all();
      const byId = new Map(items.map((item) => [item.id, item]));
      const recused = recusedStatements(tx, membership.id);
      const outcome: CastOutcome = { saved: 0, changed: 0, refused: [] };
      for (const ballot of input.ballots) {
        const item = byId.get(ballot.roundItemId);
        if (!item) {
          outcome.refused.push({
            roundItemId: ballot.roundItemId,
            message: `That statement is not in round ${round.number}.`,
            status: 404,
          });
          continue;
        }
        if (recused.has(item.statementId)) {
          outcome.refused.push({
            roundItemId: item.id,
            message: `You are recused from statement ${item.position}: your vote is not collected on it.`,
            status: 403,
          });
          continue;
        }
        const previous = tx
          .select({ choice: ballots.choice, comment: ballots.comment })
          .from(ballots)
          .where(and(eq(ballots.roundItemId, item.id), eq(ballots.membershipId, membership.id)))
          .get();
        outcome.saved++;
        if (previous && previous.choice === ballot.choice && previous.comment === ballot.comment) continue;
        tx.insert(ballots)
          .values({ ...ballot, membershipId: membership.id, createdAt: now, updatedAt: now })
          .onConflictDoUpdate({
            target: [ballots.roundItemId, ballots.membershipId],
            set: { choice: ballot.choice, comment: ballot.comment, updatedAt: now },
          })
          .run();
        recordAudit(tx, {
          guidelineId: guideline.id,
          actorId: membership.userId,
          action: previous ? "ballot.changed" : "ballot.cast",
          details: {
            round: round.number,
            item: item.position,
            ...(guideline.anonymity === "named" ? { choice: ballot.choice } : {}),
          },
          at: now,
        });
        outcome.changed++;
      }
      return outcome;
    },
    { behavior: "immediate" },
  );
}

/**
 * Takes a panelist's ballot on one statement of the open round back to "no response" (choice
 * and comment deleted), audited as a withdrawal. Returns the statement's position in the round.
 */
export function withdrawBallot(
  db: Queryable,
  input: { guideline: Guideline; membership: Membership; roundItemId: string; now?: Date },
): { position: number } {
  const now = input.now ?? new Date();
  const { guideline, membership } = input;
  return db.transaction(
    (tx) => {
      const round = roundToVoteIn(tx, { guideline, membership, now });
      const item = tx
        .select({ position: roundItems.position })
        .from(roundItems)
        .where(and(eq(roundItems.id, input.roundItemId), eq(roundItems.roundId, round.id)))
        .get();
      if (!item) throw new Refusal(`That statement is not in round ${round.number}.`, 404);
      const deleted = tx
        .delete(ballots)
        .where(and(eq(ballots.roundItemId, input.roundItemId), eq(ballots.membershipId, membership.id)))
        .returning({ id: ballots.id })
        .all();
      if (deleted.length === 0) throw new Refusal(`You have no answer on statement ${item.position} to withdraw.`, 404);
      recordAudit(tx, {
        guidelineId: guideline.id,
        actorId: membership.userId,
        action: "ballot.withdrawn",
        details: { round: round.number, item: item.position },
        at: now,
      });
      return { position: item.position };
    },
    { behavior: "immediate" },
  );
}

export type Distribution = { agree: number; disagree: number; abstain: number; eligible: number };

export type FeedbackItem = {
  round: number;
  revision: number;
  text: string;
  distribution: Distribution;
  adopted: boolean;
  explanation: string;
  comments: string[];
  myChoice: Choice | null;
  myComment: string | null;
};

/**
 * Anonymous comments of a closed round item: text only, never who wrote them, in an order
 * that does not follow the panel (sorted by text).
 */
function commentsOn(db: Queryable, roundItemId: string): string[] {
  return db
    .select({ comment: ballots.comment })
    .from(ballots)
    .where(and(eq(ballots.roundItemId, roundItemId), sql`${ballots.comment} is not null and ${ballots.comment} <> ''`))
    .all()
    .map((b) => b.comment!)
    .sort((a, b) => a.localeCompare(b));
}

/**
 * A closed round item as panelists may see it: the group's distribution and verdict, the
 * anonymous comments, and only the viewer's own ballot.
 */
function closedItemFeedback(
  db: Queryable,
  item: { roundItemId: string; round: number; revision: number; text: string; rule: Rule },
  membershipId: string | null,
): FeedbackItem | null {
  const result = db.select().from(roundResults).where(eq(roundResults.roundItemId, item.roundItemId)).get();
  if (!result) return null;
  const distribution = { agree: result.agree, disagree: result.disagree, abstain: result.abstain, eligible: result.eligible };
  const mine = membershipId
    ? db
        .select({ choice: ballots.choice, comment: ballots.comment })
        .from(ballots)
        .where(and(eq(ballots.roundItemId, item.roundItemId), eq(ballots.membershipId, membershipId)))
        .get()
    : undefined;
  const verdict = evaluate(item.rule, distribution);
  return {
    round: item.round,
    revision: item.revision,
    text: item.text,
    distribution,
    adopted: verdict.adopted,
    explanation: verdict.explanation,
    comments: commentsOn(db, item.roundItemId),
    myChoice: mine?.choice ?? null,
    myComment: mine?.comment ?? null,
  };
}

export type BallotItem = {
  roundItemId: string;
  position: number;
  statementId: string;
  section: string;
  revision: number;
  text: string;
  rationale: string;
  references: string;
  recused: boolean;
  choice: Choice | null;
  comment: string | null;
  /** The statement's previous closed round, for controlled feedback beside a revised statement. */
  previous: FeedbackItem | null;
};

export type BallotPage = {
  round: { id: string; number: number; status: "open" | "closed"; closesAt: Date | null; closedAt: Date | null };
  rule: Rule;
  eligible: boolean;
  items: BallotItem[];
};

/**
 * A panelist's ballot for a round: the statements, their own choices and comments, and beside
 * each the feedback of its previous closed round. Never any count of the round itself while it
 * is open, and never another person's choice.
 */
export function ballotPage(db: Queryable, input: { round: Round; membershipId: string }): BallotPage {
  const { round, membershipId } = input;
  const rule = RuleSchema.parse(round.ruleSnapshot);
  const recused = recusedStatements(db, membershipId);
  const rows = db
    .select({
      roundItemId: roundItems.id,
      position: roundItems.position,
      statementId: statements.id,
      section: statementRevisions.section,
      revision: statementRevisions.revision,
      text: statementRevisions.text,
      rationale: statementRevisions.rationale,
      references: statementRevisions.references,
      choice: ballots.choice,
      comment: ballots.comment,
    })
    .from(roundItems)
    .innerJoin(statementRevisions, eq(statementRevisions.id, roundItems.revisionId))
    .innerJoin(statements, eq(statements.id, statementRevisions.statementId))
    .leftJoin(ballots, and(eq(ballots.roundItemId, roundItems.id), eq(ballots.membershipId, membershipId)))
    .where(eq(roundItems.roundId, round.id))
    .orderBy(asc(roundItems.position))
    .all();
  return {
    round: {
      id: round.id,
      number: round.number,
      status: round.status === "closed" ? "closed" : "open",
      closesAt: round.closesAt,
      closedAt: round.closedAt,
    },
    rule,
    eligible: isEligible(round, membershipId),
    items: rows.map((row) => ({
      ...row,
      recused: recused.has(row.statementId),
      previous: previousFeedback(db, {
        statementId: row.statementId,
        beforeRound: round.number,
        guidelineId: round.guidelineId,
        membershipId,
      }),
    })),
  };
}

function previousFeedback(
  db: Queryable,
  input: { statementId: string; beforeRound: number; guidelineId: string; membershipId: string },
): FeedbackItem | null {
  const previous = db
    .select({
      roundItemId: roundItems.id,
      round: rounds.number,
      ruleSnapshot: rounds.ruleSnapshot,
      revision: statementRevisions.revision,
      text: statementRevisions.text,
    })
    .from(roundItems)
    .innerJoin(rounds, eq(rounds.id, roundItems.roundId))
    .innerJoin(statementRevisions, eq(statementRevisions.id, roundItems.revisionId))
    .where(
      and(
        eq(statementRevisions.statementId, input.statementId),
        eq(rounds.guidelineId, input.guidelineId),
        eq(rounds.status, "closed"),
        lt(rounds.number, input.beforeRound),
      ),
    )
    .orderBy(desc(rounds.number))
    .limit(1)
    .get();
  if (!previous) return null;
  return closedItemFeedback(db, { ...previous, rule: RuleSchema.parse(previous.ruleSnapshot) }, input.membershipId);
}

/** The results of a closed round as panelists see them: distributions, verdicts, anonymous comments, their own ballot. */
export function closedRoundFeedback(
  db: Queryable,
  input: { round: Round; membershipId: string | null },
): (FeedbackItem & { position: number; section: string })[] {
  if (input.round.status !== "closed")
    throw new Refusal(`Round ${input.round.number} is not closed: its results are not shown yet.`, 403);
  const rule = RuleSchema.parse(input.round.ruleSnapshot);
  const items = db
    .select({
      roundItemId: roundItems.id,
      position: roundItems.position,
      section: statementRevisions.section,
      revision: statementRevisions.revision,
      text: statementRevisions.text,
    })
    .from(roundItems)
    .innerJoin(statementRevisions, eq(statementRevisions.id, roundItems.revisionId))
    .where(eq(roundItems.roundId, input.round.id))
    .orderBy(asc(roundItems.position))
    .all();
  return items.flatMap((item) => {
    const feedback = closedItemFeedback(db, { ...item, round: input.round.number, rule }, input.membershipId);
    return feedback ? [{ ...feedback, position: item.position, section: item.section }] : [];
  });
}

/** The guideline's closed rounds, newest first. */
export function closedRounds(db: Queryable, guidelineId: string): Round[] {
  return db
    .select()
    .from(rounds)
    .where(and(eq(rounds.guidelineId, guidelineId), eq(rounds.status, "closed")))
    .orderBy(desc(rounds.number))
    .all();
}

export function findClosedRound(db: Queryable, input: { guidelineId: string; number: number }): Round {
  const round = db
    .select()
    .from(rounds)
    .where(and(eq(rounds.guidelineId, input.guidelineId), eq(rounds.number, input.number)))
    .get();
  if (!round) throw new Refusal(`There is no round ${input.number}.`, 404);
  if (round.status !== "closed") throw new Refusal(`Round ${input.number} is not closed: its results are not shown yet.`, 403);
  return round;
}
