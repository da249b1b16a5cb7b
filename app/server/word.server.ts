/**
 * A document (app/consensus/document.ts) as a Word file: headings as Word headings, tables whose
 * header row repeats on every page they span and whose rows never split across pages.
 */
import {
  AlignmentType,
  Document,
  HeadingLevel,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
  type ParagraphChild,
} from "docx";
import type { Block, Cell, Column, Doc } from "~/consensus/document";

export const DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/** The text width of an A4 page with Word's default margins, in twentieths of a point. */
const TEXT_WIDTH = 9026;

/**
 * Every run's defaults: Chinese text (the interface's other language, and any statement written
 * in it) in a Chinese font and marked as Simplified Chinese, so Word lays it out and checks it as
 * such; Latin text keeps Word's own font.
 */
const DEFAULT_RUN = { font: { eastAsia: "SimSun" }, language: { eastAsia: "zh-CN" } } as const;

const HEADINGS = { 1: HeadingLevel.HEADING_1, 2: HeadingLevel.HEADING_2, 3: HeadingLevel.HEADING_3 } as const;

function cell(value: Cell, column: Column, header: boolean): TableCell {
  const children: ParagraphChild[] = [new TextRun({ text: String(value), bold: header })];
  return new TableCell({
    children: [new Paragraph({ alignment: column.numeric ? AlignmentType.RIGHT : AlignmentType.LEFT, children })],
  });
}

function table(columns: Column[], rows: Cell[][]): Table {
  const total = columns.reduce((sum, c) => sum + (c.width ?? 1), 0);
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    columnWidths: columns.map((c) => Math.floor(((c.width ?? 1) / total) * TEXT_WIDTH)),
    rows: [
      new TableRow({ tableHeader: true, cantSplit: true, children: columns.map((c) => cell(c.title, c, true)) }),
      ...rows.map((row) => new TableRow({ cantSplit: true, children: row.map((value, i) => cell(value, columns[i]!, false)) })),
    ],
  });
}

function wordBlock(block: Block): (Paragraph | Table)[] {
  switch (block.kind) {
    case "heading":
      return [new Paragraph({ text: block.text, heading: HEADINGS[block.level] })];
    case "paragraph":
      return [
        new Paragraph({
          ...(block.style === "quote" ? { indent: { left: 567 } } : {}),
          children: [new TextRun({ text: block.text, italics: block.style !== undefined })],
        }),
      ];
    case "list":
      return block.items.map((item) => new Paragraph({ text: item, bullet: { level: 0 } }));
    case "table":
      // A paragraph after each table, so that two tables in a row stay two tables.
      return [table(block.columns, block.rows), new Paragraph("")];
  }
}

export function wordOf(doc: Doc): Promise<Buffer> {
  const document = new Document({
    title: doc.title,
    styles: { default: { document: { run: DEFAULT_RUN } } },
    sections: [
      {
        children: [
          new Paragraph({ text: doc.title, heading: HeadingLevel.TITLE }),
          ...(doc.subtitle ? [new Paragraph({ children: [new TextRun({ text: doc.subtitle, bold: true })] })] : []),
          ...doc.blocks.flatMap(wordBlock),
        ],
      },
    ],
  });
  return Packer.toBuffer(document);
}
