import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  applyPreset,
  BLANK_RULE_FORM,
  parseRuleForm,
  PRESETS,
  previewRule,
  previewScale,
  ruleFormValues,
  type RuleFormValues,
} from "~/components/rule-form";
import { DENOMINATORS, RuleSchema, sameRule, type Rule } from "~/consensus/rule";
import { ScaleSchema, type Scale } from "~/consensus/scale";

const IMT: RuleFormValues = {
  family: "percent",
  agreement: "atLeast",
  agreePercent: "50",
  opposition: "below",
  disagreePercent: "20",
  denominator: "participants",
};

const NINE: RuleFormValues = { scaleKind: "rating", points: "9", unable: "on" };

const COMET: RuleFormValues = {
  ...NINE,
  family: "band",
  agreeLow: "7",
  agreeHigh: "9",
  opposeLow: "1",
  opposeHigh: "3",
  agreement: "atLeast",
  agreePercent: "70",
  opposition: "below",
  disagreePercent: "15",
  denominator: "participants",
};

const issuesOf = (values: RuleFormValues) => {
  const parsed = parseRuleForm(values);
  if (parsed.success) throw new Error(`expected issues, got ${JSON.stringify(parsed)}`);
  return parsed.issues;
};

describe("reading the scale and rule fields", () => {
  test("spell the IMT rule on the agreement scale, with no family key (a percent rule keeps its JSON)", () => {
    const parsed = parseRuleForm(IMT);
    expect(parsed).toEqual({
      success: true,
      scale: { kind: "agreement" },
      rule: { agreeAtLeast: 50, disagreeBelow: 20, denominator: "participants" },
    });
    expect(parsed.success && JSON.stringify(parsed.rule)).toBe(
      '{"agreeAtLeast":50,"disagreeBelow":20,"denominator":"participants"}',
    );
    // No family and no scale field at all (an older page) is the same: percent on agree / disagree / abstain.
    const { family: _family, ...older } = IMT;
    expect(parseRuleForm(older)).toEqual(parsed);
  });

  test("'more than', 'at most', no opposition bound, a quorum, groups and stability map to their rule keys", () => {
    expect(parseRuleForm({ ...IMT, agreement: "above", opposition: "atMost", quorum: "60" })).toMatchObject({
      success: true,
      rule: { agreeAbove: 50, disagreeAtMost: 20, denominator: "participants", quorum: 60 },
    });
    const none = parseRuleForm({ ...IMT, opposition: "none", disagreePercent: "33" });
    expect(none.success && none.rule).toEqual({ agreeAtLeast: 50, denominator: "participants" });
    const grouped = parseRuleForm({ ...IMT, groups: "on", groupMinSize: "4", stableBelow: "10" });
    expect(grouped.success && grouped.rule).toEqual({
      agreeAtLeast: 50,
      disagreeBelow: 20,
      denominator: "participants",
      groups: { require: "every", minSize: 4 },
      stableBelow: 10,
    });
    // An empty minimum size is the default one; an unticked box leaves groups out whatever the size says.
    const defaultSize = parseRuleForm({ ...IMT, groups: "on", groupMinSize: "" });
    expect(defaultSize.success && defaultSize.rule.groups).toEqual({ require: "every", minSize: 5 });
    const unticked = parseRuleForm({ ...IMT, groupMinSize: "4" });
    expect(unticked.success && "groups" in unticked.rule).toBe(false);
  });

  test("a band rule on a rating scale with labels and 'unable to score'", () => {
    expect(parseRuleForm({ ...COMET, lowLabel: " not important ", highLabel: "critical" })).toEqual({
      success: true,
      scale: { kind: "rating", points: 9, unable: true, labels: { low: "not important", high: "critical" } },
      rule: {
        family: "band",
        agreeBand: [7, 9],
        opposeBand: [1, 3],
        agreeAtLeast: 70,
        disagreeBelow: 15,
        denominator: "participants",
      },
    });
    const noOpposition = parseRuleForm({
      ...COMET,
      points: "5",
      unable: undefined,
      agreeLow: "4",
      agreeHigh: "5",
      opposeLow: "",
      opposeHigh: "",
      opposition: "none",
    });
    expect(noOpposition).toEqual({
      success: true,
      scale: { kind: "rating", points: 5, unable: false },
      rule: { family: "band", agreeBand: [4, 5], agreeAtLeast: 70, denominator: "participants" },
    });
  });

  test("RAND/UCLA reads only its method and what every family shares", () => {
    const values = {
      ...NINE,
      family: "rand-ucla",
      disagreement: "classic",
      quorum: "50",
      // Another family's fields, even broken ones, are not read.
      agreement: "sometimes",
      agreePercent: "lots",
      agreeLow: "x",
      denominator: "everyone",
    };
    expect(parseRuleForm(values)).toEqual({
      success: true,
      scale: { kind: "rating", points: 9, unable: true },
      rule: { family: "rand-ucla", disagreement: "classic", quorum: 50 },
    });
  });

  test("the percent family does not read the band or rating fields, nor the agreement scale the rating ones", () => {
    const parsed = parseRuleForm({
      ...IMT,
      agreeLow: "nine",
      opposeHigh: "-4",
      disagreement: "vibes",
      points: "99",
      lowLabel: "x".repeat(500),
    });
    expect(parsed.success && parsed.rule).toEqual({ agreeAtLeast: 50, disagreeBelow: 20, denominator: "participants" });
  });

  test("RuleSchema's and ScaleSchema's messages land on the field that holds the value, in the form's words", () => {
    expect(issuesOf({ ...IMT, agreePercent: "101", disagreePercent: "1.005", quorum: "-3", stableBelow: "abc" })).toEqual([
      { field: "agreePercent", message: "The agreement percentage must be from 0 to 100, got 101" },
      { field: "disagreePercent", message: "The opposition percentage must have at most two decimals, got 1.005" },
      { field: "quorum", message: "The quorum must be from 0 to 100, got -3" },
      { field: "stableBelow", message: "The stability threshold must be a number (a percentage from 0 to 100)" },
    ]);
    expect(issuesOf({ ...COMET, points: "11", highLabel: "y".repeat(61), groups: "on", groupMinSize: "0" })).toEqual([
      { field: "points", message: "The number of points must be from 3 to 10, got 11" },
      { field: "highLabel", message: "A label has at most 60 characters" },
      { field: "groupMinSize", message: "The minimum group size must be a whole number of at least 1" },
    ]);
  });

  test("every missing or malformed value is named at once, each once", () => {
    expect(
      issuesOf({ ...IMT, agreement: "nonsense", agreePercent: "", opposition: "below", disagreePercent: "", denominator: "" }),
    ).toEqual([
      { field: "agreement", message: "Choose at least or more than" },
      { field: "agreePercent", message: "Enter the share that must agree, from 0 to 100" },
      { field: "disagreePercent", message: "Enter the opposition percentage, or choose no opposition bound" },
      { field: "denominator", message: "Choose what the percentages are of" },
    ]);
    expect(
      issuesOf({ ...COMET, points: "", agreeLow: "", agreeHigh: "", opposeLow: "2", opposeHigh: "", agreePercent: "" }),
    ).toEqual([
      { field: "points", message: "Enter the number of points on the scale, from 3 to 10" },
      { field: "agreeBand", message: "Enter the agreement band: its lowest and highest rating, such as 7 to 9" },
      { field: "opposeBand", message: "Enter both ends of the opposition band, or leave both empty" },
      { field: "agreePercent", message: "Enter the share that must agree, from 0 to 100" },
    ]);
    expect(issuesOf({ family: "majority", scaleKind: "stars" })).toEqual([
      { field: "scaleKind", message: "Choose agree / disagree / abstain or ratings" },
      { field: "family", message: "Choose a rule family: percent agreement, rating bands or RAND/UCLA" },
    ]);
    expect(issuesOf({ ...NINE, family: "rand-ucla", disagreement: "ipr" })).toEqual([
      { field: "disagreement", message: "Choose how disagreement is found: IPRAS or the classic table" },
    ]);
    expect(issuesOf({ ...COMET, agreeLow: "6.5", opposeHigh: "three" })).toEqual([
      { field: "agreeBand", message: "The agreement band's ends must be whole ratings, such as 7 to 9" },
      { field: "opposeBand", message: "The opposition band's ends must be whole ratings, such as 1 to 3" },
    ]);
  });
});

describe("a rule must fit its scale: every mismatch is refused on its field", () => {
  test.each<[string, RuleFormValues, { field: string; message: string }[]]>([
    [
      "percent on ratings",
      { ...IMT, ...NINE },
      [{ field: "family", message: "The percent family counts agree and disagree: it needs the agreement scale, not ratings" }],
    ],
    [
      "percent on ratings, even with its own problems",
      { ...IMT, ...NINE, agreePercent: "" },
      [
        { field: "agreePercent", message: "Enter the share that must agree, from 0 to 100" },
        { field: "family", message: "The percent family counts agree and disagree: it needs the agreement scale, not ratings" },
      ],
    ],
    [
      "bands on agree / disagree / abstain",
      { ...COMET, scaleKind: "agreement" },
      [{ field: "family", message: "The band family needs a rating scale, not agree / disagree / abstain" }],
    ],
    [
      "RAND/UCLA on 7 points",
      { ...NINE, points: "7", family: "rand-ucla", disagreement: "ipras" },
      [{ field: "family", message: "RAND/UCLA needs the 9-point scale, not 1–7" }],
    ],
    [
      "RAND/UCLA on agree / disagree / abstain",
      { family: "rand-ucla", disagreement: "ipras" },
      [{ field: "family", message: "The rand-ucla family needs a rating scale, not agree / disagree / abstain" }],
    ],
    [
      "bands beyond a 5-point scale",
      { ...COMET, points: "5" },
      [{ field: "agreeBand", message: "The agreement band 7–9 goes beyond the scale's 1–5" }],
    ],
    [
      "both bands beyond a 3-point scale",
      { ...COMET, points: "3", opposeLow: "4", opposeHigh: "4", agreeLow: "5", agreeHigh: "6" },
      [
        { field: "agreeBand", message: "The agreement band 5–6 goes beyond the scale's 1–3" },
        { field: "opposeBand", message: "The opposition band 4–4 goes beyond the scale's 1–3" },
      ],
    ],
    [
      "a band starting below 1",
      { ...COMET, opposeLow: "0" },
      [{ field: "opposeBand", message: "The opposition band starts at 1 or more" }],
    ],
    [
      "a band upside down",
      { ...COMET, agreeLow: "9", agreeHigh: "7" },
      [{ field: "agreeBand", message: "The agreement band must go from its lower rating to its higher one" }],
    ],
    [
      "overlapping bands",
      { ...COMET, opposeHigh: "7" },
      [{ field: "opposeBand", message: "The agreement band and the opposition band must not overlap" }],
    ],
    [
      "an opposition bound without an opposition band",
      { ...COMET, opposeLow: "", opposeHigh: "" },
      [{ field: "opposeBand", message: "An opposition bound needs the opposition band to count" }],
    ],
  ])("%s", (_name, values, issues) => {
    expect(issuesOf(values)).toEqual(issues);
  });
});

describe("the form writes a scale and rule back as fields", () => {
  const percent = fc.integer({ min: 0, max: 10000 }).map((h) => h / 100);
  const common = fc.record({
    quorum: fc.option(percent),
    groups: fc.option(fc.integer({ min: 1, max: 40 })),
    stableBelow: fc.option(percent),
  });
  const withCommon = (
    rule: Record<string, unknown>,
    { quorum, groups, stableBelow }: { quorum: number | null; groups: number | null; stableBelow: number | null },
  ) => ({
    ...rule,
    ...(quorum === null ? {} : { quorum }),
    ...(groups === null ? {} : { groups: { require: "every", minSize: groups } }),
    ...(stableBelow === null ? {} : { stableBelow }),
  });
  const bounds = fc.record({
    agreement: fc.constantFrom("agreeAtLeast", "agreeAbove"),
    agree: percent,
    opposition: fc.constantFrom("disagreeBelow", "disagreeAtMost", null),
    disagree: percent,
    denominator: fc.constantFrom(...DENOMINATORS),
  });
  const boundsOf = (
    {
      agreement,
      agree,
      opposition,
      disagree,
      denominator,
    }: { agreement: string; agree: number; opposition: string | null; disagree: number; denominator: string },
    oppose = true,
  ) => ({
    [agreement]: agree,
    ...(opposition && oppose ? { [opposition]: disagree } : {}),
    denominator,
  });
  const label = fc.option(fc.constantFrom("not important", "critical", "nie", "très important"));
  const rating = (minPoints: number, maxPoints = 10) =>
    fc
      .record({ points: fc.integer({ min: minPoints, max: maxPoints }), unable: fc.boolean(), low: label, high: label })
      .map(({ points, unable, low, high }) =>
        ScaleSchema.parse({
          kind: "rating",
          points,
          unable,
          ...(low || high ? { labels: { ...(low ? { low } : {}), ...(high ? { high } : {}) } } : {}),
        }),
      );

  const percentRules = fc
    .tuple(bounds, common)
    .map(([b, c]) => ({ rule: withCommon(boundsOf(b), c), scale: { kind: "agreement" } }));
  const bandRules = fc
    .tuple(bounds, common, fc.integer({ min: 2, max: 10 }), fc.option(fc.integer({ min: 1, max: 9 })))
    .chain(([b, c, top, opposeTop]) => {
      // An agreement band [low, top]; an opposition band below it, when there is room.
      const oppose = opposeTop !== null && opposeTop < top ? opposeTop : null;
      return fc
        .tuple(
          fc.integer({ min: (oppose ?? 0) + 1, max: top }),
          fc.integer({ min: 1, max: oppose ?? 1 }),
          rating(Math.max(3, top)),
        )
        .map(([low, opposeLow, scale]) => ({
          rule: withCommon(
            {
              family: "band",
              agreeBand: [low, top],
              ...(oppose === null ? {} : { opposeBand: [opposeLow, oppose] }),
              ...boundsOf(b, oppose !== null),
            },
            c,
          ),
          scale,
        }));
    });
  const randRules = fc
    .tuple(fc.constantFrom("ipras", "classic"), common, rating(9, 9))
    .map(([disagreement, c, scale]) => ({ rule: withCommon({ family: "rand-ucla", disagreement }, c), scale }));
  const pairs = fc
    .oneof(percentRules, bandRules, randRules)
    .map(({ rule, scale }) => ({ rule: RuleSchema.parse(rule), scale: ScaleSchema.parse(scale) as Scale }));

  test("any valid rule of any family, with its scale, survives the trip through the form unchanged", () => {
    fc.assert(
      fc.property(pairs, ({ rule, scale }) => {
        const parsed = parseRuleForm({ ...BLANK_RULE_FORM, ...ruleFormValues(rule, scale) });
        expect(parsed).toEqual({ success: true, rule, scale });
        return (
          parsed.success &&
          JSON.stringify(parsed.rule) === JSON.stringify(rule) &&
          JSON.stringify(parsed.scale) === JSON.stringify(scale)
        );
      }),
    );
  });

  test("sameRule ignores key order and an absent versus null quorum, nothing else", () => {
    expect(sameRule({ denominator: "panel", agreeAtLeast: 50 }, { agreeAtLeast: 50, denominator: "panel", quorum: null })).toBe(
      true,
    );
    expect(sameRule({ agreeAtLeast: 50, denominator: "panel" }, { agreeAbove: 50, denominator: "panel" })).toBe(false);
    expect(sameRule({ agreeAtLeast: 50, denominator: "panel" }, { agreeAtLeast: 50, denominator: "panel", quorum: 0 })).toBe(
      false,
    );
  });
});

describe("presets", () => {
  const rules = Object.fromEntries(PRESETS.map((p) => [p.id, p]));

  test.each<[string, Scale, Rule]>([
    ["imt", { kind: "agreement" }, { agreeAtLeast: 50, disagreeBelow: 20, denominator: "participants" }],
    [
      "comet",
      { kind: "rating", points: 9, unable: true, labels: { low: "not important", high: "critical" } },
      { family: "band", agreeBand: [7, 9], opposeBand: [1, 3], agreeAtLeast: 70, disagreeBelow: 15, denominator: "participants" },
    ],
    [
      "rand-ipras",
      { kind: "rating", points: 9, unable: false, labels: { low: "extremely inappropriate", high: "extremely appropriate" } },
      { family: "rand-ucla", disagreement: "ipras" },
    ],
    [
      "rand-classic",
      { kind: "rating", points: 9, unable: false, labels: { low: "extremely inappropriate", high: "extremely appropriate" } },
      { family: "rand-ucla", disagreement: "classic" },
    ],
  ])("%s fills in exactly its scale and rule, over whatever the form held", (id, scale, rule) => {
    // A form full of another rule: a 5-point scale, a band rule with a quorum, groups and a stability window.
    const before = {
      title: "Kept",
      scaleKind: "rating",
      points: "5",
      unable: "on",
      lowLabel: "low",
      family: "band",
      agreeLow: "4",
      agreeHigh: "5",
      agreement: "above",
      agreePercent: "80",
      opposition: "none",
      denominator: "panel",
      disagreement: "classic",
      quorum: "60",
      groups: "on",
      groupMinSize: "3",
      stableBelow: "5",
    };
    const filled = applyPreset(before, rules[id]!);
    expect(filled.title).toBe("Kept");
    expect(parseRuleForm(filled)).toEqual({ success: true, scale, rule });
  });

  test("there are exactly these four, in this order", () => {
    expect(PRESETS.map((p) => [p.id, p.label])).toEqual([
      ["imt", "The IMT consensus rule"],
      ["comet", "COMET core outcome set: 70% rate 7–9 and under 15% rate 1–3"],
      ["rand-ipras", "RAND/UCLA with IPRAS"],
      ["rand-classic", "RAND/UCLA, classic disagreement table"],
    ]);
  });
});

describe("the live preview", () => {
  test("reads the submitted strings and describes the rule for the panel", () => {
    const values = { ...IMT, quorum: "" };
    expect(previewRule(values, 31)).toBe(
      "At least 50% of participants agree and under 20% disagree. With 31 participants a statement needs at least 16 agree and at most 6 disagree.",
    );
    expect(previewScale(values)).toBe("Agree, disagree or abstain.");
  });

  test("describes a band rule with its thresholds, and RAND/UCLA without (they depend on the ratings)", () => {
    expect(previewRule(COMET, 20)).toBe(
      "At least 70% of participants rate 7–9 and under 15% rate 1–3. With 20 participants a statement needs at least 14 rated 7–9 and at most 2 rated 1–3.",
    );
    expect(previewScale({ ...COMET, lowLabel: "not important", highLabel: "critical" })).toBe(
      'A rating from 1 to 9 (1 = not important, 9 = critical), or "unable to score".',
    );
    const rand = { ...NINE, family: "rand-ucla", disagreement: "ipras" };
    expect(previewRule(rand, 12)).toBe(
      "RAND/UCLA appropriateness on the 9-point scale: appropriate (adopted) when the median is 7 or more without disagreement, " +
        "inappropriate when it is 3 or less without disagreement, otherwise uncertain; disagreement by IPRAS (interpercentile range above the adjusted for symmetry threshold).",
    );
    // No panelist yet: the counts come later, and never for RAND/UCLA.
    expect(previewRule(IMT, 0)).toBe(
      "At least 50% of participants agree and under 20% disagree. The vote counts it needs appear here once panelists have joined.",
    );
    expect(previewRule(rand, 0)).not.toContain("vote counts");
  });

  test("says what is missing instead of failing on a half-typed rule", () => {
    expect(previewRule({ agreement: "atLeast", agreePercent: "", opposition: "none", denominator: "participants" }, 5)).toBe(
      "Not a complete rule yet: Enter the share that must agree, from 0 to 100.",
    );
    expect(previewRule({ ...IMT, agreePercent: "250", opposition: "none" }, 5)).toBe(
      "Not a complete rule yet: The agreement percentage must be from 0 to 100, got 250.",
    );
    expect(previewRule({ ...IMT, disagreePercent: "x" }, 5)).toBe(
      "Not a complete rule yet: The opposition percentage must be a number (a percentage from 0 to 100).",
    );
    expect(previewRule({ ...IMT, ...NINE }, 5)).toBe(
      "Not a complete rule yet: The percent family counts agree and disagree: it needs the agreement scale, not ratings.",
    );
    expect(previewScale({ scaleKind: "rating", points: "12" })).toBeNull();
  });
});
