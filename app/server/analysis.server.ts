/**
 * Analysis exports of closed rounds, for secretaries and observers (DESIGN §4): each statement's
 * frozen tallies and verdict, every counted ballot in long format under a respondent pseudonym
 * where one may be given (app/consensus/pseudonymity.ts), and the anonymous comments. Open rounds
 * and drafts never appear. What the ballots need is fixed as each round closes: the recusals it
 * was counted with and a random pseudonym for each member who answered.
 */
import { encodeHexUpperCase } from "@oslojs/encoding";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Queryable } from "@db/client.server";
import { ballots, respondentCodes, roundItems, roundRecusals, rounds, statementRevisions } from "@db/schema";
import { csvField } from "~/consensus/recommendation-set";
import { releaseResponses, type AnswerRow } from "~/consensus/pseudonymity";
import { groupMinSizeOf, RuleSchema } from "~/consensus/rule";
import { ratingPoints, scaleOf, type Scale } from "~/consensus/scale";
import { isRatingTally, OTHER_GROUPS, type Answer, type Tally } from "~/consensus/tally";
import { tr } from "./i18n.server";
import { commentsOn, frozenResults, groupOfMember, shownGroups, type FrozenItem } from "./results.server";

type Round = typeof rounds.$inferSelect;

function newCode(): string {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return `R-${encodeHexUpperCase(bytes)}`;
}

/**
 * As a round closes, in its transaction: the recusals its ballots are counted with, and a
 * pseudonym for each member of its panel who answered and has none yet in the guideline.
 */
export function recordRespondents(db: Queryable, round: Round): void {
  db.run(sql`
    insert into round_recusals (round_id, membership_id, statement_id)
    select distinct i.round_id, r.membership_id, r.statement_id
    from recusals r
    join statement_revisions rev on rev.statement_id = r.statement_id
    join round_items i on i.revision_id = rev.id
    where i.round_id = ${round.id}`);
  // Each member of the panel who answered in the round and has no pseudonym yet: one look-up per
  // member (ballots by member), not a scan of the round's ballots.
  const answered = db
    .all<{ membershipId: string }>(
      sql`select json_extract(m.value, '$.membershipId') as membershipId
      from json_each(${JSON.stringify(round.panelSnapshot ?? { members: [] })}, '$.members') m
      where exists (
          select 1 from ballots b join round_items i on i.id = b.round_item_id
          where b.membership_id = json_extract(m.value, '$.membershipId') and i.round_id = ${round.id})
        and not exists (select 1 from respondent_codes c where c.membership_id = json_extract(m.value, '$.membershipId'))`,
    )
    .map((row) => row.membershipId);
  const taken = new Set(
    db
      .select({ code: respondentCodes.code })
      .from(respondentCodes)
      .where(eq(respondentCodes.guidelineId, round.guidelineId))
      .all()
      .map((r) => r.code),
  );
  const given = answered.map((membershipId) => {
    let code = newCode();
    while (taken.has(code)) code = newCode();
    taken.add(code);
    return { membershipId, guidelineId: round.guidelineId, code };
  });
  // In chunks well under SQLite's limit of bound parameters per statement.
  for (let i = 0; i < given.length; i += 1000)
    db.insert(respondentCodes)
      .values(given.slice(i, i + 1000))
      .run();
}

const answerOf = (row: { choice: string | null; rating: number | null }): Answer =>
  row.rating !== null ? row.rating : (row.choice as Answer);

/** The closed online rounds of a guideline, oldest first: imported rounds have totals only. */
function closedOnlineRounds(db: Queryable, guidelineId: string): Round[] {
  return db
    .select()
    .from(rounds)
    .where(and(eq(rounds.guidelineId, guidelineId), eq(rounds.status, "closed"), eq(rounds.origin, "online")))
    .orderBy(asc(rounds.number))
    .all();
}

type CountedBallot = { item: FrozenItem; response: AnswerRow };

/**
 * A closed round's counted ballots (its panel's, less those recused when it closed), each with
 * the group it may show: the member's group where the item's results in an anonymous guideline
 * show it, "other groups" where they are pooled under that name, else none. Named guidelines
 * too: an export leaves the instance, and no column may single out a member.
 */
function countedBallots(db: Queryable, round: Round, codes: Map<string, string>): CountedBallot[] {
  const frozen = frozenResults(db, round);
  const items = new Map(frozen.items.map((i) => [i.itemId, i]));
  const members = new Map((round.panelSnapshot?.members ?? []).map((m) => [m.membershipId, groupOfMember(m)]));
  const shown = new Map(
    frozen.items.map((i) => [
      i.itemId,
      new Set(shownGroups(i, { rule: frozen.rule, anonymity: "anonymous" }).map((g) => g.name)),
    ]),
  );
  const rows = db
    .select({ itemId: ballots.roundItemId, membershipId: ballots.membershipId, choice: ballots.choice, rating: ballots.rating })
    .from(ballots)
    .innerJoin(roundItems, eq(roundItems.id, ballots.roundItemId))
    .innerJoin(statementRevisions, eq(statementRevisions.id, roundItems.revisionId))
    .where(
      and(
        eq(roundItems.roundId, round.id),
        sql`not exists (select 1 from ${roundRecusals} rr where rr.round_id = ${round.id}
          and rr.membership_id = ${ballots.membershipId} and rr.statement_id = ${statementRevisions.statementId})`,
      ),
    )
    .all();
  return rows
    .filter((row) => members.has(row.membershipId))
    .map((row) => {
      const item = items.get(row.itemId)!;
      const group = members.get(row.membershipId)!;
      const groups = shown.get(row.itemId)!;
      const code = codes.get(row.membershipId);
      if (!code) throw new Error(`Round ${round.number}: a counted ballot's member has no pseudonym.`);
      return {
        item,
        response: {
          round: round.number,
          item: item.position,
          group: groups.has(group) ? group : groups.has(OTHER_GROUPS) ? OTHER_GROUPS : "",
          code,
          answer: answerOf(row),
        },
      };
    });
}

/** The counts of `answers` on the scale of `tally`, to hold against it. */
function recount(tally: Tally, answers: Answer[]): Tally {
  if (isRatingTally(tally)) {
    const ratings = tally.ratings.map((_, i) => answers.filter((a) => a === i + 1).length);
    return { ratings, unable: answers.filter((a) => a === "unable").length, eligible: tally.eligible };
  }
  const count = (choice: Answer) => answers.filter((a) => a === choice).length;
  return { agree: count("agree"), disagree: count("disagree"), abstain: count("abstain"), eligible: tally.eligible };
}

const csv = (rows: (string | number | boolean | null)[][]) =>
  rows.map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";

export const BALLOT_COLUMNS = ["round", "item", "statement_id", "revision", "respondent", "group", "choice", "rating"] as const;

/**
 * Every counted ballot of the guideline's closed online rounds, one row each, in round and item
 * order; within an item, pseudonymous rows by pseudonym, then the pooled rows by answer. Each
 * item's rows add up to its frozen tally, or the export fails rather than say otherwise.
 */
export function ballotsCsv(db: Queryable, input: { guidelineId: string; rule: unknown }): string {
  const minSize = groupMinSizeOf(RuleSchema.parse(input.rule));
  const codes = new Map(
    db
      .select({ membershipId: respondentCodes.membershipId, code: respondentCodes.code })
      .from(respondentCodes)
      .where(eq(respondentCodes.guidelineId, input.guidelineId))
      .all()
      .map((r) => [r.membershipId, r.code]),
  );
  const counted = closedOnlineRounds(db, input.guidelineId).flatMap((round) => countedBallots(db, round, codes));
  for (const item of new Set(counted.map((c) => c.item))) {
    const answers = counted.filter((c) => c.item === item).map((c) => c.response.answer);
    if (JSON.stringify(recount(item.tally, answers)) !== JSON.stringify(item.tally)) {
      throw new Error(`Statement ${item.position} (${item.statementId}): its ballots do not add up to its frozen tally.`);
    }
  }
  const released = releaseResponses(
    counted.map((c) => c.response),
    minSize,
  );
  const rows = released.map((r, i) => ({ ...r, item: counted[i]!.item }));
  const order = (a: (typeof rows)[number], b: (typeof rows)[number]) =>
    a.round - b.round ||
    a.item.position - b.item.position ||
    (a.respondent === null ? 1 : 0) - (b.respondent === null ? 1 : 0) ||
    String(a.respondent ?? a.answer).localeCompare(String(b.respondent ?? b.answer)) ||
    a.group.localeCompare(b.group);
  return csv([
    [...BALLOT_COLUMNS],
    ...rows
      .sort(order)
      .map((r) => [
        r.round,
        r.item.position,
        r.item.statementId,
        r.item.revision,
        r.respondent,
        r.group || null,
        typeof r.answer === "number" ? null : r.answer,
        typeof r.answer === "number" ? r.answer : null,
      ]),
  ]);
}

/** The anonymous comments of every closed online round, per statement, text only. */
export function commentsCsv(db: Queryable, input: { guidelineId: string }): string {
  const rows = closedOnlineRounds(db, input.guidelineId).flatMap((round) => {
    const items = frozenResults(db, round).items;
    const comments = commentsOn(
      db,
      items.map((i) => i.itemId),
    );
    return items.flatMap((i) =>
      (comments.get(i.itemId) ?? []).map((comment) => [round.number, i.position, i.statementId, i.revision, comment]),
    );
  });
  return csv([["round", "item", "statement_id", "revision", "comment"], ...rows]);
}

/**
 * Every closed round's frozen results, one row per round item, in round and item order. On the
 * agreement scale the counts are agree, disagree and abstain; on a rating scale one column per
 * point (and unable to score, when the scale has it) and the median.
 */
export function roundsCsv(db: Queryable, input: { guidelineId: string; scale: Scale }): string {
  const closed = db
    .select()
    .from(rounds)
    .where(and(eq(rounds.guidelineId, input.guidelineId), eq(rounds.status, "closed")))
    .orderBy(asc(rounds.number))
    .all();
  const scale = input.scale;
  const countColumns =
    scale.kind === "rating"
      ? [...ratingPoints(scale).map((p) => `rated_${p}`), ...(scale.unable ? ["unable"] : []), "median"]
      : ["agree", "disagree", "abstain"];
  const header = [
    "round",
    "closed_at",
    "item",
    "statement_id",
    "revision",
    "section",
    "text",
    ...countColumns,
    "no_response",
    "eligible",
    "participants",
    "agree_percent",
    "disagree_percent",
    "adopted",
    "outcome",
    "grade",
    "reasons",
  ];
  const rows = closed.flatMap((round) =>
    frozenResults(db, round).items.map((i) => {
      const counts = isRatingTally(i.tally)
        ? [...i.tally.ratings, ...(scale.kind === "rating" && scale.unable ? [i.tally.unable] : []), i.verdict.median ?? null]
        : [i.tally.agree, i.tally.disagree, i.tally.abstain];
      return [
        round.number,
        round.closedAt?.toISOString() ?? null,
        i.position,
        i.statementId,
        i.revision,
        i.section,
        i.text,
        ...counts,
        i.noResponse,
        i.tally.eligible,
        i.verdict.participants,
        i.verdict.agreePercent,
        i.verdict.disagreePercent,
        i.verdict.adopted,
        i.verdict.outcome,
        i.verdict.grade,
        i.verdict.reasons.join(";"),
      ];
    }),
  );
  return csv([header, ...rows]);
}

export const ANALYSIS_EXPORTS = ["rounds", "ballots", "comments"] as const;

/** One of the analysis exports (`rounds.csv`, `ballots.csv`, `comments.csv`), or a JSON 404 naming them. */
export function analysisExport(
  db: Queryable,
  input: { guideline: { id: string; slug: string; scale: unknown; rule: unknown }; file: string },
): Response {
  const { guideline } = input;
  const kind = ANALYSIS_EXPORTS.find((name) => input.file === `${name}.csv`);
  if (!kind) {
    return Response.json(
      {
        error: tr('There is no export "{{file}}": exports are {{exports}}.', {
          file: input.file,
          exports: ANALYSIS_EXPORTS.map((name) => `${name}.csv`).join(", "),
        }),
      },
      { status: 404, headers: { "Cache-Control": "no-store" } },
    );
  }
  const body =
    kind === "rounds"
      ? roundsCsv(db, { guidelineId: guideline.id, scale: scaleOf(guideline.scale) })
      : kind === "ballots"
        ? ballotsCsv(db, { guidelineId: guideline.id, rule: guideline.rule })
        : commentsCsv(db, { guidelineId: guideline.id });
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${guideline.slug}-${kind}.csv"`,
      "Cache-Control": "private, no-store",
    },
  });
}
