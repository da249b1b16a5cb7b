/**
 * Table 1 of a published version as a document (app/consensus/document.ts): the rule, the
 * adopted key points with the round that decided each and how many voted there, and the
 * statements not adopted with why — one source for its Markdown, its Word file and the methods
 * report's final list; and a stored set in each format it is served in. Pure: no Remix, no
 * database.
 */
import { msg, type Translate } from "~/i18n";
import { english } from "~/locales/english";
import { markdownOf, type Block, type Cell, type Column, type Doc } from "./document";
import {
  GRADE_NOTE,
  gradeLabel,
  medianText,
  outcomeLabel,
  ratingCount,
  setScale,
  toCsv,
  translationLanguages,
  type Entry,
  type Recommendation,
  type RecommendationSet,
} from "./recommendation-set";
import { describeRule } from "./rule";
import { describeScale, ratingPoints, type RatingScale, type Scale } from "./scale";

/**
 * The labels recommendation-set.ts prints (OUTCOME_LABELS, GRADE_LABELS, GRADE_NOTE), as keys:
 * Table 1 translates them where it shows them.
 */
export const SET_LABELS = [
  msg("Consensus in"),
  msg("Consensus out"),
  msg("No consensus"),
  msg("Appropriate"),
  msg("Inappropriate"),
  msg("Uncertain"),
  msg("Strong consensus"),
  msg("Consensus"),
  msg("Majority"),
  msg("None"),
  msg(
    "Grade: the AWMF strength of consensus of the agreement share — strong consensus above 95%, consensus above 75%, majority above 50%.",
  ),
] as const;

/** A label of SET_LABELS in `t`'s language; empty stays empty. */
export const setLabel = (label: string, t: Translate): string => (label ? t(label) : label);

/** The header of a distribution column, "Ratings 1–9": distributionHeading in `t`'s language. */
export const distributionTitle = (scale: RatingScale, t: Translate = english): string =>
  t("Ratings 1–{{points}}", { points: scale.points });

/** A rating entry's distribution in one line, "0 · 1 · 5 · 8 (unable 1)": distributionText in `t`'s language. */
function distributionLine(entry: Entry, scale: RatingScale, t: Translate): string {
  const counts = ratingPoints(scale)
    .map((point) => ratingCount(entry, String(point)) ?? 0)
    .join(" · ");
  return scale.unable ? t("{{counts}} (unable {{unable}})", { counts, unable: ratingCount(entry, "unable") ?? 0 }) : counts;
}

/** The columns that say which round decided a statement and how many voted on it there. */
const decidedBy = (t: Translate): Column[] => [
  { title: t("Round"), numeric: true, width: 0.7 },
  { title: t("Voters"), numeric: true, width: 0.8 },
];

function countColumns(scale: Scale, t: Translate): Column[] {
  return scale.kind === "rating"
    ? [
        { title: distributionTitle(scale, t), width: 2 },
        { title: t("Median"), numeric: true, width: 0.8 },
        { title: t("Outcome"), width: 1.2 },
        { title: t("Grade"), width: 1 },
      ]
    : [
        { title: t("Agree"), numeric: true, width: 0.9 },
        { title: t("Disagree"), numeric: true, width: 0.9 },
        { title: t("Abstain"), numeric: true, width: 0.9 },
      ];
}

function counts(entry: Entry, scale: Scale, t: Translate): Cell[] {
  if (scale.kind === "rating") {
    return [
      distributionLine(entry, scale, t),
      medianText(entry.median),
      setLabel(outcomeLabel(entry.outcome), t),
      setLabel(gradeLabel(entry.grade), t),
    ];
  }
  return entry.votes ? [entry.votes.agree, entry.votes.disagree, entry.votes.abstain] : ["–", "–", "–"];
}

/** A language's name in that language, "中文", for a column of text in it. */
function languageName(language: string): string {
  try {
    return new Intl.DisplayNames([language], { type: "language" }).of(language) ?? language;
  } catch {
    return language;
  }
}

/** One more text column per translation language, headed "Key point (中文)". */
function translationColumns(title: string, languages: string[]): Column[] {
  return languages.map((language) => ({ title: `${title} (${languageName(language)})`, width: 4 }));
}

/** An entry's text in each translation language; empty where it has none. */
function translationCells(entry: Entry, languages: string[]): Cell[] {
  return languages.map((language) => entry.translations?.[language]?.text ?? "");
}

/**
 * The adopted key points, numbered as in the version; `title` heads the text's column (default
 * "Key point"), followed by one column per language in `languages` for the translations.
 */
export function recommendationsTable(
  recommendations: Recommendation[],
  scale: Scale,
  title?: string,
  t: Translate = english,
  languages: string[] = [],
): Block {
  const heading = title ?? t("Key point");
  return {
    kind: "table",
    columns: [
      { title: t("No."), numeric: true, width: 0.6 },
      { title: t("Section"), width: 1.4 },
      { title: heading, width: 4 },
      ...translationColumns(heading, languages),
      ...decidedBy(t),
      ...countColumns(scale, t),
    ],
    rows: recommendations.map((r) => [
      r.number,
      r.section,
      r.text,
      ...translationCells(r, languages),
      r.round,
      r.participants,
      ...counts(r, scale, t),
    ]),
  };
}

/** The statements not adopted, with why; a sentence when there are none. */
export function notAdoptedBlock(entries: Entry[], scale: Scale, t: Translate = english, languages: string[] = []): Block {
  if (entries.length === 0) return { kind: "paragraph", text: t("None: every statement put to the vote was adopted.") };
  return {
    kind: "table",
    columns: [
      { title: t("Section"), width: 1.2 },
      { title: t("Statement"), width: 3 },
      ...translationColumns(t("Statement"), languages),
      ...decidedBy(t),
      ...countColumns(scale, t),
      { title: t("Why"), width: 2.4 },
    ],
    rows: entries.map((e) => [
      e.section,
      e.text,
      ...translationCells(e, languages),
      e.round,
      e.participants,
      ...counts(e, scale, t),
      e.explanation,
    ]),
  };
}

/** The rule as the set states it: the rule, the committee's words, the scale and (on a rating scale) the grades. */
export function ruleBlocks(set: Pick<RecommendationSet, "rule" | "ruleText" | "scale">, t: Translate = english): Block[] {
  const scale = setScale(set);
  return [
    { kind: "paragraph", text: t("Adoption rule: {{rule}}", { rule: describeRule(set.rule, undefined, t) }) },
    ...(set.ruleText ? [{ kind: "paragraph", text: set.ruleText, style: "quote" } as const] : []),
    { kind: "paragraph", text: t("Scale: {{scale}}.", { scale: describeScale(scale, t) }) },
    ...(scale.kind === "rating" ? [{ kind: "paragraph", text: setLabel(GRADE_NOTE, t) } as const] : []),
  ];
}

/** What Table 1 holds: the key points, the counts of the round that decided each, how many voted. */
function table1Caption(version: number, scale: Scale, t: Translate): string {
  if (scale.kind !== "rating") {
    return t(
      "Key points adopted in version {{version}}, with the votes of the round that decided each and how many voted in it.",
      {
        version,
      },
    );
  }
  return scale.unable
    ? t(
        "Key points adopted in version {{version}}, with the ratings of the round that decided each and how many voted in it (how many rated 1, 2, … {{points}}, and how many were unable to score).",
        { version, points: scale.points },
      )
    : t(
        "Key points adopted in version {{version}}, with the ratings of the round that decided each and how many voted in it (how many rated 1, 2, … {{points}}).",
        { version, points: scale.points },
      );
}

/** Table 1 of a published version, as a manuscript prints it, in `t`'s language. */
export function table1Doc(set: RecommendationSet, t: Translate = english): Doc {
  const scale = setScale(set);
  return {
    title: set.guideline.title,
    subtitle: t("Version {{version}}, published {{date}}", { version: set.version, date: set.publishedAt.slice(0, 10) }),
    blocks: [
      ...ruleBlocks(set, t),
      { kind: "heading", level: 1, text: t("Table 1") },
      { kind: "paragraph", text: table1Caption(set.version, scale, t) },
      recommendationsTable(set.recommendations, scale, undefined, t, translationLanguages(set)),
      { kind: "heading", level: 1, text: t("Not adopted") },
      notAdoptedBlock(set.notAdopted, scale, t, translationLanguages(set)),
      { kind: "paragraph", text: t("Content hash {{hash}}", { hash: set.contentHash }), style: "note" },
    ],
  };
}

export const SET_FORMATS = ["json", "csv", "md"] as const;
export type SetFormat = (typeof SET_FORMATS)[number];

/**
 * A stored set in the asked format: JSON exactly as stored, so the API and export agree byte for
 * byte; CSV as data, in English; Markdown, Table 1 for people, in `t`'s language.
 */
export function renderSet(body: string, format: SetFormat, t: Translate = english): string {
  if (format === "json") return body;
  const set = JSON.parse(body) as RecommendationSet;
  return format === "csv" ? toCsv(set) : markdownOf(table1Doc(set, t));
}
