import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getDb } from "@db/client.server";
import type { Entry, RecommendationSet } from "~/consensus/recommendation-set";
import { describeRule } from "~/consensus/rule";
import { findPublished } from "~/server/publications.server";
import { jsonError, missingVersionMessage, parseVersionParam, versionPath } from "~/server/public-api.server";

export async function loader({ params }: LoaderFunctionArgs) {
  const slug = params.slug!;
  const wanted = parseVersionParam(params.version);
  if (wanted?.format !== "json") {
    throw jsonError(404, `There is no version "${params.version}": versions are numbers (1, 2, …) or "latest".`);
  }
  const found = findPublished(getDb(), { slug, version: wanted.version });
  if (!found) throw jsonError(404, missingVersionMessage(getDb(), slug, wanted.version));
  const set = JSON.parse(found.body) as RecommendationSet;
  return { set, links: { json: versionPath(slug, set.version), csv: versionPath(slug, set.version, "csv") } };
}

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data ? [{ title: `${data.set.guideline.title}: Table 1, version ${data.set.version} · Delphi consensus` }] : [];

function formatDate(iso: string): string {
  return new Date(iso).toLocaleDateString("en-GB", { dateStyle: "long", timeZone: "UTC" });
}

function Votes({ entry }: { entry: Pick<Entry, "votes"> }) {
  return (
    <>
      <td className="num">{entry.votes.agree}</td>
      <td className="num">{entry.votes.disagree}</td>
      <td className="num">{entry.votes.abstain}</td>
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
  return (
    <div className="table-scroll" role="region" aria-labelledby="table1-caption" tabIndex={0}>
      <table className="table1-table">
        <caption id="table1-caption">
          Table 1. Key points adopted in version {set.version}, with the votes of the round that decided each
        </caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              No.
            </th>
            <th scope="col">Section</th>
            <th scope="col">Key point</th>
            <th scope="col" className="num">
              Agree
            </th>
            <th scope="col" className="num">
              Disagree
            </th>
            <th scope="col" className="num">
              Abstain
            </th>
          </tr>
        </thead>
        <tbody>
          {set.recommendations.map((r) => (
            <tr key={r.statementId}>
              <th scope="row" className="num">
                {r.number}
              </th>
              <td>{r.section}</td>
              <td>{r.text}</td>
              <Votes entry={r} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NotAdopted({ entries }: { entries: Entry[] }) {
  return (
    <section aria-labelledby="not-adopted">
      <h2 id="not-adopted">Not adopted</h2>
      {entries.length === 0 ? (
        <p>None: every statement put to the vote was adopted.</p>
      ) : (
        <div className="table-scroll" role="region" aria-labelledby="not-adopted" tabIndex={0}>
          <table className="table1-table" aria-labelledby="not-adopted">
            <thead>
              <tr>
                <th scope="col">Section</th>
                <th scope="col">Statement</th>
                <th scope="col" className="num">
                  Agree
                </th>
                <th scope="col" className="num">
                  Disagree
                </th>
                <th scope="col" className="num">
                  Abstain
                </th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.statementId}>
                  <td>{e.section}</td>
                  <td>{e.text}</td>
                  <Votes entry={e} />
                  <td>{e.explanation}</td>
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
      </section>
      <Recommendations set={set} />
      <NotAdopted entries={set.notAdopted} />
      <footer className="table1-footer">
        <p>
          Content hash <code>{set.contentHash}</code>
        </p>
        <p>
          This version as data: <a href={links.json}>JSON</a> · <a href={links.csv}>CSV</a>
        </p>
      </footer>
    </article>
  );
}
