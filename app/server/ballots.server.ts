import { and, asc, desc, eq, inArray, lt, sql } from "drizzle-orm";
import { newId } from "@db/columns";
import { prepared, type Queryable } from "@db/client.server";
import {
  ballots,
  type guidelines,
  type memberships,
  recusals,
  roundItems,
  rounds,
  statementRevisions,
  statements,
} from "@db/schema";
import type { Anonymity } from "~/consensus/anonymity";
import { RuleSchema, type FrozenVerdict, type Rule } from "~/consensus/rule";
import { answerProblem, scaleOf, type Scale } from "~/consensus/scale";
import type { Answer, GroupTally, Tally } from "~/consensus/tally";
import { recordAudit } from "./audit.server";
import { msg } from "~/i18n";
import { Refusal } from "./errors.server";
import { otherLanguages, translationsOf } from "./translations.server";
import { currentLanguage, translator } from "./i18n.server";
import { closedRoundResults } from "./results.server";

type Guideline = typeof guidelines.$inferSelect;
type Membership = typeof memberships.$inferSelect;
type Round = typeof rounds.$inferSelect;

export type BallotInput = { roundItemId: string; answer: Answer; comment: string | null };

/** A stored ballot's answer: its rating, else its choice ("unable" included). */
export function answerOf(row: { choice: string | null; rating: number | null }): Answer {
  return row.rating !== null ? row.rating : (row.choice as Answer);
}

/** The columns a ballot's answer is stored in. */
function columnsOf(answer: Answer): { choice: "agree" | "disagree" | "abstain" | "unable" | null; rating: number | null } {
  return typeof answer === "number" ? { choice: null, rating: answer } : { choice: answer, rating: null };
}

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

/** The guideline's open round, as a ballot needs it: not its panel snapshot, which a ballot does not read. */
const openRoundOf = prepared((db) =>
  db
    .select({ id: rounds.id, number: rounds.number, closesAt: rounds.closesAt, scaleSnapshot: rounds.scaleSnapshot })
    .from(rounds)
    .where(and(eq(rounds.guidelineId, sql.placeholder("guidelineId")), eq(rounds.status, "open")))
    .prepare(),
);

/** The scale ballots are read on: the open round's, else the guideline's. */
export function ballotScale(db: Queryable, guideline: { id: string; scale: unknown }): Scale {
  const open = openRoundOf(db).get({ guidelineId: guideline.id });
  return scaleOf(open ? open.scaleSnapshot : guideline.scale);
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
  if (membership.role !== "panelist") throw new Refusal(msg("Only panelists vote."), 403);
  const round = openRoundOf(db).get({ guidelineId: guideline.id });
  if (!round) throw new Refusal(msg("No round of this guideline is open for voting."), 409);
  if (round.closesAt && round.closesAt.getTime() <= now.getTime()) {
    throw new Refusal(msg("Round {{number}} closed at its deadline; ballots can no longer change."), 409, {
      number: round.number,
    });
  }
  if (!eligibleMembers(db, round.id).has(membership.id)) {
    throw new Refusal(msg("You joined after round {{number}} opened: you can vote from the next round."), 403, {
      number: round.number,
    });
  }
  return round;
}

/**
 * A statement's ballot could not be saved: why (`message` in English; `key` and `values` to
 * translate it, or to refuse with `new Refusal(key, status, values)`), and the status a request
 * about it alone gets.
 */
export type RefusedBallot = {
  roundItemId: string;
  message: string;
  key: string;
  values?: Record<string, number>;
  status: 400 | 403 | 404;
};

function refusedBallot(
  roundItemId: string,
  status: RefusedBallot["status"],
  key: string,
  values?: Record<string, number>,
): RefusedBallot {
  return { roundItemId, message: new Refusal(key, status, values).message, key, values, status };
}

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
  // Every query runs on `db`, whose prepared statements are kept, inside the transaction opened on its connection.
  return db.transaction(
    () => {
      const round = roundToVoteIn(db, { guideline, membership, now });
      const scale = scaleOf(round.scaleSnapshot);
      const outcome: CastOutcome = { saved: 0, changed: 0, refused: [] };
      for (const ballot of input.ballots) {
        const item = ballotTarget(db).get({ item: ballot.roundItemId, round: round.id, member: membership.id });
        if (!item) {
          outcome.refused.push(
            refusedBallot(ballot.roundItemId, 404, msg("That statement is not in round {{number}}."), { number: round.number }),
          );
          continue;
        }
        if (item.recused) {
          outcome.refused.push(
            refusedBallot(item.id, 403, msg("You are recused from statement {{number}}: your vote is not collected on it."), {
              number: item.number,
            }),
          );
          continue;
        }
        const invalid = answerProblem(scale, ballot.answer);
        if (invalid) {
          outcome.refused.push(refusedBallot(item.id, 400, invalid));
          continue;
        }
        const previous = item.previous;
        outcome.saved++;
        if (previous && answerOf(previous) === ballot.answer && previous.comment === ballot.comment) continue;
        saveBallot(db).run({
          id: newId(),
          item: item.id,
          member: membership.id,
          ...columnsOf(ballot.answer),
          comment: ballot.comment,
          at: now,
        });
        recordAudit(db, {
          guidelineId: guideline.id,
          actorId: membership.userId,
          action: previous ? "ballot.changed" : "ballot.cast",
          // `item` is the place in the round, as audit:verify matches ballots; the log shows the statement's number.
          details: {
            round: round.number,
            item: item.position,
            ...(guideline.anonymity === "named" ? { choice: ballot.answer } : {}),
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
 * A statement of the open round as a member's ballot on it needs it, in one read: its place and
 * number, whether the member is recused from it, and the member's saved ballot (null: none).
 */
const ballotTarget = prepared((db) =>
  db
    .select({
      id: roundItems.id,
      position: roundItems.position,
      number: statements.position,
      recused: sql<boolean>`${recusals.statementId} is not null`.mapWith(Boolean),
      previous: { choice: ballots.choice, rating: ballots.rating, comment: ballots.comment, id: ballots.id },
    })
    .from(roundItems)
    .innerJoin(statementRevisions, eq(statementRevisions.id, roundItems.revisionId))
    .innerJoin(statements, eq(statements.id, statementRevisions.statementId))
    .leftJoin(
      recusals,
      and(eq(recusals.statementId, statementRevisions.statementId), eq(recusals.membershipId, sql.placeholder("member"))),
    )
    .leftJoin(ballots, and(eq(ballots.roundItemId, roundItems.id), eq(ballots.membershipId, sql.placeholder("member"))))
    .where(and(eq(roundItems.id, sql.placeholder("item")), eq(roundItems.roundId, sql.placeholder("round"))))
    .prepare(),
);

/** Saves a member's ballot on an item, replacing the one saved before (`id` is used only for a new one). */
const saveBallot = prepared((db) =>
  db
    .insert(ballots)
    .values({
      id: sql.placeholder("id"),
      roundItemId: sql.placeholder("item"),
      membershipId: sql.placeholder("member"),
      choice: sql.placeholder("choice"),
      rating: sql.placeholder("rating"),
      comment: sql.placeholder("comment"),
      createdAt: sql.placeholder("at"),
      updatedAt: sql.placeholder("at"),
    })
    .onConflictDoUpdate({
      target: [ballots.roundItemId, ballots.membershipId],
      set: {
        choice: sql`excluded.choice`,
        rating: sql`excluded.rating`,
        comment: sql`excluded.comment`,
        updatedAt: sql`excluded.updated_at`,
      },
    })
    .prepare(),
);

/**
 * Takes a panelist's ballot on one statement of the open round back to "no response" (choice
 * and comment deleted), audited as a withdrawal. Returns the statement's number.
 */
export function withdrawBallot(
  db: Queryable,
  input: { guideline: Guideline; membership: Membership; roundItemId: string; now?: Date },
): { number: number } {
  const now = input.now ?? new Date();
  const { guideline, membership } = input;
  return db.transaction(
    (tx) => {
      const round = roundToVoteIn(tx, { guideline, membership, now });
      const item = tx
        .select({ position: roundItems.position, number: statements.position })
        .from(roundItems)
        .innerJoin(statementRevisions, eq(statementRevisions.id, roundItems.revisionId))
        .innerJoin(statements, eq(statements.id, statementRevisions.statementId))
        .where(and(eq(roundItems.id, input.roundItemId), eq(roundItems.roundId, round.id)))
        .get();
      if (!item) throw new Refusal(msg("That statement is not in round {{number}}."), 404, { number: round.number });
      const deleted = tx
        .delete(ballots)
        .where(and(eq(ballots.roundItemId, input.roundItemId), eq(ballots.membershipId, membership.id)))
        .returning({ id: ballots.id })
        .all();
      if (deleted.length === 0) {
        throw new Refusal(msg("You have no answer on statement {{number}} to withdraw."), 404, { number: item.number });
      }
      recordAudit(tx, {
        guidelineId: guideline.id,
        actorId: membership.userId,
        action: "ballot.withdrawn",
        details: { round: round.number, item: item.position },
        at: now,
      });
      return { number: item.number };
    },
    { behavior: "immediate" },
  );
}

/** What the viewer answered in the previous round, and what the panel answered, once that round closed. */
export type FeedbackItem = {
  round: number;
  revision: number;
  text: string;
  scale: Scale;
  tally: Tally;
  verdict: FrozenVerdict;
  explanation: string;
  comments: string[];
  /** Groups that may be shown (DESIGN §3.4, §4). */
  groups: GroupTally[];
  /** The viewer's own ballot (answer null: none); null when the viewer was not on the round's panel (secretaries, observers). */
  own: { answer: Answer | null; comment: string | null } | null;
};

/** The viewer's own answers and comments on a round's items. */
function myAnswers(
  db: Queryable,
  roundId: string,
  membershipId: string | null,
): Map<string, { answer: Answer; comment: string | null }> {
  if (!membershipId) return new Map();
  const rows = db
    .select({ itemId: ballots.roundItemId, choice: ballots.choice, rating: ballots.rating, comment: ballots.comment })
    .from(ballots)
    .innerJoin(roundItems, eq(roundItems.id, ballots.roundItemId))
    .where(and(eq(roundItems.roundId, roundId), eq(ballots.membershipId, membershipId)))
    .all();
  return new Map(rows.map((row) => [row.itemId, { answer: answerOf(row), comment: row.comment }]));
}

/**
 * A closed round as panelists may see it, item by item: the frozen distribution and verdict,
 * the anonymous comments, the groups that may be shown, and only the viewer's own ballot.
 */
function roundFeedback(db: Queryable, round: Round, membershipId: string | null, anonymity: Anonymity) {
  // The explanations in the page's language: written from the frozen verdicts, never stored.
  const results = closedRoundResults(db, { round, anonymity, t: translator(currentLanguage(), "rules") });
  const voter = membershipId !== null && isEligible(round, membershipId);
  const mine = myAnswers(db, round.id, voter ? membershipId : null);
  return results.items.map((item) => ({
    itemId: item.itemId,
    statementId: item.statementId,
    number: item.number,
    section: item.section,
    feedback: {
      round: round.number,
      revision: item.revision,
      text: item.text,
      scale: results.scale,
      tally: item.tally,
      verdict: item.verdict,
      explanation: item.explanation,
      comments: item.comments,
      groups: item.shownGroups,
      own: voter ? { answer: mine.get(item.itemId)?.answer ?? null, comment: mine.get(item.itemId)?.comment ?? null } : null,
    } satisfies FeedbackItem,
  }));
}

export type BallotItem = {
  roundItemId: string;
  /** The item's place in the round: its order on the ballot. */
  position: number;
  /** The statement's number (statements.position), the one every page shows. */
  number: number;
  statementId: string;
  section: string;
  revision: number;
  text: string;
  rationale: string;
  references: string;
  /** The secretary's note on this revision, what changed and why. */
  changeNote: string | null;
  /** A revision other than the one the statement's previous closed round voted on. */
  revised: boolean;
  recused: boolean;
  answer: Answer | null;
  comment: string | null;
  /** The statement's previous closed round, for controlled feedback beside a revised statement. */
  previous: FeedbackItem | null;
  /** The text and rationale in the guideline's other languages (a round opens only with them confirmed). */
  translations: { language: string; text: string; rationale: string }[];
};

export type BallotPage = {
  round: { id: string; number: number; status: "open" | "closed"; closesAt: Date | null; closedAt: Date | null };
  rule: Rule;
  scale: Scale;
  eligible: boolean;
  /** The language the statements were written and are published in: the guideline's authoritative one. */
  language: string;
  items: BallotItem[];
};

/**
 * A panelist's ballot for a round: the statements, their own answers and comments, and beside
 * each the feedback of its previous closed round. Never any count of the round itself while it
 * is open, and never another person's answer.
 */
export function ballotPage(
  db: Queryable,
  input: { round: Round; membershipId: string; anonymity: Anonymity; languages: { language: string; languages: string[] } },
): BallotPage {
  const { round, membershipId } = input;
  const rule = RuleSchema.parse(round.ruleSnapshot);
  const recused = recusedStatements(db, membershipId);
  const rows = db
    .select({
      roundItemId: roundItems.id,
      position: roundItems.position,
      number: statements.position,
      statementId: statements.id,
      section: statementRevisions.section,
      revisionId: statementRevisions.id,
      revision: statementRevisions.revision,
      text: statementRevisions.text,
      rationale: statementRevisions.rationale,
      references: statementRevisions.references,
      changeNote: statementRevisions.changeNote,
      choice: ballots.choice,
      rating: ballots.rating,
      comment: ballots.comment,
    })
    .from(roundItems)
    .innerJoin(statementRevisions, eq(statementRevisions.id, roundItems.revisionId))
    .innerJoin(statements, eq(statements.id, statementRevisions.statementId))
    .leftJoin(ballots, and(eq(ballots.roundItemId, roundItems.id), eq(ballots.membershipId, membershipId)))
    .where(eq(roundItems.roundId, round.id))
    .orderBy(asc(roundItems.position))
    .all();
  const previous = previousFeedback(db, {
    round,
    statementIds: rows.map((r) => r.statementId),
    membershipId,
    anonymity: input.anonymity,
  });
  const translations = translationsOf(
    db,
    rows.map((r) => r.revisionId),
    otherLanguages(input.languages),
  );
  return {
    round: {
      id: round.id,
      number: round.number,
      status: round.status === "closed" ? "closed" : "open",
      closesAt: round.closesAt,
      closedAt: round.closedAt,
    },
    rule,
    scale: scaleOf(round.scaleSnapshot),
    eligible: isEligible(round, membershipId),
    language: input.languages.language,
    items: rows.map(({ choice, rating, revisionId, ...row }) => {
      const before = previous.get(row.statementId) ?? null;
      return {
        ...row,
        revised: before !== null && before.revision !== row.revision,
        answer: choice === null && rating === null ? null : answerOf({ choice, rating }),
        recused: recused.has(row.statementId),
        previous: before,
        translations: (translations.get(revisionId) ?? []).map(({ language, text, rationale }) => ({
          language,
          text,
          rationale,
        })),
      };
    }),
  };
}

/** For each statement, the feedback of the latest closed round before this one that voted on it. */
function previousFeedback(
  db: Queryable,
  input: { round: Round; statementIds: string[]; membershipId: string; anonymity: Anonymity },
): Map<string, FeedbackItem> {
  if (input.statementIds.length === 0) return new Map();
  const earlier = db
    .selectDistinct({ roundId: rounds.id, number: rounds.number })
    .from(roundItems)
    .innerJoin(rounds, eq(rounds.id, roundItems.roundId))
    .innerJoin(statementRevisions, eq(statementRevisions.id, roundItems.revisionId))
    .where(
      and(
        inArray(statementRevisions.statementId, input.statementIds),
        eq(rounds.guidelineId, input.round.guidelineId),
        eq(rounds.status, "closed"),
        lt(rounds.number, input.round.number),
      ),
    )
    .orderBy(desc(rounds.number))
    .all();
  const found = new Map<string, FeedbackItem>();
  for (const { roundId } of earlier) {
    const round = db.select().from(rounds).where(eq(rounds.id, roundId)).get()!;
    for (const item of roundFeedback(db, round, input.membershipId, input.anonymity)) {
      if (input.statementIds.includes(item.statementId) && !found.has(item.statementId))
        found.set(item.statementId, item.feedback);
    }
  }
  return found;
}

/** The results of a closed round as panelists see them: distributions, verdicts, anonymous comments, their own ballot. */
export function closedRoundFeedback(
  db: Queryable,
  input: { round: Round; membershipId: string | null; anonymity: Anonymity },
): (FeedbackItem & { number: number; section: string })[] {
  if (input.round.status !== "closed")
    throw new Refusal(msg("Round {{number}} is not closed: its results are not shown yet."), 403, { number: input.round.number });
  return roundFeedback(db, input.round, input.membershipId, input.anonymity).map((item) => ({
    ...item.feedback,
    number: item.number,
    section: item.section,
  }));
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
  if (!round) throw new Refusal(msg("There is no round {{number}}."), 404, { number: input.number });
  if (round.status !== "closed") {
    throw new Refusal(msg("Round {{number}} is not closed: its results are not shown yet."), 403, { number: input.number });
  }
  return round;
}
