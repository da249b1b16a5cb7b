/**
 * The adoption rule (DESIGN §3): its families — `percent` on the agreement scale, `band` and
 * `rand-ucla` on rating scales — their schemas, the verdict for one item's tally (with its
 * outcome, AWMF grade and, if the rule asks, the verdicts within stakeholder groups), and plain
 * language for secretaries. Pure: no Remix, database or file system.
 *
 * The plain language (explainVerdict, describeRule) is written with a `t` that defaults to English:
 * callers that show it pass the page's translator; anything stored or published keeps English.
 *
 * Every comparison is exact. A percentage p (at most two decimals) becomes an integer number of
 * hundredths h = round(p * 100), and "count / n >= p%" is checked as count * 10000 >= h * n;
 * RAND/UCLA's percentiles are rationals compared as integers (order-statistics.ts).
 */
import { z } from "zod";
import { msg, type Translate } from "~/i18n";
import { english } from "~/locales/english";
import { doubledMedian, medianAndIqr, ratingsCount, scaledPercentile } from "./order-statistics";
import type { Scale } from "./scale";
import { isRatingTally, OTHER_GROUPS, participantsOf, ruleGroups, visibleGroups, type GroupTally, type Tally } from "./tally";

export type { AgreementTally, RatingTally, Tally } from "./tally";

export const DENOMINATORS = ["participants", "panel", "decisive"] as const;
export type Denominator = (typeof DENOMINATORS)[number];
export const FAMILIES = ["percent", "band", "rand-ucla"] as const;
export type Family = (typeof FAMILIES)[number];
export const DISAGREEMENT_METHODS = ["ipras", "classic"] as const;
export type DisagreementMethod = (typeof DISAGREEMENT_METHODS)[number];

/** Groups smaller than this are pooled (and, in anonymous guidelines, never shown alone) unless the rule says otherwise. */
export const DEFAULT_GROUP_MIN_SIZE = 5;
/** A statement is stable between rounds when its agreement share moved by less than this many points, unless the rule says otherwise. */
export const DEFAULT_STABLE_BELOW = 15;

function percent(field: string) {
  return (
    z
      .number({ error: `${field} must be a number (a percentage from 0 to 100)` })
      .min(0, { error: (iss) => `${field} must be from 0 to 100, got ${String(iss.input)}` })
      .max(100, { error: (iss) => `${field} must be from 0 to 100, got ${String(iss.input)}` })
      // k / 100 is the double nearest to the decimal "k/100", so this is exact, float noise
      // (66.67 * 100 = 6667.000000000001) included.
      .refine((p) => Math.round(p * 100) / 100 === p, {
        error: (iss) => `${field} must have at most two decimals, got ${String(iss.input)}`,
      })
  );
}

const denominator = z
  .enum(DENOMINATORS, {
    error: (iss) =>
      `denominator must be one of ${DENOMINATORS.map((d) => `"${d}"`).join(", ")}, got ${JSON.stringify(iss.input)}`,
  })
  .default("participants");

const GroupsSchema = z.strictObject(
  {
    require: z.literal("every", { error: 'groups.require must be "every"' }),
    minSize: z
      .number({ error: "groups.minSize must be a whole number of at least 1" })
      .int("groups.minSize must be a whole number of at least 1")
      .min(1, "groups.minSize must be a whole number of at least 1")
      .default(DEFAULT_GROUP_MIN_SIZE),
  },
  {
    error: (iss) =>
      iss.code === "unrecognized_keys" ? `Unknown groups field(s) ${iss.keys.join(", ")}; allowed: require, minSize` : undefined,
  },
);

const band = (field: string) =>
  z
    .tuple(
      [
        z.number().int(`${field} must be two whole ratings [low, high]`).min(1, `${field} starts at 1 or more`),
        z.number().int(`${field} must be two whole ratings [low, high]`).min(1, `${field} starts at 1 or more`),
      ],
      { error: `${field} must be two whole ratings [low, high], such as [7, 9]` },
    )
    .refine(([low, high]) => low <= high, { error: `${field} must be [low, high] with low at most high` });

const common = {
  quorum: percent("quorum").nullable().optional(),
  groups: GroupsSchema.optional(),
  stableBelow: percent("stableBelow").optional(),
};

const bounds = {
  agreeAtLeast: percent("agreeAtLeast").optional(),
  agreeAbove: percent("agreeAbove").optional(),
  disagreeBelow: percent("disagreeBelow").optional(),
  disagreeAtMost: percent("disagreeAtMost").optional(),
};

const FIELDS: Record<Family, string[]> = {
  percent: [...Object.keys(bounds), "denominator", ...Object.keys(common), "family"],
  band: ["family", "agreeBand", "opposeBand", ...Object.keys(bounds), "denominator", ...Object.keys(common)],
  "rand-ucla": ["family", "disagreement", ...Object.keys(common)],
};

const strict = (family: Family) => ({
  error: (iss: { code: string; keys?: string[] }) =>
    iss.code === "unrecognized_keys"
      ? `Unknown rule field${iss.keys!.length > 1 ? "s" : ""} ${iss.keys!.map((k) => `"${k}"`).join(", ")}; ` +
        `allowed: ${FIELDS[family].join(", ")}`
      : iss.code === "invalid_type"
        ? "A rule must be an object"
        : undefined,
});

function checkBounds(rule: Partial<Record<keyof typeof bounds, number>>, ctx: z.RefinementCtx) {
  if (rule.agreeAtLeast !== undefined && rule.agreeAbove !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["agreeAbove"],
      message: "Give only one agreement bound: agreeAtLeast or agreeAbove, not both",
    });
  }
  if (rule.agreeAtLeast === undefined && rule.agreeAbove === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["agreeAtLeast"],
      message: "An agreement bound is required: give agreeAtLeast or agreeAbove",
    });
  }
  if (rule.disagreeBelow !== undefined && rule.disagreeAtMost !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["disagreeAtMost"],
      message: "Give at most one opposition bound: disagreeBelow or disagreeAtMost, not both",
    });
  }
}

export const PercentRuleSchema = z
  .strictObject({ family: z.literal("percent").optional(), ...bounds, denominator, ...common }, strict("percent"))
  .superRefine(checkBounds);

export const BandRuleSchema = z
  .strictObject(
    {
      family: z.literal("band"),
      agreeBand: band("agreeBand"),
      opposeBand: band("opposeBand").optional(),
      ...bounds,
      denominator,
      ...common,
    },
    strict("band"),
  )
  .superRefine((rule, ctx) => {
    checkBounds(rule, ctx);
    const [low, high] = rule.agreeBand;
    if (rule.opposeBand && rule.opposeBand[0] <= high && low <= rule.opposeBand[1]) {
      ctx.addIssue({ code: "custom", path: ["opposeBand"], message: "agreeBand and opposeBand must not overlap" });
    }
    if (!rule.opposeBand && (rule.disagreeBelow !== undefined || rule.disagreeAtMost !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["opposeBand"], message: "An opposition bound needs an opposeBand to count" });
    }
  });

export const RandUclaRuleSchema = z.strictObject(
  {
    family: z.literal("rand-ucla"),
    disagreement: z
      .enum(DISAGREEMENT_METHODS, {
        error: (iss) => `disagreement must be "ipras" or "classic", got ${JSON.stringify(iss.input)}`,
      })
      .default("ipras"),
    ...common,
  },
  strict("rand-ucla"),
);

export type PercentRule = z.output<typeof PercentRuleSchema>;
export type BandRule = z.output<typeof BandRuleSchema>;
export type RandUclaRule = z.output<typeof RandUclaRuleSchema>;
export type Rule = PercentRule | BandRule | RandUclaRule;

const SCHEMAS = { percent: PercentRuleSchema, band: BandRuleSchema, "rand-ucla": RandUclaRuleSchema } as const;

/** Any rule: its `family` (absent for `percent`) says which schema reads the rest. */
export const RuleSchema: z.ZodType<Rule, unknown> = z.unknown().transform((input, ctx): Rule => {
  const family = input && typeof input === "object" && "family" in input ? (input as { family: unknown }).family : undefined;
  // Looked up only among the families: SCHEMAS["constructor"] is Object's own, not a schema.
  const schema =
    family === undefined
      ? PercentRuleSchema
      : (FAMILIES as readonly unknown[]).includes(family)
        ? SCHEMAS[family as Family]
        : undefined;
  if (!schema) {
    ctx.addIssue({
      code: "custom",
      path: ["family"],
      message: `family must be one of ${FAMILIES.map((f) => `"${f}"`).join(", ")}, got ${JSON.stringify(family)}`,
    });
    return z.NEVER;
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  // The family's own issues, kept as they are (an unknown key stays "unrecognized_keys").
  for (const issue of parsed.error.issues) ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0]);
  return z.NEVER;
});

export function parseRule(input: unknown) {
  return RuleSchema.safeParse(input);
}

export function familyOf(rule: Rule): Family {
  return rule.family ?? "percent";
}

export type RuleProblem = { path: string; message: string };

/**
 * What keeps a rule from being used on a scale: `percent` needs agree / disagree / abstain,
 * `band` a rating scale with its bands inside 1..N, `rand-ucla` the 9-point rating scale.
 */
export function ruleFitsScale(rule: Rule, scale: Scale): RuleProblem[] {
  const family = familyOf(rule);
  if (family === "percent") {
    return scale.kind === "agreement"
      ? []
      : [{ path: "family", message: "The percent family counts agree and disagree: it needs the agreement scale, not ratings" }];
  }
  if (scale.kind !== "rating") {
    return [{ path: "family", message: `The ${family} family needs a rating scale, not agree / disagree / abstain` }];
  }
  if (rule.family === "rand-ucla") {
    return scale.points === 9 ? [] : [{ path: "family", message: `RAND/UCLA needs the 9-point scale, not 1–${scale.points}` }];
  }
  const problems: RuleProblem[] = [];
  if (rule.family === "band") {
    for (const [name, value] of [
      ["agreeBand", rule.agreeBand],
      ["opposeBand", rule.opposeBand],
    ] as const) {
      if (value && value[1] > scale.points) {
        problems.push({ path: name, message: `${name} [${value[0]}, ${value[1]}] goes beyond the scale's 1–${scale.points}` });
      }
    }
  }
  return problems;
}

export type Outcome = "in" | "out" | "none" | "appropriate" | "inappropriate" | "uncertain";
export type Grade = "strong" | "consensus" | "majority" | "none";
export type Reason =
  "quorum" | "no votes" | "agreement" | "opposition" | "disagreement" | "median" | "method" | `group:${string}`;

/** The positive outcome of each family: `adopted` is true exactly when the outcome is it. */
export const POSITIVE: Record<Family, Outcome> = { percent: "in", band: "in", "rand-ucla": "appropriate" };

/** How RAND/UCLA's disagreement came out: IPRAS as exact tenths and fortieths, or the classic table's counts. */
export type Disagreement =
  | { method: "ipras"; found: boolean; ipr: number; ipras: number }
  | { method: "classic"; found: boolean; low: number; high: number; needed: number }
  | { method: "classic"; found: false; outsideTable: true };

export type GroupVerdict = {
  name: string;
  participants: number;
  outcome: Outcome;
  adopted: boolean;
  agreePercent: number | null;
  disagreePercent: number | null;
  grade: Grade;
  median: number | null;
};

function groupVerdict(rule: Rule, { name, tally }: GroupTally): GroupVerdict {
  const within = evaluateAlone(rule, tally);
  return {
    name,
    participants: within.participants,
    outcome: within.outcome,
    adopted: within.adopted,
    agreePercent: within.agreePercent,
    disagreePercent: within.disagreePercent,
    grade: within.grade,
    median: within.median ?? null,
  };
}

/**
 * What closing a round freezes for an item. `agreeCount` / `disagreeCount` are what the shares are
 * of: agree and disagree; the agreement and opposition bands; ratings 7–9 and 1–3 for RAND/UCLA.
 */
export type FrozenVerdict = {
  outcome: Outcome;
  adopted: boolean;
  reasons: Reason[];
  /** Every ballot cast on the item ("unable to score" and abstentions included). */
  participants: number;
  eligible: number;
  /** The count the shares are of (the rule's denominator; RAND/UCLA: ratings other than "unable"). */
  denominator: number;
  agreeCount: number;
  disagreeCount: number | null;
  agreePercent: number | null;
  disagreePercent: number | null;
  grade: Grade;
  /** Rating scales: the median and interquartile range of the ratings ("unable" left out). */
  median?: number | null;
  iqr?: number | null;
  disagreement?: Disagreement;
  /** Only when the rule requires groups: the verdict within each group it holds to. */
  groups?: GroupVerdict[];
  /**
   * The verdict within every stakeholder group, and within the "other groups" pool that may be
   * shown in their place (tally.ts visibleGroups): what result pages and published sets show of
   * the groups, filtered by who may see which.
   */
  groupResults?: GroupVerdict[];
};

export type Verdict = FrozenVerdict & { explanation: string };

type Bound = { kind: "at least" | "more than" | "under" | "at most"; hundredths: number };

const hundredths = (p: number) => Math.round(p * 100);

function agreementBound(rule: PercentRule | BandRule): Bound {
  if (rule.agreeAtLeast !== undefined) return { kind: "at least", hundredths: hundredths(rule.agreeAtLeast) };
  if (rule.agreeAbove !== undefined) return { kind: "more than", hundredths: hundredths(rule.agreeAbove) };
  throw new TypeError("Rule has no agreement bound; parse it with RuleSchema first");
}

function oppositionBound(rule: PercentRule | BandRule): Bound | null {
  if (rule.family === "band" && !rule.opposeBand) return null;
  if (rule.disagreeBelow !== undefined) return { kind: "under", hundredths: hundredths(rule.disagreeBelow) };
  if (rule.disagreeAtMost !== undefined) return { kind: "at most", hundredths: hundredths(rule.disagreeAtMost) };
  return null;
}

/** count / n compared with bound (n > 0), exactly. */
function meets(count: number, n: number, bound: Bound): boolean {
  const share = count * 10000;
  const limit = bound.hundredths * n;
  switch (bound.kind) {
    case "at least":
      return share >= limit;
    case "more than":
      return share > limit;
    case "under":
      return share < limit;
    case "at most":
      return share <= limit;
  }
}

/** count / n as a percentage rounded half up to one decimal, null when n is 0. */
function roundedPercent(count: number, n: number): number | null {
  if (n === 0) return null;
  // floor(count * 1000 / n + 1/2) tenths, kept as one division of integers.
  return Math.floor((2000 * count + n) / (2 * n)) / 10;
}

/** The AWMF strength of consensus of count / n (DESIGN §3.3), exactly: > 95 %, > 75 %, > 50 %. */
export function gradeOf(count: number, n: number): Grade {
  if (n === 0) return "none";
  if (count * 100 > 95 * n) return "strong";
  if (count * 100 > 75 * n) return "consensus";
  if (count * 100 > 50 * n) return "majority";
  return "none";
}

// Keeps every product below within Number.MAX_SAFE_INTEGER, and the integer quotients taken
// with Math.floor / Math.ceil far enough from the next integer that float division is exact.
const MAX_COUNT = 1e9;

function checkTally(tally: Tally) {
  const counts = isRatingTally(tally)
    ? {
        ...Object.fromEntries(tally.ratings.map((c, i) => [`rating ${i + 1}`, c])),
        unable: tally.unable,
        eligible: tally.eligible,
      }
    : { agree: tally.agree, disagree: tally.disagree, abstain: tally.abstain, eligible: tally.eligible };
  for (const [name, value] of Object.entries(counts)) {
    if (!Number.isInteger(value) || value < 0 || value > MAX_COUNT) {
      throw new RangeError(`Tally ${name} must be a whole number from 0 to ${MAX_COUNT}, got ${value}`);
    }
  }
  if (participantsOf(tally) > tally.eligible) {
    throw new RangeError(`Tally has ${participantsOf(tally)} ballots but only ${tally.eligible} eligible members`);
  }
}

export function denominatorOf(denominator: Denominator, tally: Tally): number {
  const participants = participantsOf(tally);
  switch (denominator) {
    case "participants":
      return participants;
    case "panel":
      return tally.eligible;
    case "decisive":
      return isRatingTally(tally) ? participants - tally.unable : tally.agree + tally.disagree;
  }
}

const within = (counts: readonly number[], [low, high]: readonly [number, number]) =>
  counts.slice(low - 1, high).reduce((n, c) => n + c, 0);

const fmt = (h: number) => `${h / 100}%`;

function quorumFails(rule: Rule, tally: Tally): boolean {
  return rule.quorum != null && participantsOf(tally) * 10000 < hundredths(rule.quorum) * tally.eligible;
}

/** percent and band: the shares of the agreement and opposition counts, both ways round. */
function evaluateShares(rule: PercentRule | BandRule, tally: Tally): FrozenVerdict {
  const agreement = agreementBound(rule);
  const opposition = oppositionBound(rule);
  let agreeCount: number;
  let disagreeCount: number | null;
  if (rule.family === "band") {
    if (!isRatingTally(tally)) throw new TypeError("The band family needs a rating tally");
    agreeCount = within(tally.ratings, rule.agreeBand);
    disagreeCount = rule.opposeBand ? within(tally.ratings, rule.opposeBand) : null;
  } else {
    if (isRatingTally(tally)) throw new TypeError("The percent family needs an agreement tally");
    agreeCount = tally.agree;
    disagreeCount = tally.disagree;
  }
  const n = denominatorOf(rule.denominator, tally);
  const base = {
    participants: participantsOf(tally),
    eligible: tally.eligible,
    denominator: n,
    agreeCount,
    disagreeCount,
    agreePercent: roundedPercent(agreeCount, n),
    disagreePercent: disagreeCount === null ? null : roundedPercent(disagreeCount, n),
    grade: gradeOf(agreeCount, n),
    ...(isRatingTally(tally) ? medianAndIqr(tally.ratings) : {}),
  };
  if (quorumFails(rule, tally)) return { ...base, outcome: "none", adopted: false, reasons: ["quorum"] };
  if (n === 0) return { ...base, outcome: "none", adopted: false, reasons: ["no votes"] };
  const reasons: Reason[] = [];
  if (!meets(agreeCount, n, agreement)) reasons.push("agreement");
  if (opposition && !meets(disagreeCount!, n, opposition)) reasons.push("opposition");
  // The mirror: the opposing count meets the agreement bound and the agreeing one the opposition bound.
  const out =
    disagreeCount !== null && meets(disagreeCount, n, agreement) && (opposition === null || meets(agreeCount, n, opposition));
  const outcome: Outcome = reasons.length === 0 ? "in" : out ? "out" : "none";
  return { ...base, outcome, adopted: outcome === "in", reasons };
}

/** The classic RAND/UCLA table: k ratings in each of 1–3 and 7–9 make disagreement, by panel size. */
function classicNeeded(n: number): number | null {
  if (n >= 8 && n <= 10) return 3;
  if (n >= 11 && n <= 13) return 4;
  if (n >= 14 && n <= 16) return 5;
  return null;
}

/**
 * IPRAS with everything scaled to integers: P30 and P70 in tenths, IPRCP in twentieths, and the
 * comparison IPR > IPRAS = 2.35 + 1.5 · AI in fortieths: 4 · IPR₁₀ > 94 + 3 · AI₂₀.
 */
function ipras(counts: readonly number[]): Disagreement {
  const p30 = scaledPercentile(counts, 3, 10);
  const p70 = scaledPercentile(counts, 7, 10);
  const ipr10 = p70 - p30;
  const ai20 = Math.abs(100 - (p30 + p70));
  const ipras40 = 94 + 3 * ai20;
  return { method: "ipras", found: 4 * ipr10 > ipras40, ipr: ipr10 / 10, ipras: ipras40 / 40 };
}

function evaluateRandUcla(rule: RandUclaRule, tally: Tally): FrozenVerdict {
  if (!isRatingTally(tally) || tally.ratings.length !== 9) throw new TypeError("RAND/UCLA needs a 9-point rating tally");
  const n = ratingsCount(tally.ratings);
  const high = within(tally.ratings, [7, 9]);
  const low = within(tally.ratings, [1, 3]);
  const base = {
    participants: participantsOf(tally),
    eligible: tally.eligible,
    denominator: n,
    agreeCount: high,
    disagreeCount: low,
    agreePercent: roundedPercent(high, n),
    disagreePercent: roundedPercent(low, n),
    grade: gradeOf(high, n),
    ...medianAndIqr(tally.ratings),
  };
  if (quorumFails(rule, tally)) return { ...base, outcome: "none", adopted: false, reasons: ["quorum"] };
  if (n === 0) return { ...base, outcome: "none", adopted: false, reasons: ["no votes"] };
  let disagreement: Disagreement;
  if (rule.disagreement === "classic") {
    const needed = classicNeeded(n);
    if (needed === null) {
      disagreement = { method: "classic", found: false, outsideTable: true };
      return { ...base, disagreement, outcome: "uncertain", adopted: false, reasons: ["method"] };
    }
    disagreement = { method: "classic", found: low >= needed && high >= needed, low, high, needed };
  } else {
    disagreement = ipras(tally.ratings);
  }
  const median2 = doubledMedian(tally.ratings);
  if (!disagreement.found && median2 >= 14) return { ...base, disagreement, outcome: "appropriate", adopted: true, reasons: [] };
  if (!disagreement.found && median2 <= 6)
    return { ...base, disagreement, outcome: "inappropriate", adopted: false, reasons: [] };
  const reasons: Reason[] = [];
  if (median2 > 6 && median2 < 14) reasons.push("median");
  if (disagreement.found) reasons.push("disagreement");
  return { ...base, disagreement, outcome: "uncertain", adopted: false, reasons };
}

function evaluateAlone(rule: Rule, tally: Tally): FrozenVerdict {
  return rule.family === "rand-ucla" ? evaluateRandUcla(rule, tally) : evaluateShares(rule, tally);
}

/**
 * The verdict on one item's tally. With `groups` in the rule, the rule must also hold within
 * every group it holds to (ruleGroups): one that fails adds the reason `group:<name>` and takes
 * the positive outcome away.
 */
export function evaluate(rule: Rule, tally: Tally, groups: readonly GroupTally[] = []): Verdict {
  checkTally(tally);
  let verdict = evaluateAlone(rule, tally);
  if (groups.length) {
    const pool = visibleGroups(groups, groupMinSizeOf(rule)).filter((g) => g.name === OTHER_GROUPS);
    verdict = { ...verdict, groupResults: [...groups, ...pool].map((g) => groupVerdict(rule, g)) };
  }
  if (rule.groups) {
    const held = ruleGroups(groups, rule.groups.minSize).map((g) => groupVerdict(rule, g));
    const failing = held.filter((g) => !g.adopted).map((g): Reason => `group:${g.name}`);
    if (verdict.adopted && failing.length) {
      verdict = { ...verdict, adopted: false, outcome: rule.family === "rand-ucla" ? "uncertain" : "none" };
    }
    verdict = { ...verdict, reasons: [...verdict.reasons, ...failing], groups: held };
  }
  return { ...verdict, explanation: explainVerdict(rule, verdict) };
}

/** "31 participants", "1 eligible member", "17 members taking a side": what a denominator of n counts. */
export function counted(denominator: Denominator, n: number, t: Translate): string {
  switch (denominator) {
    case "participants":
      return t("{{count}} participants", { count: n });
    case "panel":
      return t("{{count}} eligible members", { count: n });
    case "decisive":
      return t("{{count}} members taking a side", { count: n });
  }
}

/** "rated 7–9", "rated 9": the ratings of a band as a verdict counts them. */
function bandWords([low, high]: readonly [number, number], t: Translate): string {
  return low === high ? t("rated {{low}}", { low }) : t("rated {{low}}–{{high}}", { low, high });
}

/** "rate 7–9", "rate 9": the ratings of a band as a rule asks for them. */
function rateWords([low, high]: readonly [number, number], t: Translate): string {
  return low === high ? t("rate {{low}}", { low }) : t("rate {{low}}–{{high}}", { low, high });
}

/** "at least 50%", "more than 66.67%", "under 20%", "at most 10%". */
function boundWords(bound: Bound, t: Translate): string {
  const share = fmt(bound.hundredths);
  switch (bound.kind) {
    case "at least":
      return t("at least {{share}}", { share });
    case "more than":
      return t("more than {{share}}", { share });
    case "under":
      return t("under {{share}}", { share });
    case "at most":
      return t("at most {{share}}", { share });
  }
}

const capitalized = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
const number = (value: number) => String(Math.round(value * 100) / 100);

const OUTCOME_WORDS: Record<Outcome, string> = {
  in: msg("Adopted"),
  out: msg("Not adopted (consensus against)"),
  none: msg("Not adopted"),
  appropriate: msg("Appropriate (adopted)"),
  inappropriate: msg("Inappropriate (not adopted)"),
  uncertain: msg("Uncertain (not adopted)"),
};

function explainShares(rule: PercentRule | BandRule, verdict: FrozenVerdict, t: Translate): string {
  const agreement = agreementBound(rule);
  const opposition = oppositionBound(rule);
  const n = verdict.denominator;
  const [agreeWord, disagreeWord] =
    rule.family === "band"
      ? [bandWords(rule.agreeBand, t), rule.opposeBand ? bandWords(rule.opposeBand, t) : ""]
      : [t("agree"), t("disagree")];
  const agreeOk = !verdict.reasons.includes("agreement");
  const opposeOk = !verdict.reasons.includes("opposition");
  // Every condition when both hold (adopted, or refused only within a group); else those that failed.
  const all = agreeOk && opposeOk;
  const clauses: { count: number; says: string }[] = [];
  if (all || !agreeOk) {
    clauses.push({
      count: verdict.agreeCount,
      says: t("{{what}} ({{percent}}%, needs {{bound}})", {
        what: agreeWord,
        percent: String(verdict.agreePercent),
        bound: boundWords(agreement, t),
      }),
    });
  }
  if (opposition && verdict.disagreeCount !== null && (all || !opposeOk)) {
    clauses.push({
      count: verdict.disagreeCount,
      says: t("{{what}} ({{percent}}%, needs {{bound}})", {
        what: disagreeWord,
        percent: String(verdict.disagreePercent),
        bound: boundWords(opposition, t),
      }),
    });
  }
  const [first, second] = clauses.map(({ count, says }, i) =>
    i === 0
      ? t("{{number}} of {{who}} {{says}}", { number: String(count), who: counted(rule.denominator, n, t), says })
      : t("{{number}} {{says}}", { number: String(count), says }),
  );
  const said = first === undefined ? "" : second === undefined ? first : t("{{first}} and {{second}}", { first, second });
  const text = verdict.adopted ? t("Adopted: {{said}}.", { said }) : t("Not adopted: {{said}}.", { said });
  return verdict.outcome === "out" ? t("{{text}} The opposite holds: a consensus against it.", { text }) : text;
}

function explainRandUcla(verdict: FrozenVerdict, t: Translate): string {
  const d = verdict.disagreement;
  if (d && "outsideTable" in d) {
    return t("Uncertain (not adopted): the classic disagreement table applies to 8–16 ratings, not {{n}}.", {
      n: String(verdict.denominator),
    });
  }
  let median = t("median {{median}} of {{count}} ratings", { median: number(verdict.median!), count: verdict.denominator });
  if (verdict.outcome === "uncertain" && verdict.reasons.includes("median")) {
    median = t("{{median}} (appropriate needs 7 or more, inappropriate 3 or less)", { median });
  }
  let disagreement = "";
  if (d?.method === "ipras") {
    const values = { ipr: number(d.ipr), ipras: number(d.ipras) };
    disagreement = d.found
      ? t("disagreement (IPR {{ipr}} > IPRAS {{ipras}})", values)
      : t("no disagreement (IPR {{ipr}} ≤ IPRAS {{ipras}})", values);
  } else if (d) {
    const values = { low: String(d.low), high: String(d.high), needed: String(d.needed) };
    disagreement = d.found
      ? t("disagreement ({{low}} rated 1–3 and {{high}} rated 7–9; {{needed}} of each make disagreement)", values)
      : t("no disagreement ({{low}} rated 1–3 and {{high}} rated 7–9; {{needed}} of each make disagreement)", values);
  }
  return t("{{outcome}}: {{median}}, {{disagreement}}.", { outcome: t(OUTCOME_WORDS[verdict.outcome]), median, disagreement });
}

/**
 * The verdict in plain language, from the frozen verdict and its rule alone (no tally, no
 * re-evaluation), in English unless a translator is given.
 */
export function explainVerdict(rule: Rule, verdict: FrozenVerdict, t: Translate = english): string {
  let text: string;
  if (verdict.reasons.includes("quorum")) {
    const q = hundredths(rule.quorum ?? 0);
    text = t("No quorum: {{participants}} of {{eligible}} eligible members voted (needs at least {{quorum}}).", {
      participants: String(verdict.participants),
      eligible: String(verdict.eligible),
      quorum: fmt(q),
    });
  } else if (verdict.reasons.includes("no votes")) {
    const decisive = rule.family !== "rand-ucla" && rule.denominator === "decisive";
    const ratingsOnly = rule.family === "rand-ucla" || (rule.family === "band" && decisive);
    const participants = String(verdict.participants);
    text =
      verdict.participants > 0 && ratingsOnly
        ? t('No ratings: all {{participants}} ballots were "unable to score".', { participants })
        : decisive && verdict.participants > 0
          ? t("No decisive votes: all {{participants}} ballots were abstentions.", { participants })
          : t("No votes were cast.");
  } else if (rule.family === "rand-ucla") {
    text = explainRandUcla(verdict, t);
  } else {
    text = explainShares(rule, verdict, t);
  }
  const failing = (verdict.groups ?? []).filter((g) => !g.adopted).map((g) => g.name);
  if (failing.length) {
    text = t("{{text}} The rule does not hold within the groups {{groups}}.", {
      text,
      groups: failing.join(t(", ")),
      count: failing.length,
    });
  }
  return text;
}

const RULE_BASIS: Record<Denominator, string> = {
  participants: msg("of participants"),
  panel: msg("of the eligible panel"),
  decisive: msg("of members taking a side (abstentions not counted)"),
};

const RATING_BASIS: Record<Denominator, string> = {
  participants: msg("of participants"),
  panel: msg("of the eligible panel"),
  decisive: msg('of those giving a rating ("unable to score" not counted)'),
};

/**
 * The rule in plain language, in English unless a translator is given. Given a number of voters
 * (participants, or eligible members for the panel denominator) it adds the concrete thresholds;
 * not for `decisive`, whose denominator depends on how many abstain, nor for RAND/UCLA.
 */
export function describeRule(rule: Rule, participants?: number, t: Translate = english): string {
  let text: string;
  if (rule.family === "rand-ucla") {
    const method =
      rule.disagreement === "classic"
        ? t("the classic table (for 8–16 ratings, 3 to 5 ratings in each of 1–3 and 7–9)")
        : t("IPRAS (interpercentile range above the adjusted for symmetry threshold)");
    text = t(
      "RAND/UCLA appropriateness on the 9-point scale: appropriate (adopted) when the median is 7 or more without disagreement, inappropriate when it is 3 or less without disagreement, otherwise uncertain; disagreement by {{method}}.",
      { method },
    );
  } else {
    const agreement = agreementBound(rule);
    const opposition = oppositionBound(rule);
    const rating = rule.family === "band";
    const basis = t((rating ? RATING_BASIS : RULE_BASIS)[rule.denominator]);
    const agree = capitalized(
      t("{{bound}} {{basis}} {{verb}}", {
        bound: boundWords(agreement, t),
        basis,
        verb: rating ? rateWords(rule.agreeBand, t) : t("agree"),
      }),
    );
    text = opposition
      ? t("{{agreement}} and {{opposition}}.", {
          agreement: agree,
          opposition: t("{{bound}} {{verb}}", {
            bound: boundWords(opposition, t),
            verb: rating ? rateWords(rule.opposeBand!, t) : t("disagree"),
          }),
        })
      : t("{{agreement}}.", { agreement: agree });
  }
  if (rule.quorum != null) {
    text = t("{{text}} At least {{quorum}} of the eligible panel must vote.", { text, quorum: fmt(hundredths(rule.quorum)) });
  }
  if (rule.groups) {
    text = t(
      "{{text}} It must also hold within every stakeholder group of at least {{minSize}} participants (smaller groups pooled).",
      { text, minSize: String(rule.groups.minSize) },
    );
  }
  if (participants === undefined || rule.family === "rand-ucla" || rule.denominator === "decisive") return text;
  if (!Number.isInteger(participants) || participants < 0 || participants > MAX_COUNT) {
    throw new RangeError(`participants must be a whole number from 0 to ${MAX_COUNT}, got ${participants}`);
  }
  const agreement = agreementBound(rule);
  const opposition = oppositionBound(rule);
  const n = participants;
  const exact = agreement.hundredths * n;
  const minAgree = agreement.kind === "at least" ? Math.ceil(exact / 10000) : Math.floor(exact / 10000) + 1;
  let maxDisagree = n;
  if (opposition) {
    const limit = opposition.hundredths * n;
    maxDisagree = opposition.kind === "at most" ? Math.floor(limit / 10000) : Math.ceil(limit / 10000) - 1;
  }
  const who = counted(rule.denominator, n, t);
  if (n === 0 || minAgree > n || maxDisagree < 0) return t("{{text}} With {{who}} no statement can be adopted.", { text, who });
  const [yes, no] =
    rule.family === "band"
      ? [bandWords(rule.agreeBand, t), rule.opposeBand ? bandWords(rule.opposeBand, t) : ""]
      : [t("agree"), t("disagree")];
  const needs = { text, who, agree: String(minAgree), yes, disagree: String(maxDisagree), no };
  return opposition
    ? t("{{text}} With {{who}} a statement needs at least {{agree}} {{yes}} and at most {{disagree}} {{no}}.", needs)
    : t("{{text}} With {{who}} a statement needs at least {{agree}} {{yes}}.", needs);
}

/** The same rule, whatever order or absent-versus-null spelling it was written in. */
export function sameRule(a: Rule, b: Rule): boolean {
  const canonical = (rule: Rule) => {
    const { quorum, family, ...rest } = rule as Rule & Record<string, unknown>;
    const sorted = Object.fromEntries(Object.entries(rest).sort(([x], [y]) => (x < y ? -1 : 1)));
    return JSON.stringify([family ?? "percent", quorum ?? null, sorted]);
  };
  return canonical(a) === canonical(b);
}

/** The stability window of a rule: points of agreement share within which a statement counts as stable. */
export function stableBelowOf(rule: Rule): number {
  return rule.stableBelow ?? DEFAULT_STABLE_BELOW;
}

/** The group size below which results are pooled (and never shown alone in anonymous guidelines). */
export function groupMinSizeOf(rule: Rule): number {
  return rule.groups?.minSize ?? DEFAULT_GROUP_MIN_SIZE;
}
