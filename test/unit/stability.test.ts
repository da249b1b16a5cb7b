import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { evaluate, RuleSchema, type FrozenVerdict } from "~/consensus/rule";
import { stabilityBetween } from "~/consensus/stability";
import { abs, compare, minus, rational, times } from "../support/exact-oracle";

/** A frozen verdict with the counts stability reads; the rest is filler. */
function frozen(
  agreeCount: number,
  denominator: number,
  rating: { median: number | null; iqr: number | null } | null = null,
): FrozenVerdict {
  return {
    outcome: "none",
    adopted: false,
    reasons: [],
    participants: denominator,
    eligible: denominator,
    denominator,
    agreeCount,
    disagreeCount: 0,
    agreePercent: null,
    disagreePercent: null,
    grade: "none",
    ...(rating ?? {}),
  };
}

describe("stabilityBetween", () => {
  test("moved exactly 15 points is not stable with stableBelow 15", () => {
    expect(stabilityBetween(frozen(10, 20), frozen(13, 20), 15)).toEqual({
      shareChange: 15,
      medianChange: null,
      iqrChange: null,
      stable: false,
    });
    expect(stabilityBetween(frozen(13, 20), frozen(10, 20), 15)).toMatchObject({ shareChange: -15, stable: false });
    expect(stabilityBetween(frozen(10, 20), frozen(13, 20), 15.01)).toMatchObject({ stable: true });
    // 50.01% to 65%: 14.99 points.
    expect(stabilityBetween(frozen(5001, 10000), frozen(13, 20), 15)).toMatchObject({ shareChange: 15, stable: true });
  });

  test("exact where floating point is not: 35% to 20% is 15 points, though 0.2 * 100 − 0.35 * 100 says 14.999…", () => {
    expect(Math.abs((1 / 5 - 7 / 20) * 100)).toBeLessThan(15);
    expect(stabilityBetween(frozen(7, 20), frozen(1, 5), 15)).toMatchObject({ shareChange: -15, stable: false });
    expect(Math.abs((7 / 10) * 100 - (11 / 20) * 100)).toBeLessThan(15);
    expect(stabilityBetween(frozen(11, 20), frozen(7, 10), 15)).toMatchObject({ shareChange: 15, stable: false });
  });

  test("shareChange rounds half up, away from zero when the share fell", () => {
    // 23/80 = 28.75%: Number((23 / 80 * 100).toFixed(1)) would give 28.7.
    expect(stabilityBetween(frozen(0, 1), frozen(23, 80), 50).shareChange).toBe(28.8);
    expect(stabilityBetween(frozen(23, 80), frozen(0, 1), 50).shareChange).toBe(-28.8);
    expect(stabilityBetween(frozen(0, 10), frozen(1, 2000), 15).shareChange).toBe(0.1); // 0.05
    expect(stabilityBetween(frozen(1, 2000), frozen(0, 10), 15).shareChange).toBe(-0.1);
    expect(stabilityBetween(frozen(0, 10), frozen(1, 3000), 15).shareChange).toBe(0); // 0.033…
    // A fall that rounds to nothing is 0, not −0 (which number formatting shows as "-0").
    expect(stabilityBetween(frozen(1, 3000), frozen(0, 10), 15).shareChange).toBe(0);
    expect(stabilityBetween(frozen(1, 3), frozen(2, 3), 15).shareChange).toBe(33.3);
    expect(stabilityBetween(frozen(1, 3), frozen(1, 3), 15)).toMatchObject({ shareChange: 0, stable: true });
  });

  test("null share change, and never stable, when either round had no denominator", () => {
    expect(stabilityBetween(frozen(0, 0), frozen(3, 4), 15)).toMatchObject({ shareChange: null, stable: false });
    expect(stabilityBetween(frozen(3, 4), frozen(0, 0), 15)).toMatchObject({ shareChange: null, stable: false });
    expect(stabilityBetween(frozen(0, 0), frozen(0, 0), 100)).toMatchObject({ shareChange: null, stable: false });
  });

  test("median and IQR changes on a rating scale; null where a round had no ratings", () => {
    const before = frozen(5, 10, { median: 6.5, iqr: 2.25 });
    const after = frozen(7, 10, { median: 7, iqr: 1.5 });
    expect(stabilityBetween(before, after, 15)).toEqual({ shareChange: 20, medianChange: 0.5, iqrChange: -0.75, stable: false });
    expect(stabilityBetween(frozen(0, 0, { median: null, iqr: null }), after, 15)).toMatchObject({
      medianChange: null,
      iqrChange: null,
    });
  });

  test("from real verdicts: RAND/UCLA's share is of ratings 7–9", () => {
    const rule = RuleSchema.parse({ family: "rand-ucla" });
    const first = evaluate(rule, { ratings: [1, 0, 0, 1, 2, 0, 3, 2, 1], unable: 2, eligible: 12 });
    const second = evaluate(rule, { ratings: [0, 0, 0, 0, 1, 1, 4, 3, 1], unable: 0, eligible: 12 });
    // 6 of 10 ratings 7–9 (median 7, IQR 7.75 − 5), then 8 of 10 (median 7, IQR 8 − 7).
    expect(stabilityBetween(first, second, 15)).toEqual({ shareChange: 20, medianChange: 0, iqrChange: -1.75, stable: false });
  });

  test("property: shareChange and stable agree with exact rationals", () => {
    const share = fc.integer({ min: 1, max: 400 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)));
    const points = fc.oneof(fc.integer({ min: 0, max: 10000 }), fc.constantFrom(1000, 1500, 2000, 2500));
    fc.assert(
      fc.property(share, share, points, ([b, n], [a, m], hundredths) => {
        const moved = times(minus(rational(a, m), rational(b, n)), rational(100)); // points, signed
        const tenths = abs(times(moved, rational(10)));
        const rounded = tenths.num / tenths.den + (2n * (tenths.num % tenths.den) >= tenths.den ? 1n : 0n);
        const expectedChange = (moved.num < 0n ? -Number(rounded) : Number(rounded)) / 10;
        const result = stabilityBetween(frozen(b, n), frozen(a, m), hundredths / 100);
        expect(result.shareChange).toBe(expectedChange === 0 ? 0 : expectedChange);
        expect(result.stable).toBe(compare(abs(moved), rational(hundredths, 100)) < 0);
      }),
      { numRuns: 2000 },
    );
  });
});
