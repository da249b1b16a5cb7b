import { describe, expect, test } from "vitest";
import { markdownOf, type Doc } from "~/consensus/document";

describe("markdownOf", () => {
  test("text that would begin a list, a numbered item, a quote or a heading underline shows as text", () => {
    const doc: Doc = {
      title: "T",
      blocks: [
        { kind: "paragraph", text: "1. Not a numbered item" },
        { kind: "paragraph", text: "- not a list" },
        { kind: "paragraph", text: "+ nor this" },
        { kind: "paragraph", text: "> nor a quote" },
        { kind: "paragraph", text: "=== nor an underline" },
        { kind: "paragraph", text: "12) nor this" },
        { kind: "list", items: ["# item", "<b>bold</b>"] },
      ],
    };
    expect(markdownOf(doc).split("\n\n")).toEqual([
      "# T",
      "1\\. Not a numbered item",
      "\\- not a list",
      "\\+ nor this",
      "&gt; nor a quote",
      "\\=== nor an underline",
      "12\\) nor this",
      "- \\# item\n- &lt;b&gt;bold&lt;/b&gt;\n",
    ]);
  });

  test("a table: numbers right-aligned, a pipe or a line break inside a cell stays inside it", () => {
    const doc: Doc = {
      title: "T",
      subtitle: "Sub",
      blocks: [
        {
          kind: "table",
          columns: [{ title: "Text" }, { title: "n", numeric: true }],
          rows: [["a | b\nc", 3]],
        },
        { kind: "paragraph", text: "quoted", style: "quote" },
        { kind: "heading", level: 2, text: "Sub-heading" },
      ],
    };
    expect(markdownOf(doc)).toBe("# T\n\nSub\n\n| Text | n |\n|---|---:|\n| a \\| b c | 3 |\n\n> quoted\n\n### Sub-heading\n");
  });
});
