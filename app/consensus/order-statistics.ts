/**
 * Exact order statistics of ratings given as counts per point (DESIGN §3.2): the median and
 * the percentiles of R's type 7 (Excel PERCENTILE.INC), h = (n − 1) · p, interpolated linearly
 * between the order statistics around h. Every result is a rational with a small denominator,
 * returned as an integer numerator over a fixed scale, so nothing is ever rounded. Pure.
 */

/** The k-th smallest rating (0-based) among `counts[i]` ratings of value i + 1. */
export function ratingAt(counts: readonly number[], k: number): number {
  let seen = 0;
  for (const [i, count] of counts.entries()) {
    seen += count;
    if (k < seen) return i + 1;
  }
  throw new RangeError(`There is no rating number ${k + 1} among ${seen}`);
}

export function ratingsCount(counts: readonly number[]): number {
  return counts.reduce((n, c) => n + c, 0);
}

/**
 * The p-th percentile for p = numerator / denominator, times `denominator`: an integer (with
 * h = (n − 1) · p, the interpolation weight h − ⌊h⌋ is a multiple of 1 / denominator).
 * n must be at least 1.
 */
export function scaledPercentile(counts: readonly number[], numerator: number, denominator: number): number {
  const n = ratingsCount(counts);
  if (n === 0) throw new RangeError("A percentile of no ratings");
  const h = (n - 1) * numerator; // h · denominator
  const lo = Math.floor(h / denominator);
  const weight = h - lo * denominator; // (h − ⌊h⌋) · denominator
  const low = ratingAt(counts, lo);
  const high = ratingAt(counts, Math.min(lo + 1, n - 1));
  return denominator * low + weight * (high - low);
}

/** The median times 2 (an integer): the middle rating, or the sum of the two middle ones. */
export function doubledMedian(counts: readonly number[]): number {
  const n = ratingsCount(counts);
  if (n === 0) throw new RangeError("A median of no ratings");
  return n % 2 === 1 ? 2 * ratingAt(counts, (n - 1) / 2) : ratingAt(counts, n / 2 - 1) + ratingAt(counts, n / 2);
}

/** Median and interquartile range (P75 − P25) as numbers (halves and quarters: exact in binary), null without ratings. */
export function medianAndIqr(counts: readonly number[]): { median: number | null; iqr: number | null } {
  if (ratingsCount(counts) === 0) return { median: null, iqr: null };
  return { median: doubledMedian(counts) / 2, iqr: (scaledPercentile(counts, 3, 4) - scaledPercentile(counts, 1, 4)) / 4 };
}
