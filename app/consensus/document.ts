/**
 * A document as headings, paragraphs, lists and tables, written once and rendered as Markdown
 * (here), as a Word file (app/server/word.server.ts) and as a page (app/components/document-view.tsx),
 * so that the three always say the same. Pure: no Remix, no database.
 */

export type Column = {
  title: string;
  numeric?: boolean;
  /** Share of the page's width, relative to the other columns. */ width?: number;
};
export type Cell = string | number;

export type Block =
  | { kind: "heading"; level: 1 | 2 | 3; text: string }
  | { kind: "paragraph"; text: string; style?: "quote" | "note" }
  | { kind: "list"; items: string[] }
  | { kind: "table"; columns: Column[]; rows: Cell[][] };

export type Doc = { title: string; subtitle?: string; blocks: Block[] };

const HTML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/**
 * Text as Markdown that shows as the text it is: HTML's `<`, `>` and `&` as entities, every
 * character that starts inline syntax (escapes, code, emphasis, links, images, tables,
 * strikethrough, heading marks) after a backslash, and line breaks as spaces.
 */
export function mdText(text: string): string {
  return text.replace(/\r\n?|\n/g, " ").replace(/[&<>]|[\\`*_[\]#|!~]/g, (c) => HTML_ENTITIES[c] ?? `\\${c}`);
}

/** Text that begins a line: also never read as a list item, a numbered item or a quote. */
function mdLine(text: string): string {
  return mdText(text).replace(/^(\s*)([-+=]|\d+(?=[.)]))/, (_, space: string, mark: string) =>
    /\d/.test(mark) ? `${space}${mark}\\` : `${space}\\${mark}`,
  );
}

function mdRow(cells: string[]): string {
  return `| ${cells.join(" | ")} |`;
}

function mdBlock(block: Block): string[] {
  switch (block.kind) {
    case "heading":
      return [`${"#".repeat(block.level + 1)} ${mdText(block.text)}`];
    case "paragraph":
      return [
        block.style === "quote"
          ? `> ${mdText(block.text)}`
          : block.style === "note"
            ? `*${mdText(block.text)}*`
            : mdLine(block.text),
      ];
    case "list":
      return block.items.map((item) => `- ${mdText(item)}`);
    case "table":
      return [
        mdRow(block.columns.map((c) => mdText(c.title))),
        `|${block.columns.map((c) => (c.numeric ? "---:" : "---")).join("|")}|`,
        ...block.rows.map((row) => mdRow(row.map((cell) => (typeof cell === "number" ? String(cell) : mdText(cell))))),
      ];
  }
}

/** The document as CommonMark with GFM tables: the title as `#`, a document heading of level n as n + 1 marks. */
export function markdownOf(doc: Doc): string {
  const parts: string[][] = [
    [`# ${mdText(doc.title)}`],
    ...(doc.subtitle ? [[mdLine(doc.subtitle)]] : []),
    ...doc.blocks.map(mdBlock),
  ];
  return parts.map((lines) => lines.join("\n")).join("\n\n") + "\n";
}
