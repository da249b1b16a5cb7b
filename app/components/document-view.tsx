import type { Block, Cell, Doc } from "~/consensus/document";

/**
 * A document (app/consensus/document.ts) as a page section: the same headings, paragraphs and
 * tables as its Markdown and Word files. A table of more than three columns becomes labelled
 * cards on a narrow screen; a smaller one stays a table, which fits.
 */
export function DocumentView({ doc }: { doc: Doc }) {
  return (
    <article className="document-view">
      <header>
        <h2>{doc.title}</h2>
        {doc.subtitle ? <p className="muted">{doc.subtitle}</p> : null}
      </header>
      {doc.blocks.map((block, i) => (
        <DocumentBlock key={i} block={block} />
      ))}
    </article>
  );
}

function DocumentBlock({ block }: { block: Block }) {
  switch (block.kind) {
    case "heading":
      return block.level === 1 ? <h3>{block.text}</h3> : <h4>{block.text}</h4>;
    case "paragraph":
      if (block.style === "quote") return <blockquote>{block.text}</blockquote>;
      return block.style === "note" ? (
        <p className="muted">
          <em>{block.text}</em>
        </p>
      ) : (
        <p>{block.text}</p>
      );
    case "list":
      return (
        <ul>
          {block.items.map((item, i) => (
            <li key={i}>{item}</li>
          ))}
        </ul>
      );
    case "table":
      return (
        <table className={block.columns.length > 3 ? "data-table labelled-table" : "document-table"}>
          <thead>
            <tr>
              {block.columns.map((column) => (
                <th key={column.title} scope="col" className={column.numeric ? "num" : undefined}>
                  {column.title}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {block.rows.map((row, r) => (
              <tr key={r}>
                {row.map((cell, c) => (
                  <td key={c} data-label={block.columns[c]!.title} className={block.columns[c]!.numeric ? "num" : undefined}>
                    <CellText cell={cell} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      );
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A date as a <time>, kept on one line: a table column would otherwise break it at its hyphens. */
function CellText({ cell }: { cell: Cell }) {
  return typeof cell === "string" && ISO_DATE.test(cell) ? <time dateTime={cell}>{cell}</time> : cell;
}
