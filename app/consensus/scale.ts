/**
 * The ballot scale of a guideline (DESIGN §3.1), chosen before round 1 and locked with the rule:
 * agree / disagree / abstain, or whole-number ratings 1..N (N from 3 to 10), optionally with
 * "unable to score" — a ballot, not a non-response. Pure.
 */
import { z } from "zod";
import type { Translate } from "~/i18n";
import { english } from "~/locales/english";

export const MIN_POINTS = 3;
export const MAX_POINTS = 10;
export const LABEL_LIMIT = 60;

const label = z
  .string()
  .trim()
  .min(1, "A label must not be empty")
  .max(LABEL_LIMIT, `A label has at most ${LABEL_LIMIT} characters`);

export const AgreementScaleSchema = z.strictObject({ kind: z.literal("agreement") });

export const RatingScaleSchema = z.strictObject({
  kind: z.literal("rating"),
  points: z
    .number({ error: "points must be a whole number from 3 to 10" })
    .int("points must be a whole number from 3 to 10")
    .min(MIN_POINTS, { error: (iss) => `points must be from ${MIN_POINTS} to ${MAX_POINTS}, got ${String(iss.input)}` })
    .max(MAX_POINTS, { error: (iss) => `points must be from ${MIN_POINTS} to ${MAX_POINTS}, got ${String(iss.input)}` }),
  unable: z.boolean({ error: "unable must be true or false" }).default(false),
  /** What the ends of the scale mean, shown on the ballot: "1 = not important", "9 = critical". */
  labels: z.strictObject({ low: label.optional(), high: label.optional() }).optional(),
});

export const ScaleSchema = z.discriminatedUnion("kind", [AgreementScaleSchema, RatingScaleSchema], {
  error: (iss) => (iss.code === "invalid_union" ? 'kind must be "agreement" or "rating"' : "A scale must be an object"),
});

export type AgreementScale = z.output<typeof AgreementScaleSchema>;
export type RatingScale = z.output<typeof RatingScaleSchema>;
export type Scale = z.output<typeof ScaleSchema>;

export const AGREEMENT: AgreementScale = { kind: "agreement" };

/** A stored scale; null (a guideline or round from before scales) is the agreement scale. */
export function scaleOf(stored: unknown): Scale {
  return stored == null ? AGREEMENT : ScaleSchema.parse(stored);
}

/** The ratings a scale offers, 1..N (none on the agreement scale). */
export function ratingPoints(scale: Scale): number[] {
  return scale.kind === "rating" ? Array.from({ length: scale.points }, (_, i) => i + 1) : [];
}

/** The same scale, labels aside from their spelling in JSON. */
export function sameScale(a: Scale, b: Scale): boolean {
  return JSON.stringify(canonicalScale(a)) === JSON.stringify(canonicalScale(b));
}

function canonicalScale(scale: Scale) {
  if (scale.kind === "agreement") return ["agreement"];
  return ["rating", scale.points, scale.unable, scale.labels?.low ?? null, scale.labels?.high ?? null];
}

/**
 * The scale in plain language: "Agree, disagree or abstain" or 'A rating from 1 to 9 (1 = not
 * important, 9 = critical), or "unable to score"' — in English unless a translator is given.
 */
export function describeScale(scale: Scale, t: Translate = english): string {
  if (scale.kind === "agreement") return t("Agree, disagree or abstain");
  const points = String(scale.points);
  // The end labels are the guideline's own words, shown as written.
  const ends = [
    scale.labels?.low ? `1 = ${scale.labels.low}` : null,
    scale.labels?.high ? `${scale.points} = ${scale.labels.high}` : null,
  ]
    .filter(Boolean)
    .join(t(", "));
  if (ends) {
    return scale.unable
      ? t('A rating from 1 to {{points}} ({{ends}}), or "unable to score"', { points, ends })
      : t("A rating from 1 to {{points}} ({{ends}})", { points, ends });
  }
  return scale.unable
    ? t('A rating from 1 to {{points}}, or "unable to score"', { points })
    : t("A rating from 1 to {{points}}", { points });
}

/** Why an answer does not belong on a scale, or null when it does (in English unless a translator is given). */
export function answerProblem(scale: Scale, answer: unknown, t: Translate = english): string | null {
  if (scale.kind === "agreement") {
    return answer === "agree" || answer === "disagree" || answer === "abstain" ? null : t("Choose agree, disagree or abstain");
  }
  const points = String(scale.points);
  if (answer === "unable") {
    return scale.unable ? null : t('This scale has no "unable to score": rate from 1 to {{points}}', { points });
  }
  if (typeof answer === "number" && Number.isInteger(answer) && answer >= 1 && answer <= scale.points) return null;
  return scale.unable
    ? t('Rate from 1 to {{points}}, or choose "unable to score"', { points })
    : t("Rate from 1 to {{points}}", { points });
}
