import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  describeRule,
  evaluate,
  explainVerdict,
  parseRule,
  ruleFitsScale,
  RuleSchema,
  type AgreementTally,
  type Outcome,
  type Reason,
  type Rule,
} from "~/consensus/rule";
import { gradeOracle } from "../support/exact-oracle";
import record from "../../fixtures/imt-2025-table1.json";

const rule = (input: unknown): Rule => RuleSchema.parse(input);
const imt = rule({ agreeAtLeast: 50, disagreeBelow: 20, denominator: "participants" });

describe("evaluate: boundaries", () => {
  test("exactly 50% agree passes agreeAtLeast 50 and fails agreeAbove 50", () => {
    const tally = { agree: 2, disagree: 0, abstain: 2, eligible: 4 };
    expect(evaluate(rule({ agreeAtLeast: 50 }), tally)).toMatchObject({ adopted: true, reasons: [], agreePercent: 50 });
    expect(evaluate(rule({ agreeAbove: 50 }), tally)).toMatchObject({ adopted: false, reasons: ["agreement"] });
  });

  test("1 of 5 disagreeing is exactly 20%: fails disagreeBelow 20, passes disagreeAtMost 20", () => {
    const tally = { agree: 4, disagree: 1, abstain: 0, eligible: 5 };
    const below = evaluate(rule({ agreeAtLeast: 50, disagreeBelow: 20 }), tally);
    expect(below).toMatchObject({ adopted: false, reasons: ["opposition"], disagreePercent: 20 });
    expect(below.explanation).toBe("Not adopted: 1 of 5 participants disagree (20%, needs under 20%).");
    expect(evaluate(rule({ agreeAtLeast: 50, disagreeAtMost: 20 }), tally)).toMatchObject({ adopted: true, reasons: [] });
  });

  test("2 of 3 (66.666...%) fails 66.67 and passes 66.66", () => {
    const tally = { agree: 2, disagree: 1, abstain: 0, eligible: 3 };
    expect(evaluate(rule({ agreeAtLeast: 66.67 }), tally).reasons).toEqual(["agreement"]);
    expect(evaluate(rule({ agreeAtLeast: 66.66 }), tally).reasons).toEqual([]);
    expect(evaluate(rule({ agreeAtLeast: 66.66 }), tally).agreePercent).toBe(66.7);
  });

  test.each(["participants", "panel", "decisive"] as const)("denominator 0 gives no votes (%s)", (denominator) => {
    const verdict = evaluate(rule({ agreeAtLeast: 0, denominator }), { agree: 0, disagree: 0, abstain: 0, eligible: 0 });
    expect(verdict).toMatchObject({
      adopted: false,
      reasons: ["no votes"],
      denominator: 0,
      agreePercent: null,
      disagreePercent: null,
      explanation: "No votes were cast.",
    });
  });

  test("decisive with only abstentions gives no votes", () => {
    const verdict = evaluate(rule({ agreeAtLeast: 50, denominator: "decisive" }), {
      agree: 0,
      disagree: 0,
      abstain: 3,
      eligible: 5,
    });
    expect(verdict).toMatchObject({ reasons: ["no votes"], participants: 3, agreePercent: null });
    expect(verdict.explanation).toBe("No decisive votes: all 3 ballots were abstentions.");
  });

  test("quorum: below the limit fails first (percents still computed), at the limit passes", () => {
    const withQuorum = rule({ agreeAtLeast: 50, disagreeBelow: 20, quorum: 50 });
    const below = evaluate(withQuorum, { agree: 0, disagree: 5, abstain: 4, eligible: 20 });
    expect(below).toMatchObject({ adopted: false, reasons: ["quorum"], participants: 9, agreePercent: 0 });
    expect(below.disagreePercent).toBe(55.6);
    expect(below.explanation).toBe("No quorum: 9 of 20 eligible members voted (needs at least 50%).");
    expect(evaluate(withQuorum, { agree: 10, disagree: 0, abstain: 0, eligible: 20 }).reasons).toEqual([]);
    expect(evaluate(rule({ agreeAtLeast: 50, quorum: null }), { agree: 1, disagree: 0, abstain: 0, eligible: 20 }).adopted).toBe(
      true,
    );
  });

  test("decisive ignores abstentions", () => {
    const tally = { agree: 3, disagree: 1, abstain: 20, eligible: 24 };
    expect(evaluate(rule({ agreeAtLeast: 75, denominator: "decisive" }), tally)).toMatchObject({
      adopted: true,
      denominator: 4,
      agreePercent: 75,
      disagreePercent: 25,
    });
    expect(evaluate(rule({ agreeAtLeast: 75, denominator: "participants" }), tally).adopted).toBe(false);
  });

  test("panel counts non-responders against", () => {
    const tally = { agree: 6, disagree: 0, abstain: 0, eligible: 13 };
    expect(evaluate(rule({ agreeAtLeast: 50, denominator: "participants" }), tally).adopted).toBe(true);
    const panel = evaluate(rule({ agreeAtLeast: 50, denominator: "panel" }), tally);
    expect(panel).toMatchObject({ adopted: false, reasons: ["agreement"], denominator: 13, agreePercent: 46.2 });
    expect(panel.explanation).toBe("Not adopted: 6 of 13 eligible members agree (46.2%, needs at least 50%).");
  });

  test("both failing conditions are listed", () => {
    const verdict = evaluate(imt, { agree: 1, disagree: 3, abstain: 1, eligible: 5 });
    expect(verdict.reasons).toEqual(["agreement", "opposition"]);
    expect(verdict.explanation).toBe(
      "Not adopted: 1 of 5 participants agree (20%, needs at least 50%) and 3 disagree (60%, needs under 20%).",
    );
  });

  test("percentages round half up to one decimal", () => {
    const pct = (agree: number, n: number) =>
      evaluate(rule({ agreeAtLeast: 0 }), { agree, disagree: 0, abstain: n - agree, eligible: n }).agreePercent;
    expect(pct(17, 31)).toBe(54.8);
    expect(pct(1, 8)).toBe(12.5);
    expect(pct(1, 3)).toBe(33.3);
    expect(pct(2, 3)).toBe(66.7);
    expect(pct(1, 40)).toBe(2.5); // 2.5 exactly
    expect(pct(1, 400)).toBe(0.3); // 0.25 -> 0.3
    expect(pct(3, 400)).toBe(0.8); // 0.75 -> 0.8
    expect(pct(1, 2000)).toBe(0.1); // 0.05 -> 0.1
    expect(pct(21, 2000)).toBe(1.1); // 1.05 -> 1.1
    // Exact halves that floating-point shortcuts round down.
    expect(pct(23, 80)).toBe(28.8); // Number((23 / 80 * 100).toFixed(1)) is 28.7
    expect(pct(201, 400)).toBe(50.3); // Math.round(201 / 400 * 1000) / 10 is 50.2
  });

  test("an impossible tally is refused", () => {
    expect(() => evaluate(imt, { agree: 3, disagree: 0, abstain: 0, eligible: 2 })).toThrow(RangeError);
    expect(() => evaluate(imt, { agree: -1, disagree: 0, abstain: 0, eligible: 2 })).toThrow(RangeError);
    expect(() => evaluate(imt, { agree: 1.5, disagree: 0, abstain: 0, eligible: 2 })).toThrow(RangeError);
  });
});

describe("IMT consensus, Table 1", () => {
  const items = record.rounds.flatMap((round) =>
    round.items.map((item) => ({ number: item.number, tally: { ...item.votes, eligible: round.panelSize } })),
  );

  test("all nine statements are adopted under the IMT rule", () => {
    expect(items).toHaveLength(9);
    for (const { tally } of items) expect(evaluate(rule(record.rule), tally)).toMatchObject({ adopted: true, reasons: [] });
  });

  test("statement 8 (17/0/14) has 54.8% agreement", () => {
    const eight = items.find((item) => item.number === 8);
    expect(eight?.tally).toEqual({ agree: 17, disagree: 0, abstain: 14, eligible: 31 });
    const verdict = evaluate(imt, eight!.tally);
    expect(verdict).toMatchObject({ participants: 31, denominator: 31, agreePercent: 54.8, disagreePercent: 0 });
    expect(verdict.explanation).toBe(
      "Adopted: 17 of 31 participants agree (54.8%, needs at least 50%) and 0 disagree (0%, needs under 20%).",
    );
  });
});

describe("describeRule", () => {
  test("the IMT rule, with concrete thresholds for 31 participants", () => {
    expect(describeRule(imt)).toBe("At least 50% of participants agree and under 20% disagree.");
    expect(describeRule(imt, 31)).toBe(
      "At least 50% of participants agree and under 20% disagree. With 31 participants a statement needs at least 16 agree and at most 6 disagree.",
    );
    // 20% of 30 is exactly 6, which is not under 20%.
    expect(describeRule(imt, 30)).toMatch(/needs at least 15 agree and at most 5 disagree\.$/);
  });

  test("other bound kinds, denominators and quorum", () => {
    const r = rule({ agreeAbove: 66.67, disagreeAtMost: 10, denominator: "panel", quorum: 75 });
    expect(describeRule(r, 12)).toBe(
      "More than 66.67% of the eligible panel agree and at most 10% disagree. At least 75% of the eligible panel must vote. With 12 eligible members a statement needs at least 9 agree and at most 1 disagree.",
    );
    const decisive = rule({ agreeAtLeast: 70, denominator: "decisive" });
    expect(describeRule(decisive, 20)).toBe("At least 70% of members taking a side (abstentions not counted) agree.");
    expect(describeRule(rule({ agreeAbove: 100 }), 10)).toMatch(/With 10 participants no statement can be adopted\.$/);
  });

  test("the thresholds it states are the exact ones evaluate applies", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10000 }),
        fc.integer({ min: 0, max: 10000 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 200 }),
        (a, d, above, atMost, n) => {
          const r = rule({
            [above ? "agreeAbove" : "agreeAtLeast"]: a / 100,
            [atMost ? "disagreeAtMost" : "disagreeBelow"]: d / 100,
          });
          const text = describeRule(r, n);
          const match = /needs at least (\d+) agree and at most (\d+) disagree\.$/.exec(text);
          if (!match) {
            expect(text).toMatch(/no statement can be adopted\.$/);
            // Unanimous agreement is the most favourable tally there is.
            expect(evaluate(r, { agree: n, disagree: 0, abstain: 0, eligible: n }).adopted).toBe(false);
            return;
          }
          const minAgree = Number(match[1]);
          const maxDisagree = Number(match[2]);
          const reasons = (agree: number, disagree: number) =>
            evaluate(r, { agree, disagree, abstain: n - agree - disagree, eligible: n }).reasons;
          expect(reasons(minAgree, 0)).not.toContain("agreement");
          if (minAgree > 0) expect(reasons(minAgree - 1, 0)).toContain("agreement");
          expect(reasons(0, maxDisagree)).not.toContain("opposition");
          if (maxDisagree < n) expect(reasons(0, maxDisagree + 1)).toContain("opposition");
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests against an independent oracle in BigInt rational arithmetic.

type Generated = {
  input: Record<string, unknown>;
  agree: { above: boolean; k: number };
  oppose: { atMost: boolean; k: number } | null;
  denominator: "participants" | "panel" | "decisive";
  quorum: number | null;
};

// Percentages as whole hundredths, biased towards values that shares of small panels hit exactly.
const hundredths = fc.oneof(
  fc.integer({ min: 0, max: 10000 }),
  fc.constantFrom(0, 1000, 2000, 2500, 3333, 5000, 6666, 6667, 7500, 8000, 10000),
);

const generatedRule: fc.Arbitrary<Generated> = fc
  .record({
    above: fc.boolean(),
    a: hundredths,
    oppose: fc.option(fc.record({ atMost: fc.boolean(), k: hundredths }), { nil: null }),
    denominator: fc.constantFrom("participants", "panel", "decisive" as const),
    quorum: fc.option(hundredths, { nil: null }),
    quorumKey: fc.constantFrom("absent", "null", "value"),
  })
  .map(({ above, a, oppose, denominator, quorum, quorumKey }) => {
    const input: Record<string, unknown> = { [above ? "agreeAbove" : "agreeAtLeast"]: a / 100, denominator };
    if (oppose) input[oppose.atMost ? "disagreeAtMost" : "disagreeBelow"] = oppose.k / 100;
    if (quorumKey === "null") input.quorum = null;
    if (quorumKey === "value" && quorum !== null) input.quorum = quorum / 100;
    return {
      input,
      agree: { above, k: a },
      oppose,
      denominator,
      quorum: quorumKey === "value" ? quorum : null,
    };
  });

const tallyOf = (maxEligible: number): fc.Arbitrary<AgreementTally> =>
  fc
    .integer({ min: 0, max: maxEligible })
    .chain((eligible) =>
      fc
        .integer({ min: 0, max: eligible })
        .chain((agree) =>
          fc
            .integer({ min: 0, max: eligible - agree })
            .chain((disagree) =>
              fc.integer({ min: 0, max: eligible - agree - disagree }).map((abstain) => ({ agree, disagree, abstain, eligible })),
            ),
        ),
    );
const tally = fc.oneof(
  { arbitrary: tallyOf(12), weight: 3 },
  { arbitrary: tallyOf(60), weight: 2 },
  { arbitrary: tallyOf(100000), weight: 1 },
);

/** count / n compared with k / 10000 by cross-multiplication; -1, 0 or 1. */
function compareShare(count: number, n: number, k: number): number {
  const left = BigInt(count) * 10000n;
  const right = BigInt(k) * BigInt(n);
  return left < right ? -1 : left > right ? 1 : 0;
}

function oracleReasons(g: Generated, t: AgreementTally): Reason[] {
  const participants = t.agree + t.disagree + t.abstain;
  if (g.quorum !== null && compareShare(participants, t.eligible, g.quorum) < 0) return ["quorum"];
  const n = { participants, panel: t.eligible, decisive: t.agree + t.disagree }[g.denominator];
  if (n === 0) return ["no votes"];
  const reasons: Reason[] = [];
  const agreeCmp = compareShare(t.agree, n, g.agree.k);
  if (g.agree.above ? agreeCmp <= 0 : agreeCmp < 0) reasons.push("agreement");
  if (g.oppose) {
    const cmp = compareShare(t.disagree, n, g.oppose.k);
    if (g.oppose.atMost ? cmp > 0 : cmp >= 0) reasons.push("opposition");
  }
  return reasons;
}

/** in when both bounds hold; out when disagree meets the agreement bound and agree the opposition bound. */
function oracleOutcome(g: Generated, t: AgreementTally, reasons: Reason[]): Outcome {
  if (reasons.includes("quorum") || reasons.includes("no votes")) return "none";
  if (reasons.length === 0) return "in";
  const n = { participants: t.agree + t.disagree + t.abstain, panel: t.eligible, decisive: t.agree + t.disagree }[g.denominator];
  const agreeCmp = compareShare(t.disagree, n, g.agree.k);
  const mirrorAgrees = g.agree.above ? agreeCmp > 0 : agreeCmp >= 0;
  const opposeCmp = g.oppose ? compareShare(t.agree, n, g.oppose.k) : 0;
  const mirrorOpposes = !g.oppose || (g.oppose.atMost ? opposeCmp <= 0 : opposeCmp < 0);
  return mirrorAgrees && mirrorOpposes ? "out" : "none";
}

/** count / n in percent, rounded half up to one decimal, via BigInt quotient and remainder. */
function oraclePercent(count: number, n: number): number | null {
  if (n === 0) return null;
  const scaled = BigInt(count) * 1000n;
  const big = BigInt(n);
  const tenths = scaled / big + (2n * (scaled % big) >= big ? 1n : 0n);
  return Number(tenths) / 10;
}

describe("evaluate: properties", () => {
  test("agrees with the BigInt oracle on random rules and tallies", () => {
    fc.assert(
      fc.property(generatedRule, tally, (g, t) => {
        const verdict = evaluate(rule(g.input), t);
        const reasons = oracleReasons(g, t);
        expect(verdict.reasons).toEqual(reasons);
        expect(verdict.adopted).toBe(reasons.length === 0);
        expect(verdict.outcome).toBe(oracleOutcome(g, t, reasons));
        expect(verdict.participants).toBe(t.agree + t.disagree + t.abstain);
        expect(verdict.explanation.startsWith("Adopted:")).toBe(verdict.adopted);
      }),
      { numRuns: 500 },
    );
  });

  test("agreePercent and disagreePercent are the half-up roundings of the exact shares", () => {
    fc.assert(
      fc.property(generatedRule, tally, (g, t) => {
        const verdict = evaluate(rule(g.input), t);
        const n = { participants: t.agree + t.disagree + t.abstain, panel: t.eligible, decisive: t.agree + t.disagree }[
          g.denominator
        ];
        expect(verdict.denominator).toBe(n);
        expect(verdict.agreePercent).toBe(oraclePercent(t.agree, n));
        expect(verdict.disagreePercent).toBe(oraclePercent(t.disagree, n));
        expect(verdict.grade).toBe(gradeOracle(t.agree, n));
      }),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe("RuleSchema", () => {
  test("a good rule parses, denominator defaulting to participants", () => {
    const result = parseRule({ agreeAtLeast: 50, disagreeBelow: 20 });
    expect(result.success).toBe(true);
    expect(result.data).toEqual({ agreeAtLeast: 50, disagreeBelow: 20, denominator: "participants" });
    expect(parseRule({ agreeAbove: 66.67, disagreeAtMost: 0.07, denominator: "decisive", quorum: null }).success).toBe(true);
    expect(parseRule({ agreeAtLeast: 0, quorum: 100 }).success).toBe(true);
  });

  test("every two-decimal percentage parses; a third decimal never does", () => {
    for (let k = 0; k <= 10000; k++) {
      expect(parseRule({ agreeAtLeast: k / 100 }).success, `${k / 100}`).toBe(true);
      if (k < 10000) expect(parseRule({ agreeAtLeast: k / 100 + 0.005 }).success, `${k / 100 + 0.005}`).toBe(false);
    }
    for (const p of [50.001, 50.0001, 66.670000001, 0.001, 99.999]) {
      expect(parseRule({ agreeAtLeast: p }).success, `${p}`).toBe(false);
    }
  });

  const bad: [string, unknown, string, RegExp][] = [
    [
      "both agreement bounds",
      { agreeAtLeast: 50, agreeAbove: 50 },
      "agreeAbove",
      /only one agreement bound: agreeAtLeast or agreeAbove/,
    ],
    ["no agreement bound", { disagreeBelow: 20 }, "agreeAtLeast", /agreement bound is required: give agreeAtLeast or agreeAbove/],
    [
      "both opposition bounds",
      { agreeAtLeast: 50, disagreeBelow: 20, disagreeAtMost: 20 },
      "disagreeAtMost",
      /at most one opposition bound: disagreeBelow or disagreeAtMost/,
    ],
    ["a percentage over 100", { agreeAtLeast: 100.5 }, "agreeAtLeast", /agreeAtLeast must be from 0 to 100, got 100.5/],
    [
      "a percentage below 0",
      { agreeAtLeast: 50, disagreeBelow: -1 },
      "disagreeBelow",
      /disagreeBelow must be from 0 to 100, got -1/,
    ],
    ["three decimals", { agreeAtLeast: 50.123 }, "agreeAtLeast", /agreeAtLeast must have at most two decimals, got 50.123/],
    ["a quorum with three decimals", { agreeAtLeast: 50, quorum: 12.345 }, "quorum", /quorum must have at most two decimals/],
    ["a quorum over 100", { agreeAtLeast: 50, quorum: 101 }, "quorum", /quorum must be from 0 to 100/],
    ["a percentage as text", { agreeAtLeast: "50" }, "agreeAtLeast", /agreeAtLeast must be a number/],
    ["an infinite percentage", { agreeAbove: Infinity }, "agreeAbove", /agreeAbove must be a number/],
    [
      "an unknown denominator",
      { agreeAtLeast: 50, denominator: "voters" },
      "denominator",
      /denominator must be one of "participants", "panel", "decisive", got "voters"/,
    ],
  ];

  test.each(bad)("rejects %s, naming the field", (_, input, field, message) => {
    const result = parseRule(input);
    expect(result.success).toBe(false);
    const issue = result.error?.issues.find((i) => i.path.join(".") === field);
    expect(issue?.message).toMatch(message);
  });

  test("rejects an unknown key, naming it (a misspelt bound is never ignored)", () => {
    const result = parseRule({ agreeAtLeast: 50, disagreBelow: 20 });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toHaveLength(1);
    expect(result.error?.issues[0]).toMatchObject({ code: "unrecognized_keys", keys: ["disagreBelow"] });
    expect(result.error?.issues[0]?.message).toMatch(/Unknown rule field "disagreBelow"; allowed: agreeAtLeast/);
  });

  test("rejects what is not an object", () => {
    for (const input of [null, undefined, 50, "agreeAtLeast: 50", []]) {
      const result = parseRule(input);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toBe("A rule must be an object");
    }
  });
});

describe("RuleSchema: families", () => {
  const issues = (input: unknown) =>
    parseRule(input).error?.issues.map((i) => ({ path: i.path.join("."), message: i.message })) ?? "parsed";

  test("band and rand-ucla rules parse with their defaults", () => {
    expect(
      parseRule({ family: "band", agreeBand: [7, 9], opposeBand: [1, 3], agreeAtLeast: 70, disagreeBelow: 15 }).data,
    ).toEqual({
      family: "band",
      agreeBand: [7, 9],
      opposeBand: [1, 3],
      agreeAtLeast: 70,
      disagreeBelow: 15,
      denominator: "participants",
    });
    expect(parseRule({ family: "rand-ucla" }).data).toEqual({ family: "rand-ucla", disagreement: "ipras" });
    expect(parseRule({ family: "rand-ucla", groups: { require: "every" } }).data).toMatchObject({
      groups: { require: "every", minSize: 5 },
    });
    expect(parseRule({ family: "percent", agreeAtLeast: 50 }).data).toEqual({
      family: "percent",
      agreeAtLeast: 50,
      denominator: "participants",
    });
  });

  test.each<[string, unknown, { path: string; message: RegExp }]>([
    [
      "overlapping bands",
      { family: "band", agreeBand: [5, 9], opposeBand: [1, 5], agreeAtLeast: 70 },
      { path: "opposeBand", message: /agreeBand and opposeBand must not overlap/ },
    ],
    [
      "one band inside the other",
      { family: "band", agreeBand: [1, 9], opposeBand: [4, 4], agreeAtLeast: 70 },
      { path: "opposeBand", message: /must not overlap/ },
    ],
    [
      "a band [9, 7]",
      { family: "band", agreeBand: [9, 7], agreeAtLeast: 70 },
      { path: "agreeBand", message: /low at most high/ },
    ],
    [
      "a band from 0",
      { family: "band", agreeBand: [0, 3], agreeAtLeast: 70 },
      { path: "agreeBand.0", message: /starts at 1 or more/ },
    ],
    [
      "a band of one number",
      { family: "band", agreeBand: [7], agreeAtLeast: 70 },
      { path: "agreeBand", message: /two whole ratings/ },
    ],
    [
      "a band of halves",
      { family: "band", agreeBand: [6.5, 9], agreeAtLeast: 70 },
      { path: "agreeBand.0", message: /two whole ratings/ },
    ],
    ["a band rule without a band", { family: "band", agreeAtLeast: 70 }, { path: "agreeBand", message: /two whole ratings/ }],
    [
      "a band rule without an agreement bound",
      { family: "band", agreeBand: [7, 9] },
      { path: "agreeAtLeast", message: /agreement bound is required/ },
    ],
    [
      "an opposition bound without an opposeBand",
      { family: "band", agreeBand: [7, 9], agreeAtLeast: 70, disagreeBelow: 15 },
      { path: "opposeBand", message: /needs an opposeBand/ },
    ],
    [
      "rand-ucla with a share bound",
      { family: "rand-ucla", agreeAtLeast: 70 },
      { path: "", message: /^Unknown rule field "agreeAtLeast"; allowed: family, disagreement, quorum, groups, stableBelow$/ },
    ],
    [
      "rand-ucla with a denominator",
      { family: "rand-ucla", denominator: "panel" },
      { path: "", message: /Unknown rule field "denominator"/ },
    ],
    [
      "a band rule with a RAND/UCLA field",
      { family: "band", agreeBand: [7, 9], agreeAtLeast: 70, disagreement: "ipras" },
      { path: "", message: /Unknown rule field "disagreement"; allowed: family, agreeBand, opposeBand/ },
    ],
    [
      "a percent rule with a band",
      { agreeAtLeast: 70, agreeBand: [7, 9], opposeBand: [1, 3] },
      { path: "", message: /^Unknown rule fields "agreeBand", "opposeBand"; allowed: agreeAtLeast/ },
    ],
    [
      "an unknown disagreement method",
      { family: "rand-ucla", disagreement: "iqr" },
      { path: "disagreement", message: /"ipras" or "classic", got "iqr"/ },
    ],
    [
      "an unknown family",
      { family: "delphi", agreeAtLeast: 50 },
      { path: "family", message: /family must be one of "percent", "band", "rand-ucla", got "delphi"/ },
    ],
    [
      "a family that is not a string",
      { family: ["band"], agreeBand: [7, 9], agreeAtLeast: 70 },
      { path: "family", message: /got \["band"\]/ },
    ],
    ["a family named like an Object method", { family: "constructor" }, { path: "family", message: /got "constructor"/ }],
    ["a family named __proto__", { family: "__proto__" }, { path: "family", message: /got "__proto__"/ }],
    [
      "an unknown groups field",
      { agreeAtLeast: 50, groups: { require: "every", min: 5 } },
      { path: "groups", message: /Unknown groups field\(s\) min/ },
    ],
    [
      "groups required other than every",
      { agreeAtLeast: 50, groups: { require: "any" } },
      { path: "groups.require", message: /must be "every"/ },
    ],
    [
      "a group size of 0",
      { agreeAtLeast: 50, groups: { require: "every", minSize: 0 } },
      { path: "groups.minSize", message: /at least 1/ },
    ],
  ])("refuses %s", (_, input, expected) => {
    expect(issues(input)).toContainEqual({ path: expected.path, message: expect.stringMatching(expected.message) });
  });
});

describe("ruleFitsScale", () => {
  const agreement = { kind: "agreement" } as const;
  const rating = (points: number) => ({ kind: "rating" as const, points, unable: true });
  const band = (agreeBand: number[], opposeBand?: number[]) =>
    rule({ family: "band", agreeBand, ...(opposeBand ? { opposeBand } : {}), agreeAtLeast: 70 });

  test("percent needs the agreement scale", () => {
    expect(ruleFitsScale(imt, agreement)).toEqual([]);
    expect(ruleFitsScale(imt, rating(9))).toEqual([
      { path: "family", message: "The percent family counts agree and disagree: it needs the agreement scale, not ratings" },
    ]);
  });

  test("band needs a rating scale with its bands inside 1..N", () => {
    expect(ruleFitsScale(band([7, 9], [1, 3]), rating(9))).toEqual([]);
    expect(ruleFitsScale(band([3, 3], [1, 1]), rating(3))).toEqual([]);
    expect(ruleFitsScale(band([7, 9]), agreement)).toEqual([
      { path: "family", message: "The band family needs a rating scale, not agree / disagree / abstain" },
    ]);
    expect(ruleFitsScale(band([4, 5], [1, 2]), rating(5))).toEqual([]);
    expect(ruleFitsScale(band([7, 9], [1, 3]), rating(5))).toEqual([
      { path: "agreeBand", message: "agreeBand [7, 9] goes beyond the scale's 1–5" },
    ]);
    expect(ruleFitsScale(band([1, 2], [5, 6]), rating(5))).toEqual([
      { path: "opposeBand", message: "opposeBand [5, 6] goes beyond the scale's 1–5" },
    ]);
    expect(ruleFitsScale(band([8, 10], [6, 7]), rating(5)).map((p) => p.path)).toEqual(["agreeBand", "opposeBand"]);
  });

  test("rand-ucla needs the 9-point rating scale", () => {
    const randUcla = rule({ family: "rand-ucla" });
    expect(ruleFitsScale(randUcla, rating(9))).toEqual([]);
    expect(ruleFitsScale({ ...randUcla }, { kind: "rating", points: 9, unable: false })).toEqual([]);
    expect(ruleFitsScale(randUcla, rating(5))).toEqual([
      { path: "family", message: "RAND/UCLA needs the 9-point scale, not 1–5" },
    ]);
    expect(ruleFitsScale(randUcla, rating(10))).toEqual([
      { path: "family", message: "RAND/UCLA needs the 9-point scale, not 1–10" },
    ]);
    expect(ruleFitsScale(randUcla, agreement)).toEqual([
      { path: "family", message: "The rand-ucla family needs a rating scale, not agree / disagree / abstain" },
    ]);
  });
});

describe("evaluate: outcome and grade (percent)", () => {
  test("out: disagree meets the agreement bound and agree the opposition bound", () => {
    const verdict = evaluate(imt, { agree: 1, disagree: 8, abstain: 1, eligible: 10 });
    expect(verdict).toMatchObject({ outcome: "out", adopted: false, reasons: ["agreement", "opposition"] });
    expect(verdict.explanation).toBe(
      "Not adopted: 1 of 10 participants agree (10%, needs at least 50%) and 8 disagree (80%, needs under 20%). The opposite holds: a consensus against it.",
    );
    // 2 of 10 agreeing is not under 20%: no consensus either way.
    expect(evaluate(imt, { agree: 2, disagree: 8, abstain: 0, eligible: 10 }).outcome).toBe("none");
    expect(evaluate(imt, { agree: 0, disagree: 4, abstain: 6, eligible: 10 }).outcome).toBe("none");
    // Without an opposition bound the mirror is only the agreement bound.
    expect(evaluate(rule({ agreeAtLeast: 50 }), { agree: 4, disagree: 5, abstain: 1, eligible: 10 }).outcome).toBe("out");
    // No quorum or no votes: none, whatever the counts.
    expect(evaluate(rule({ agreeAtLeast: 50, quorum: 80 }), { agree: 0, disagree: 7, abstain: 0, eligible: 10 }).outcome).toBe(
      "none",
    );
  });

  test.each([
    [19, 20, "consensus"], // exactly 95%
    [20, 20, "strong"],
    [39, 40, "strong"], // 97.5%
    [3, 4, "majority"], // exactly 75%
    [76, 100, "consensus"],
    [1, 2, "none"], // exactly 50%
    [51, 100, "majority"],
    [0, 3, "none"],
  ])("%i of %i agreeing: grade %s (strictly above 95 / 75 / 50 %)", (agree, n, grade) => {
    expect(evaluate(rule({ agreeAtLeast: 0 }), { agree, disagree: 0, abstain: n - agree, eligible: n }).grade).toBe(grade);
  });

  test("the grade uses the rule's denominator and never changes the verdict", () => {
    const tally = { agree: 3, disagree: 0, abstain: 1, eligible: 4 };
    expect(evaluate(rule({ agreeAtLeast: 0, denominator: "decisive" }), tally).grade).toBe("strong");
    expect(evaluate(rule({ agreeAtLeast: 0, denominator: "participants" }), tally).grade).toBe("majority");
    expect(evaluate(rule({ agreeAtLeast: 100 }), { agree: 19, disagree: 1, abstain: 0, eligible: 20 })).toMatchObject({
      grade: "consensus",
      adopted: false,
    });
    expect(evaluate(rule({ agreeAtLeast: 0 }), { agree: 0, disagree: 0, abstain: 0, eligible: 0 }).grade).toBe("none");
  });

  test("quorum counts abstentions as ballots", () => {
    const withQuorum = rule({ agreeAtLeast: 50, quorum: 50 });
    expect(evaluate(withQuorum, { agree: 1, disagree: 0, abstain: 4, eligible: 10 })).toMatchObject({ reasons: ["agreement"] });
    expect(evaluate(withQuorum, { agree: 1, disagree: 0, abstain: 3, eligible: 10 })).toMatchObject({ reasons: ["quorum"] });
  });
});

describe("stakeholder groups in the rule", () => {
  const everyGroup = rule({ agreeAtLeast: 50, disagreeBelow: 20, groups: { require: "every", minSize: 5 } });
  const group = (name: string, agree: number, disagree: number, abstain = 0) => ({
    name,
    tally: { agree, disagree, abstain, eligible: agree + disagree + abstain },
  });
  const total = (groups: { tally: AgreementTally }[]) =>
    groups.reduce(
      (sum, { tally }) => ({
        agree: sum.agree + tally.agree,
        disagree: sum.disagree + tally.disagree,
        abstain: sum.abstain + tally.abstain,
        eligible: sum.eligible + tally.eligible,
      }),
      { agree: 0, disagree: 0, abstain: 0, eligible: 0 },
    );

  test("adopted only if every group of at least minSize adopts too", () => {
    const groups = [group("clinicians", 6, 0), group("patients", 2, 2, 1)];
    const verdict = evaluate(everyGroup, total(groups), groups);
    expect(verdict).toMatchObject({ outcome: "none", adopted: false, reasons: ["group:patients"], agreePercent: 72.7 });
    expect(verdict.groups?.map((g) => [g.name, g.participants, g.outcome])).toEqual([
      ["clinicians", 6, "in"],
      ["patients", 5, "none"],
    ]);
    expect(verdict.explanation).toBe(
      "Not adopted: 8 of 11 participants agree (72.7%, needs at least 50%) and 2 disagree (18.2%, needs under 20%). " +
        "The rule does not hold within the group patients.",
    );
    // The same ballots without the groups requirement: adopted.
    expect(evaluate(rule({ agreeAtLeast: 50, disagreeBelow: 20 }), total(groups), groups)).toMatchObject({
      adopted: true,
      reasons: [],
    });
  });

  test("groups below minSize are pooled as other groups, held to the rule once the pool reaches minSize", () => {
    const small = [group("clinicians", 6, 0), group("nurses", 1, 1), group("patients", 0, 2, 1)];
    // The pool of nurses and patients has 5 participants, 3 of whom disagree.
    const pooled = evaluate(everyGroup, total(small), small);
    expect(pooled).toMatchObject({ adopted: false, reasons: ["opposition", "group:other groups"] });
    expect(pooled.groups?.map((g) => g.name)).toEqual(["clinicians", "other groups"]);
    // A pool of 4 is not held to the rule.
    const four = [group("clinicians", 9, 0), group("nurses", 1, 1), group("patients", 0, 1, 1)];
    const verdict = evaluate(everyGroup, total(four), four);
    expect(verdict).toMatchObject({ adopted: true, outcome: "in", reasons: [] });
    expect(verdict.groups?.map((g) => g.name)).toEqual(["clinicians"]);
    expect(verdict.explanation).toMatch(/^Adopted: 10 of 13 participants agree/);
  });

  test("every failing group is named; an out or a no-quorum keeps its outcome", () => {
    const groups = [group("a", 1, 4), group("b", 5, 0), group("c", 2, 3)];
    const verdict = evaluate(everyGroup, total(groups), groups);
    // 8 of 15 agree overall (53.3%), 7 disagree.
    expect(verdict.reasons).toEqual(["opposition", "group:a", "group:c"]);
    expect(verdict.outcome).toBe("none");
    expect(verdict.explanation).toMatch(/ The rule does not hold within the groups a, c\.$/);
    const against = [group("a", 0, 6), group("b", 1, 4)];
    expect(evaluate(everyGroup, total(against), against)).toMatchObject({
      outcome: "out",
      reasons: ["agreement", "opposition", "group:a", "group:b"],
    });
  });

  test("rand-ucla: a failing group makes the verdict uncertain", () => {
    const randUcla = rule({ family: "rand-ucla", groups: { require: "every", minSize: 5 } });
    const rated = (name: string, ratings: number[]) => ({
      name,
      tally: { ratings, unable: 0, eligible: ratings.reduce((a, b) => a + b) },
    });
    const groups = [rated("clinicians", [0, 0, 0, 0, 0, 0, 2, 4, 4]), rated("patients", [0, 0, 0, 2, 3, 0, 0, 0, 0])];
    const verdict = evaluate(randUcla, { ratings: [0, 0, 0, 2, 3, 0, 2, 4, 4], unable: 0, eligible: 15 }, groups);
    expect(verdict).toMatchObject({ outcome: "uncertain", adopted: false, reasons: ["group:patients"], median: 8 });
    expect(verdict.groups).toMatchObject([
      { name: "clinicians", outcome: "appropriate", median: 8 },
      { name: "patients", outcome: "uncertain", median: 5 },
    ]);
    expect(verdict.explanation).toBe(
      "Uncertain (not adopted): median 8 of 15 ratings, no disagreement (IPR 2.6 ≤ IPRAS 4.9). The rule does not hold within the group patients.",
    );
  });

  test("groupResults: every group, and the pool that may be shown in place of the small ones", () => {
    const groups = [group("clinicians", 6, 0), group("nurses", 4, 0), group("patients", 3, 0)];
    const verdict = evaluate(imt, total(groups), groups);
    expect(verdict.groups).toBeUndefined();
    expect(verdict.groupResults?.map((g) => [g.name, g.participants])).toEqual([
      ["clinicians", 6],
      ["nurses", 4],
      ["patients", 3],
      ["other groups", 7],
    ]);
    expect(evaluate(imt, total(groups)).groupResults).toBeUndefined();
  });

  test("property: adopted exactly when the rule holds overall and within every held group", () => {
    const groupsArb = fc
      .array(tallyOf(9), { minLength: 1, maxLength: 6 })
      .map((tallies) => tallies.map((tally, i) => ({ name: `g${i}`, tally })));
    fc.assert(
      fc.property(generatedRule, fc.integer({ min: 1, max: 7 }), groupsArb, (g, minSize, groups) => {
        const r = rule({ ...g.input, groups: { require: "every", minSize } });
        const sum = total(groups);
        const overall = oracleReasons(g, sum);
        const participants = (t: AgreementTally) => t.agree + t.disagree + t.abstain;
        const small = groups.filter((x) => participants(x.tally) < minSize);
        const pool = total(small);
        const held = [
          ...groups.filter((x) => participants(x.tally) >= minSize),
          ...(small.length && participants(pool) >= minSize ? [{ name: "other groups", tally: pool }] : []),
        ];
        const failing = held.filter((x) => oracleReasons(g, x.tally).length > 0).map((x): Reason => `group:${x.name}`);
        const verdict = evaluate(r, sum, groups);
        expect(verdict.reasons).toEqual([...overall, ...failing]);
        expect(verdict.adopted).toBe(overall.length === 0 && failing.length === 0);
        const outcome = oracleOutcome(g, sum, overall);
        expect(verdict.outcome).toBe(outcome === "in" && failing.length ? "none" : outcome);
        expect(verdict.groups?.map((x) => x.name)).toEqual(held.map((x) => x.name));
      }),
      { numRuns: 400 },
    );
  });
});

describe("explainVerdict", () => {
  const band = rule({ family: "band", agreeBand: [7, 9], opposeBand: [1, 3], agreeAtLeast: 70, disagreeBelow: 15 });
  const randUcla = rule({ family: "rand-ucla", quorum: 50 });
  const classic = rule({ family: "rand-ucla", disagreement: "classic" });
  const rated = (ratings: number[], unable = 0, eligible?: number) => ({
    ratings,
    unable,
    eligible: eligible ?? ratings.reduce((a, b) => a + b) + unable,
  });

  test.each<[string, Rule, Parameters<typeof evaluate>[1], string, string]>([
    [
      "percent in",
      imt,
      { agree: 8, disagree: 1, abstain: 1, eligible: 10 },
      "in",
      "Adopted: 8 of 10 participants agree (80%, needs at least 50%) and 1 disagree (10%, needs under 20%).",
    ],
    [
      "percent none",
      imt,
      { agree: 4, disagree: 1, abstain: 5, eligible: 10 },
      "none",
      "Not adopted: 4 of 10 participants agree (40%, needs at least 50%).",
    ],
    [
      "percent out, decisive",
      rule({ agreeAbove: 60, disagreeAtMost: 10, denominator: "decisive" }),
      { agree: 0, disagree: 1, abstain: 4, eligible: 5 },
      "out",
      "Not adopted: 0 of 1 member taking a side agree (0%, needs more than 60%) and 1 disagree (100%, needs at most 10%). The opposite holds: a consensus against it.",
    ],
    ["percent, no votes", imt, { agree: 0, disagree: 0, abstain: 0, eligible: 4 }, "none", "No votes were cast."],
    [
      "band in",
      band,
      rated([0, 0, 0, 0, 0, 0, 7, 2, 1]),
      "in",
      "Adopted: 10 of 10 participants rated 7–9 (100%, needs at least 70%) and 0 rated 1–3 (0%, needs under 15%).",
    ],
    [
      "band none",
      band,
      rated([3, 0, 0, 0, 0, 0, 7, 0, 0]),
      "none",
      "Not adopted: 3 of 10 participants rated 1–3 (30%, needs under 15%).",
    ],
    [
      "band out, panel",
      rule({ family: "band", agreeBand: [4, 5], opposeBand: [1, 2], agreeAtLeast: 50, denominator: "panel" }),
      rated([3, 0, 0, 0, 0], 0, 6),
      "out",
      "Not adopted: 0 of 6 eligible members rated 4–5 (0%, needs at least 50%). The opposite holds: a consensus against it.",
    ],
    [
      "rand-ucla appropriate",
      randUcla,
      rated([0, 0, 0, 0, 0, 0, 5, 3, 1]),
      "appropriate",
      "Appropriate (adopted): median 7 of 9 ratings, no disagreement (IPR 1 ≤ IPRAS 6.1).",
    ],
    [
      "rand-ucla inappropriate",
      randUcla,
      rated([3, 3, 3, 0, 0, 0, 0, 0, 0], 1),
      "inappropriate",
      "Inappropriate (not adopted): median 2 of 9 ratings, no disagreement (IPR 1.2 ≤ IPRAS 6.85).",
    ],
    [
      "rand-ucla uncertain (median)",
      randUcla,
      rated([0, 0, 0, 2, 3, 2, 0, 0, 0]),
      "uncertain",
      "Uncertain (not adopted): median 5 of 7 ratings (appropriate needs 7 or more, inappropriate 3 or less), no disagreement (IPR 0.4 ≤ IPRAS 2.35).",
    ],
    [
      "rand-ucla uncertain (classic disagreement)",
      classic,
      rated([3, 0, 0, 0, 0, 0, 2, 3, 0]),
      "uncertain",
      "Uncertain (not adopted): median 7 of 8 ratings, disagreement (3 rated 1–3 and 5 rated 7–9; 3 of each make disagreement).",
    ],
    [
      "rand-ucla no quorum",
      randUcla,
      rated([0, 0, 0, 0, 0, 0, 4, 0, 0], 0, 10),
      "none",
      "No quorum: 4 of 10 eligible members voted (needs at least 50%).",
    ],
  ])("%s", (_, r, tally, outcome, text) => {
    const verdict = evaluate(r, tally);
    expect(verdict.outcome).toBe(outcome);
    expect(verdict.explanation).toBe(text);
    // From the frozen verdict alone, as stored (JSON), it says the same.
    const { explanation: _explanation, ...frozen } = verdict;
    expect(explainVerdict(r, JSON.parse(JSON.stringify(frozen)))).toBe(text);
  });
});

describe("describeRule: rand-ucla", () => {
  test("IPRAS and the classic table, with quorum and groups; never concrete thresholds", () => {
    const text =
      "RAND/UCLA appropriateness on the 9-point scale: appropriate (adopted) when the median is 7 or more without disagreement, " +
      "inappropriate when it is 3 or less without disagreement, otherwise uncertain; disagreement by ";
    expect(describeRule(rule({ family: "rand-ucla" }), 12)).toBe(
      `${text}IPRAS (interpercentile range above the adjusted for symmetry threshold).`,
    );
    expect(describeRule(rule({ family: "rand-ucla", disagreement: "classic", quorum: 50, groups: { require: "every" } }))).toBe(
      `${text}the classic table (for 8–16 ratings, 3 to 5 ratings in each of 1–3 and 7–9). At least 50% of the eligible panel must vote. ` +
        "It must also hold within every stakeholder group of at least 5 participants (smaller groups pooled).",
    );
  });
});
