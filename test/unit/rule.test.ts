import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { describeRule, evaluate, parseRule, RuleSchema, type Reason, type Rule, type Tally } from "~/consensus/rule";
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

const tallyOf = (maxEligible: number): fc.Arbitrary<Tally> =>
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

function oracleReasons(g: Generated, t: Tally): Reason[] {
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
