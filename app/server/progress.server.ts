import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Queryable } from "@db/client.server";
import { ballots, type guidelines, memberships, roundItems, roundResponses, roundResults, rounds, users } from "@db/schema";
import { timeLeft } from "~/time";
import { seesRunningCounts } from "~/consensus/anonymity";
import { describeRule, RuleSchema } from "~/consensus/rule";
import { scaleOf } from "~/consensus/scale";
import { currentLanguage, tr, translator } from "./i18n.server";
import { listVersions } from "./publications.server";
import { closedRoundResults, tallyRound } from "./results.server";
import {
  carryOverState,
  draftCandidates,
  findRoundByNumber,
  listRounds,
  openingPreview,
  roundItemsOf,
  type Round,
} from "./rounds.server";

type Guideline = typeof guidelines.$inferSelect;
type Membership = typeof memberships.$inferSelect;

export type MemberProgress = {
  membershipId: string;
  name: string;
  email: string;
  discipline: string | null;
  /** Statements answered, of `items` this member may vote on (recusals left out). */
  answered: number;
  items: number;
  /** Removed from the panel after the round opened: still counted, no longer reminded. */
  removed: boolean;
  /** Still able to vote: on the panel, a panelist, with an active account; only these are reminded. */
  canVote: boolean;
};

const discipline = (name: string | null) => name ?? "Unspecified";

/** Whether a round's deadline has come: the server's tick (or the next action) closes it then. */
export function deadlinePassed(closesAt: Date | null, now: Date): boolean {
  return closesAt !== null && closesAt.getTime() <= now.getTime();
}

/**
 * Each member of an online round's panel snapshot with how far they have answered, as a SQL
 * relation `progress`: ballots read from `round_responses` (one row per member, kept by triggers)
 * less those on statements the member is now recused from, which do not count.
 */
function progressRelation(round: Round) {
  return sql`
    with snapshot as (
      select json_extract(value, '$.membershipId') as membership_id, json_extract(value, '$.discipline') as discipline,
        key as place
      from json_each(${JSON.stringify(round.panelSnapshot ?? { members: [] })}, '$.members')),
    recused as (
      select r.membership_id as membership_id, count(*) as statements,
        sum(exists (select 1 from ballots b where b.round_item_id = i.id and b.membership_id = r.membership_id)) as voted
      from recusals r
      join statement_revisions rev on rev.statement_id = r.statement_id
      join round_items i on i.revision_id = rev.id
      where i.round_id = ${round.id}
      group by r.membership_id),
    progress as (
      select s.membership_id as membershipId, s.discipline as discipline, s.place as place,
        coalesce(rr.ballots, 0) - coalesce(rc.voted, 0) as answered,
        (select count(*) from round_items where round_id = ${round.id}) - coalesce(rc.statements, 0) as items,
        m.id is not null as found, u.name as name, u.email as email, m.removed_at as removedAt, m.role as role,
        u.deactivated_at as deactivatedAt
      from snapshot s
      left join round_responses rr on rr.round_id = ${round.id} and rr.membership_id = s.membership_id
      left join recused rc on rc.membership_id = s.membership_id
      left join memberships m on m.id = s.membership_id
      left join users u on u.id = m.user_id)`;
}

type ProgressRow = {
  membershipId: string;
  discipline: string | null;
  answered: number;
  items: number;
  found: number;
  name: string | null;
  email: string | null;
  removedAt: number | null;
  role: string | null;
  deactivatedAt: number | null;
};

function memberOf(row: ProgressRow): MemberProgress {
  const present = row.found === 1;
  return {
    membershipId: row.membershipId,
    name: row.name ?? tr("Unknown member"),
    email: row.email ?? "",
    discipline: row.discipline,
    answered: row.answered,
    items: row.items,
    removed: !present || row.removedAt !== null,
    canVote: present && row.removedAt === null && row.role === "panelist" && row.deactivatedAt === null,
  };
}

/** How far each member of an online round's panel snapshot has answered, in the snapshot's order. */
export function memberProgress(db: Queryable, round: Round): MemberProgress[] {
  return db.all<ProgressRow>(sql`${progressRelation(round)} select * from progress order by place`).map(memberOf);
}

/** One member's progress in a round; undefined when not on its panel. */
function progressOf(db: Queryable, round: Round, membershipId: string): MemberProgress | undefined {
  const row = db.get<ProgressRow>(sql`${progressRelation(round)} select * from progress where membershipId = ${membershipId}`);
  return row ? memberOf(row) : undefined;
}

const isComplete = (m: MemberProgress) => m.answered >= m.items;

/**
 * Who a reminder goes to: members of the round's panel who have not answered all their
 * statements and can still vote (removed members, members who are no longer panelists and
 * deactivated accounts left out).
 */
export function remindable(db: Queryable, round: Round): MemberProgress[] {
  return memberProgress(db, round).filter((m) => !isComplete(m) && m.canVote);
}

export type ResponseRate = { eligible: number; responded: number; complete: number };

/** Members shown per page of those who have not answered everything. */
const WAITING_PAGE = 50;

export type RoundProgress = ResponseRate & {
  disciplines: (ResponseRate & { discipline: string })[];
  /**
   * Members who have not answered everything, non-responders first, then by name: one page of
   * them (`WAITING_PAGE`), only for secretaries.
   */
  waiting: MemberProgress[] | null;
  /** Which page of them that is, of how many (at least 1), of how many members each. */
  waitingPage: { page: number; pages: number; size: number };
};

/** Response rates by discipline, counted by the database. */
function ratesByDiscipline(db: Queryable, round: Round): (ResponseRate & { discipline: string | null })[] {
  return db.all<ResponseRate & { discipline: string | null }>(sql`${progressRelation(round)}
    select discipline, count(*) as eligible, coalesce(sum(answered > 0), 0) as responded,
      coalesce(sum(answered >= items), 0) as complete
    from progress group by discipline`);
}

const total = (rates: ResponseRate[]): ResponseRate => ({
  eligible: rates.reduce((n, r) => n + r.eligible, 0),
  responded: rates.reduce((n, r) => n + r.responded, 0),
  complete: rates.reduce((n, r) => n + r.complete, 0),
});

/** An online round's response rate: who answered at least one statement and who answered all of theirs. */
export function responseRate(db: Queryable, round: Round): ResponseRate {
  return total(ratesByDiscipline(db, round));
}

/**
 * An open round's response rate overall and per discipline, counted by the database. Names and
 * e-mails of those who have not answered everything only when asked for (secretaries remind),
 * one page at a time (`page` from 1; beyond the last, the last).
 */
export function roundProgress(db: Queryable, round: Round, options: { names: boolean; page?: number }): RoundProgress {
  const rates = ratesByDiscipline(db, round);
  const overall = total(rates);
  const pages = Math.max(1, Math.ceil((overall.eligible - overall.complete) / WAITING_PAGE));
  const page = Math.min(Math.max(1, Math.floor(options.page ?? 1)), pages);
  return {
    ...overall,
    disciplines: rates
      .map(({ discipline: name, ...rate }) => ({ discipline: discipline(name), ...rate }))
      .sort((a, b) => a.discipline.localeCompare(b.discipline)),
    waiting: options.names
      ? db
          .all<ProgressRow>(
            sql`${progressRelation(round)} select * from progress where answered < items
              order by answered > 0, name collate nocase, membershipId
              limit ${WAITING_PAGE} offset ${(page - 1) * WAITING_PAGE}`,
          )
          .map(memberOf)
      : null,
    waitingPage: { page, pages, size: WAITING_PAGE },
  };
}

/**
 * Members who cast at least one ballot in each round; for an imported round, which has only
 * totals, its largest item turnout.
 */
function respondedByRound(db: Queryable, roundIds: string[]): Map<string, number> {
  if (roundIds.length === 0) return new Map();
  const online = db
    .select({ roundId: roundResponses.roundId, n: sql<number>`count(*)` })
    .from(roundResponses)
    .where(and(inArray(roundResponses.roundId, roundIds), sql`${roundResponses.ballots} > 0`))
    .groupBy(roundResponses.roundId)
    .all();
  const imported = db
    .select({
      roundId: roundItems.roundId,
      n: sql<number>`max(json_extract(${roundResults.verdict}, '$.participants'))`,
    })
    .from(roundResults)
    .innerJoin(roundItems, eq(roundItems.id, roundResults.roundItemId))
    .innerJoin(rounds, eq(rounds.id, roundItems.roundId))
    .where(and(inArray(roundItems.roundId, roundIds), eq(rounds.origin, "import")))
    .groupBy(roundItems.roundId)
    .all();
  return new Map([...online, ...imported].map((row) => [row.roundId, row.n]));
}

/**
 * The rounds page: every round with its response rate (and, when open past its deadline,
 * `overdue`: the tick closes it) and, for secretaries, what a new draft could contain.
 */
export function roundsPage(db: Queryable, input: { guideline: Guideline; membership: Membership; now?: Date }) {
  const now = input.now ?? new Date();
  const list = listRounds(db, { guidelineId: input.guideline.id });
  const responded = respondedByRound(
    db,
    list.map((r) => r.id),
  );
  return {
    rounds: list.map(({ id, ...round }) => ({
      ...round,
      responded: round.status === "draft" ? null : (responded.get(id) ?? 0),
      overdue: round.status === "open" && deadlinePassed(round.closesAt, now),
    })),
    candidates: input.membership.role === "secretary" ? draftCandidates(db, { guidelineId: input.guideline.id }) : [],
  };
}

export type IndividualChoices = { itemId: string; choices: { name: string; choice: string }[] }[];

/** Who chose what (a choice, a rating, or "unable"), per item: only ever called for named guidelines. */
function individualChoices(db: Queryable, round: Round): IndividualChoices {
  const rows = db
    .select({
      itemId: ballots.roundItemId,
      name: users.name,
      choice: sql<string>`coalesce(${ballots.choice}, cast(${ballots.rating} as text))`,
    })
    .from(ballots)
    .innerJoin(roundItems, eq(roundItems.id, ballots.roundItemId))
    .innerJoin(memberships, eq(memberships.id, ballots.membershipId))
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(roundItems.roundId, round.id))
    .orderBy(asc(roundItems.position), asc(users.name))
    .all();
  const byItem = new Map<string, { name: string; choice: string }[]>();
  for (const { itemId, name, choice } of rows) byItem.set(itemId, [...(byItem.get(itemId) ?? []), { name, choice }]);
  return [...byItem].map(([itemId, choices]) => ({ itemId, choices }));
}

/** The round's rule in plain language, in the page's language. */
const ruleOf = (round: Round) =>
  describeRule(RuleSchema.parse(round.ruleSnapshot), undefined, translator(currentLanguage(), "rules"));

/**
 * One round as the secretary's and observers' page shows it. What a viewer may learn is
 * decided here: while the round is open, running counts (and who chose what) only for
 * secretaries of a named guideline that shows them — never in an anonymous one, where they
 * would let a secretary read ballots off the response status; after close, who chose what only
 * for secretaries of named guidelines (never loaded otherwise); names of those who have not
 * answered only for secretaries. Items carry their statement's number in the guideline. An open
 * round past its deadline is `overdue`: the server's tick (or the next action) closes it.
 */
export function roundWorkspace(
  db: Queryable,
  input: { guideline: Guideline; membership: Membership; number: number; now?: Date; waitingPage?: number },
) {
  const now = input.now ?? new Date();
  const { guideline } = input;
  const secretary = input.membership.role === "secretary";
  const round = findRoundByNumber(db, { guidelineId: guideline.id, number: input.number });
  const base = {
    number: round.number,
    origin: round.origin,
    closesAt: round.closesAt,
    openedAt: round.openedAt,
    closedAt: round.closedAt,
    panelSize: round.panelSize,
    timeLeft:
      round.closesAt && round.status !== "closed" ? timeLeft(round.closesAt, now, translator(currentLanguage(), "common")) : null,
    overdue: round.status !== "closed" && deadlinePassed(round.closesAt, now),
  };
  const named = guideline.anonymity === "named" && secretary;
  const running = seesRunningCounts(guideline, input.membership.role);
  switch (round.status) {
    case "draft":
      return {
        ...base,
        status: "draft" as const,
        items: roundItemsOf(db, round),
        candidates: secretary ? draftCandidates(db, { guidelineId: guideline.id }) : [],
        opening: secretary ? openingPreview(db, round) : null,
      };
    case "open":
      return {
        ...base,
        status: "open" as const,
        rule: ruleOf(round),
        items: roundItemsOf(db, round),
        progress: roundProgress(db, round, { names: secretary, page: input.waitingPage }),
        counts: running ? tallyRound(db, round) : null,
        scale: scaleOf(round.scaleSnapshot),
        choices: running ? individualChoices(db, round) : null,
        anonymity: guideline.anonymity,
      };
    case "closed":
      return {
        ...base,
        status: "closed" as const,
        rule: ruleOf(round),
        results: closedRoundResults(db, { round, anonymity: guideline.anonymity, t: translator(currentLanguage(), "rules") }),
        choices: named ? individualChoices(db, round) : null,
        carryOver: carryOverState(db, round),
      };
  }
}

type StaffOverview = {
  role: "secretary" | "observer";
  open: (ResponseRate & { number: number; items: number; closesAt: Date | null; timeLeft: string | null }) | null;
  draft: { number: number; items: number; closesAt: Date | null } | null;
  lastClosed: { number: number; closedAt: Date | null; items: number; adopted: number } | null;
  latestVersion: { version: number; publishedAt: Date } | null;
};

type PanelistOverview = {
  role: "panelist";
  open: {
    number: number;
    answered: number;
    items: number;
    eligible: boolean;
    closesAt: Date | null;
    timeLeft: string | null;
  } | null;
};

/** Where a guideline stands, for its overview page: the open round first. */
export function guidelineOverview(
  db: Queryable,
  input: { guideline: Guideline; membership: Membership; now?: Date },
): { description: string } & (StaffOverview | PanelistOverview) {
  const now = input.now ?? new Date();
  const { guideline, membership } = input;
  const list = listRounds(db, { guidelineId: guideline.id });
  const openRow = list.find((r) => r.status === "open");
  const open = openRow ? findRoundByNumber(db, { guidelineId: guideline.id, number: openRow.number }) : null;
  const left = open?.closesAt ? timeLeft(open.closesAt, now, translator(currentLanguage(), "common")) : null;

  if (membership.role === "panelist") {
    const own = open ? progressOf(db, open, membership.id) : undefined;
    return {
      description: guideline.description,
      role: "panelist",
      open: open
        ? {
            number: open.number,
            answered: own?.answered ?? 0,
            items: own?.items ?? openRow!.items,
            eligible: own !== undefined,
            closesAt: open.closesAt,
            timeLeft: left,
          }
        : null,
    };
  }

  const draft = list.find((r) => r.status === "draft");
  const closed = list.find((r) => r.status === "closed");
  const adopted = closed
    ? (db
        .select({ n: sql<number>`count(*)` })
        .from(roundResults)
        .innerJoin(roundItems, eq(roundItems.id, roundResults.roundItemId))
        .where(and(eq(roundItems.roundId, closed.id), eq(roundResults.adopted, true)))
        .get()?.n ?? 0)
    : 0;
  const latest = listVersions(db, { slug: guideline.slug }).at(-1);
  return {
    description: guideline.description,
    role: membership.role,
    open: open
      ? {
          number: open.number,
          items: openRow!.items,
          closesAt: open.closesAt,
          timeLeft: left,
          ...responseRate(db, open),
        }
      : null,
    draft: draft ? { number: draft.number, items: draft.items, closesAt: draft.closesAt } : null,
    lastClosed: closed ? { number: closed.number, closedAt: closed.closedAt, items: closed.items, adopted } : null,
    latestVersion: latest ? { version: latest.version, publishedAt: latest.publishedAt } : null,
  };
}
