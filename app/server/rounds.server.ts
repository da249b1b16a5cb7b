import { and, asc, count, desc, eq, inArray, isNull, lte, max, sql } from "drizzle-orm";
import type { Queryable } from "@db/client.server";
import {
  guidelines,
  memberships,
  reminderSchedules,
  roundItems,
  roundResults,
  rounds,
  statementRevisions,
  statements,
  users,
  type PanelSnapshot,
} from "@db/schema";
import { describeRule, RuleSchema, type FrozenVerdict } from "~/consensus/rule";
import { describeScale, scaleOf } from "~/consensus/scale";
import type { ItemTallies } from "~/consensus/tally";
import { recordRespondents } from "./analysis.server";
import { recordAudit } from "./audit.server";
import { msg } from "~/i18n";
import { inEach, Refusal } from "./errors.server";
import { currentLanguage, translator } from "./i18n.server";
import { ruleLock } from "./guidelines.server";
import { freezeResults, tallyRound } from "./results.server";
import { otherLanguages, untranslated, type MissingTranslation } from "./translations.server";
import { announceOpening } from "./round-mail.server";

export type Round = typeof rounds.$inferSelect;

function findRound(db: Queryable, roundId: string): Round {
  const round = db.select().from(rounds).where(eq(rounds.id, roundId)).get();
  if (!round) throw new Refusal(msg("No such round."), 404);
  return round;
}

/** Who a round opened now would ask to vote: the guideline's panelists, not removed, with an account that is not deactivated. */
const votingPanel = (guidelineId: string) =>
  and(
    eq(memberships.guidelineId, guidelineId),
    eq(memberships.role, "panelist"),
    isNull(memberships.removedAt),
    isNull(users.deactivatedAt),
  );

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
  if (round.status !== "draft") {
    const already =
      round.status === "open" ? msg("Round {{number}} is already open.") : msg("Round {{number}} is already closed.");
    throw new Refusal(already, 409, { number: round.number });
  }
  const items = db.select({ revisionId: roundItems.revisionId }).from(roundItems).where(eq(roundItems.roundId, round.id)).all();
  if (items.length === 0) {
    throw new Refusal(msg("Round {{number}} has no statements: add at least one before opening it."), 422, {
      number: round.number,
    });
  }
  if (input.closesAt && input.closesAt.getTime() <= now.getTime()) {
    throw new Refusal(msg("The deadline must be in the future."), 422);
  }
  const guideline = db.select().from(guidelines).where(eq(guidelines.id, round.guidelineId)).get()!;
  const [first] = untranslated(db, { roundId: round.id, languages: otherLanguages(guideline) });
  if (first) {
    throw new Refusal(
      first.state === "missing"
        ? msg(
            "Statement {{number}} has no translation into {{language}}: every statement needs one in each of the guideline's languages before the round opens.",
          )
        : msg(
            "The translation of statement {{number}} into {{language}} was written for an earlier wording: confirm or revise it before the round opens.",
          ),
      422,
      { number: first.number, language: first.language },
    );
  }
  const members = db
    .select({ membershipId: memberships.id, discipline: memberships.discipline, stakeholderGroup: memberships.stakeholderGroup })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(votingPanel(round.guidelineId))
    .orderBy(asc(memberships.createdAt), asc(memberships.id))
    .all();
  if (members.length === 0) throw new Refusal(msg("The panel is empty: invite panelists before opening a round."), 422);
  // Each member's stakeholder group is fixed with the panel: per-group results follow who voted as what.
  const snapshot: PanelSnapshot = {
    members: members.map(({ membershipId, discipline, stakeholderGroup }) => ({
      membershipId,
      discipline,
      group: stakeholderGroup ?? discipline ?? "Unspecified",
    })),
    disciplines: disciplineCounts(members),
  };

  const opened = db
    .update(rounds)
    .set({
      status: "open",
      openedAt: now,
      closesAt: input.closesAt ?? round.closesAt,
      panelSize: members.length,
      panelSnapshot: snapshot,
      ruleSnapshot: RuleSchema.parse(guideline.rule),
      scaleSnapshot: scaleOf(guideline.scale),
    })
    .where(eq(rounds.id, round.id))
    .returning()
    .get();
  const statementIds = db
    .select({ id: statementRevisions.statementId })
    .from(statementRevisions)
    .where(
      inArray(
        statementRevisions.id,
        items.map((i) => i.revisionId),
      ),
    )
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

/**
 * Closes an open round in the caller's transaction: freezes each item's tally and verdict, gives
 * each statement its outcome, records what its analysis exports need (the recusals it was counted
 * with, respondents' pseudonyms) and gives the round its closing time. `auto` marks a round that
 * closed itself at its deadline.
 */
export function completeRound(
  db: Queryable,
  input: { round: Round; items: ({ roundItemId: string } & ItemTallies)[]; actorId: string | null; now: Date; auto?: boolean },
): { roundItemId: string; verdict: FrozenVerdict }[] {
  const verdicts = freezeResults(db, { round: input.round, items: input.items });
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
  recordRespondents(db, input.round);
  db.update(rounds).set({ status: "closed", closedAt: input.now }).where(eq(rounds.id, input.round.id)).run();
  recordAudit(db, {
    guidelineId: input.round.guidelineId,
    actorId: input.actorId,
    action: "round.closed",
    details: {
      round: input.round.number,
      items: verdicts.length,
      adopted: verdicts.filter((v) => v.verdict.adopted).length,
      ...(input.auto ? { auto: true } : {}),
    },
    at: input.now,
  });
  return verdicts;
}

/**
 * Closes an open round and freezes its results, all in one immediate transaction. `auto` marks
 * a round that closed itself at its deadline.
 */
export function closeRound(
  db: Queryable,
  input: { roundId: string; actorId: string | null; now?: Date; auto?: boolean },
): { round: Round; verdicts: { roundItemId: string; verdict: FrozenVerdict }[] } {
  const now = input.now ?? new Date();
  return db.transaction(
    (tx) => {
      const round = findRound(tx, input.roundId);
      if (round.status !== "open") {
        throw new Refusal(
          round.status === "closed" ? msg("Round {{number}} is already closed.") : msg("Round {{number}} has not been opened."),
          409,
          { number: round.number },
        );
      }
      const verdicts = completeRound(tx, { round, items: tallyRound(tx, round), actorId: input.actorId, now, auto: input.auto });
      return { round: findRound(tx, round.id), verdicts };
    },
    { behavior: "immediate" },
  );
}

/** A guideline's round by its number (404 when there is none). */
export function findRoundByNumber(db: Queryable, input: { guidelineId: string; number: number }): Round {
  const round = db
    .select()
    .from(rounds)
    .where(and(eq(rounds.guidelineId, input.guidelineId), eq(rounds.number, input.number)))
    .get();
  if (!round) throw new Refusal(msg("There is no round {{number}}."), 404, { number: input.number });
  return round;
}

/** Every round of a guideline, newest first, with its number of items. */
export function listRounds(db: Queryable, input: { guidelineId: string }) {
  return db
    .select({
      id: rounds.id,
      number: rounds.number,
      status: rounds.status,
      origin: rounds.origin,
      panelSize: rounds.panelSize,
      closesAt: rounds.closesAt,
      openedAt: rounds.openedAt,
      closedAt: rounds.closedAt,
      items: count(roundItems.id),
    })
    .from(rounds)
    .leftJoin(roundItems, eq(roundItems.roundId, rounds.id))
    .where(eq(rounds.guidelineId, input.guidelineId))
    .groupBy(rounds.id)
    .orderBy(desc(rounds.number))
    .all();
}

/** The guideline's draft and open rounds: at most one of each. */
function activeRounds(db: Queryable, guidelineId: string): { draft: Round | null; open: Round | null } {
  const active = db
    .select()
    .from(rounds)
    .where(and(eq(rounds.guidelineId, guidelineId), inArray(rounds.status, ["draft", "open"])))
    .all();
  return {
    draft: active.find((r) => r.status === "draft") ?? null,
    open: active.find((r) => r.status === "open") ?? null,
  };
}

function nextRoundNumber(db: Queryable, guidelineId: string): number {
  const row = db
    .select({ last: max(rounds.number) })
    .from(rounds)
    .where(eq(rounds.guidelineId, guidelineId))
    .get();
  return (row?.last ?? 0) + 1;
}

function refuseSecondDraft(draft: Round | null): void {
  if (draft) {
    throw new Refusal(
      msg(
        "Round {{number}} is already a draft: a guideline has at most one draft round and one open round at a time. Add statements to round {{number}} instead.",
      ),
      409,
      { number: draft.number },
    );
  }
}

function refusePastDeadline(closesAt: Date | null, now: Date): void {
  if (closesAt && closesAt.getTime() <= now.getTime()) {
    throw new Refusal(msg("The deadline must be in the future (it is now {{now}})."), 422, { now });
  }
}

export type DraftCandidate = {
  statementId: string;
  position: number;
  section: string;
  status: (typeof statements.$inferSelect)["status"];
  revisionId: string;
  revision: number;
  text: string;
  /** Chosen by default: not yet adopted. */
  suggested: boolean;
};

/**
 * The statements that can go into a draft round, each with its latest revision: every statement
 * that is not retired and not already in a draft or open round.
 */
export function draftCandidates(db: Queryable, input: { guidelineId: string }): DraftCandidate[] {
  const rows = db.all<Omit<DraftCandidate, "suggested">>(sql`
    select s.id as statementId, s.position as position, rev.section as section, s.status as status,
      rev.id as revisionId, rev.revision as revision, rev.text as text
    from statements s
    join statement_revisions rev on rev.statement_id = s.id
      and rev.revision = (select max(latest.revision) from statement_revisions latest where latest.statement_id = s.id)
    where s.guideline_id = ${input.guidelineId} and s.status <> 'retired'
      and not exists (
        select 1 from round_items i
        join rounds r on r.id = i.round_id
        join statement_revisions voted on voted.id = i.revision_id
        where voted.statement_id = s.id and r.status in ('draft', 'open'))
    order by s.position, s.created_at, s.id`);
  return rows.map((row) => ({ ...row, suggested: row.status === "draft" || row.status === "not_adopted" }));
}

/** The chosen statements' latest revisions; refused when any of them cannot go into a round. */
function chosenRevisions(db: Queryable, guidelineId: string, statementIds: string[]): string[] {
  const candidates = new Map(draftCandidates(db, { guidelineId }).map((c) => [c.statementId, c]));
  const unavailable = statementIds.filter((id) => !candidates.has(id));
  if (unavailable.length > 0) {
    throw new Refusal(
      msg(
        "{{statements}} cannot go into this round: retired, already in a draft or open round, or not part of this guideline. Reload the page and choose again.",
      ),
      409,
      { statements: inEach((t) => t("{{count}} chosen statements", { count: unavailable.length })) },
    );
  }
  return [...new Set(statementIds)].map((id) => candidates.get(id)!.revisionId);
}

/** Items follow the guideline's statement order, numbered 1..n without gaps. */
function renumberItems(db: Queryable, roundId: string): void {
  const ordered = db
    .select({ id: roundItems.id })
    .from(roundItems)
    .innerJoin(statementRevisions, eq(statementRevisions.id, roundItems.revisionId))
    .innerJoin(statements, eq(statements.id, statementRevisions.statementId))
    .where(eq(roundItems.roundId, roundId))
    .orderBy(asc(statements.position), asc(statements.createdAt), asc(statements.id))
    .all();
  // Two passes, because (round, position) is unique at every step.
  ordered.forEach((item, i) =>
    db
      .update(roundItems)
      .set({ position: -(i + 1) })
      .where(eq(roundItems.id, item.id))
      .run(),
  );
  ordered.forEach((item, i) =>
    db
      .update(roundItems)
      .set({ position: i + 1 })
      .where(eq(roundItems.id, item.id))
      .run(),
  );
}

function addItems(db: Queryable, roundId: string, revisionIds: string[]): void {
  const row = db
    .select({ last: max(roundItems.position) })
    .from(roundItems)
    .where(eq(roundItems.roundId, roundId))
    .get();
  const start = (row?.last ?? 0) + 1;
  revisionIds.forEach((revisionId, i) =>
    db
      .insert(roundItems)
      .values({ roundId, revisionId, position: start + i })
      .run(),
  );
  renumberItems(db, roundId);
}

function requireDraft(round: Round): void {
  if (round.status !== "draft") {
    throw new Refusal(
      round.status === "open"
        ? msg("Round {{number}} is open: its statements are locked.")
        : msg("Round {{number}} is closed: its statements are locked."),
      409,
      { number: round.number },
    );
  }
}

/**
 * Starts the next round as a draft over the chosen statements' latest revisions. A guideline
 * has at most one draft round at a time (and at most one open round).
 */
export function createDraftRound(
  db: Queryable,
  input: { guidelineId: string; statementIds: string[]; closesAt: Date | null; actorId: string | null; now?: Date },
): Round {
  const now = input.now ?? new Date();
  return db.transaction(
    (tx) => {
      refuseSecondDraft(activeRounds(tx, input.guidelineId).draft);
      refusePastDeadline(input.closesAt, now);
      const revisionIds = chosenRevisions(tx, input.guidelineId, input.statementIds);
      const round = tx
        .insert(rounds)
        .values({
          guidelineId: input.guidelineId,
          number: nextRoundNumber(tx, input.guidelineId),
          closesAt: input.closesAt,
          createdAt: now,
        })
        .returning()
        .get();
      addItems(tx, round.id, revisionIds);
      recordAudit(tx, {
        guidelineId: input.guidelineId,
        actorId: input.actorId,
        action: "round.created",
        details: { round: round.number, items: revisionIds.length },
        at: now,
      });
      return round;
    },
    { behavior: "immediate" },
  );
}

/** Adds statements (their latest revisions) to a draft round. */
export function addRoundItems(
  db: Queryable,
  input: { roundId: string; statementIds: string[]; actorId: string | null; now?: Date },
): void {
  db.transaction(
    (tx) => {
      const round = findRound(tx, input.roundId);
      requireDraft(round);
      const revisionIds = chosenRevisions(tx, round.guidelineId, input.statementIds);
      addItems(tx, round.id, revisionIds);
      recordAudit(tx, {
        guidelineId: round.guidelineId,
        actorId: input.actorId,
        action: "round.items_added",
        details: { round: round.number, items: revisionIds.length },
        at: input.now,
      });
    },
    { behavior: "immediate" },
  );
}

/** Takes a statement out of a draft round. */
export function removeRoundItem(
  db: Queryable,
  input: { roundId: string; itemId: string; actorId: string | null; now?: Date },
): void {
  db.transaction(
    (tx) => {
      const round = findRound(tx, input.roundId);
      requireDraft(round);
      const item = tx
        .select({ id: roundItems.id, statementId: statementRevisions.statementId, revision: statementRevisions.revision })
        .from(roundItems)
        .innerJoin(statementRevisions, eq(statementRevisions.id, roundItems.revisionId))
        .where(and(eq(roundItems.id, input.itemId), eq(roundItems.roundId, round.id)))
        .get();
      if (!item) throw new Refusal(msg("That statement is not in round {{number}}."), 404, { number: round.number });
      tx.delete(roundItems).where(eq(roundItems.id, item.id)).run();
      renumberItems(tx, round.id);
      recordAudit(tx, {
        guidelineId: round.guidelineId,
        actorId: input.actorId,
        action: "round.item_removed",
        details: { round: round.number, statementId: item.statementId, revision: item.revision },
        at: input.now,
      });
    },
    { behavior: "immediate" },
  );
}

/**
 * Sets a draft round's deadline (or clears it), or extends an open round's: an open round's new
 * deadline must be later than its current one, and every deadline lies in the future.
 */
export function setRoundDeadline(
  db: Queryable,
  input: { roundId: string; closesAt: Date | null; actorId: string | null; now?: Date },
): Round {
  const now = input.now ?? new Date();
  return db.transaction(
    (tx) => {
      const round = findRound(tx, input.roundId);
      if (round.status === "closed") {
        throw new Refusal(msg("Round {{number}} is closed: its deadline no longer changes."), 409, { number: round.number });
      }
      if (round.status === "open") {
        if (!input.closesAt) throw new Refusal(msg("An open round's deadline can be extended, not removed."), 422);
        if (round.closesAt && input.closesAt.getTime() <= round.closesAt.getTime()) {
          throw new Refusal(msg("The new deadline must be later than the current one, {{current}}."), 422, {
            current: round.closesAt,
          });
        }
      }
      refusePastDeadline(input.closesAt, now);
      const updated = tx.update(rounds).set({ closesAt: input.closesAt }).where(eq(rounds.id, round.id)).returning().get();
      recordAudit(tx, {
        guidelineId: round.guidelineId,
        actorId: input.actorId,
        action: round.status === "open" ? "round.deadline_extended" : "round.deadline_set",
        details: {
          round: round.number,
          from: round.closesAt?.toISOString() ?? null,
          to: input.closesAt?.toISOString() ?? null,
        },
        at: now,
      });
      return updated;
    },
    { behavior: "immediate" },
  );
}

/** Deletes a draft round and its items (the database refuses it for any other round). */
export function deleteDraftRound(db: Queryable, input: { roundId: string; actorId: string | null; now?: Date }): void {
  db.transaction(
    (tx) => {
      const round = findRound(tx, input.roundId);
      if (round.status !== "draft")
        throw new Refusal(
          round.status === "open"
            ? msg("Round {{number}} is open: only a draft round can be deleted.")
            : msg("Round {{number}} is closed: only a draft round can be deleted."),
          409,
          { number: round.number },
        );
      tx.delete(roundItems).where(eq(roundItems.roundId, round.id)).run();
      tx.delete(reminderSchedules).where(eq(reminderSchedules.roundId, round.id)).run();
      tx.delete(rounds).where(eq(rounds.id, round.id)).run();
      recordAudit(tx, {
        guidelineId: round.guidelineId,
        actorId: input.actorId,
        action: "round.deleted",
        details: { round: round.number },
        at: input.now,
      });
    },
    { behavior: "immediate" },
  );
}

/**
 * Opens a draft round from the workspace (one open round at a time) and mails every panelist
 * of its snapshot that it is open, with the deadline and the link to vote.
 */
export function openDraftRound(
  db: Queryable,
  input: { roundId: string; actorId: string | null; voteUrl: string; now?: Date },
): Round {
  return db.transaction(
    (tx) => {
      const round = findRound(tx, input.roundId);
      const { open } = activeRounds(tx, round.guidelineId);
      if (open && open.id !== round.id) {
        throw new Refusal(
          msg("Round {{open}} is still open: close it before opening round {{number}} (one open round at a time)."),
          409,
          { open: open.number, number: round.number },
        );
      }
      const opened = openRound(tx, { roundId: round.id, actorId: input.actorId, closesAt: round.closesAt, now: input.now });
      announceOpening(tx, { round: opened, voteUrl: input.voteUrl, now: input.now });
      return opened;
    },
    { behavior: "immediate" },
  );
}

export type OpeningPreview = {
  /** The panelists opening would fix as the round's panel, and mail. */
  recipients: number;
  /** No round has opened yet: this one fixes the ballot scale, the adoption rule and anonymity. */
  fixesRule: boolean;
  rule: string;
  scale: string;
  /**
   * Statements the last round that voted on them did not adopt, back in this draft with the
   * wording voted then: the panel would be asked the same question again.
   */
  unchanged: { statementId: string; number: number; lastRound: number }[];
  /** Statements without a confirmed translation in one of the guideline's languages: opening is refused until there are none. */
  untranslated: MissingTranslation[];
};

/** What opening a draft round would do, for the secretary to confirm first. */
export function openingPreview(db: Queryable, round: Round): OpeningPreview {
  const guideline = db.select().from(guidelines).where(eq(guidelines.id, round.guidelineId)).get()!;
  const recipients =
    db
      .select({ n: count() })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(votingPanel(round.guidelineId))
      .get()?.n ?? 0;
  const unchanged = db.all<{ statementId: string; number: number; lastRound: number }>(sql`
    select s.id as statementId, s.position as number, voted.number as lastRound
    from round_items i
    join statement_revisions rev on rev.id = i.revision_id
    join statements s on s.id = rev.statement_id
    join (
      select vr.statement_id as statementId, r.number as number, vr.text as text, res.adopted as adopted,
        row_number() over (partition by vr.statement_id order by r.number desc) as latest
      from round_items vi
      join rounds r on r.id = vi.round_id
      join statement_revisions vr on vr.id = vi.revision_id
      join round_results res on res.round_item_id = vi.id
      where r.guideline_id = ${round.guidelineId} and r.status = 'closed'
    ) voted on voted.statementId = s.id and voted.latest = 1
    where i.round_id = ${round.id} and voted.adopted = 0 and voted.text = rev.text
    order by i.position`);
  return {
    recipients,
    fixesRule: ruleLock(db, round.guidelineId) === null,
    rule: describeRule(RuleSchema.parse(guideline.rule), undefined, translator(currentLanguage(), "rules")),
    scale: describeScale(scaleOf(guideline.scale), translator(currentLanguage(), "rules")),
    unchanged,
    untranslated: untranslated(db, { roundId: round.id, languages: otherLanguages(guideline) }),
  };
}

export const carryOverNote = (round: number) => `Carried over from round ${round} for re-wording`;

/** The statements a closed round did not adopt that are still not adopted (nor retired). */
function carryCandidates(db: Queryable, round: Round): string[] {
  return db
    .select({ statementId: statements.id })
    .from(roundItems)
    .innerJoin(roundResults, eq(roundResults.roundItemId, roundItems.id))
    .innerJoin(statementRevisions, eq(statementRevisions.id, roundItems.revisionId))
    .innerJoin(statements, eq(statements.id, statementRevisions.statementId))
    .where(and(eq(roundItems.roundId, round.id), eq(roundResults.adopted, false), eq(statements.status, "not_adopted")))
    .orderBy(asc(statements.position), asc(statements.createdAt))
    .all()
    .map((row) => row.statementId);
}

export type CarryOverState = {
  statements: number;
  nextNumber: number;
  /** The draft or open round that has to be dealt with first. */
  blockedBy: { number: number; status: "draft" | "open" } | null;
};

export function carryOverState(db: Queryable, round: Round): CarryOverState {
  const { draft, open } = activeRounds(db, round.guidelineId);
  const blocking = draft ?? open;
  return {
    statements: round.status === "closed" ? carryCandidates(db, round).length : 0,
    nextNumber: nextRoundNumber(db, round.guidelineId),
    blockedBy: blocking ? { number: blocking.number, status: blocking.status as "draft" | "open" } : null,
  };
}

/**
 * The revision a carried-over statement is voted on next: a new one copying the latest text, or
 * the latest itself when it was already re-worded and has not been voted on.
 */
function carriedRevision(db: Queryable, statementId: string, input: { from: number; actorId: string | null; now: Date }): string {
  const latest = db
    .select()
    .from(statementRevisions)
    .where(eq(statementRevisions.statementId, statementId))
    .orderBy(desc(statementRevisions.revision))
    .limit(1)
    .get()!;
  const voted = db.select({ id: roundItems.id }).from(roundItems).where(eq(roundItems.revisionId, latest.id)).limit(1).get();
  if (!voted) return latest.id;
  return db
    .insert(statementRevisions)
    .values({
      statementId,
      revision: latest.revision + 1,
      section: latest.section,
      text: latest.text,
      rationale: latest.rationale,
      references: latest.references,
      authorId: input.actorId,
      changeNote: carryOverNote(input.from),
      createdAt: input.now,
    })
    .returning({ id: statementRevisions.id })
    .get().id;
}

/**
 * Starts the next draft round with the statements a closed round did not adopt, each as a new
 * revision (a copy of the voted text) for the secretary to re-word while the round is a draft.
 * Refused while another round is a draft or open.
 */
export function carryOverNotAdopted(db: Queryable, input: { roundId: string; actorId: string | null; now?: Date }): Round {
  const now = input.now ?? new Date();
  return db.transaction(
    (tx) => {
      const round = findRound(tx, input.roundId);
      if (round.status !== "closed")
        throw new Refusal(msg("Round {{number}} is not closed yet: it has no results to carry over."), 409, {
          number: round.number,
        });
      const { draft, open } = activeRounds(tx, round.guidelineId);
      refuseSecondDraft(draft);
      if (open) {
        throw new Refusal(msg("Round {{number}} is open: close it before carrying statements into a new round."), 409, {
          number: open.number,
        });
      }
      const candidates = carryCandidates(tx, round);
      if (candidates.length === 0) {
        throw new Refusal(
          msg("Every statement of round {{number}} was adopted or has been decided since: nothing to carry over."),
          422,
          { number: round.number },
        );
      }
      const next = tx
        .insert(rounds)
        .values({ guidelineId: round.guidelineId, number: nextRoundNumber(tx, round.guidelineId), createdAt: now })
        .returning()
        .get();
      const revisionIds = candidates.map((id) => carriedRevision(tx, id, { from: round.number, actorId: input.actorId, now }));
      addItems(tx, next.id, revisionIds);
      recordAudit(tx, {
        guidelineId: round.guidelineId,
        actorId: input.actorId,
        action: "round.created",
        details: { round: next.number, items: revisionIds.length, carriedOverFrom: round.number },
        at: now,
      });
      return next;
    },
    { behavior: "immediate" },
  );
}

/**
 * Closes every open round whose deadline has passed, each in its own transaction, and returns
 * their ids. A round someone closed in the meantime is skipped.
 */
export function closeOverdueRounds(db: Queryable, now = new Date(), scope: { guidelineId?: string } = {}): string[] {
  const overdue = db
    .select({ id: rounds.id })
    .from(rounds)
    .where(
      and(
        eq(rounds.status, "open"),
        lte(rounds.closesAt, now),
        scope.guidelineId ? eq(rounds.guidelineId, scope.guidelineId) : undefined,
      ),
    )
    .all();
  const closed: string[] = [];
  for (const { id } of overdue) {
    try {
      closeRound(db, { roundId: id, actorId: null, now, auto: true });
      closed.push(id);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
    }
  }
  return closed;
}

export type RoundItem = {
  itemId: string;
  position: number;
  statementId: string;
  /** The statement's number in the guideline (its position on the statements page and in the audit log). */
  number: number;
  section: string;
  revision: number;
  /** The statement's newest revision, when it is newer than the one in the round. */
  newerRevision: number | null;
  text: string;
};

/** A round's statements in voting order. */
export function roundItemsOf(db: Queryable, round: Round): RoundItem[] {
  const rows = db.all<Omit<RoundItem, "newerRevision"> & { latest: number }>(sql`
    select i.id as itemId, i.position as position, s.id as statementId, s.position as number, rev.section as section,
      rev.revision as revision, rev.text as text,
      (select max(latest.revision) from statement_revisions latest where latest.statement_id = s.id) as latest
    from round_items i
    join statement_revisions rev on rev.id = i.revision_id
    join statements s on s.id = rev.statement_id
    where i.round_id = ${round.id}
    order by i.position`);
  return rows.map(({ latest, ...row }) => ({ ...row, newerRevision: latest > row.revision ? latest : null }));
}
