/**
 * Table 1 of a published version as a document (app/consensus/document.ts): the rule, the
 * adopted key points with the round that decided each and how many voted there, and the
 * statements not adopted with why — one source for its Markdown, its Word file and the methods
 * report's final list; and a stored set in each format it is served in. Pure: no Remix, no
 * database.
 */
import { markdownOf, type Block, type Cell, type Column, type Doc } from "./document";
import {
  distributionHeading,
  distributionText,
  GRADE_NOTE,
  gradeLabel,
  medianText,
  outcomeLabel,
  setScale,
  toCsv,
  type Entry,
  type Recommendation,
  type RecommendationSet,
} from "./recommendation-set";
import { describeRule } from "./rule";
import { describeScale, type Scale } from "./scale";

/** The columns that say which round decided a statement and how many voted on it there. */
const DECIDED_BY: Column[] = [
  { title: "Round", numeric: true, width: 0.7 },
  { title: "Voters", numeric: true, width: 0.8 },
];

function countColumns(scale: Scale): Column[] {
  return scale.kind === "rating"
    ? [
        { title: distributionHeading(scale), width: 2 },
        { title: "Median", numeric: true, width: 0.8 },
        { title: "Outcome", width: 1.2 },
        { title: "Grade", width: 1 },
      ]
    : [
        { title: "Agree", numeric: true, width: 0.9 },
        { title: "Disagree", numeric: true, width: 0.9 },
        { title: "Abstain", numeric: true, width: 0.9 },
      ];
}

function counts(entry: Entry, scale: Scale): Cell[] {
  if (scale.kind === "rating") {
    return [distributionText(entry, scale), medianText(entry.median), outcomeLabel(entry.outcome), gradeLabel(entry.grade)];
  }
  return entry.votes ? [entry.votes.agree, entry.votes.disagree, entry.votes.abstain] : ["–", "–", "–"];
}

/** The adopted key points, numbered as in the version. */
export function recommendationsTable(recommendations: Recommendation[], scale: Scale, title = "Key point"): Block {
  return {
    kind: "table",
    columns: [
      { title: "No.", numeric: true, width: 0.6 },
      { title: "Section", width: 1.4 },
      { title, width: 4 },
      ...DECIDED_BY,
      ...countColumns(scale),
    ],
    rows: recommendations.map((r) => [r.number, r.section, r.text, r.round, r.participants, ...counts(r, scale)]),
  };
}

/** The statements not adopted, with why; a sentence when there are none. */
export function notAdoptedBlock(entries: Entry[], scale: Scale): Block {
  if (entries.length === 0) return { kind: "paragraph", text: "None: every statement put to the vote was adopted." };
  return {
    kind: "table",
    columns: [
      { title: "Section", width: 1.2 },
      { title: "Statement", width: 3 },
      ...DECIDED_BY,
      ...countColumns(scale),
      { title: "Why", width: 2.4 },
    ],
    rows: entries.map((e) => [e.section, e.text, e.round, e.participants, ...counts(e, scale), e.explanation]),
  };
}

/** The rule as the set states it: the rule, the committee's words, the scale and (on a rating scale) the grades. */
export function ruleBlocks(set: Pick<RecommendationSet, "rule" | "ruleText" | "scale">): Block[] {
  const scale = setScale(set);
  return [
    { kind: "paragraph", text: `Adoption rule: ${describeRule(set.rule)}` },
    ...(set.ruleText ? [{ kind: "paragraph", text: set.ruleText, style: "quote" } as const] : []),
    { kind: "paragraph", text: `Scale: ${describeScale(scale)}.` },
    ...(scale.kind === "rating" ? [{ kind: "paragraph", text: GRADE_NOTE } as const] : []),
  ];
}

/** Table 1 of a published version, as a manuscript prints it. */
export function table1Doc(set: RecommendationSet): Doc {
  const scale = setScale(set);
  const what = scale.kind === "rating" ? "ratings" : "votes";
  return {
    title: set.guideline.title,
    subtitle: `Version ${set.version}, published ${set.publishedAt.slice(0, 10)}`,
    blocks: [
      ...ruleBlocks(set),
      { kind: "heading", level: 1, text: "Table 1" },
      {
        kind: "paragraph",
        text:
          `Key points adopted in version ${set.version}, with the ${what} of the round that decided each and how many voted in it` +
          (scale.kind === "rating"
            ? ` (how many rated 1, 2, … ${scale.points}${scale.unable ? ", and how many were unable to score" : ""}).`
            : "."),
      },
      recommendationsTable(set.recommendations, scale),
      { kind: "heading", level: 1, text: "Not adopted" },
      notAdoptedBlock(set.notAdopted, scale),
      { kind: "paragraph", text: `Content hash ${set.contentHash}`, style: "note" },
    ],
  };
}

export const SET_FORMATS = ["json", "csv", "md"] as const;
export type SetFormat = (typeof SET_FORMATS)[number];

/** A stored set in the asked format: JSON exactly as stored, so the API and export agree byte for byte. */
export function renderSet(body: string, format: SetFormat): string {
  if (format === "json") return body;
  const set = JSON.parse(body) as RecommendationSet;
  return format === "csv" ? toCsv(set) : markdownOf(table1Doc(set));
}
