import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getDb } from "@db/client.server";
import {
  distributionHeading,
  GRADE_NOTE,
  gradeLabel,
  medianText,
  outcomeLabel,
  ratingColumns,
  ratingCount,
  setScale,
  type Entry,
  type RecommendationSet,
} from "~/consensus/recommendation-set";
import { describeRule } from "~/consensus/rule";
import { describeScale, type RatingScale, type Scale } from "~/consensus/scale";
import { findPublished } from "~/server/publications.server";
import { jsonError, missingVersionMessage, parseVersionParam, versionPath } from "~/server/public-api.server";
import styles from "~/styles/table1.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export async function loader({ params }: LoaderFunctionArgs) {
  const slug = params.slug!;
  const wanted = parseVersionParam(params.version);
  if (wanted?.format !== "json") {
    throw jsonError(404, `There is no version "${params.version}": versions are numbers (1, 2, …) or "latest".`);
  }
  const found = findPublished(getDb(), { slug, version: wanted.version });
  if (!found) throw jsonError(404, missingVersionMessage(getDb(), slug, wanted.version));
  const set = JSON.parse(found.body) as RecommendationSet;
  return {
    set,
    links: {
      json: versionPath(slug, set.version),
      csv: versionPath(slug, set.version, "csv"),
      markdown: versionPath(slug, set.version, "md"),
      word: versionPath(slug, set.version, "docx"),
      changes: set.version > 1 ? `/g/${encodeURIComponent(slug)}/v/${set.version - 1}/changes/${set.version}` : null,
    },
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data ? [{ title: `${data.set.guideline.title}: Table 1, version ${data.set.version} · Delphi consensus` }] : [];

function formatDate(iso: string): string {
  return new Date(iso).toLocaleDateString("en-GB", { dateStyle: "long", timeZone: "UTC" });
}

const count = (n: number | null | undefined) => (n == null ? "–" : n);

/** The counts of the set's scale: agree, disagree, abstain; or a rating's distribution, median, outcome and grade. */
function Counts({ entry, scale }: { entry: Entry; scale: Scale }) {
  if (scale.kind === "agreement") {
    return (
      <>
        <td className="num table1-third" data-label="Agree">
          {count(entry.votes?.agree)}
        </td>
        <td className="num table1-third" data-label="Disagree">
          {count(entry.votes?.disagree)}
        </td>
        <td className="num table1-third" data-label="Abstain">
          {count(entry.votes?.abstain)}
        </td>
      </>
    );
  }
  return (
    <>
      <td data-label={distributionHeading(scale)}>
        <Distribution entry={entry} scale={scale} />
      </td>
      <td className="num table1-third" data-label="Median">
        {medianText(entry.median)}
      </td>
      <td className="table1-third" data-label="Outcome">
        {outcomeLabel(entry.outcome)}
      </td>
      <td className="table1-third" data-label="Grade">
        {gradeLabel(entry.grade)}
      </td>
    </>
  );
}

/** How many gave each rating: the points in small print over their counts, read as "rated 1: 0, rated 2: 0, …". */
function Distribution({ entry, scale }: { entry: Entry; scale: RatingScale }) {
  return (
    <ol className="table1-distribution">
      {ratingColumns(scale).map((column) => (
        <li key={column}>
          <span className="table1-point">
            {column === "unable" ? null : <span className="table1-hidden">rated </span>}
            {column}
            <span className="table1-hidden">: </span>
          </span>
          <span className="table1-count">{count(ratingCount(entry, column))}</span>
        </li>
      ))}
    </ol>
  );
}

/**
 * On a narrow screen each row becomes a card (app/styles.css): number and section, the
 * key point, then its counts, each under its column's name (data-label).
 */
const tableClass = (scale: Scale) => `table1-table table1-cards${scale.kind === "rating" ? " table1-rating" : ""}`;

/** Which round decided a statement, and how many voted on it there: a carried-over statement may have had fewer. */
function DecidedByHeadings() {
  return (
    <>
      <th scope="col" className="num">
        Round
      </th>
      <th scope="col" className="num">
        Voters
      </th>
    </>
  );
}

function DecidedBy({ entry }: { entry: Entry }) {
  return (
    <>
      <td className="num table1-half" data-label="Round">
        {entry.round}
      </td>
      <td className="num table1-half" data-label="Voters">
        {entry.participants}
      </td>
    </>
  );
}

function CountHeadings({ scale }: { scale: Scale }) {
  if (scale.kind === "agreement") {
    return (
      <>
        <th scope="col" className="num">
          Agree
        </th>
        <th scope="col" className="num">
          Disagree
        </th>
        <th scope="col" className="num">
          Abstain
        </th>
      </>
    );
  }
  return (
    <>
      <th scope="col">{distributionHeading(scale)}</th>
      <th scope="col" className="num">
        Median
      </th>
      <th scope="col">Outcome</th>
      <th scope="col">Grade</th>
    </>
  );
}

function Summary({ set }: { set: RecommendationSet }) {
  const rounds = set.rounds
    .map((r) => `round ${r.number} closed ${formatDate(r.closedAt)}, ${r.responded} of ${r.eligible} responded`)
    .join("; ");
  return (
    <p className="meta">
      Panel of {set.panel.size} · {rounds}
      {set.guideline.registration ? ` · registration ${set.guideline.registration}` : null}
    </p>
  );
}

function Recommendations({ set }: { set: RecommendationSet }) {
  const scale = setScale(set);
  const what = scale.kind === "agreement" ? "the votes" : "the ratings";
  return (
    <div className="table-scroll" role="region" aria-labelledby="table1-caption" tabIndex={0}>
      <table className={tableClass(scale)}>
        <caption id="table1-caption">
          Table 1. Key points adopted in version {set.version}, with {what} of the round that decided each and how many voted in
          it
        </caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              No.
            </th>
            <th scope="col">Section</th>
            <th scope="col">Key point</th>
            <DecidedByHeadings />
            <CountHeadings scale={scale} />
          </tr>
        </thead>
        <tbody>
          {set.recommendations.map((r) => (
            <tr key={r.statementId}>
              <th scope="row" className="num table1-number">
                {r.number}
              </th>
              <td className="table1-section">{r.section}</td>
              <td className="table1-text">{r.text}</td>
              <DecidedBy entry={r} />
              <Counts entry={r} scale={scale} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NotAdopted({ entries, scale }: { entries: Entry[]; scale: Scale }) {
  return (
    <section aria-labelledby="not-adopted">
      <h2 id="not-adopted">Not adopted</h2>
      {entries.length === 0 ? (
        <p>None: every statement put to the vote was adopted.</p>
      ) : (
        <div className="table-scroll" role="region" aria-labelledby="not-adopted" tabIndex={0}>
          <table className={tableClass(scale)} aria-labelledby="not-adopted">
            <thead>
              <tr>
                <th scope="col">Section</th>
                <th scope="col">Statement</th>
                <DecidedByHeadings />
                <CountHeadings scale={scale} />
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.statementId}>
                  <td>{e.section}</td>
                  <td className="table1-text">{e.text}</td>
                  <DecidedBy entry={e} />
                  <Counts entry={e} scale={scale} />
                  <td className="table1-why" data-label="Why">
                    {e.explanation}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export default function Table1() {
  const { set, links } = useLoaderData<typeof loader>();
  const scale = setScale(set);
  return (
    <article className="table1">
      <header>
        <h1>{set.guideline.title}</h1>
        <p className="table1-version">
          Version {set.version} · published {formatDate(set.publishedAt)}
        </p>
        <Summary set={set} />
      </header>
      <section aria-labelledby="rule-heading" className="table1-rule">
        <h2 id="rule-heading">Adoption rule</h2>
        <p>{describeRule(set.rule)}</p>
        {set.ruleText ? (
          <blockquote>
            <p>{set.ruleText}</p>
          </blockquote>
        ) : null}
        {scale.kind === "rating" ? (
          <>
            <p>Scale: {describeScale(scale)}.</p>
            <p>{GRADE_NOTE}</p>
          </>
        ) : null}
      </section>
      <Recommendations set={set} />
      <NotAdopted entries={set.notAdopted} scale={scale} />
      <footer className="table1-footer">
        <p>
          Content hash <code>{set.contentHash}</code>
        </p>
        <p>
          For a manuscript: <a href={links.word}>Word</a> · <a href={links.markdown}>Markdown</a>. As data:{" "}
          <a href={links.json}>JSON</a> · <a href={links.csv}>CSV</a>
        </p>
        {links.changes ? (
          <p>
            <a href={links.changes}>What changed since version {set.version - 1}</a>
          </p>
        ) : null}
      </footer>
    </article>
  );
}
