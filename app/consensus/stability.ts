/**
 * Stability of a statement between two rounds in which it was voted (DESIGN §3.4): how far its
 * agreement share moved, in percentage points, and on a rating scale its median and IQR; stable
 * when the share moved by less than `stableBelow` points. Compared exactly, from the counts the
 * frozen verdicts keep. Pure.
 */
import type { FrozenVerdict } from "./rule";

export type Stability = {
  /** The later share minus the earlier, in points, rounded half up to one decimal; null when either had no denominator. */
  shareChange: number | null;
  medianChange: number | null;
  iqrChange: number | null;
  stable: boolean;
};

/** |a/m − b/n| · 100 < limit (in hundredths of a point), exactly. */
function movedLessThan(a: number, m: number, b: number, n: number, hundredths: number): boolean {
  const difference = BigInt(a) * BigInt(n) - BigInt(b) * BigInt(m);
  const magnitude = difference < 0n ? -difference : difference;
  return magnitude * 10000n < BigInt(hundredths) * BigInt(m) * BigInt(n);
}

/** (a/m − b/n) · 100 rounded half up (away from zero for negatives) to one decimal. */
function pointsMoved(a: number, m: number, b: number, n: number): number {
  const numerator = (BigInt(a) * BigInt(n) - BigInt(b) * BigInt(m)) * 1000n; // tenths of a point, times m·n
  const denominator = BigInt(m) * BigInt(n);
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const tenths = (2n * magnitude + denominator) / (2n * denominator);
  // A fall that rounds to nothing is 0, not −0.
  return (negative && tenths > 0n ? -Number(tenths) : Number(tenths)) / 10;
}

const change = (before: number | null | undefined, after: number | null | undefined) =>
  before == null || after == null ? null : after - before;

export function stabilityBetween(earlier: FrozenVerdict, later: FrozenVerdict, stableBelow: number): Stability {
  const comparable = earlier.denominator > 0 && later.denominator > 0;
  return {
    shareChange: comparable ? pointsMoved(later.agreeCount, later.denominator, earlier.agreeCount, earlier.denominator) : null,
    medianChange: change(earlier.median, later.median),
    iqrChange: change(earlier.iqr, later.iqr),
    stable:
      comparable &&
      movedLessThan(later.agreeCount, later.denominator, earlier.agreeCount, earlier.denominator, Math.round(stableBelow * 100)),
  };
}
