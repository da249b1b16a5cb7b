/**
 * A round's results, one source of truth: tallying the ballots when it closes (the database
 * counts, app/consensus/tally.ts assembles, app/consensus/rule.ts decides), freezing the tallies
 * and the whole verdict, and reading them back for every page, export and publication. Nothing
 * evaluates the rule again on a closed round: readers get the frozen verdict and its wording.
 */
import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Queryable } from "@db/client.server";
import { ballots, roundItems, roundResults, rounds, statementRevisions, statements, type PanelSnapshot } from "@db/schema";
import {
  evaluate,
  explainVerdict,
  groupMinSizeOf,
  RuleSchema,
  stableBelowOf,
  type FrozenVerdict,
  type Rule,
} from "~/consensus/rule";
import { scaleOf, type Scale } from "~/consensus/scale";
import type { Translate } from "~/i18n";
import { english } from "~/locales/english";
import { stabilityBetween, type Stability } from "~/consensus/stability";
import {
  isRatingTally,
  tallyItem,
  visibleGroups,
  type Answer,
  type GroupTally,
  type ItemTallies,
  type Tally,
} from "~/consensus/tally";

type Round = typeof rounds.$inferSelect;

/** A member's group in a round: the snapshot's group, else the discipline. */
export function groupOfMember(member: PanelSnapshot["members"][number]): string {
  return member.group ?? member.discipline ?? "Unspecified";
}

const answerOf = (row: { choice: string | null; rating: number | null }): Answer =>
  row.rating !== null ? row.rating : (row.choice as Answer);

/**
 * The tallies of every item of an open round, overall and per group. Each ballot's group is the
 * one the panel snapshot gave its member when the round opened: the snapshot is put in a
 * temporary table keyed by membership, and each item's ballots are counted by group and answer
 * in one small GROUP BY (200 sorts of 10,000 ballots cost less than one sort of 2,000,000).
 * Recused members are taken off in JS (they are few).
 */
export function tallyRound(db: Queryable, round: Round): ({ roundItemId: string } & ItemTallies)[] {
  const scale = scaleOf(round.scaleSnapshot);
  const members = round.panelSnapshot?.members ?? [];
  const panelSizes = new Map<string, number>();
  const groupOf = new Map<string, string>();
  const groupNames: string[] = [];
  const groupIndex = new Map<string, number>();
  for (const member of members) {
    const group = groupOfMember(member);
    groupOf.set(member.membershipId, group);
    panelSizes.set(group, (panelSizes.get(group) ?? 0) + 1);
    if (!groupIndex.has(group)) groupIndex.set(group, groupNames.push(group) - 1);
  }
  const items = db
    .select({ id: roundItems.id })
    .from(roundItems)
    .where(eq(roundItems.roundId, round.id))
    .orderBy(asc(roundItems.position))
    .all();
  db.run(sql`create temp table if not exists tally_panel (membership_id text primary key, grp integer not null) without rowid`);
  const counted = new Map<string, { group: string; answer: Answer; count: number }[]>();
  try {
    db.run(sql`delete from temp.tally_panel`);
    db.run(sql`insert into temp.tally_panel (membership_id, grp)
      select json_extract(value, '$[0]'), json_extract(value, '$[1]') from json_each(${JSON.stringify(
        members.map((m) => [m.membershipId, groupIndex.get(groupOfMember(m))]),
      )})`);
    for (const { id } of items) {
      const rows = db.all<{ grp: number; choice: string | null; rating: number | null; n: number }>(sql`
        select p.grp as grp, b.choice as choice, b.rating as rating, count(*) as n
        from ballots b join temp.tally_panel p on p.membership_id = b.membership_id
        where b.round_item_id = ${id}
        group by p.grp, b.choice, b.rating`);
      counted.set(
        id,
        rows.map((row) => ({ group: groupNames[row.grp]!, answer: answerOf(row), count: row.n })),
      );
    }
  } finally {
    db.run(sql`delete from temp.tally_panel`);
  }
  const recused = db
    .select({ itemId: roundItems.id, membershipId: sql<string>`r.membership_id`, choice: ballots.choice, rating: ballots.rating })
    .from(roundItems)
    .innerJoin(statementRevisions, eq(statementRevisions.id, roundItems.revisionId))
    .innerJoin(sql`recusals r`, sql`r.statement_id = ${statementRevisions.statementId}`)
    .leftJoin(ballots, and(eq(ballots.roundItemId, roundItems.id), sql`${ballots.membershipId} = r.membership_id`))
    .where(eq(roundItems.roundId, round.id))
    .all();
  return items.map(({ id }) => ({
    roundItemId: id,
    ...tallyItem({
      scale,
      panel: panelSizes,
      counts: counted.get(id) ?? [],
      recused: recused
        .filter((r) => r.itemId === id && groupOf.has(r.membershipId))
        .map((r) => ({
          group: groupOf.get(r.membershipId)!,
          answer: r.choice === null && r.rating === null ? null : answerOf(r),
          eligible: true,
        })),
    }),
  }));
}

/** A tally as stored: the counts without `eligible`, which has its own column. */
function storedTally(tally: Tally): unknown {
  const { eligible: _eligible, ...counts } = tally;
  return counts;
}

function tallyFrom(stored: unknown, eligible: number): Tally {
  return { ...(stored as object), eligible } as Tally;
}

/**
 * Freezes items' tallies and verdicts under the round's rule snapshot, in the caller's
 * transaction, while the round is still open (the database refuses results for any other).
 */
export function freezeResults(
  db: Queryable,
  input: { round: Round; items: ({ roundItemId: string } & ItemTallies)[] },
): { roundItemId: string; verdict: FrozenVerdict }[] {
  const rule = RuleSchema.parse(input.round.ruleSnapshot);
  return input.items.map(({ roundItemId, tally, groups }) => {
    const { explanation: _explanation, ...verdict } = evaluate(rule, tally, groups);
    db.insert(roundResults)
      .values({
        roundItemId,
        eligible: tally.eligible,
        tally: storedTally(tally),
        groups: groups.map((g) => ({ name: g.name, tally: storedTally(g.tally), eligible: g.tally.eligible })),
        adopted: verdict.adopted,
        verdict,
      })
      .run();
    return { roundItemId, verdict };
  });
}

/**
 * Results frozen before whole verdicts were (migration 0006) get theirs once, computed from their
 * frozen tally under their round's rule snapshot — the computation their close made — and never
 * again. Run at start-up; returns how many it filled in.
 */
export function freezeLegacyVerdicts(db: Queryable): number {
  const legacy = db
    .select({
      roundItemId: roundResults.roundItemId,
      eligible: roundResults.eligible,
      tally: roundResults.tally,
      adopted: roundResults.adopted,
      rule: rounds.ruleSnapshot,
    })
    .from(roundResults)
    .innerJoin(roundItems, eq(roundItems.id, roundResults.roundItemId))
    .innerJoin(rounds, eq(rounds.id, roundItems.roundId))
    .where(isNull(roundResults.verdict))
    .all();
  for (const row of legacy) {
    const { explanation: _explanation, ...verdict } = evaluate(RuleSchema.parse(row.rule), tallyFrom(row.tally, row.eligible));
    if (verdict.adopted !== row.adopted) {
      throw new Error(
        `Round item ${row.roundItemId}: its frozen result says adopted=${row.adopted}, its tally and rule say ${verdict.adopted}.`,
      );
    }
    db.update(roundResults).set({ verdict }).where(eq(roundResults.roundItemId, row.roundItemId)).run();
  }
  return legacy.length;
}

export type FrozenItem = {
  itemId: string;
  /** The item's place in its round (exports and the audit trail key ballots by it). */
  position: number;
  /** The statement's number, the one it has on every page: statements.position. */
  number: number;
  statementId: string;
  section: string;
  revision: number;
  text: string;
  tally: Tally;
  /** Every group's tally (null for rounds closed before groups); see shownGroups for what may be shown. */
  groups: GroupTally[] | null;
  verdict: FrozenVerdict;
  explanation: string;
  noResponse: number;
};

export type FrozenRound = { rule: Rule; scale: Scale; items: FrozenItem[] };

function participants(tally: Tally): number {
  return isRatingTally(tally)
    ? tally.ratings.reduce((n, c) => n + c, 0) + tally.unable
    : tally.agree + tally.disagree + tally.abstain;
}

/**
 * A closed round's frozen results, in voting order: tallies, groups, verdicts and their wording —
 * written from the frozen verdict each time, in English (exports, published sets) unless a page
 * gives its translator (`translator(currentLanguage(), "rules")`).
 */
export function frozenResults(db: Queryable, round: Round, t: Translate = english): FrozenRound {
  const rule = RuleSchema.parse(round.ruleSnapshot);
  const rows = db
    .select({
      itemId: roundItems.id,
      position: roundItems.position,
      number: statements.position,
      statementId: statements.id,
      section: statementRevisions.section,
      revision: statementRevisions.revision,
      text: statementRevisions.text,
      eligible: roundResults.eligible,
      tally: roundResults.tally,
      groups: roundResults.groups,
      verdict: roundResults.verdict,
    })
    .from(roundItems)
    .innerJoin(roundResults, eq(roundResults.roundItemId, roundItems.id))
    .innerJoin(statementRevisions, eq(statementRevisions.id, roundItems.revisionId))
    .innerJoin(statements, eq(statements.id, statementRevisions.statementId))
    .where(eq(roundItems.roundId, round.id))
    .orderBy(asc(roundItems.position))
    .all();
  return {
    rule,
    scale: scaleOf(round.scaleSnapshot),
    items: rows.map(({ eligible, tally: stored, groups, verdict, ...row }) => {
      if (verdict === null) throw new Error(`Round item ${row.itemId} has no frozen verdict: run freezeLegacyVerdicts first.`);
      const tally = tallyFrom(stored, eligible);
      const frozen = verdict as FrozenVerdict;
      return {
        ...row,
        tally,
        groups:
          groups === null
            ? null
            : (groups as { name: string; tally: unknown; eligible: number }[]).map((g) => ({
                name: g.name,
                tally: tallyFrom(g.tally, g.eligible),
              })),
        verdict: frozen,
        explanation: explainVerdict(rule, frozen, t),
        noResponse: eligible - participants(tally),
      };
    }),
  };
}

/**
 * The groups of an item that may be shown: in an anonymous guideline only groups of at least the
 * rule's minimum size, the rest pooled (never leaving a small group to be worked out by
 * subtraction); in a named guideline every group.
 */
export function shownGroups(
  item: Pick<FrozenItem, "groups">,
  input: { rule: Rule; anonymity: "anonymous" | "named" },
): GroupTally[] {
  if (!item.groups) return [];
  return input.anonymity === "named" ? item.groups : visibleGroups(item.groups, groupMinSizeOf(input.rule));
}

/** The frozen result of one round item, for feedback beside a statement (panelists) — null before close. */
export function frozenItem(db: Queryable, round: Round, roundItemId: string): FrozenItem | null {
  return frozenResults(db, round).items.find((i) => i.itemId === roundItemId) ?? null;
}

/** Anonymous comments of round items: text only, in an order that says nothing about who wrote them. */
export function commentsOn(db: Queryable, itemIds: string[]): Map<string, string[]> {
  const rows = itemIds.length
    ? db
        .select({ itemId: ballots.roundItemId, comment: ballots.comment })
        .from(ballots)
        .where(and(inArray(ballots.roundItemId, itemIds), sql`trim(coalesce(${ballots.comment}, '')) <> ''`))
        // Ballot ids are random, so this order reveals nothing about the authors.
        .orderBy(asc(ballots.comment), asc(ballots.id))
        .all()
    : [];
  const byItem = new Map<string, string[]>(itemIds.map((id) => [id, []]));
  for (const { itemId, comment } of rows) byItem.get(itemId)!.push(comment!);
  return byItem;
}

/**
 * Each statement of a closed round against its previous closed round: the change in agreement
 * share (and median and IQR on a rating scale), stable within the rule's `stableBelow`. A
 * statement voted for the first time has none.
 */
export function roundStability(db: Queryable, round: Round): Map<string, Stability & { previousRound: number }> {
  const current = frozenResults(db, round);
  const earlier = db
    .select()
    .from(rounds)
    .where(and(eq(rounds.guidelineId, round.guidelineId), eq(rounds.status, "closed"), sql`${rounds.number} < ${round.number}`))
    .orderBy(sql`${rounds.number} desc`)
    .all();
  const found = new Map<string, Stability & { previousRound: number }>();
  const stableBelow = stableBelowOf(current.rule);
  for (const previous of earlier) {
    const before = new Map(frozenResults(db, previous).items.map((i) => [i.statementId, i]));
    for (const item of current.items) {
      const then = before.get(item.statementId);
      if (!then || found.has(item.statementId)) continue;
      found.set(item.statementId, {
        ...stabilityBetween(then.verdict, item.verdict, stableBelow),
        previousRound: previous.number,
      });
    }
  }
  return found;
}

/**
 * A closed round's item as any viewer may receive it: every group's tally left out, the groups
 * that may be shown in `shownGroups`, and the verdict holding only their results (shownVerdict).
 */
export type ItemResult = Omit<FrozenItem, "groups"> & {
  /** The anonymous comments, text only. */
  comments: string[];
  /** The groups that may be shown (shownGroups). */
  shownGroups: GroupTally[];
  stability: (Stability & { previousRound: number }) | null;
};

/**
 * A closed round as result pages, exports and publications show it: frozen results, comments,
 * only the groups that may be shown (and only their verdicts), stability. What any viewer may
 * see of a closed round is decided here, so nothing downstream can send a hidden group's result.
 * The explanations are English unless `t` is given: pages give theirs, published sets and exports none.
 */
export function closedRoundResults(
  db: Queryable,
  input: { round: Round; anonymity: "anonymous" | "named"; t?: Translate },
): { rule: Rule; scale: Scale; items: ItemResult[] } {
  const frozen = frozenResults(db, input.round, input.t);
  const comments = commentsOn(
    db,
    frozen.items.map((i) => i.itemId),
  );
  const stability = roundStability(db, input.round);
  return {
    rule: frozen.rule,
    scale: frozen.scale,
    items: frozen.items.map(({ groups, ...item }) => {
      const shown = shownGroups({ groups }, { rule: frozen.rule, anonymity: input.anonymity });
      return {
        ...item,
        verdict: shownVerdict(item.verdict, shown),
        comments: comments.get(item.itemId) ?? [],
        shownGroups: shown,
        stability: stability.get(item.statementId) ?? null,
      };
    }),
  };
}

/**
 * A frozen verdict as a page may send it to the browser beside the groups it may show
 * (shownGroups): the verdicts within other groups left out, so that no hidden group's result
 * reaches a viewer, not even in the page's data.
 */
export function shownVerdict(verdict: FrozenVerdict, shown: readonly Pick<GroupTally, "name">[]): FrozenVerdict {
  const names = new Set(shown.map((g) => g.name));
  const { groups, groupResults, ...rest } = verdict;
  return {
    ...rest,
    ...(groups ? { groups: groups.filter((g) => names.has(g.name)) } : {}),
    ...(groupResults ? { groupResults: groupResults.filter((g) => names.has(g.name)) } : {}),
  };
}
