import type { FieldMetadata } from "@conform-to/react";
import { getInputProps, getSelectProps } from "@conform-to/react";
import type { MouseEvent } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Field } from "~/components/form";
import {
  DEFAULT_GROUP_MIN_SIZE,
  DEFAULT_STABLE_BELOW,
  DENOMINATORS,
  describeRule,
  DISAGREEMENT_METHODS,
  FAMILIES,
  familyOf,
  ruleFitsScale,
  RuleSchema,
  type Denominator,
  type DisagreementMethod,
  type Family,
  type Rule,
} from "~/consensus/rule";
import { AGREEMENT, describeScale, MAX_POINTS, MIN_POINTS, ScaleSchema, type Scale } from "~/consensus/scale";
import { msg, type Translate } from "~/i18n";
import { english } from "~/locales/english";

/**
 * The ballot scale and the adoption rule as one form (DESIGN §3, §3.1–3.4): the scale's kind and,
 * for ratings, its points, "unable to score" and end labels; the rule's family and that family's
 * fields. Every field is always in the form, so it works without JavaScript; only the chosen
 * scale's and family's fields are read. Pure helpers turn the submitted strings into a scale and a
 * rule checked by ScaleSchema, RuleSchema and ruleFitsScale — their messages put on the field that
 * holds the value, in the form's words — and a scale and rule back into strings.
 *
 * The messages parseRuleForm gives are English (the form's errors travel as text); where they are
 * shown, ruleIssueText puts them in the page's language. The plain-language previews and the
 * presets' and choices' words take the page's `t` (from useTranslation("rules")).
 */
export const AGREEMENT_KINDS = ["atLeast", "above"] as const;
export const OPPOSITION_KINDS = ["none", "below", "atMost"] as const;
export const SCALE_KINDS = ["agreement", "rating"] as const;
export type AgreementKind = (typeof AGREEMENT_KINDS)[number];
export type OppositionKind = (typeof OPPOSITION_KINDS)[number];
export type ScaleKind = (typeof SCALE_KINDS)[number];

export const SCALE_FIELDS = ["scaleKind", "points", "unable", "lowLabel", "highLabel"] as const;
const SHARE_FIELDS = ["agreement", "agreePercent", "opposition", "disagreePercent", "denominator"] as const;
const BAND_FIELDS = ["agreeLow", "agreeHigh", "opposeLow", "opposeHigh"] as const;
const COMMON_FIELDS = ["quorum", "groups", "groupMinSize", "stableBelow"] as const;
export const RULE_FIELDS = ["family", ...SHARE_FIELDS, ...BAND_FIELDS, "disagreement", ...COMMON_FIELDS] as const;
/** Every input of the scale and rule form, by name. */
export const RULE_FORM_FIELDS = [...SCALE_FIELDS, ...RULE_FIELDS] as const;
export type RuleFormField = (typeof RULE_FORM_FIELDS)[number];
/** Where an error can land: an input, or a band (two inputs) as a whole. */
export type RuleIssueField = RuleFormField | "agreeBand" | "opposeBand";

/** The form's values as a browser submits them: strings, a ticked checkbox "on", an empty or unticked one absent. */
export type RuleFormValues = Partial<Record<RuleFormField, string | undefined>>;

/** Form field types, shared by every form that edits a rule: strings, read by parseRuleForm. */
export const ruleFormShape = Object.fromEntries(
  RULE_FORM_FIELDS.map((name) => [name, z.string({ error: msg("Send one value for this field") }).optional()]),
) as Record<RuleFormField, z.ZodOptional<z.ZodString>>;

export type RuleIssue = { field: RuleIssueField; message: string };
export type RuleFormResult = { success: true; rule: Rule; scale: Scale } | { success: false; issues: RuleIssue[] };

const AGREE_KEY = { atLeast: "agreeAtLeast", above: "agreeAbove" } as const;
const OPPOSE_KEY = { below: "disagreeBelow", atMost: "disagreeAtMost" } as const;

/** What the fields of a blank form hold: the agreement scale (9 points ready if ratings are chosen) and the IMT-style bounds. */
export const BLANK_RULE_FORM: RuleFormValues = {
  scaleKind: "agreement",
  points: "9",
  lowLabel: "",
  highLabel: "",
  family: "percent",
  agreement: "atLeast",
  agreePercent: "",
  opposition: "below",
  disagreePercent: "",
  denominator: "participants",
  agreeLow: "",
  agreeHigh: "",
  opposeLow: "",
  opposeHigh: "",
  disagreement: "ipras",
  quorum: "",
  groupMinSize: String(DEFAULT_GROUP_MIN_SIZE),
  stableBelow: "",
};

// ---------------------------------------------------------------------------------------------
// Reading the form

const text = (values: Record<string, unknown>, name: RuleFormField): string | undefined => {
  const value = values[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
};
/** A number as typed; NaN for anything else, left for the schemas to name. */
const numberOf = (value: string | undefined) => (value === undefined ? undefined : Number(value));
const oneOf = <T extends string>(list: readonly T[], value: string | undefined): T | undefined =>
  list.find((item) => item === value);

/** Schema keys in the form's words; "a"/"an" before a key goes with it. */
const RULE_WORDS: [string, string][] = [
  ["groups.minSize", msg("the minimum group size")],
  ["agreeAtLeast", msg("the agreement percentage")],
  ["agreeAbove", msg("the agreement percentage")],
  ["disagreeBelow", msg("the opposition percentage")],
  ["disagreeAtMost", msg("the opposition percentage")],
  ["agreeBand", msg("the agreement band")],
  ["opposeBand", msg("the opposition band")],
  ["stableBelow", msg("the stability threshold")],
  ["denominator", msg("the denominator")],
  ["quorum", msg("the quorum")],
];
const SCALE_WORDS: [string, string][] = [["points", msg("the number of points")]];
const FIELD_WORDS = new Set([...RULE_WORDS, ...SCALE_WORDS].map(([, label]) => label));

function inFormWords(message: string, words: [string, string][]): string {
  let said = message;
  for (const [key, label] of words) {
    said = said.replace(new RegExp(`(?:\\ban? )?\\b${key.replace(".", "\\.")}\\b`, "g"), label);
  }
  said = said
    .replace("must be [low, high] with low at most high", "must go from its lower rating to its higher one")
    .replace(/\[(\d+), (\d+)\]/g, "$1–$2");
  return said.charAt(0).toUpperCase() + said.slice(1);
}

const RULE_PATH_FIELD: Record<string, RuleIssueField> = {
  agreeAtLeast: "agreePercent",
  agreeAbove: "agreePercent",
  disagreeBelow: "disagreePercent",
  disagreeAtMost: "disagreePercent",
  denominator: "denominator",
  quorum: "quorum",
  agreeBand: "agreeBand",
  opposeBand: "opposeBand",
  disagreement: "disagreement",
  groups: "groupMinSize",
  stableBelow: "stableBelow",
  family: "family",
};

const SCALE_PATH_FIELD: Record<string, RuleIssueField> = {
  kind: "scaleKind",
  points: "points",
  unable: "unable",
  "labels.low": "lowLabel",
  "labels.high": "highLabel",
};

/** Collects issues; a field already asked for keeps that one message, not the schema's as well. */
class Issues {
  list: RuleIssue[] = [];
  private asked = new Set<RuleIssueField>();
  ask(field: RuleIssueField, message: string) {
    this.asked.add(field);
    this.add(field, message);
  }
  add(field: RuleIssueField, message: string) {
    if (this.list.some((issue) => issue.field === field && issue.message === message)) return;
    this.list.push({ field, message });
  }
  fromSchema(field: RuleIssueField, message: string) {
    if (!this.asked.has(field)) this.add(field, message);
  }
}

function readScale(values: Record<string, unknown>, issues: Issues): Scale | null {
  const kind = text(values, "scaleKind") ?? "agreement";
  if (!oneOf(SCALE_KINDS, kind)) {
    issues.ask("scaleKind", msg("Choose agree / disagree / abstain or ratings"));
    return null;
  }
  if (kind === "agreement") return AGREEMENT;
  const points = text(values, "points");
  if (points === undefined) issues.ask("points", english(POINTS_NEEDED, { min: MIN_POINTS, max: MAX_POINTS }));
  const low = text(values, "lowLabel");
  const high = text(values, "highLabel");
  const parsed = ScaleSchema.safeParse({
    kind: "rating",
    points: numberOf(points),
    unable: values.unable !== undefined && values.unable !== "",
    ...(low || high ? { labels: { ...(low ? { low } : {}), ...(high ? { high } : {}) } } : {}),
  });
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    issues.fromSchema(SCALE_PATH_FIELD[issue.path.join(".")] ?? "scaleKind", inFormWords(issue.message, SCALE_WORDS));
  }
  return null;
}

function readBand(
  values: Record<string, unknown>,
  issues: Issues,
  which: "agree" | "oppose",
): [number, number] | null | undefined {
  const field = which === "agree" ? "agreeBand" : "opposeBand";
  const low = text(values, which === "agree" ? "agreeLow" : "opposeLow");
  const high = text(values, which === "agree" ? "agreeHigh" : "opposeHigh");
  if (low === undefined && high === undefined) {
    if (which === "agree") issues.ask(field, msg("Enter the agreement band: its lowest and highest rating, such as 7 to 9"));
    return which === "agree" ? null : undefined;
  }
  if (low === undefined || high === undefined) {
    issues.ask(
      field,
      which === "agree"
        ? msg("Enter both ends of the agreement band")
        : msg("Enter both ends of the opposition band, or leave both empty"),
    );
    return null;
  }
  const band: [number, number] = [Number(low), Number(high)];
  if (!band.every(Number.isInteger)) {
    issues.ask(
      field,
      which === "agree"
        ? msg("The agreement band's ends must be whole ratings, such as 7 to 9")
        : msg("The opposition band's ends must be whole ratings, such as 1 to 3"),
    );
    return null;
  }
  return band;
}

type ReadRule = {
  family: Family | null;
  rule: Rule | null;
  bands: { agreeBand?: [number, number]; opposeBand?: [number, number] };
};

function readRule(values: Record<string, unknown>, issues: Issues): ReadRule {
  const family = oneOf(FAMILIES, text(values, "family") ?? "percent");
  const bands: ReadRule["bands"] = {};
  if (!family) {
    issues.ask("family", msg("Choose a rule family: percent agreement, rating bands or RAND/UCLA"));
    return { family: null, rule: null, bands };
  }
  const candidate: Record<string, unknown> = family === "percent" ? {} : { family };
  let complete = true;
  if (family === "rand-ucla") {
    const disagreement = oneOf(DISAGREEMENT_METHODS, text(values, "disagreement"));
    if (disagreement) candidate.disagreement = disagreement;
    else issues.ask("disagreement", msg("Choose how disagreement is found: IPRAS or the classic table"));
  } else {
    if (family === "band") {
      const agreeBand = readBand(values, issues, "agree");
      const opposeBand = readBand(values, issues, "oppose");
      candidate.agreeBand = agreeBand ?? undefined;
      if (opposeBand) candidate.opposeBand = opposeBand;
      if (agreeBand) bands.agreeBand = agreeBand;
      if (opposeBand) bands.opposeBand = opposeBand;
      complete = agreeBand !== null && opposeBand !== null;
    }
    const agreement = oneOf(AGREEMENT_KINDS, text(values, "agreement"));
    if (!agreement) issues.ask("agreement", msg("Choose at least or more than"));
    const agreePercent = text(values, "agreePercent");
    if (agreePercent === undefined) issues.ask("agreePercent", msg("Enter the share that must agree, from 0 to 100"));
    candidate[AGREE_KEY[agreement ?? "atLeast"]] = numberOf(agreePercent);
    const opposition = oneOf(OPPOSITION_KINDS, text(values, "opposition"));
    if (!opposition) issues.ask("opposition", msg("Choose an opposition bound, or none"));
    if (opposition && opposition !== "none") {
      const disagreePercent = text(values, "disagreePercent");
      if (disagreePercent === undefined) {
        issues.ask("disagreePercent", msg("Enter the opposition percentage, or choose no opposition bound"));
      }
      candidate[OPPOSE_KEY[opposition]] = numberOf(disagreePercent);
    }
    const denominator = oneOf(DENOMINATORS, text(values, "denominator"));
    if (denominator) candidate.denominator = denominator;
    else issues.ask("denominator", msg("Choose what the percentages are of"));
  }
  const quorum = text(values, "quorum");
  if (quorum !== undefined) candidate.quorum = numberOf(quorum);
  if (values.groups !== undefined && values.groups !== "") {
    const minSize = text(values, "groupMinSize");
    candidate.groups = { require: "every", ...(minSize === undefined ? {} : { minSize: numberOf(minSize) }) };
  }
  const stableBelow = text(values, "stableBelow");
  if (stableBelow !== undefined) candidate.stableBelow = numberOf(stableBelow);

  const parsed = RuleSchema.safeParse(candidate);
  for (const issue of parsed.error?.issues ?? []) {
    issues.fromSchema(RULE_PATH_FIELD[String(issue.path[0])] ?? "family", inFormWords(issue.message, RULE_WORDS));
  }
  return { family, rule: parsed.success && complete ? parsed.data : null, bands };
}

/** A rule of the family that fits any scale the family fits: with a rule's own bands, whether they fit too. */
const FAMILY_PROBE: Record<Family, Rule> = {
  percent: { agreeAtLeast: 50, denominator: "participants" },
  band: { family: "band", agreeBand: [1, 1], agreeAtLeast: 50, denominator: "participants" },
  "rand-ucla": { family: "rand-ucla", disagreement: "ipras" },
};

/**
 * The scale and the rule the submitted values spell, or every problem with them at once: a
 * missing or malformed value, a rule RuleSchema refuses, a rule that does not fit the scale.
 */
export function parseRuleForm(values: Record<string, unknown>): RuleFormResult {
  const issues = new Issues();
  const scale = readScale(values, issues);
  const { family, rule, bands } = readRule(values, issues);
  if (scale && family) {
    // A rule with problems of its own still tells whether its family and its bands fit the scale.
    const probe = family === "band" ? ({ ...FAMILY_PROBE.band, ...bands } as Rule) : FAMILY_PROBE[family];
    const problems = ruleFitsScale(rule ?? probe, scale);
    for (const problem of problems) {
      issues.add(RULE_PATH_FIELD[problem.path] ?? "family", inFormWords(problem.message, RULE_WORDS));
    }
  }
  if (issues.list.length > 0 || !scale || !rule) return { success: false, issues: issues.list };
  return { success: true, rule, scale };
}

// ---------------------------------------------------------------------------------------------
// The form's messages in the page's language

const POINTS_NEEDED = msg("Enter the number of points on the scale, from {{min}} to {{max}}");

/**
 * The messages parseRuleForm gives with values in them, as translation keys: the schemas' messages
 * (rule.ts, scale.ts, ruleFitsScale) once inFormWords has put them in the form's words.
 */
const ISSUE_TEMPLATES = [
  POINTS_NEEDED,
  msg("{{field}} must be a number (a percentage from 0 to 100)"),
  msg("{{field}} must be from {{min}} to {{max}}, got {{value}}"),
  msg("{{field}} must have at most two decimals, got {{value}}"),
  msg("{{field}} must be two whole ratings [low, high]"),
  msg("{{field}} must be two whole ratings [low, high], such as 7–9"),
  msg("{{field}} starts at 1 or more"),
  msg("{{field}} must go from its lower rating to its higher one"),
  msg("{{field}} {{low}}–{{high}} goes beyond the scale's 1–{{points}}"),
  msg("RAND/UCLA needs the 9-point scale, not 1–{{points}}"),
  msg("A label has at most {{max}} characters"),
];

/** Messages without values that the schemas give in the form's words (the rest are written with msg above). */
export const SCHEMA_ISSUES = [
  msg("The minimum group size must be a whole number of at least 1"),
  msg("The agreement band and the opposition band must not overlap"),
  msg("An opposition bound needs the opposition band to count"),
  msg("The percent family counts agree and disagree: it needs the agreement scale, not ratings"),
  msg("The band family needs a rating scale, not agree / disagree / abstain"),
  msg("The rand-ucla family needs a rating scale, not agree / disagree / abstain"),
  msg("The number of points must be a whole number from 3 to 10"),
  msg("A label must not be empty"),
] as const;

const PLACEHOLDER = /\{\{(\w+)\}\}/g;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Each template with a pattern matching the English it gives: a field's words, a typed value, or a whole number. */
const ISSUE_MATCHERS = ISSUE_TEMPLATES.map((template) => {
  const names: string[] = [];
  const source = template
    .split(PLACEHOLDER)
    .map((part, i) => {
      if (i % 2 === 0) return escapeRegExp(part);
      names.push(part);
      return part === "field" ? "(.+?)" : part === "value" ? "(.+)" : "(\\d+)";
    })
    .join("");
  return { template, names, pattern: new RegExp(`^${source}$`) };
});

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** A field's words in the page's language, capitalized as they were ("The quorum" at the start of a message). */
function fieldWords(words: string, t: Translate): string {
  const label = words.charAt(0).toLowerCase() + words.slice(1);
  if (!FIELD_WORDS.has(label)) return words;
  return words === label ? t(label) : capitalized(t(label));
}

/**
 * A message of parseRuleForm (or any form error) in the page's language: a known message with
 * values is matched to its key and translated with them, any other is translated as a key, and text
 * that is no key (zod's own messages, already in the page's language) comes back as it is. With the
 * English `t` every message comes back exactly as it was.
 */
export function ruleIssueText(message: string, t: Translate): string {
  for (const { template, names, pattern } of ISSUE_MATCHERS) {
    const match = pattern.exec(message);
    if (!match) continue;
    const values = Object.fromEntries(
      names.map((name, i) => [name, name === "field" ? fieldWords(match[i + 1]!, t) : match[i + 1]!]),
    );
    return t(template, values);
  }
  return t(message);
}

// ---------------------------------------------------------------------------------------------
// Writing the form

const numberText = (value: number | null | undefined) => (value == null ? "" : String(value));

/** A scale as form values; an agreement scale leaves the rating fields as they are. */
export function scaleFormValues(scale: Scale): RuleFormValues {
  if (scale.kind === "agreement") return { scaleKind: "agreement" };
  return {
    scaleKind: "rating",
    points: String(scale.points),
    unable: scale.unable ? "on" : undefined,
    lowLabel: scale.labels?.low ?? "",
    highLabel: scale.labels?.high ?? "",
  };
}

/**
 * A scale and rule as form values: the family's fields and every field all families share (so a
 * preset clears a quorum it does not have); other families' fields are left as they are.
 */
export function ruleFormValues(rule: Rule, scale: Scale): RuleFormValues {
  const values: RuleFormValues = {
    ...scaleFormValues(scale),
    family: familyOf(rule),
    quorum: numberText(rule.quorum),
    groups: rule.groups ? "on" : undefined,
    stableBelow: numberText(rule.stableBelow),
  };
  if (rule.groups) values.groupMinSize = String(rule.groups.minSize);
  if (rule.family === "rand-ucla") return { ...values, disagreement: rule.disagreement };
  const disagreePercent = rule.disagreeAtMost ?? rule.disagreeBelow;
  Object.assign(values, {
    agreement: rule.agreeAbove !== undefined ? "above" : "atLeast",
    agreePercent: numberText(rule.agreeAbove ?? rule.agreeAtLeast),
    opposition: rule.disagreeAtMost !== undefined ? "atMost" : rule.disagreeBelow !== undefined ? "below" : "none",
    disagreePercent: numberText(disagreePercent),
    denominator: rule.denominator,
  });
  if (rule.family === "band") {
    Object.assign(values, {
      agreeLow: String(rule.agreeBand[0]),
      agreeHigh: String(rule.agreeBand[1]),
      opposeLow: numberText(rule.opposeBand?.[0]),
      opposeHigh: numberText(rule.opposeBand?.[1]),
    });
  }
  return values;
}

// ---------------------------------------------------------------------------------------------
// Presets

export const PRESET_IDS = ["imt", "comet", "rand-ipras", "rand-classic"] as const;
export type PresetId = (typeof PRESET_IDS)[number];
/** A preset; its `label` and `help` are translation keys (namespace "rules"): show them with t(). */
export type Preset = { id: PresetId; label: string; help: string; scale: Scale; rule: Rule };

const NINE_POINTS = (unable: boolean, low: string, high: string): Scale => ({
  kind: "rating",
  points: 9,
  unable,
  labels: { low, high },
});

/** The rules committees most often pre-register, each with the scale it is voted on. */
export const PRESETS: readonly Preset[] = [
  {
    id: "imt",
    label: msg("The IMT consensus rule"),
    help: msg("Agree, disagree or abstain: at least 50% of participants agree and under 20% disagree."),
    scale: AGREEMENT,
    rule: { agreeAtLeast: 50, disagreeBelow: 20, denominator: "participants" },
  },
  {
    id: "comet",
    label: msg("COMET core outcome set: 70% rate 7–9 and under 15% rate 1–3"),
    help: msg("Ratings 1–9 (1 = not important, 9 = critical) with “unable to score”; percentages of participants."),
    scale: NINE_POINTS(true, "not important", "critical"),
    rule: {
      family: "band",
      agreeBand: [7, 9],
      opposeBand: [1, 3],
      agreeAtLeast: 70,
      disagreeBelow: 15,
      denominator: "participants",
    },
  },
  {
    id: "rand-ipras",
    label: msg("RAND/UCLA with IPRAS"),
    help: msg("Ratings 1–9: appropriate when the median is 7 or more without disagreement, found by the IPRAS test."),
    scale: NINE_POINTS(false, "extremely inappropriate", "extremely appropriate"),
    rule: { family: "rand-ucla", disagreement: "ipras" },
  },
  {
    id: "rand-classic",
    label: msg("RAND/UCLA, classic disagreement table"),
    help: msg("Ratings 1–9: as above, with disagreement when enough ratings fall in both 1–3 and 7–9 (panels of 8 to 16)."),
    scale: NINE_POINTS(false, "extremely inappropriate", "extremely appropriate"),
    rule: { family: "rand-ucla", disagreement: "classic" },
  },
];

export function presetOf(id: unknown): Preset | undefined {
  return PRESETS.find((preset) => preset.id === id);
}

/** The form values with a preset's scale and rule filled in; everything else stays as it was. */
export function applyPreset<T extends Record<string, unknown>>(values: T, preset: Preset): T & RuleFormValues {
  return { ...values, ...ruleFormValues(preset.rule, preset.scale) };
}

// ---------------------------------------------------------------------------------------------
// Plain language

/**
 * The rule in plain language for n panelists, or what is missing before it means anything; in
 * English unless the page's `t` (namespace "rules") is given.
 */
export function previewRule(values: Record<string, unknown>, panelists: number, t: Translate = english): string {
  const parsed = parseRuleForm(values);
  if (!parsed.success) {
    return t("Not a complete rule yet: {{problems}}.", {
      problems: parsed.issues.map((i) => ruleIssueText(i.message, t)).join(t("; ")),
    });
  }
  const { rule } = parsed;
  if (panelists > 0) return describeRule(rule, panelists, t);
  // With no panelist yet there are no thresholds to show, only the rule itself.
  const counts = rule.family !== "rand-ucla" && rule.denominator !== "decisive";
  const described = describeRule(rule, undefined, t);
  return counts ? t("{{rule}} The vote counts it needs appear here once panelists have joined.", { rule: described }) : described;
}

/** The scale in plain language, or null while its fields do not make one; English unless `t` is given. */
export function previewScale(values: Record<string, unknown>, t: Translate = english): string | null {
  const issues = new Issues();
  const scale = readScale(values, issues);
  return scale ? t("{{scale}}.", { scale: describeScale(scale, t) }) : null;
}

/** A choice's words: `label` and `help` are translation keys. */
type Help = { label: string; help: string };

const DENOMINATOR_HELP: Record<Denominator, Help> = {
  participants: {
    label: msg("Participants"),
    help: msg("Ballots cast on the statement, abstentions and “unable to score” included (the IMT consensus rule)."),
  },
  panel: {
    label: msg("The whole panel"),
    help: msg("Every eligible, non-recused panelist of the round: not responding counts against."),
  },
  decisive: {
    label: msg("Members taking a side"),
    help: msg("Agree plus disagree, or ratings 1 to N: abstentions and “unable to score” are left out."),
  },
};

/** What a rule's percentages are of, in words; English unless the page's `t` (namespace "rules") is given. */
export function describeDenominator(denominator: Denominator, t: Translate = english): string {
  const { label, help } = DENOMINATOR_HELP[denominator];
  return t("{{label}}: {{help}}", { label: t(label), help: t(help) });
}

const FAMILY_HELP: Record<Family, Help> = {
  percent: {
    label: msg("Percent agreement"),
    help: msg("Shares of agree and disagree, on the agree / disagree / abstain scale (the IMT rule)."),
  },
  band: {
    label: msg("Rating bands"),
    help: msg("Shares of ratings inside an agreement band and, optionally, an opposition band (COMET); needs ratings."),
  },
  "rand-ucla": {
    label: msg("RAND/UCLA appropriateness"),
    help: msg("The median rating and disagreement among the ratings; needs the 9-point scale."),
  },
};

const DISAGREEMENT_HELP: Record<DisagreementMethod, Help> = {
  ipras: {
    label: msg("IPRAS"),
    help: msg("Disagreement when the interpercentile range exceeds the IPRAS threshold; any panel size."),
  },
  classic: {
    label: msg("Classic table"),
    help: msg("Disagreement when 3 to 5 ratings (by panel size) fall in each of 1–3 and 7–9; for 8 to 16 ratings only."),
  },
};

// ---------------------------------------------------------------------------------------------
// Components

type Fields = Record<RuleIssueField, FieldMetadata<unknown, Record<string, unknown>, string[]>>;
type Meta = Fields[RuleIssueField];

/** A field's errors in the page's language (ruleIssueText), for Field and Errors. */
function useIssueTexts(): (field: Meta) => string[] | undefined {
  const { t } = useTranslation("rules");
  return (field) => field.errors?.map((error) => ruleIssueText(error, t));
}

function Errors({ field }: { field: Meta }) {
  const issueTexts = useIssueTexts();
  return field.errors?.length ? (
    <p className="field-error" id={field.errorId}>
      {issueTexts(field)?.join(" ")}
    </p>
  ) : null;
}

const describedBy = (...ids: (string | false | undefined)[]) => ids.filter(Boolean).join(" ") || undefined;

/** A group of radio buttons with a label and help for each value. */
function Choices<T extends string>({
  field,
  legend,
  values,
  help,
  fallback,
  className = "choices",
}: {
  field: Meta;
  legend: string;
  values: readonly T[];
  help: Record<T, Help>;
  fallback: T;
  className?: string;
}) {
  const { t } = useTranslation("rules");
  const checked = field.initialValue ?? fallback;
  return (
    <fieldset className={className} aria-describedby={field.errors?.length ? field.errorId : undefined}>
      <legend>{legend}</legend>
      {values.map((value) => (
        <label key={value} className="choice">
          <input type="radio" name={field.name} value={value} defaultChecked={checked === value} />
          <span>
            <strong>{t(help[value].label)}</strong>
            <span className="muted">{` — ${t(help[value].help)}`}</span>
          </span>
        </label>
      ))}
      <Errors field={field} />
    </fieldset>
  );
}

function NumberInput({
  field,
  min,
  max,
  step,
  describedBy: extra,
}: {
  field: Meta;
  min: number;
  max?: number;
  step: string;
  describedBy?: string;
}) {
  return (
    <input
      {...getInputProps(field, { type: "number", ariaDescribedBy: extra })}
      step={step}
      min={min}
      max={max}
      inputMode={step === "1" ? "numeric" : "decimal"}
    />
  );
}

/** A band: its lowest and highest rating, with the band's errors below both. */
function BandInputs({ legend, low, high, band, help }: { legend: string; low: Meta; high: Meta; band: Meta; help: string }) {
  const { t } = useTranslation("rules");
  const issueTexts = useIssueTexts();
  return (
    <fieldset className="band" aria-describedby={describedBy(band.errors?.length ? band.errorId : undefined, `${band.id}-help`)}>
      <legend>{legend}</legend>
      <div className="band-ends">
        <Field id={low.id} label={t("From rating")} errorId={low.errorId} errors={issueTexts(low)}>
          <NumberInput field={low} min={1} max={MAX_POINTS} step="1" />
        </Field>
        <Field id={high.id} label={t("to rating")} errorId={high.errorId} errors={issueTexts(high)}>
          <NumberInput field={high} min={1} max={MAX_POINTS} step="1" />
        </Field>
      </div>
      <p className="muted field-help" id={`${band.id}-help`}>
        {help}
      </p>
      <Errors field={band} />
    </fieldset>
  );
}

/** The ballot scale: agree / disagree / abstain, or ratings with their points, "unable to score" and end labels. */
export function ScaleFieldset({ fields }: { fields: Fields }) {
  const { t } = useTranslation("rules");
  const issueTexts = useIssueTexts();
  const kind = fields.scaleKind.initialValue ?? "agreement";
  return (
    <fieldset
      className="scale-fieldset"
      aria-describedby={fields.scaleKind.errors?.length ? fields.scaleKind.errorId : undefined}
    >
      <legend>{t("Ballot scale")}</legend>
      <label className="choice">
        <input type="radio" name={fields.scaleKind.name} value="agreement" defaultChecked={kind === "agreement"} />
        <span>
          <strong>{t("Agree, disagree or abstain")}</strong>
          <span className="muted">{` — ${t("on each statement.")}`}</span>
        </span>
      </label>
      <label className="choice">
        <input type="radio" name={fields.scaleKind.name} value="rating" defaultChecked={kind === "rating"} />
        <span>
          <strong>{t("Ratings from 1 to N")}</strong>
          <span className="muted">{` — ${t("such as 1–9 for COMET and RAND/UCLA.")}`}</span>
        </span>
      </label>
      <Errors field={fields.scaleKind} />
      <div className="rating-fields">
        <p className="muted field-help">{t("For ratings only:")}</p>
        <Field
          id={fields.points.id}
          label={t("Points on the scale ({{min}} to {{max}})", { min: MIN_POINTS, max: MAX_POINTS })}
          errorId={fields.points.errorId}
          errors={issueTexts(fields.points)}
        >
          <NumberInput field={fields.points} min={MIN_POINTS} max={MAX_POINTS} step="1" />
        </Field>
        <div className="field checkbox-field">
          <label>
            <input {...getInputProps(fields.unable, { type: "checkbox" })} />
            {t("Panelists may answer “unable to score”")}
          </label>
          <p className="muted field-help">{t("A ballot, not a non-response: it counts as participation.")}</p>
          <Errors field={fields.unable} />
        </div>
        <div className="rule-bound">
          <Field
            id={fields.lowLabel.id}
            label={t("What 1 means (optional)")}
            errorId={fields.lowLabel.errorId}
            errors={issueTexts(fields.lowLabel)}
          >
            <input {...getInputProps(fields.lowLabel, { type: "text" })} placeholder={t("e.g. not important")} />
          </Field>
          <Field
            id={fields.highLabel.id}
            label={t("What the highest rating means (optional)")}
            errorId={fields.highLabel.errorId}
            errors={issueTexts(fields.highLabel)}
          >
            <input {...getInputProps(fields.highLabel, { type: "text" })} placeholder={t("e.g. critical")} />
          </Field>
        </div>
      </div>
    </fieldset>
  );
}

/**
 * The presets: submit buttons that bring the form back filled in (without JavaScript, from the
 * server; with it, `onPreset` fills it at once). Neither saves anything.
 */
export function PresetButtons({ onPreset }: { onPreset?: (preset: Preset, form: HTMLFormElement) => void }) {
  const { t } = useTranslation("rules");
  const choose = (preset: Preset) => (event: MouseEvent<HTMLButtonElement>) => {
    const form = event.currentTarget.form;
    if (!onPreset || !form) return;
    event.preventDefault();
    onPreset(preset, form);
  };
  return (
    <section className="presets" aria-labelledby="presets-heading">
      <h3 id="presets-heading">{t("Start from a preset")}</h3>
      <p className="muted">
        {t("A preset fills in the ballot scale and the adoption rule below. Nothing is saved until you press Save settings.")}
      </p>
      <ul className="preset-list">
        {PRESETS.map((preset) => (
          <li key={preset.id}>
            <button
              type="submit"
              name="preset"
              value={preset.id}
              formNoValidate
              className="button button-secondary"
              aria-describedby={`preset-${preset.id}-help`}
              onClick={choose(preset)}
            >
              {t(preset.label)}
            </button>
            <p className="muted" id={`preset-${preset.id}-help`}>
              {t(preset.help)}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The editable rule: its family, each family's fields (only the chosen family's are read), and what they share. */
export function RuleFieldset({ fields }: { fields: Fields }) {
  const quorumHelp = `${fields.quorum.id}-help`;
  const groupsHelp = `${fields.groups.id}-help`;
  const stableHelp = `${fields.stableBelow.id}-help`;
  const { t } = useTranslation("rules");
  const issueTexts = useIssueTexts();
  return (
    <fieldset className="rule-fieldset">
      <legend>{t("Adoption rule")}</legend>
      <Choices field={fields.family} legend={t("Rule family")} values={FAMILIES} help={FAMILY_HELP} fallback="percent" />

      <div className="family-fields shares-fields">
        <p className="muted field-help">{t("For percent agreement and rating bands:")}</p>
        <div className="rule-bound">
          <Field
            id={fields.agreement.id}
            label={t("Agreement must be")}
            errorId={fields.agreement.errorId}
            errors={issueTexts(fields.agreement)}
          >
            <select {...getSelectProps(fields.agreement)}>
              <option value="atLeast">{t("at least")}</option>
              <option value="above">{t("more than")}</option>
            </select>
          </Field>
          <Field
            id={fields.agreePercent.id}
            label={t("Agreement percentage (%)")}
            errorId={fields.agreePercent.errorId}
            errors={issueTexts(fields.agreePercent)}
          >
            <NumberInput field={fields.agreePercent} min={0} max={100} step="0.01" />
          </Field>
        </div>
        <div className="rule-bound">
          <Field
            id={fields.opposition.id}
            label={t("Opposition must be")}
            errorId={fields.opposition.errorId}
            errors={issueTexts(fields.opposition)}
          >
            <select {...getSelectProps(fields.opposition)}>
              <option value="none">{t("no opposition bound")}</option>
              <option value="below">{t("under")}</option>
              <option value="atMost">{t("at most")}</option>
            </select>
          </Field>
          <Field
            id={fields.disagreePercent.id}
            label={t("Opposition percentage (%)")}
            errorId={fields.disagreePercent.errorId}
            errors={issueTexts(fields.disagreePercent)}
          >
            <NumberInput field={fields.disagreePercent} min={0} max={100} step="0.01" />
          </Field>
        </div>
        <p className="muted field-help">
          {t(
            "With rating bands, agreement is the share of ratings inside the agreement band and opposition the share inside the opposition band.",
          )}
        </p>
        <Choices
          field={fields.denominator}
          legend={t("Percentages are of")}
          values={DENOMINATORS}
          help={DENOMINATOR_HELP}
          fallback="participants"
        />
      </div>

      <fieldset className="family-fields band-fields">
        <legend>{t("Rating bands (rating bands only)")}</legend>
        <BandInputs
          legend={t("Agreement band")}
          low={fields.agreeLow}
          high={fields.agreeHigh}
          band={fields.agreeBand}
          help={t("Ratings that count as agreeing, such as 7 to 9.")}
        />
        <BandInputs
          legend={t("Opposition band (optional)")}
          low={fields.opposeLow}
          high={fields.opposeHigh}
          band={fields.opposeBand}
          help={t("Ratings that count as opposing, such as 1 to 3; leave both empty for no opposition bound.")}
        />
      </fieldset>

      <Choices
        field={fields.disagreement}
        legend={t("Disagreement (RAND/UCLA only)")}
        values={DISAGREEMENT_METHODS}
        help={DISAGREEMENT_HELP}
        fallback="ipras"
        className="choices family-fields rand-fields"
      />

      <Field
        id={fields.quorum.id}
        label={t("Quorum (%, optional)")}
        errorId={fields.quorum.errorId}
        errors={issueTexts(fields.quorum)}
      >
        <NumberInput field={fields.quorum} min={0} max={100} step="0.01" describedBy={quorumHelp} />
      </Field>
      <p className="muted field-help" id={quorumHelp}>
        {t("The share of the eligible panel that must vote on a statement; below it there is no verdict.")}
      </p>

      <div className="field checkbox-field">
        <label>
          <input {...getInputProps(fields.groups, { type: "checkbox", ariaDescribedBy: groupsHelp })} />
          {t("The rule must also hold within every stakeholder group")}
        </label>
        <p className="muted field-help" id={groupsHelp}>
          {t(
            "Groups are the members’ disciplines unless a secretary sets them on the Panel page. Groups smaller than the minimum size below are pooled as “other groups”.",
          )}
        </p>
      </div>
      <Field
        id={fields.groupMinSize.id}
        label={t("Minimum group size (participants; default {{size}})", { size: DEFAULT_GROUP_MIN_SIZE })}
        errorId={fields.groupMinSize.errorId}
        errors={issueTexts(fields.groupMinSize)}
      >
        <NumberInput field={fields.groupMinSize} min={1} step="1" />
      </Field>

      <Field
        id={fields.stableBelow.id}
        label={t("Stable when agreement moves by less than (percentage points, optional; default {{points}})", {
          points: DEFAULT_STABLE_BELOW,
        })}
        errorId={fields.stableBelow.errorId}
        errors={issueTexts(fields.stableBelow)}
      >
        <NumberInput field={fields.stableBelow} min={0} max={100} step="0.01" describedBy={stableHelp} />
      </Field>
      <p className="muted field-help" id={stableHelp}>
        {t(
          "Between two rounds in which a statement was voted; when every open statement is stable, the results suggest stopping.",
        )}
      </p>
    </fieldset>
  );
}
