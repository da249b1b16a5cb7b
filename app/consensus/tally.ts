/**
 * Tallies: how one statement was answered in one round, overall and per stakeholder group,
 * from answer counts, the round's panel and the members recused from the statement. Pure: the
 * counting of ballots themselves is left to the database (one GROUP BY), this only assembles.
 */
import type { Translate } from "~/i18n";
import { english } from "~/locales/english";
import type { Choice } from "./ballot";
import { doubledMedian } from "./order-statistics";
import type { Scale } from "./scale";

/** Agree / disagree / abstain; `eligible` = eligible, non-recused members, at least the ballots cast. */
export type AgreementTally = { agree: number; disagree: number; abstain: number; eligible: number };
/** `ratings[i]` = how many rated i + 1; `unable` = "unable to score" ballots. */
export type RatingTally = { ratings: number[]; unable: number; eligible: number };
export type Tally = AgreementTally | RatingTally;

/** One answer on one statement: a choice on the agreement scale, a rating, or "unable to score". */
export type Answer = Choice | number | "unable";

export const OTHER_GROUPS = "other groups";

export function isRatingTally(tally: Tally): tally is RatingTally {
  return "ratings" in tally;
}

/** Every ballot cast on the item: abstentions and "unable to score" included. */
export function participantsOf(tally: Tally): number {
  return isRatingTally(tally)
    ? tally.ratings.reduce((n, c) => n + c, 0) + tally.unable
    : tally.agree + tally.disagree + tally.abstain;
}

export function emptyTally(scale: Scale, eligible = 0): Tally {
  return scale.kind === "rating"
    ? { ratings: Array<number>(scale.points).fill(0), unable: 0, eligible }
    : { agree: 0, disagree: 0, abstain: 0, eligible };
}

/** `count` more answers of one kind (negative to take some away), refused when the scale has no such answer. */
function add(tally: Tally, answer: Answer, count: number): void {
  if (isRatingTally(tally)) {
    if (answer === "unable") tally.unable += count;
    else if (typeof answer === "number" && Number.isInteger(answer) && answer >= 1 && answer <= tally.ratings.length) {
      tally.ratings[answer - 1]! += count;
    } else throw new RangeError(`${JSON.stringify(answer)} is not an answer on a 1–${tally.ratings.length} rating scale`);
  } else if (answer === "agree" || answer === "disagree" || answer === "abstain") {
    tally[answer] += count;
  } else {
    throw new RangeError(`${JSON.stringify(answer)} is not an answer on the agreement scale`);
  }
}

/** The sum of tallies on one scale (a pool of groups); at least one. */
export function sumTallies(tallies: readonly Tally[]): Tally {
  const [first] = tallies;
  if (!first) throw new RangeError("No tallies to add up");
  const sum: Tally = isRatingTally(first)
    ? { ratings: Array<number>(first.ratings.length).fill(0), unable: 0, eligible: 0 }
    : { agree: 0, disagree: 0, abstain: 0, eligible: 0 };
  for (const tally of tallies) {
    sum.eligible += tally.eligible;
    if (isRatingTally(tally) && isRatingTally(sum) && tally.ratings.length === sum.ratings.length) {
      tally.ratings.forEach((c, i) => (sum.ratings[i]! += c));
      sum.unable += tally.unable;
    } else if (!isRatingTally(tally) && !isRatingTally(sum)) {
      sum.agree += tally.agree;
      sum.disagree += tally.disagree;
      sum.abstain += tally.abstain;
    } else {
      throw new TypeError("Tallies on different scales cannot be added");
    }
  }
  return sum;
}

export type GroupTally = { name: string; tally: Tally };

export type ItemTallies = { tally: Tally; groups: GroupTally[] };

/**
 * One statement's tallies in one round. `counts` are the ballots cast on it, counted per group
 * and answer (recused members' ballots included: they are taken off here); `panel` is how many
 * members of each group were eligible in the round; `recused` lists, per member recused from this
 * statement, their group and their ballot if they cast one. Groups come back in name order.
 */
export function tallyItem(input: {
  scale: Scale;
  counts: readonly { group: string; answer: Answer; count: number }[];
  panel: ReadonlyMap<string, number>;
  recused: readonly { group: string; answer: Answer | null; eligible: boolean }[];
}): ItemTallies {
  const byGroup = new Map<string, Tally>();
  const groupTally = (group: string) => {
    let tally = byGroup.get(group);
    if (!tally) byGroup.set(group, (tally = emptyTally(input.scale)));
    return tally;
  };
  // add() sees the tally, not the scale: whether it offers "unable to score" is checked here.
  const offered = (answer: Answer) => {
    if (answer === "unable" && input.scale.kind === "rating" && !input.scale.unable) {
      throw new RangeError(`"unable" is not an answer on this 1–${input.scale.points} scale: it has no "unable to score"`);
    }
    return answer;
  };
  for (const [group, size] of input.panel) groupTally(group).eligible += size;
  for (const { group, answer, count } of input.counts) add(groupTally(group), offered(answer), count);
  for (const { group, answer, eligible } of input.recused) {
    const tally = groupTally(group);
    if (answer !== null) add(tally, offered(answer), -1);
    if (eligible) tally.eligible -= 1;
  }
  const groups = [...byGroup].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, tally]) => ({ name, tally }));
  for (const { name, tally } of groups) {
    const wholeCounts = Object.values(tally)
      .flat()
      .every((n) => Number.isInteger(n) && n >= 0);
    if (!wholeCounts || participantsOf(tally) > tally.eligible) {
      throw new RangeError(`Group "${name}" has ${participantsOf(tally)} ballots for ${tally.eligible} eligible members`);
    }
  }
  return { tally: groups.length ? sumTallies(groups.map((g) => g.tally)) : emptyTally(input.scale), groups };
}

/**
 * The groups a rule holds to on their own (DESIGN §3.4): those with at least `minSize`
 * participants on the item, and the smaller ones pooled as "other groups" when the pool reaches
 * `minSize`.
 */
export function ruleGroups(groups: readonly GroupTally[], minSize: number): GroupTally[] {
  const large = groups.filter((g) => participantsOf(g.tally) >= minSize);
  const small = groups.filter((g) => participantsOf(g.tally) < minSize);
  const pooled = small.length ? sumTallies(small.map((g) => g.tally)) : null;
  return pooled && participantsOf(pooled) >= minSize ? [...large, { name: OTHER_GROUPS, tally: pooled }] : large;
}

/**
 * The groups whose results may be shown or published in an anonymous guideline (DESIGN §4): as
 * ruleGroups, except that a pool smaller than `minSize` is never left to be worked out by
 * subtracting the shown groups from the total — the smallest shown groups join it until it
 * reaches `minSize` (or no group is shown on its own).
 */
export function visibleGroups(groups: readonly GroupTally[], minSize: number): GroupTally[] {
  const bySize = [...groups].sort((a, b) => participantsOf(a.tally) - participantsOf(b.tally));
  const pool: GroupTally[] = [];
  let shown = bySize.filter((g) => participantsOf(g.tally) >= minSize);
  pool.push(...bySize.filter((g) => participantsOf(g.tally) < minSize));
  const pooled = () => (pool.length ? participantsOf(sumTallies(pool.map((g) => g.tally))) : 0);
  while (pool.length > 0 && pooled() > 0 && pooled() < minSize && shown.length > 0) {
    pool.push(shown[0]!);
    shown = shown.slice(1);
  }
  const order = new Map(groups.map((g, i) => [g.name, i]));
  shown.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
  if (shown.length === 0) return [];
  return pooled() >= minSize ? [...shown, { name: OTHER_GROUPS, tally: sumTallies(pool.map((g) => g.tally)) }] : shown;
}

/** A tally in a few words: "17 agree, 0 disagree, 14 abstain", or "31 ratings (median 8), 2 unable to score". */
export function tallySummary(tally: Tally, t: Translate = english): string {
  if (!isRatingTally(tally)) {
    return t("{{agree}} agree, {{disagree}} disagree, {{abstain}} abstain", {
      agree: tally.agree,
      disagree: tally.disagree,
      abstain: tally.abstain,
    });
  }
  const count = tally.ratings.reduce((sum, c) => sum + c, 0);
  let summary = t("{{count}} ratings", { count });
  if (count) summary = t("{{summary}} (median {{median}})", { summary, median: doubledMedian(tally.ratings) / 2 });
  if (tally.unable) summary = t("{{summary}}, {{unable}} unable to score", { summary, unable: tally.unable });
  return summary;
}
