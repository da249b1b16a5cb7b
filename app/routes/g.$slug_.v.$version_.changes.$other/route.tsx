import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { getDb } from "@db/client.server";
import { Time } from "~/components/time";
import { WordDiff } from "~/components/word-diff";
import type { ComparedField, ListedStatement, Numbering, Result } from "~/consensus/compare";
import { gradeLabel, medianText, outcomeLabel, type Ratings } from "~/consensus/recommendation-set";
import { changesPath, findComparison, parseRange } from "~/server/changes.server";
import { jsonError } from "~/server/public-api.server";
import styles from "~/styles/changes.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export async function loader({ params }: LoaderFunctionArgs) {
  const slug = params.slug!;
  const range = parseRange(`${params.version}..${params.other}`);
  if (!range) {
    throw jsonError(
      404,
      `There is no comparison of "${params.version}" with "${params.other}": compare a version number with a later one, or with "latest".`,
    );
  }
  const found = findComparison(getDb(), slug, range);
  if ("error" in found) throw jsonError(found.status, found.error);
  const { comparison } = found;
  return { comparison, json: changesPath(slug, comparison.from.version, comparison.to.version) };
}

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data
    ? [
        {
          title: `${data.comparison.guideline.title}: changes from version ${data.comparison.from.version} to version ${data.comparison.to.version} · Delphi consensus`,
        },
      ]
    : [];

const tablePath = (slug: string, version: number) => `/g/${encodeURIComponent(slug)}/v/${version}`;

/** "No. 8", "No. 8 → 7", "Not adopted → No. 2", "No. 3 → not adopted". */
function numberLabel({ before, after }: Numbering): string {
  if (before === after) return before === null ? "Not adopted" : `No. ${before}`;
  if (before === null) return `Not adopted → No. ${after}`;
  return `No. ${before} → ${after === null ? "not adopted" : after}`;
}

/** A statement's number and section, as its list item or table is headed: "No. 8 → 7 · Chemotherapy". */
const heading = (number: string, section: string) => (section ? `${number} · ${section}` : number);

const listedNumber = (s: ListedStatement) => (s.number === undefined ? "Not adopted" : `No. ${s.number}`);

const FIELD_LABELS: Record<ComparedField, string> = {
  adopted: "Verdict",
  outcome: "Outcome",
  grade: "Grade",
  round: "Deciding round",
  votes: "Votes",
  ratings: "Ratings",
  median: "Median",
  participants: "Participants",
  eligible: "Eligible",
};

/** "1: 0 · 2: 1 · … · 9: 3 · unable: 0", each point kept with its count. */
const ratingsText = (ratings: Ratings) =>
  Object.entries(ratings)
    .map(([point, count]) => `${point}:\u00a0${count}`)
    .join(" · ");

function fieldText(field: ComparedField, result: Result): string {
  switch (field) {
    case "adopted":
      return result.adopted ? "Adopted" : "Not adopted";
    case "outcome":
      return outcomeLabel(result.outcome) || "–";
    case "grade":
      return gradeLabel(result.grade) || "–";
    case "round":
      return `Round ${result.round}`;
    case "votes":
      return result.votes
        ? `${result.votes.agree} agree, ${result.votes.disagree} disagree, ${result.votes.abstain} abstain`
        : "–";
    case "ratings":
      return result.ratings ? ratingsText(result.ratings) : "–";
    case "median":
      return medianText(result.median);
    case "participants":
      return String(result.participants);
    case "eligible":
      return String(result.eligible);
  }
}

function Part({
  id,
  title,
  intro,
  count,
  children,
}: {
  id: string;
  title: string;
  intro: string;
  count: number;
  children: ReactNode;
}) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>
        {title} ({count})
      </h2>
      <p className="meta">{intro}</p>
      {count === 0 ? <p>None.</p> : <ul className="changes-list">{children}</ul>}
    </section>
  );
}

function Listed({ statements }: { statements: ListedStatement[] }) {
  return statements.map((s) => (
    <li key={s.statementId}>
      <h3 className="changes-label">{heading(listedNumber(s), s.section)}</h3>
      <p className="changes-text">{s.text}</p>
    </li>
  ));
}

export default function Changes() {
  const { comparison: c, json } = useLoaderData<typeof loader>();
  const slug = c.guideline.slug;
  const [from, to] = [`version ${c.from.version}`, `version ${c.to.version}`];
  return (
    <article className="table1 changes">
      <header>
        <h1>{c.guideline.title}</h1>
        <p className="table1-version">
          Changes from {from} to {to}
        </p>
        <p className="meta">
          <a href={tablePath(slug, c.from.version)}>Version {c.from.version}</a> published{" "}
          <Time value={c.from.publishedAt} dateOnly /> · <a href={tablePath(slug, c.to.version)}>Version {c.to.version}</a>{" "}
          published <Time value={c.to.publishedAt} dateOnly />
        </p>
      </header>

      <Part id="added" title="Added" intro={`In ${to}, not in ${from}; numbers are those of ${to}.`} count={c.added.length}>
        <Listed statements={c.added} />
      </Part>

      <Part
        id="revised"
        title="Revised"
        intro={`Reworded since ${from}: removed words struck through, added words underlined.`}
        count={c.revised.length}
      >
        {c.revised.map((r) => (
          <li key={r.statementId}>
            <h3 className="changes-label">{heading(numberLabel(r.number), r.after.section)}</h3>
            <p className="meta">
              Revision {r.before.revision} → {r.after.revision}
              {r.sectionChanged ? ` · section “${r.before.section}” → “${r.after.section}”` : null}
            </p>
            <p className="changes-text">
              <WordDiff segments={r.diff} />
            </p>
          </li>
        ))}
      </Part>

      <Part
        id="retired"
        title="Retired"
        intro={`In ${from}, not in ${to}; numbers are those of ${from}.`}
        count={c.retired.length}
      >
        <Listed statements={c.retired} />
      </Part>

      <Part
        id="changed"
        title="Changed verdicts or counts"
        intro={`A different verdict, deciding round or count in ${to} than in ${from}.`}
        count={c.changed.length}
      >
        {c.changed.map((s, index) => (
          <li key={s.statementId}>
            <h3 className="changes-label" id={`changed-${index}`}>
              {heading(numberLabel(s.number), s.section)}
            </h3>
            <p className="changes-text">{s.text}</p>
            <div className="table-scroll" role="region" aria-labelledby={`changed-${index}`} tabIndex={0}>
              <table className="table1-table changes-table" aria-labelledby={`changed-${index}`}>
                <thead>
                  <tr>
                    <th scope="col">Changed</th>
                    <th scope="col">Version {c.from.version}</th>
                    <th scope="col">Version {c.to.version}</th>
                  </tr>
                </thead>
                <tbody>
                  {s.fields.map((field) => (
                    <tr key={field}>
                      <th scope="row">{FIELD_LABELS[field]}</th>
                      <td>{fieldText(field, s.before)}</td>
                      <td>{fieldText(field, s.after)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </li>
        ))}
      </Part>

      <Part id="renumbered" title="Renumbered" intro="Statements whose number in Table 1 moved." count={c.renumbered.length}>
        {c.renumbered.map((s) => (
          <li key={s.statementId}>
            <h3 className="changes-label">{heading(numberLabel(s.number), s.section)}</h3>
            <p className="changes-text">{s.text}</p>
          </li>
        ))}
      </Part>

      <footer className="table1-footer">
        <p>
          Version {c.from.version}: content hash <code>{c.from.contentHash}</code>
        </p>
        <p>
          Version {c.to.version}: content hash <code>{c.to.contentHash}</code>
        </p>
        <p>
          These changes as data: <a href={json}>JSON</a>
        </p>
      </footer>
    </article>
  );
}
