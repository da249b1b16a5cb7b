/**
 * The adoption rule (DESIGN.md section 3): its schema, the verdict for one item's tally, and
 * plain-language wording for secretaries. Pure: no Remix, database or file system.
 *
 * Every comparison is exact. A percentage p (at most two decimals) becomes an integer number of
 * hundredths h = round(p * 100), and "count / n >= p%" is checked as count * 10000 >= h * n.
 */
import { z } from "zod";

export const DENOMINATORS = ["participants", "panel", "decisive"] as const;
export type Denominator = (typeof DENOMINATORS)[number];

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

const RULE_FIELDS = ["agreeAtLeast", "agreeAbove", "disagreeBelow", "disagreeAtMost", "denominator", "quorum"];

export const RuleSchema = z
  .strictObject(
    {
      agreeAtLeast: percent("agreeAtLeast").optional(),
      agreeAbove: percent("agreeAbove").optional(),
      disagreeBelow: percent("disagreeBelow").optional(),
      disagreeAtMost: percent("disagreeAtMost").optional(),
      denominator: z
        .enum(DENOMINATORS, {
          error: (iss) =>
            `denominator must be one of ${DENOMINATORS.map((d) => `"${d}"`).join(", ")}, got ${JSON.stringify(iss.input)}`,
        })
        .default("participants"),
      quorum: percent("quorum").nullable().optional(),
    },
    {
      error: (iss) =>
        iss.code === "unrecognized_keys"
          ? `Unknown rule field${iss.keys.length > 1 ? "s" : ""} ${iss.keys.map((k) => `"${k}"`).join(", ")}; ` +
            `allowed: ${RULE_FIELDS.join(", ")}`
          : iss.code === "invalid_type"
            ? "A rule must be an object"
            : undefined,
    },
  )
  .superRefine((rule, ctx) => {
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
  });

export type Rule = z.output<typeof RuleSchema>;

export function parseRule(input: unknown) {
  return RuleSchema.safeParse(input);
}

/** Votes on one item; eligible = non-recused eligible panel members, at least the ballots cast. */
export type Tally = { agree: number; disagree: number; abstain: number; eligible: number };

export type Reason = "quorum" | "no votes" | "agreement" | "opposition";

export type Verdict = {
  adopted: boolean;
  reasons: Reason[];
  participants: number;
  denominator: number;
  agreePercent: number | null;
  disagreePercent: number | null;
  explanation: string;
};

type Bound = { kind: "at least" | "more than" | "under" | "at most"; hundredths: number };

const hundredths = (p: number) => Math.round(p * 100);

function agreementBound(rule: Rule): Bound {
  if (rule.agreeAtLeast !== undefined) return { kind: "at least", hundredths: hundredths(rule.agreeAtLeast) };
  if (rule.agreeAbove !== undefined) return { kind: "more than", hundredths: hundredths(rule.agreeAbove) };
  throw new TypeError("Rule has no agreement bound; parse it with RuleSchema first");
}

function oppositionBound(rule: Rule): Bound | null {
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

// Keeps every product below within Number.MAX_SAFE_INTEGER, and the integer quotients taken
// with Math.floor / Math.ceil far enough from the next integer that float division is exact.
const MAX_COUNT = 1e9;

function checkTally({ agree, disagree, abstain, eligible }: Tally) {
  for (const [name, value] of Object.entries({ agree, disagree, abstain, eligible })) {
    if (!Number.isInteger(value) || value < 0 || value > MAX_COUNT) {
      throw new RangeError(`Tally ${name} must be a whole number from 0 to ${MAX_COUNT}, got ${value}`);
    }
  }
  if (agree + disagree + abstain > eligible) {
    throw new RangeError(`Tally has ${agree + disagree + abstain} ballots but only ${eligible} eligible members`);
  }
}

export function denominatorOf(denominator: Denominator, tally: Tally): number {
  switch (denominator) {
    case "participants":
      return tally.agree + tally.disagree + tally.abstain;
    case "panel":
      return tally.eligible;
    case "decisive":
      return tally.agree + tally.disagree;
  }
}

const fmt = (h: number) => `${h / 100}%`;

function counted(denominator: Denominator, n: number): string {
  switch (denominator) {
    case "participants":
      return n === 1 ? "participant" : "participants";
    case "panel":
      return n === 1 ? "eligible member" : "eligible members";
    case "decisive":
      return n === 1 ? "member taking a side" : "members taking a side";
  }
}

export function evaluate(rule: Rule, tally: Tally): Verdict {
  checkTally(tally);
  const agreement = agreementBound(rule);
  const opposition = oppositionBound(rule);
  const participants = tally.agree + tally.disagree + tally.abstain;
  const n = denominatorOf(rule.denominator, tally);
  const agreePercent = roundedPercent(tally.agree, n);
  const disagreePercent = roundedPercent(tally.disagree, n);
  const verdict = (reasons: Reason[], explanation: string): Verdict => ({
    adopted: reasons.length === 0,
    reasons,
    participants,
    denominator: n,
    agreePercent,
    disagreePercent,
    explanation,
  });

  if (rule.quorum != null) {
    const quorum = hundredths(rule.quorum);
    if (participants * 10000 < quorum * tally.eligible) {
      return verdict(
        ["quorum"],
        `No quorum: ${participants} of ${tally.eligible} eligible members voted (needs at least ${fmt(quorum)}).`,
      );
    }
  }

  if (n === 0) {
    const explanation =
      rule.denominator === "decisive" && participants > 0
        ? `No decisive votes: all ${participants} ballots were abstentions.`
        : "No votes were cast.";
    return verdict(["no votes"], explanation);
  }

  const agreeOk = meets(tally.agree, n, agreement);
  const opposeOk = opposition === null || meets(tally.disagree, n, opposition);
  const reasons: Reason[] = [];
  if (!agreeOk) reasons.push("agreement");
  if (!opposeOk) reasons.push("opposition");

  // An adopted item shows every condition; a rejected one only those that failed.
  const adopted = reasons.length === 0;
  const clauses: { count: number; says: string }[] = [];
  if (adopted || !agreeOk) {
    const says = `agree (${agreePercent}%, needs ${agreement.kind} ${fmt(agreement.hundredths)})`;
    clauses.push({ count: tally.agree, says });
  }
  if (opposition && (adopted || !opposeOk)) {
    const says = `disagree (${disagreePercent}%, needs ${opposition.kind} ${fmt(opposition.hundredths)})`;
    clauses.push({ count: tally.disagree, says });
  }
  const said = clauses
    .map(({ count, says }, i) => (i === 0 ? `${count} of ${n} ${counted(rule.denominator, n)} ${says}` : `${count} ${says}`))
    .join(" and ");
  return verdict(reasons, `${adopted ? "Adopted" : "Not adopted"}: ${said}.`);
}

const RULE_BASIS: Record<Denominator, string> = {
  participants: "of participants",
  panel: "of the eligible panel",
  decisive: "of members taking a side (abstentions not counted)",
};

/**
 * The rule in plain language. Given a number of voters (participants, or eligible members for
 * the panel denominator) it adds the concrete thresholds; not for `decisive`, whose
 * denominator depends on how many abstain.
 */
export function describeRule(rule: Rule, participants?: number): string {
  const agreement = agreementBound(rule);
  const opposition = oppositionBound(rule);
  const agree = `${agreement.kind} ${fmt(agreement.hundredths)} ${RULE_BASIS[rule.denominator]} agree`;
  const oppose = opposition ? ` and ${opposition.kind} ${fmt(opposition.hundredths)} disagree` : "";
  let text = `${agree.charAt(0).toUpperCase()}${agree.slice(1)}${oppose}.`;
  if (rule.quorum != null) {
    text += ` At least ${fmt(hundredths(rule.quorum))} of the eligible panel must vote.`;
  }
  if (participants === undefined || rule.denominator === "decisive") return text;
  if (!Number.isInteger(participants) || participants < 0 || participants > MAX_COUNT) {
    throw new RangeError(`participants must be a whole number from 0 to ${MAX_COUNT}, got ${participants}`);
  }

  const n = participants;
  const exact = agreement.hundredths * n;
  const minAgree = agreement.kind === "at least" ? Math.ceil(exact / 10000) : Math.floor(exact / 10000) + 1;
  let maxDisagree = n;
  if (opposition) {
    const limit = opposition.hundredths * n;
    maxDisagree = opposition.kind === "at most" ? Math.floor(limit / 10000) : Math.ceil(limit / 10000) - 1;
  }
  const who = `${n} ${counted(rule.denominator, n)}`;
  if (n === 0 || minAgree > n || maxDisagree < 0) {
    return `${text} With ${who} no statement can be adopted.`;
  }
  const needs = `at least ${minAgree} agree${opposition ? ` and at most ${maxDisagree} disagree` : ""}`;
  return `${text} With ${who} a statement needs ${needs}.`;
}

/** The same rule, whatever order or absent-versus-null spelling it was written in. */
export function sameRule(a: Rule, b: Rule): boolean {
  const canonical = (rule: Rule) =>
    JSON.stringify([
      rule.agreeAtLeast,
      rule.agreeAbove,
      rule.disagreeBelow,
      rule.disagreeAtMost,
      rule.denominator,
      rule.quorum ?? null,
    ]);
  return canonical(a) === canonical(b);
}
