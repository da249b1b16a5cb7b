import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { evaluate, RuleSchema, type Reason, type RatingTally, type Rule, type Verdict } from "~/consensus/rule";
import {
  allCounts,
  compare,
  countsOf,
  expand,
  gradeOracle,
  iprasOracle,
  iqr,
  median,
  quorumFails,
  rational,
  roundedPercent,
  sortedRatings,
  toNumber,
} from "../support/exact-oracle";

const rule = (input: unknown): Rule => RuleSchema.parse(input);
const ipras = rule({ family: "rand-ucla" });
const classic = rule({ family: "rand-ucla", disagreement: "classic" });

/** A 9-point tally from counts per point, the panel exactly those who answered unless told otherwise. */
const tallyOf = (ratings: number[], unable = 0, eligible?: number): RatingTally => ({
  ratings,
  unable,
  eligible: eligible ?? ratings.reduce((n, c) => n + c, 0) + unable,
});

/** A tally of `n` ratings: `count` of them `rating`, the rest `rest`. */
function split(n: number, count: number, rating: number, rest: number): RatingTally {
  const ratings = Array<number>(9).fill(0);
  ratings[rating - 1]! += count;
  ratings[rest - 1]! += n - count;
  return tallyOf(ratings);
}

// ---------------------------------------------------------------------------------------------
// The oracle: from the explicit list of answers, in BigInt rationals.

type Answer = number | "unable";
type Generated = { input: Record<string, unknown>; method: "ipras" | "classic"; quorum: number | null };

const CLASSIC_K: Record<number, number> = { 8: 3, 9: 3, 10: 3, 11: 4, 12: 4, 13: 4, 14: 5, 15: 5, 16: 5 };

function oracle(g: Generated, answers: readonly Answer[], eligible: number) {
  const sorted = sortedRatings(answers);
  const n = sorted.length;
  const high = sorted.filter((r) => r >= 7).length;
  const low = sorted.filter((r) => r <= 3).length;
  const base = {
    participants: answers.length,
    eligible,
    denominator: n,
    agreeCount: high,
    disagreeCount: low,
    agreePercent: roundedPercent(high, n),
    disagreePercent: roundedPercent(low, n),
    grade: gradeOracle(high, n),
    median: n ? toNumber(median(sorted)) : null,
    iqr: n ? toNumber(iqr(sorted)) : null,
  };
  if (quorumFails(answers.length, eligible, g.quorum)) {
    return { ...base, outcome: "none", adopted: false, reasons: ["quorum"] as Reason[] };
  }
  if (n === 0) return { ...base, outcome: "none", adopted: false, reasons: ["no votes"] as Reason[] };
  let disagreement;
  if (g.method === "classic") {
    const k = CLASSIC_K[n];
    if (k === undefined) {
      disagreement = { method: "classic", found: false, outsideTable: true };
      return { ...base, disagreement, outcome: "uncertain", adopted: false, reasons: ["method"] as Reason[] };
    }
    disagreement = { method: "classic", found: low >= k && high >= k, low, high, needed: k };
  } else {
    const exact = iprasOracle(sorted);
    disagreement = { method: "ipras", found: exact.found, ipr: toNumber(exact.ipr), ipras: toNumber(exact.ipras) };
  }
  const m = median(sorted);
  const atLeast7 = compare(m, rational(7)) >= 0;
  const atMost3 = compare(m, rational(3)) <= 0;
  const outcome = disagreement.found ? "uncertain" : atLeast7 ? "appropriate" : atMost3 ? "inappropriate" : "uncertain";
  const reasons: Reason[] = [];
  if (!atLeast7 && !atMost3) reasons.push("median");
  if (disagreement.found) reasons.push("disagreement");
  return { ...base, disagreement, outcome, adopted: outcome === "appropriate", reasons };
}

const generatedRule: fc.Arbitrary<Generated> = fc
  .record({
    method: fc.constantFrom("ipras", "classic", "default"),
    quorum: fc.option(fc.oneof(fc.integer({ min: 0, max: 10000 }), fc.constantFrom(5000, 6667, 7500)), { nil: null, freq: 2 }),
    quorumNull: fc.boolean(),
  })
  .map(({ method, quorum, quorumNull }) => {
    const input: Record<string, unknown> = { family: "rand-ucla" };
    if (method !== "default") input.disagreement = method;
    if (quorum !== null) input.quorum = quorum / 100;
    else if (quorumNull) input.quorum = null;
    return { input, method: method === "classic" ? "classic" : "ipras", quorum };
  });

// Extremes and the band edges come up often, so that disagreement, both verdicts and ties happen.
const rating = fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constantFrom(1, 2, 3, 7, 8, 9), fc.constantFrom(3, 7));
const ballots = (unable: boolean) =>
  fc.oneof(
    {
      arbitrary: fc.array(unable ? fc.oneof({ arbitrary: rating, weight: 6 }, fc.constant("unable" as const)) : rating, {
        maxLength: 20,
      }),
      weight: 6,
    },
    { arbitrary: fc.array(rating, { minLength: 1, maxLength: 1 }), weight: 1 },
    { arbitrary: fc.array(fc.constant("unable" as const), { maxLength: 4 }), weight: 1 },
    { arbitrary: fc.array(rating, { maxLength: 60 }), weight: 1 },
  );
const ballotsAndPanel = fc
  .boolean()
  .chain(ballots)
  .chain((answers) => fc.nat({ max: 10 }).map((absent) => ({ answers: answers as Answer[], eligible: answers.length + absent })));

function project(verdict: Verdict) {
  const { explanation: _explanation, ...rest } = verdict;
  return rest;
}

describe("rand-ucla: properties against the exact oracle", () => {
  test("outcome, reasons, shares, grade, median, IQR and disagreement agree on random rules and ballots", () => {
    fc.assert(
      fc.property(generatedRule, ballotsAndPanel, (g, { answers, eligible }) => {
        const tally = tallyOf(countsOf(answers, 9), answers.filter((a) => a === "unable").length, eligible);
        expect(project(evaluate(rule(g.input), tally))).toEqual(oracle(g, answers, eligible));
      }),
      { numRuns: 1500 },
    );
  });

  test("IPRAS on every multiset of up to 8 ratings", () => {
    for (let n = 1; n <= 8; n++) {
      for (const counts of allCounts(n, 9)) {
        const answers = expand(counts);
        const expected = oracle({ input: {}, method: "ipras", quorum: null }, answers, n);
        expect(project(evaluate(ipras, tallyOf(counts))), answers.join(",")).toEqual(expected);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe("rand-ucla: the classic table", () => {
  test.each([7, 17])("%i ratings are outside the table: uncertain, reason method, even when unanimous", (n) => {
    for (const tally of [split(n, n, 9, 9), split(n, n, 1, 1), split(n, 4, 1, 9)]) {
      const verdict = evaluate(classic, tally);
      expect(verdict).toMatchObject({
        outcome: "uncertain",
        adopted: false,
        reasons: ["method"],
        disagreement: { method: "classic", found: false, outsideTable: true },
      });
      expect(verdict.explanation).toBe(
        `Uncertain (not adopted): the classic disagreement table applies to 8–16 ratings, not ${n}.`,
      );
    }
  });

  test("unable to score does not count towards the table's size", () => {
    expect(evaluate(classic, tallyOf([0, 0, 0, 0, 0, 0, 7, 0, 0], 3)).reasons).toEqual(["method"]);
    expect(evaluate(classic, tallyOf([0, 0, 0, 0, 0, 0, 8, 0, 0], 3)).outcome).toBe("appropriate");
  });

  const table: [number, number][] = [
    [8, 3],
    [10, 3],
    [11, 4],
    [13, 4],
    [14, 5],
    [16, 5],
  ];

  test.each(table)("%i ratings: %i in 1–3 make disagreement, one fewer does not (ratings 3 and 7, the band edges)", (n, k) => {
    // k rated 3 and the rest 7: the median is 7, so only disagreement keeps it from appropriate.
    expect(evaluate(classic, split(n, k, 3, 7))).toMatchObject({
      outcome: "uncertain",
      reasons: ["disagreement"],
      median: 7,
      disagreement: { method: "classic", found: true, low: k, high: n - k, needed: k },
    });
    expect(evaluate(classic, split(n, k - 1, 3, 7))).toMatchObject({
      outcome: "appropriate",
      adopted: true,
      reasons: [],
      disagreement: { method: "classic", found: false, low: k - 1, high: n - k + 1, needed: k },
    });
  });

  test.each(table)("%i ratings: %i in 7–9 make disagreement, one fewer does not", (n, k) => {
    expect(evaluate(classic, split(n, k, 7, 3))).toMatchObject({
      outcome: "uncertain",
      adopted: false,
      reasons: ["disagreement"],
      median: 3,
      disagreement: { method: "classic", found: true, low: n - k, high: k, needed: k },
    });
    expect(evaluate(classic, split(n, k - 1, 7, 3))).toMatchObject({
      outcome: "inappropriate",
      adopted: false,
      reasons: [],
      disagreement: { method: "classic", found: false, low: n - k + 1, high: k - 1 },
    });
  });

  test("ratings 4 and 6 are in neither extreme", () => {
    expect(evaluate(classic, split(8, 3, 4, 8)).disagreement).toMatchObject({ found: false, low: 0, high: 5 });
    expect(evaluate(classic, split(8, 3, 6, 2)).disagreement).toMatchObject({ found: false, low: 5, high: 0 });
  });
});

describe("rand-ucla: IPRAS", () => {
  // 13 ratings 1,1,1,1,6,6,7,7,7,8,8,8,8: P30 = 1 + 0.6·(6 − 1) = 4, P70 = 7 + 0.4·(8 − 7) = 7.4,
  // IPR = 3.4, IPRCP = 5.7, AI = 0.7, IPRAS = 2.35 + 1.05 = 3.4: a tie, and the median is 7.
  const tie = tallyOf([4, 0, 0, 0, 0, 2, 3, 4, 0]);

  test("IPR exactly equal to IPRAS is not disagreement (disagreement when IPR > IPRAS)", () => {
    const verdict = evaluate(ipras, tie);
    expect(verdict).toMatchObject({
      outcome: "appropriate",
      adopted: true,
      reasons: [],
      median: 7,
      disagreement: { method: "ipras", found: false, ipr: 3.4, ipras: 3.4 },
    });
    expect(verdict.explanation).toBe("Appropriate (adopted): median 7 of 13 ratings, no disagreement (IPR 3.4 ≤ IPRAS 3.4).");
  });

  test("a tie at median 3 is inappropriate, not uncertain", () => {
    // 7 ratings 1,1,3,3,6,6,6: P30 = 1 + 0.8·(3 − 1) = 2.6, P70 = 6, IPR = 3.4, IPRCP = 4.3, AI = 0.7, IPRAS = 3.4.
    const verdict = evaluate(ipras, tallyOf([2, 0, 2, 0, 0, 3, 0, 0, 0]));
    expect(verdict).toMatchObject({
      outcome: "inappropriate",
      reasons: [],
      median: 3,
      disagreement: { method: "ipras", found: false, ipr: 3.4, ipras: 3.4 },
    });
  });

  test("one step wider than the tie is disagreement", () => {
    // The lowest 6 of the first tie moved down to 1: P30 = 1, P70 = 7.4, IPR = 6.4, AI = 0.8, IPRAS = 3.55.
    const verdict = evaluate(ipras, tallyOf([5, 0, 0, 0, 0, 1, 3, 4, 0]));
    expect(verdict).toMatchObject({
      outcome: "uncertain",
      reasons: ["disagreement"],
      median: 7,
      disagreement: { method: "ipras", found: true, ipr: 6.4, ipras: 3.55 },
    });
    expect(verdict.explanation).toBe("Uncertain (not adopted): median 7 of 13 ratings, disagreement (IPR 6.4 > IPRAS 3.55).");
  });

  test("floating point gets the tie wrong; the exact engine does not", () => {
    const float = floatIpras(expand(tie.ratings));
    expect(float.ipr).toBe(3.4000000000000004);
    expect(float.ipras).toBe(3.3999999999999977);
    expect(float.found).toBe(true); // a float engine would call this uncertain (disagreement)
    expect(evaluate(ipras, tie).outcome).toBe("appropriate");
  });

  test("the search that found it: every 13-rating panel floating point misjudges, the engine judges exactly", () => {
    const misjudged = floatMisjudged(13);
    expect(misjudged.length).toBeGreaterThan(0);
    expect(misjudged.map((c) => c.join(","))).toContain(tie.ratings.join(","));
    for (const counts of misjudged) {
      const exact = iprasOracle(expand(counts));
      expect(evaluate(ipras, tallyOf(counts)).disagreement).toMatchObject({ found: exact.found });
      expect(exact.found).toBe(false); // every one is a tie that floating point calls disagreement
    }
  });
});

/** RAND/UCLA's IPRAS as a spreadsheet computes it, in floating point (what the engine must not do). */
function floatIpras(sorted: readonly number[]) {
  const percentile = (p: number) => {
    const h = (sorted.length - 1) * p;
    const j = Math.floor(h);
    return sorted[j]! + (h - j) * (sorted[Math.min(j + 1, sorted.length - 1)]! - sorted[j]!);
  };
  const p30 = percentile(0.3);
  const p70 = percentile(0.7);
  const ipr = p70 - p30;
  const ipras = 2.35 + 1.5 * Math.abs(5 - (p30 + p70) / 2);
  return { ipr, ipras, found: ipr > ipras };
}

/** The panels of n ratings whose disagreement floating point gets wrong, as counts per point. */
function floatMisjudged(n: number): number[][] {
  const found: number[][] = [];
  for (const counts of allCounts(n, 9)) {
    const sorted = expand(counts);
    if (floatIpras(sorted).found !== iprasOracle(sorted).found) found.push(counts);
  }
  return found;
}

describe("rand-ucla: the median", () => {
  test.each([
    // 4 ratings, the mean of the two middle ones.
    [[0, 0, 0, 0, 0, 2, 2, 0, 0], 6.5, "uncertain", ["median"]],
    [[0, 0, 0, 0, 0, 1, 3, 0, 0], 7, "appropriate", []],
    [[0, 0, 0, 0, 0, 2, 0, 2, 0], 7, "appropriate", []],
    [[0, 0, 2, 2, 0, 0, 0, 0, 0], 3.5, "uncertain", ["median"]],
    [[0, 0, 3, 1, 0, 0, 0, 0, 0], 3, "inappropriate", []],
    [[0, 2, 0, 2, 0, 0, 0, 0, 0], 3, "inappropriate", []],
  ])("%j: median %d, %s", (ratings, expected, outcome, reasons) => {
    const verdict = evaluate(ipras, tallyOf(ratings));
    expect(verdict).toMatchObject({ median: expected, outcome, reasons, adopted: outcome === "appropriate" });
    expect(verdict.disagreement).toMatchObject({ found: false });
  });

  test("median 7 with disagreement is uncertain for disagreement only; median 5 with it, for both", () => {
    expect(evaluate(ipras, tallyOf([4, 0, 0, 0, 0, 0, 1, 0, 4]))).toMatchObject({ median: 7, reasons: ["disagreement"] });
    expect(evaluate(ipras, tallyOf([4, 0, 0, 0, 1, 0, 0, 0, 4]))).toMatchObject({
      median: 5,
      reasons: ["median", "disagreement"],
    });
  });

  test("a single rating", () => {
    expect(evaluate(ipras, tallyOf([0, 0, 0, 0, 0, 0, 0, 1, 0]))).toMatchObject({
      outcome: "appropriate",
      median: 8,
      iqr: 0,
      grade: "strong",
      disagreement: { found: false, ipr: 0, ipras: 6.85 },
    });
  });
});

describe("rand-ucla: quorum, no votes, grade", () => {
  test("quorum counts unable-to-score ballots", () => {
    const withQuorum = rule({ family: "rand-ucla", quorum: 50 });
    // 3 ratings and 2 unable of 10: exactly 50%.
    expect(evaluate(withQuorum, tallyOf([0, 0, 0, 0, 0, 0, 3, 0, 0], 2, 10))).toMatchObject({
      outcome: "appropriate",
      participants: 5,
      denominator: 3,
    });
    const below = evaluate(withQuorum, tallyOf([0, 0, 0, 0, 0, 0, 3, 0, 0], 1, 10));
    expect(below).toMatchObject({ outcome: "none", adopted: false, reasons: ["quorum"], participants: 4, median: 7 });
    expect(below.explanation).toBe("No quorum: 4 of 10 eligible members voted (needs at least 50%).");
  });

  test("only unable to score: no votes, with its own sentence", () => {
    const verdict = evaluate(ipras, tallyOf(Array<number>(9).fill(0), 4, 6));
    expect(verdict).toMatchObject({
      outcome: "none",
      reasons: ["no votes"],
      denominator: 0,
      agreePercent: null,
      median: null,
      iqr: null,
      grade: "none",
    });
    expect(verdict.explanation).toBe('No ratings: all 4 ballots were "unable to score".');
    expect(evaluate(classic, tallyOf(Array<number>(9).fill(0), 0, 6)).explanation).toBe("No votes were cast.");
  });

  test("the grade is of ratings 7–9 among the ratings, strictly above 95 / 75 / 50 %", () => {
    const grade = (high: number, other: number) => evaluate(ipras, tallyOf([0, 0, 0, 0, other, 0, 0, high, 0], 7)).grade;
    expect(grade(19, 1)).toBe("consensus"); // exactly 95%
    expect(grade(20, 0)).toBe("strong");
    expect(grade(3, 1)).toBe("majority"); // exactly 75%
    expect(grade(1, 1)).toBe("none"); // exactly 50%
    expect(grade(51, 49)).toBe("majority");
  });

  test("a tally on another scale is refused", () => {
    expect(() => evaluate(ipras, { ratings: [1, 1, 1, 1, 1], unable: 0, eligible: 5 })).toThrow(/9-point/);
    expect(() => evaluate(ipras, { agree: 1, disagree: 0, abstain: 0, eligible: 1 })).toThrow(TypeError);
  });
});
