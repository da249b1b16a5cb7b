import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { describeRule, evaluate, RuleSchema, type Reason, type RatingTally, type Rule, type Verdict } from "~/consensus/rule";
import {
  compareShare,
  countsOf,
  gradeOracle,
  iqr,
  median,
  quorumFails,
  roundedPercent,
  sortedRatings,
  toNumber,
} from "../support/exact-oracle";

const rule = (input: unknown): Rule => RuleSchema.parse(input);
const comet = rule({ family: "band", agreeBand: [7, 9], opposeBand: [1, 3], agreeAtLeast: 70, disagreeBelow: 15 });

const tallyOf = (ratings: number[], unable = 0, eligible?: number): RatingTally => ({
  ratings,
  unable,
  eligible: eligible ?? ratings.reduce((n, c) => n + c, 0) + unable,
});

/** A 9-point tally of `agree` ratings of 8, `oppose` of 2 and `middle` of 5. */
const nine = (agree: number, oppose: number, middle: number, unable = 0) =>
  tallyOf([0, oppose, 0, 0, middle, 0, 0, agree, 0], unable);

describe("band: COMET 70 / 15", () => {
  test("exactly 70% rated 7–9 passes agreeAtLeast 70", () => {
    const verdict = evaluate(comet, nine(7, 1, 2));
    expect(verdict).toMatchObject({ outcome: "in", adopted: true, reasons: [], agreePercent: 70, disagreePercent: 10 });
    expect(verdict.explanation).toBe(
      "Adopted: 7 of 10 participants rated 7–9 (70%, needs at least 70%) and 1 rated 1–3 (10%, needs under 15%).",
    );
    expect(evaluate(comet, nine(6, 1, 3))).toMatchObject({ outcome: "none", reasons: ["agreement"], agreePercent: 60 });
  });

  test("exactly 15% rated 1–3 fails disagreeBelow 15; disagreeAtMost 15 lets it pass", () => {
    const tally = nine(17, 3, 0); // 3 of 20
    expect(evaluate(comet, tally)).toMatchObject({
      outcome: "none",
      adopted: false,
      reasons: ["opposition"],
      disagreePercent: 15,
    });
    const atMost = rule({ family: "band", agreeBand: [7, 9], opposeBand: [1, 3], agreeAtLeast: 70, disagreeAtMost: 15 });
    expect(evaluate(atMost, tally)).toMatchObject({ outcome: "in", adopted: true });
  });

  test("consensus out: the opposeBand share meets the agreement bound and the agreeBand share the opposition bound", () => {
    const verdict = evaluate(comet, nine(1, 7, 2));
    expect(verdict).toMatchObject({ outcome: "out", adopted: false, reasons: ["agreement", "opposition"] });
    expect(verdict.explanation).toBe(
      "Not adopted: 1 of 10 participants rated 7–9 (10%, needs at least 70%) and 7 rated 1–3 (70%, needs under 15%). " +
        "The opposite holds: a consensus against it.",
    );
    // 15% rated 7–9 is not under 15%: no consensus either way.
    expect(evaluate(comet, nine(3, 17, 0)).outcome).toBe("none");
    // 65% rated 1–3 is short of 70%.
    expect(evaluate(comet, nine(1, 13, 6)).outcome).toBe("none");
  });

  test("without an opposeBand there is no opposition bound and never an out", () => {
    const agreeOnly = rule({ family: "band", agreeBand: [7, 9], agreeAtLeast: 70 });
    for (const tally of [nine(0, 10, 0), nine(1, 9, 0), nine(0, 0, 10)]) {
      const verdict = evaluate(agreeOnly, tally);
      expect(verdict).toMatchObject({ outcome: "none", reasons: ["agreement"], disagreeCount: null, disagreePercent: null });
    }
    expect(evaluate(agreeOnly, nine(7, 3, 0)).outcome).toBe("in");
  });

  test("an opposeBand without an opposition bound gives out when the opposing share meets the agreement bound", () => {
    const noBound = rule({ family: "band", agreeBand: [7, 9], opposeBand: [1, 3], agreeAtLeast: 70 });
    expect(evaluate(noBound, nine(3, 7, 0))).toMatchObject({ outcome: "out", reasons: ["agreement"], disagreePercent: 70 });
    expect(evaluate(noBound, nine(7, 3, 0))).toMatchObject({ outcome: "in", reasons: [] });
  });

  test("denominators: unable to score counts for participants, not for decisive; panel counts everyone eligible", () => {
    const tally = tallyOf([0, 0, 0, 0, 0, 0, 7, 0, 0], 3, 14);
    expect(evaluate(comet, tally)).toMatchObject({ denominator: 10, agreePercent: 70, outcome: "in" });
    const decisive = rule({ family: "band", agreeBand: [7, 9], opposeBand: [1, 3], agreeAtLeast: 100, denominator: "decisive" });
    expect(evaluate(decisive, tally)).toMatchObject({ denominator: 7, agreePercent: 100, outcome: "in" });
    const panel = rule({ family: "band", agreeBand: [7, 9], agreeAtLeast: 50, denominator: "panel" });
    expect(evaluate(panel, tally)).toMatchObject({ denominator: 14, agreePercent: 50, outcome: "in" });
  });

  test('decisive with only "unable to score": no votes', () => {
    const decisive = rule({ family: "band", agreeBand: [4, 5], agreeAtLeast: 50, denominator: "decisive" });
    const verdict = evaluate(decisive, tallyOf([0, 0, 0, 0, 0], 4));
    expect(verdict).toMatchObject({
      outcome: "none",
      reasons: ["no votes"],
      participants: 4,
      denominator: 0,
      median: null,
      iqr: null,
    });
    expect(verdict.explanation).toBe('No ratings: all 4 ballots were "unable to score".');
  });

  test("quorum counts unable-to-score ballots and is checked first", () => {
    const withQuorum = rule({ ...comet, quorum: 50 });
    expect(evaluate(withQuorum, tallyOf([0, 0, 0, 0, 0, 0, 0, 0, 0], 5, 10))).toMatchObject({ reasons: ["agreement"] });
    expect(evaluate(withQuorum, tallyOf([0, 0, 0, 0, 0, 0, 0, 0, 4], 0, 10))).toMatchObject({
      outcome: "none",
      reasons: ["quorum"],
      agreePercent: 100,
    });
  });

  test("median and IQR of the ratings, unable to score left out", () => {
    expect(evaluate(comet, tallyOf([0, 0, 0, 0, 0, 1, 1, 0, 0], 5))).toMatchObject({ median: 6.5, iqr: 0.5 });
    expect(evaluate(comet, tallyOf([1, 1, 1, 1, 1, 1, 1, 1, 1]))).toMatchObject({ median: 5, iqr: 4 });
  });

  test("the grade of the agreeBand share, strictly above 95 / 75 / 50 %", () => {
    expect(evaluate(comet, nine(19, 0, 1)).grade).toBe("consensus");
    expect(evaluate(comet, nine(20, 0, 0)).grade).toBe("strong");
    expect(evaluate(comet, nine(3, 0, 1)).grade).toBe("majority");
    expect(evaluate(comet, nine(1, 0, 1)).grade).toBe("none");
  });
});

describe("describeRule: band", () => {
  test("COMET, with the thresholds for 20 participants", () => {
    expect(describeRule(comet)).toBe("At least 70% of participants rate 7–9 and under 15% rate 1–3.");
    expect(describeRule(comet, 20)).toBe(
      "At least 70% of participants rate 7–9 and under 15% rate 1–3. With 20 participants a statement needs at least 14 rated 7–9 and at most 2 rated 1–3.",
    );
  });

  test("one-point bands, other bounds and denominators", () => {
    const r = rule({
      family: "band",
      agreeBand: [5, 5],
      opposeBand: [1, 1],
      agreeAbove: 80,
      disagreeAtMost: 5,
      denominator: "panel",
    });
    expect(describeRule(r, 20)).toBe(
      "More than 80% of the eligible panel rate 5 and at most 5% rate 1. With 20 eligible members a statement needs at least 17 rated 5 and at most 1 rated 1.",
    );
    const decisive = rule({ family: "band", agreeBand: [4, 5], agreeAtLeast: 75, denominator: "decisive", quorum: 60 });
    expect(describeRule(decisive, 20)).toBe(
      'At least 75% of those giving a rating ("unable to score" not counted) rate 4–5. At least 60% of the eligible panel must vote.',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Property test against the exact oracle, from the explicit list of answers.

type Answer = number | "unable";
type Bound = { kind: "at least" | "more than" | "under" | "at most"; hundredths: number };
type Generated = {
  input: Record<string, unknown>;
  points: number;
  agreeBand: [number, number];
  opposeBand: [number, number] | null;
  agreement: Bound;
  opposition: Bound | null;
  denominator: "participants" | "panel" | "decisive";
  quorum: number | null;
};

function holds(count: number, n: number, { kind, hundredths }: Bound): boolean {
  const cmp = compareShare(count, n, hundredths);
  return { "at least": cmp >= 0, "more than": cmp > 0, under: cmp < 0, "at most": cmp <= 0 }[kind];
}

const inBand = (answers: readonly Answer[], [low, high]: [number, number]) =>
  answers.filter((a) => a !== "unable" && a >= low && a <= high).length;

function oracle(g: Generated, answers: readonly Answer[], eligible: number) {
  const sorted = sortedRatings(answers);
  const n = { participants: answers.length, decisive: sorted.length, panel: eligible }[g.denominator];
  const agree = inBand(answers, g.agreeBand);
  const oppose = g.opposeBand ? inBand(answers, g.opposeBand) : null;
  const base = {
    participants: answers.length,
    eligible,
    denominator: n,
    agreeCount: agree,
    disagreeCount: oppose,
    agreePercent: roundedPercent(agree, n),
    disagreePercent: oppose === null ? null : roundedPercent(oppose, n),
    grade: gradeOracle(agree, n),
    median: sorted.length ? toNumber(median(sorted)) : null,
    iqr: sorted.length ? toNumber(iqr(sorted)) : null,
  };
  if (quorumFails(answers.length, eligible, g.quorum)) return { ...base, outcome: "none", adopted: false, reasons: ["quorum"] };
  if (n === 0) return { ...base, outcome: "none", adopted: false, reasons: ["no votes"] };
  const reasons: Reason[] = [];
  if (!holds(agree, n, g.agreement)) reasons.push("agreement");
  if (g.opposition && !holds(oppose!, n, g.opposition)) reasons.push("opposition");
  const mirror = oppose !== null && holds(oppose, n, g.agreement) && (!g.opposition || holds(agree, n, g.opposition));
  const outcome = reasons.length === 0 ? "in" : mirror ? "out" : "none";
  return { ...base, outcome, adopted: outcome === "in", reasons };
}

const hundredths = fc.oneof(
  fc.integer({ min: 0, max: 10000 }),
  fc.constantFrom(0, 1500, 2000, 2500, 3333, 5000, 6667, 7000, 7500, 10000),
);
const bandWithin = (low: number, high: number) =>
  fc
    .tuple(fc.integer({ min: low, max: high }), fc.integer({ min: low, max: high }))
    .map(([a, b]): [number, number] => [Math.min(a, b), Math.max(a, b)]);

const generatedRule: fc.Arbitrary<Generated> = fc.integer({ min: 3, max: 10 }).chain((points) =>
  fc
    .record({
      // The agreement band at the top and the opposing one below it, or either way round.
      split: fc.integer({ min: 1, max: points - 1 }),
      flipped: fc.boolean(),
      withOppose: fc.boolean(),
      above: fc.boolean(),
      a: hundredths,
      opposition: fc.option(fc.record({ atMost: fc.boolean(), k: hundredths }), { nil: null }),
      denominator: fc.constantFrom("participants", "panel", "decisive" as const),
      quorum: fc.option(hundredths, { nil: null, freq: 2 }),
    })
    .chain((r) =>
      fc
        .tuple(bandWithin(r.split + 1, points), bandWithin(1, r.split), bandWithin(1, points))
        .map(([top, bottom, any]): Generated => {
          // Alone, the agreement band may be anywhere on the scale.
          const [agreeBand, opposeBand] = !r.withOppose ? [any, null] : r.flipped ? [bottom, top] : [top, bottom];
          const oppose = opposeBand;
          const opposition = oppose && r.opposition ? r.opposition : null;
          const input: Record<string, unknown> = {
            family: "band",
            agreeBand,
            [r.above ? "agreeAbove" : "agreeAtLeast"]: r.a / 100,
            denominator: r.denominator,
          };
          if (oppose) input.opposeBand = oppose;
          if (opposition) input[opposition.atMost ? "disagreeAtMost" : "disagreeBelow"] = opposition.k / 100;
          if (r.quorum !== null) input.quorum = r.quorum / 100;
          return {
            input,
            points,
            agreeBand,
            opposeBand: oppose,
            agreement: { kind: r.above ? "more than" : "at least", hundredths: r.a },
            opposition: opposition ? { kind: opposition.atMost ? "at most" : "under", hundredths: opposition.k } : null,
            denominator: r.denominator,
            quorum: r.quorum,
          };
        }),
    ),
);

const ballotsOn = (points: number) =>
  fc.boolean().chain((unable) => {
    const rating = fc.integer({ min: 1, max: points });
    const answer: fc.Arbitrary<Answer> = unable
      ? fc.oneof({ arbitrary: rating, weight: 4 }, fc.constant("unable" as const))
      : rating;
    return fc
      .oneof(
        { arbitrary: fc.array(answer, { maxLength: 20 }), weight: 6 },
        { arbitrary: fc.array(answer, { minLength: 1, maxLength: 1 }), weight: 1 },
        { arbitrary: fc.array(fc.constant("unable" as const), { minLength: 1, maxLength: 4 }), weight: 1 },
        { arbitrary: fc.array(answer, { maxLength: 200 }), weight: 1 },
      )
      .chain((answers) => fc.nat({ max: 10 }).map((absent) => ({ answers, eligible: answers.length + absent })));
  });

function project(verdict: Verdict) {
  const { explanation: _explanation, ...rest } = verdict;
  return rest;
}

describe("band: properties against the exact oracle", () => {
  test("outcome, reasons, shares, grade, median and IQR agree on random rules and ballots", () => {
    fc.assert(
      fc.property(
        generatedRule.chain((g) => ballotsOn(g.points).map((b) => ({ g, ...b }))),
        ({ g, answers, eligible }) => {
          const parsed = rule(g.input);
          const tally = tallyOf(countsOf(answers, g.points), answers.filter((a) => a === "unable").length, eligible);
          const verdict = evaluate(parsed, tally);
          expect(project(verdict)).toEqual(oracle(g, answers, eligible));
          expect(verdict.explanation.startsWith("Adopted:")).toBe(verdict.adopted);
          expect(verdict.explanation.includes("consensus against")).toBe(verdict.outcome === "out");
        },
      ),
      { numRuns: 1500 },
    );
  });
});
