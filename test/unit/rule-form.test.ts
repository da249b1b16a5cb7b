import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { fieldsFromRule, parseRuleFields, previewRule, ruleFieldsFromValues, type RuleFields } from "~/components/rule-form";
import { DENOMINATORS, RuleSchema, sameRule, type Rule } from "~/consensus/rule";

const IMT: RuleFields = {
  agreement: "atLeast",
  agreePercent: 50,
  opposition: "below",
  disagreePercent: 20,
  denominator: "participants",
};

describe("rule fields", () => {
  test("spell the IMT rule", () => {
    expect(parseRuleFields(IMT)).toEqual({
      success: true,
      rule: { agreeAtLeast: 50, disagreeBelow: 20, denominator: "participants" },
    });
  });

  test("'more than', 'at most', no opposition bound and a quorum map to their rule keys", () => {
    expect(parseRuleFields({ ...IMT, agreement: "above", opposition: "atMost", quorum: 60 })).toEqual({
      success: true,
      rule: { agreeAbove: 50, disagreeAtMost: 20, denominator: "participants", quorum: 60 },
    });
    expect(parseRuleFields({ ...IMT, opposition: "none", disagreePercent: 33 })).toEqual({
      success: true,
      rule: { agreeAtLeast: 50, denominator: "participants" },
    });
  });

  test("RuleSchema's messages land on the field that holds the value, in the form's words", () => {
    expect(parseRuleFields({ ...IMT, agreePercent: 101, disagreePercent: 1.005, quorum: -3 })).toEqual({
      success: false,
      issues: [
        { field: "agreePercent", message: "The agreement percentage must be from 0 to 100, got 101" },
        { field: "disagreePercent", message: "The opposition percentage must have at most two decimals, got 1.005" },
        { field: "quorum", message: "The quorum must be from 0 to 100, got -3" },
      ],
    });
  });

  test("a missing percentage is asked for before anything else", () => {
    expect(parseRuleFields({ ...IMT, agreePercent: undefined, disagreePercent: undefined })).toEqual({
      success: false,
      issues: [
        { field: "agreePercent", message: "Enter the share that must agree, from 0 to 100" },
        { field: "disagreePercent", message: "Enter the opposition percentage, or choose no opposition bound" },
      ],
    });
  });

  const percent = fc.integer({ min: 0, max: 10000 }).map((h) => h / 100);
  const rules: fc.Arbitrary<Rule> = fc
    .record({
      agreement: fc.constantFrom("agreeAtLeast", "agreeAbove"),
      agree: percent,
      opposition: fc.constantFrom("disagreeBelow", "disagreeAtMost", null),
      disagree: percent,
      denominator: fc.constantFrom(...DENOMINATORS),
      quorum: fc.option(percent),
    })
    .map(({ agreement, agree, opposition, disagree, denominator, quorum }) =>
      RuleSchema.parse({
        [agreement]: agree,
        ...(opposition ? { [opposition]: disagree } : {}),
        denominator,
        ...(quorum === null ? {} : { quorum }),
      }),
    );

  test("any valid rule survives the trip through the form unchanged", () => {
    fc.assert(
      fc.property(rules, (rule) => {
        const parsed = parseRuleFields(fieldsFromRule(rule));
        return parsed.success && sameRule(parsed.rule, rule) && JSON.stringify(parsed.rule) === JSON.stringify(rule);
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

describe("the live preview", () => {
  test("reads the submitted strings and describes the rule for the panel", () => {
    const values = {
      agreement: "atLeast",
      agreePercent: "50",
      opposition: "below",
      disagreePercent: "20",
      denominator: "participants",
      quorum: "",
    };
    expect(previewRule(ruleFieldsFromValues(values), 31)).toBe(
      "At least 50% of participants agree and under 20% disagree. With 31 participants a statement needs at least 16 agree and at most 6 disagree.",
    );
  });

  test("says what is missing instead of failing on a half-typed rule", () => {
    expect(
      previewRule(
        ruleFieldsFromValues({ agreement: "nonsense", agreePercent: "", opposition: "below", disagreePercent: "abc" }),
        5,
      ),
    ).toBe("Not a complete rule yet: Enter the share that must agree, from 0 to 100.");
    expect(previewRule(ruleFieldsFromValues({ agreePercent: "250", opposition: "none" }), 5)).toBe(
      "Not a complete rule yet: The agreement percentage must be from 0 to 100, got 250.",
    );
    expect(previewRule(ruleFieldsFromValues({ agreePercent: "50", opposition: "below", disagreePercent: "x" }), 5)).toBe(
      "Not a complete rule yet: The opposition percentage must be a number (a percentage from 0 to 100).",
    );
  });
});
