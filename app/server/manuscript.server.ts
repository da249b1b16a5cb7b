/**
 * Manuscript exports for a guideline's members: a published version's Table 1 as Markdown and
 * as a Word document, and every closed round's frozen tallies as CSV. Only published versions
 * and closed rounds are exported: drafts, open rounds and ballots never are.
 */
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from "docx";
import { and, asc, eq } from "drizzle-orm";
import type { Queryable } from "@db/client.server";
import { rounds } from "@db/schema";
import {
  csvField,
  distributionHeading,
  distributionText,
  GRADE_NOTE,
  gradeLabel,
  medianText,
  outcomeLabel,
  renderSet,
  setScale,
  type Entry,
  type RecommendationSet,
} from "~/consensus/recommendation-set";
import { describeRule } from "~/consensus/rule";
import { describeScale, ratingPoints, scaleOf, type RatingScale, type Scale } from "~/consensus/scale";
import { isRatingTally } from "~/consensus/tally";
import { findPublished } from "./publications.server";
import { frozenResults } from "./results.server";
import { missingVersionMessage } from "./public-api.server";

export const DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

export type ExportName = { kind: "version"; version: number; format: "md" | "docx" } | { kind: "rounds" };

/** `v<N>.md`, `v<N>.docx` or `rounds.csv`; "malformed" for a version that is not a number; null for anything else. */
export function parseExportName(file: string): ExportName | "malformed" | null {
  if (file === "rounds.csv") return { kind: "rounds" };
  const match = /^v(.*)\.(md|docx)$/.exec(file);
  if (!match) return null;
  const version = /^[1-9][0-9]*$/.test(match[1]!) ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(version)) return "malformed";
  return { kind: "version", version, format: match[2] as "md" | "docx" };
}

function exportError(status: 400 | 404, message: string): Response {
  return Response.json({ error: message }, { status, headers: { "Cache-Control": "no-store" } });
}

function download(body: string | Uint8Array<ArrayBuffer>, contentType: string, disposition: string): Response {
  return new Response(body, {
    headers: { "Content-Type": contentType, "Content-Disposition": disposition, "Cache-Control": "private, no-store" },
  });
}

/** The export named `file` of a guideline the caller may read, or a JSON error. */
export async function exportResponse(
  db: Queryable,
  input: { guideline: { id: string; slug: string; scale: unknown }; file: string },
): Promise<Response> {
  const { guideline, file } = input;
  const wanted = parseExportName(file);
  if (wanted === "malformed") {
    return exportError(400, `"${file}" is not a version: use a version number (1, 2, …), as in v1.md or v1.docx.`);
  }
  if (!wanted) return exportError(404, `There is no export "${file}": exports are v<N>.md, v<N>.docx and rounds.csv.`);
  if (wanted.kind === "rounds") {
    return download(
      roundsCsv(db, { guidelineId: guideline.id, scale: scaleOf(guideline.scale) }),
      "text/csv; charset=utf-8",
      `attachment; filename="${guideline.slug}-rounds.csv"`,
    );
  }
  const found = findPublished(db, { slug: guideline.slug, version: wanted.version });
  if (!found) return exportError(404, missingVersionMessage(db, guideline.slug, wanted.version));
  const filename = `${guideline.slug}-v${found.version}.${wanted.format}`;
  if (wanted.format === "md") {
    return download(renderSet(found.body, "md"), "text/markdown; charset=utf-8", `inline; filename="${filename}"`);
  }
  const document = await table1Document(JSON.parse(found.body) as RecommendationSet);
  return download(new Uint8Array(document), DOCX_TYPE, `attachment; filename="${filename}"`);
}

const text = (value: string, options: { bold?: boolean; italics?: boolean } = {}) => new TextRun({ text: value, ...options });

function cell(value: string | number, options: { header?: boolean; number?: boolean } = {}): TableCell {
  return new TableCell({
    children: [
      new Paragraph({
        alignment: options.number ? AlignmentType.RIGHT : AlignmentType.LEFT,
        children: [text(String(value), { bold: options.header })],
      }),
    ],
  });
}

/** A table whose header row Word repeats on every page it spans. */
function table(columns: { title: string; width: number; number?: boolean }[], rows: (string | number)[][]): Table {
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    columnWidths: columns.map((c) => c.width),
    rows: [
      new TableRow({
        tableHeader: true,
        cantSplit: true,
        children: columns.map((c) => cell(c.title, { header: true, number: c.number })),
      }),
      ...rows.map(
        (row) => new TableRow({ cantSplit: true, children: row.map((value, i) => cell(value, { number: columns[i]!.number })) }),
      ),
    ],
  });
}

// Widths in twentieths of a point; each set adds up to the text width of an A4 page with Word's margins.
const TABLE1_COLUMNS = [
  { title: "No.", width: 600, number: true },
  { title: "Section", width: 1500 },
  { title: "Key point", width: 4226 },
  { title: "Agree", width: 900, number: true },
  { title: "Disagree", width: 900, number: true },
  { title: "Abstain", width: 900, number: true },
];

const NOT_ADOPTED_COLUMNS = [
  { title: "Section", width: 1300 },
  { title: "Statement", width: 2900 },
  { title: "Agree", width: 800, number: true },
  { title: "Disagree", width: 900, number: true },
  { title: "Abstain", width: 800, number: true },
  { title: "Why", width: 2326 },
];

/** A rating set's counts take one column, the distribution over 1..N, so that the table still fits the page. */
function ratingColumns(scale: RatingScale) {
  return {
    table1: [
      { title: "No.", width: 500, number: true },
      { title: "Section", width: 1100 },
      { title: "Key point", width: 3026 },
      { title: distributionHeading(scale), width: 1800 },
      { title: "Median", width: 700, number: true },
      { title: "Outcome", width: 1100 },
      { title: "Grade", width: 800 },
    ],
    notAdopted: [
      { title: "Section", width: 1000 },
      { title: "Statement", width: 2200 },
      { title: distributionHeading(scale), width: 1700 },
      { title: "Median", width: 700, number: true },
      { title: "Outcome", width: 1000 },
      { title: "Grade", width: 800 },
      { title: "Why", width: 1626 },
    ],
  };
}

const votesOf = (e: Entry) => (e.votes ? [e.votes.agree, e.votes.disagree, e.votes.abstain] : ["–", "–", "–"]);

/** Table 1 and the statements not adopted, in the columns of the set's scale. */
function tables(set: RecommendationSet) {
  const scale = setScale(set);
  if (scale.kind === "agreement") {
    return {
      intro: `Key points adopted in version ${set.version}, with the votes of the round that decided each.`,
      notes: [],
      table1: table(
        TABLE1_COLUMNS,
        set.recommendations.map((r) => [r.number, r.section, r.text, ...votesOf(r)]),
      ),
      notAdopted: () =>
        table(
          NOT_ADOPTED_COLUMNS,
          set.notAdopted.map((e) => [e.section, e.text, ...votesOf(e), e.explanation]),
        ),
    };
  }
  const columns = ratingColumns(scale);
  const result = (e: Entry) => [distributionText(e, scale), medianText(e.median), outcomeLabel(e.outcome), gradeLabel(e.grade)];
  return {
    intro:
      `Key points adopted in version ${set.version}, with the ratings of the round that decided each ` +
      `(how many rated 1, 2, … ${scale.points}${scale.unable ? ", and how many were unable to score" : ""}), their median, outcome and grade.`,
    notes: [`Scale: ${describeScale(scale)}.`, GRADE_NOTE],
    table1: table(
      columns.table1,
      set.recommendations.map((r) => [r.number, r.section, r.text, ...result(r)]),
    ),
    notAdopted: () =>
      table(
        columns.notAdopted,
        set.notAdopted.map((e) => [e.section, e.text, ...result(e), e.explanation]),
      ),
  };
}

/** Table 1 of a published version as a Word document, for the manuscript. */
export function table1Document(set: RecommendationSet): Promise<Buffer> {
  const heading = (value: string) => new Paragraph({ text: value, heading: HeadingLevel.HEADING_1 });
  const { intro, notes, table1, notAdopted } = tables(set);
  const document = new Document({
    title: `${set.guideline.title}: Table 1, version ${set.version}`,
    sections: [
      {
        children: [
          new Paragraph({ text: set.guideline.title, heading: HeadingLevel.TITLE }),
          new Paragraph({
            children: [text(`Version ${set.version}, published ${set.publishedAt.slice(0, 10)}`, { bold: true })],
          }),
          heading("Adoption rule"),
          new Paragraph(describeRule(set.rule)),
          ...(set.ruleText ? [new Paragraph({ children: [text(set.ruleText, { italics: true })] })] : []),
          ...notes.map((note) => new Paragraph(note)),
          heading("Table 1"),
          new Paragraph(intro),
          table1,
          heading("Not adopted"),
          set.notAdopted.length === 0 ? new Paragraph("None: every statement put to the vote was adopted.") : notAdopted(),
          new Paragraph({ spacing: { before: 400 }, children: [text(`Content hash ${set.contentHash}`, { italics: true })] }),
        ],
      },
    ],
  });
  return Packer.toBuffer(document);
}

/**
 * Every closed round's frozen results, one row per round item, in round and item order. On the
 * agreement scale the counts are agree, disagree and abstain; on a rating scale one column per
 * point (and unable to score, when the scale has it) and the median.
 */
export function roundsCsv(db: Queryable, input: { guidelineId: string; scale: Scale }): string {
  const closed = db
    .select()
    .from(rounds)
    .where(and(eq(rounds.guidelineId, input.guidelineId), eq(rounds.status, "closed")))
    .orderBy(asc(rounds.number))
    .all();
  const scale = input.scale;
  const countColumns =
    scale.kind === "rating"
      ? [...ratingPoints(scale).map((p) => `rated_${p}`), ...(scale.unable ? ["unable"] : []), "median"]
      : ["agree", "disagree", "abstain"];
  const header = [
    "round",
    "closed_at",
    "item",
    "statement_id",
    "revision",
    "section",
    "text",
    ...countColumns,
    "no_response",
    "eligible",
    "participants",
    "agree_percent",
    "disagree_percent",
    "adopted",
    "outcome",
    "grade",
    "reasons",
  ];
  const rows = closed.flatMap((round) =>
    frozenResults(db, round).items.map((i) => {
      const counts = isRatingTally(i.tally)
        ? [...i.tally.ratings, ...(scale.kind === "rating" && scale.unable ? [i.tally.unable] : []), i.verdict.median ?? null]
        : [i.tally.agree, i.tally.disagree, i.tally.abstain];
      return [
        round.number,
        round.closedAt?.toISOString() ?? null,
        i.position,
        i.statementId,
        i.revision,
        i.section,
        i.text,
        ...counts,
        i.noResponse,
        i.tally.eligible,
        i.verdict.participants,
        i.verdict.agreePercent,
        i.verdict.disagreePercent,
        i.verdict.adopted,
        i.verdict.outcome,
        i.verdict.grade,
        i.verdict.reasons.join(";"),
      ];
    }),
  );
  return [header, ...rows].map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}
