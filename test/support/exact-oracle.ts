/**
 * An independent oracle for the rule engine's arithmetic (app/consensus/rule.ts,
 * order-statistics.ts): exact rationals as BigInt numerator / denominator pairs, and order
 * statistics read off the explicit sorted list of ratings rather than counts per point. Written
 * apart from the engine on purpose: a shared mistake would hide in both.
 */

export type Rational = { num: bigint; den: bigint };

const big = (value: bigint | number) => (typeof value === "bigint" ? value : BigInt(value));

function gcd(a: bigint, b: bigint): bigint {
  let [x, y] = [a < 0n ? -a : a, b < 0n ? -b : b];
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** num / den in lowest terms, with a positive denominator. */
export function rational(num: bigint | number, den: bigint | number = 1n): Rational {
  const [n, d] = [big(num), big(den)];
  if (d === 0n) throw new RangeError("A rational with denominator 0");
  const divisor = gcd(n, d) * (d < 0n ? -1n : 1n);
  return { num: n / divisor, den: d / divisor };
}

export const plus = (a: Rational, b: Rational) => rational(a.num * b.den + b.num * a.den, a.den * b.den);
export const minus = (a: Rational, b: Rational) => rational(a.num * b.den - b.num * a.den, a.den * b.den);
export const times = (a: Rational, b: Rational) => rational(a.num * b.num, a.den * b.den);
export const abs = (a: Rational) => rational(a.num < 0n ? -a.num : a.num, a.den);

/** -1, 0 or 1 as a is less than, equal to or greater than b. */
export function compare(a: Rational, b: Rational): number {
  const left = a.num * b.den;
  const right = b.num * a.den;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** The nearest double (both parts are small enough to be exact, so the division rounds once). */
export const toNumber = (a: Rational) => Number(a.num) / Number(a.den);

/** ⌊a⌋ for a ≥ 0. */
const floor = (a: Rational) => a.num / a.den;

/** The ratings as one ascending list, "unable to score" left out. */
export function sortedRatings(answers: readonly (number | "unable")[]): number[] {
  return answers.filter((a): a is number => a !== "unable").sort((x, y) => x - y);
}

/** Counts per point 1..points of a list of answers, as tallies keep them. */
export function countsOf(answers: readonly (number | "unable")[], points: number): number[] {
  return Array.from({ length: points }, (_, i) => answers.filter((a) => a === i + 1).length);
}

/**
 * The p-th quantile of R's type 7: the weighted mean (1 − g)·x[j] + g·x[j + 1] of the order
 * statistics around the 0-based position (n − 1)·p = j + g.
 */
export function quantile(sorted: readonly number[], p: Rational): Rational {
  if (sorted.length === 0) throw new RangeError("A quantile of no ratings");
  const position = times(rational(sorted.length - 1), p);
  const j = Number(floor(position));
  const g = minus(position, rational(j));
  const below = rational(sorted[j]!);
  if (g.num === 0n) return below;
  const above = rational(sorted[j + 1]!);
  return plus(times(minus(rational(1), g), below), times(g, above));
}

export function median(sorted: readonly number[]): Rational {
  const n = sorted.length;
  if (n === 0) throw new RangeError("A median of no ratings");
  return n % 2 === 1 ? rational(sorted[(n - 1) / 2]!) : rational(sorted[n / 2 - 1]! + sorted[n / 2]!, 2);
}

/** P75 − P25. */
export const iqr = (sorted: readonly number[]) => minus(quantile(sorted, rational(3, 4)), quantile(sorted, rational(1, 4)));

/**
 * RAND/UCLA's IPRAS test (Fitch et al. 2001): IPR = P70 − P30, IPRCP = (P30 + P70) / 2,
 * AI = |5 − IPRCP|, IPRAS = 2.35 + 1.5·AI; disagreement when IPR > IPRAS.
 */
export function iprasOracle(sorted: readonly number[]) {
  const p30 = quantile(sorted, rational(3, 10));
  const p70 = quantile(sorted, rational(7, 10));
  const ipr = minus(p70, p30);
  const iprcp = times(plus(p30, p70), rational(1, 2));
  const ai = abs(minus(rational(5), iprcp));
  const ipras = plus(rational(235, 100), times(rational(3, 2), ai));
  return { p30, p70, ipr, ipras, found: compare(ipr, ipras) > 0 };
}

/** count / n against p percent given as whole hundredths: -1, 0 or 1. */
export const compareShare = (count: number, n: number, hundredths: number) =>
  compare(rational(count, n), rational(hundredths, 10000));

/** Fewer than `hundredths` / 100 percent of the eligible panel voted (an empty panel misses no one). */
export const quorumFails = (participants: number, eligible: number, hundredths: number | null) =>
  hundredths !== null && eligible > 0 && compareShare(participants, eligible, hundredths) < 0;

/** count / n as a percentage, rounded half up to one decimal via quotient and remainder; null when n is 0. */
export function roundedPercent(count: number, n: number): number | null {
  if (n === 0) return null;
  const scaled = BigInt(count) * 1000n;
  const divisor = BigInt(n);
  const tenths = scaled / divisor + (2n * (scaled % divisor) >= divisor ? 1n : 0n);
  return Number(tenths) / 10;
}

/** The AWMF grade (DESIGN §3.3): strictly more than 95, 75, 50 percent. */
export function gradeOracle(count: number, n: number): "strong" | "consensus" | "majority" | "none" {
  if (n === 0) return "none";
  const share = rational(count, n);
  if (compare(share, rational(19, 20)) > 0) return "strong";
  if (compare(share, rational(3, 4)) > 0) return "consensus";
  if (compare(share, rational(1, 2)) > 0) return "majority";
  return "none";
}

/** Every multiset of `size` ratings from 1..points, as counts per point. */
export function* allCounts(size: number, points: number): Generator<number[]> {
  if (points === 1) {
    yield [size];
    return;
  }
  for (let first = size; first >= 0; first--) {
    for (const rest of allCounts(size - first, points - 1)) yield [first, ...rest];
  }
}

/** The explicit ascending list of ratings behind counts per point. */
export const expand = (counts: readonly number[]) => counts.flatMap((count, i) => Array<number>(count).fill(i + 1));
