import { strFromU8, unzipSync } from "fflate";

function bodyXml(docx: Uint8Array): string {
  const xml = unzipSync(docx)["word/document.xml"];
  if (!xml) throw new Error("Not a Word file: it has no word/document.xml");
  return strFromU8(xml);
}

const unescapeXml = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** The text runs of a Word document's body, in order. */
export function wordTexts(docx: Uint8Array): string[] {
  return [...bodyXml(docx).matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => unescapeXml(m[1]!));
}

/** The text of a Word document's body, one line per paragraph (a table cell's text is its own paragraph). */
export function wordText(docx: Uint8Array): string {
  return unescapeXml(
    bodyXml(docx)
      .replace(/<\/w:p>/g, "\n")
      .replace(/<[^>]+>/g, ""),
  );
}

/** Whether `run` occurs in `texts` as consecutive items. */
export function containsRun(texts: string[], run: string[]): boolean {
  return texts.some((_, i) => run.every((t, j) => texts[i + j] === t));
}
