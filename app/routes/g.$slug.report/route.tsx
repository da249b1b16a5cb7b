import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { getDb } from "@db/client.server";
import { DocumentView } from "~/components/document-view";
import { namespaces } from "~/i18n";
import { Refusal, refusalResponse } from "~/server/errors.server";
import { tr } from "~/server/i18n.server";
import { methodsReportDoc, reportVersion } from "~/server/methods-report.server";
import { requireMember } from "~/server/permissions.server";
import { listVersions } from "~/server/publications.server";
import styles from "~/styles/report.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const handle = namespaces("publication");

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Methods report · Delphi consensus" }];

function exportLinks(slug: string) {
  const base = `/g/${encodeURIComponent(slug)}/exports`;
  return { rounds: `${base}/rounds.csv`, ballots: `${base}/ballots.csv`, comments: `${base}/comments.csv` };
}

/** The methods report of every closed round, or of a published version (`?version=N`), with its downloads. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline } = await requireMember(request, params.slug, ["secretary", "observer"]);
  const db = getDb();
  const url = new URL(request.url);
  const versions = listVersions(db, { slug: guideline.slug }).map((v) => v.version);
  const title = `${tr("Methods report", undefined, "publication")} · ${tr("Delphi consensus", undefined, "common")}`;
  try {
    const version = reportVersion(url);
    const query = version === undefined ? "" : `?version=${version}`;
    const base = `/g/${encodeURIComponent(guideline.slug)}/report`;
    return {
      title,
      exports: exportLinks(guideline.slug),
      version: version ?? null,
      versions,
      doc: methodsReportDoc(db, { slug: guideline.slug, version }),
      downloads: { markdown: `${base}.md${query}`, word: `${base}.docx${query}` },
      message: null,
    };
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    if (error.status !== 422) throw refusalResponse(error);
    return {
      title,
      exports: exportLinks(guideline.slug),
      version: null,
      versions,
      doc: null,
      downloads: null,
      message: error.text(),
    };
  }
}

export default function Report() {
  const { exports, version, versions, doc, downloads, message } = useLoaderData<typeof loader>();
  const { t } = useTranslation("publication");
  return (
    <div className="stack report">
      <section className="panel stack">
        <h2>{t("Methods report")}</h2>
        <p>
          {t(
            "What a journal asks a Delphi study to report (ACCORD): the panel, how it was recruited, declarations of interest, the definition of consensus, each round, why the study stopped, and the final list — written from what this site recorded. Where something was not recorded, the report says so.",
          )}
        </p>
        {versions.length > 0 ? (
          <Form method="get" className="row report-scope">
            <label htmlFor="report-version">{t("Report on")}</label>
            <select id="report-version" name="version" defaultValue={version ?? ""}>
              <option value="">{t("Every closed round")}</option>
              {versions.map((v) => (
                <option key={v} value={v}>
                  {t("Version {{version}}", { version: v })}
                </option>
              ))}
            </select>
            <button type="submit" className="button button-secondary">
              {t("Show")}
            </button>
          </Form>
        ) : null}
        {downloads ? (
          <p className="row">
            <a href={downloads.word} download>
              {t("Download as Word")}
            </a>
            <a href={downloads.markdown}>Markdown</a>
          </p>
        ) : null}
      </section>
      {message ? <p className="notice">{message}</p> : null}
      <section className="panel stack" aria-labelledby="analysis-title">
        <h2 id="analysis-title">{t("Analysis exports")}</h2>
        <p>{t("For your own analysis, in CSV, from closed rounds only (imported rounds have totals only):")}</p>
        <ul>
          <li>
            <a href={exports.rounds}>{t("Tallies")}</a>
            {t(": each statement's counts and verdict in every closed round.")}
          </li>
          <li>
            <a href={exports.ballots}>{t("Ballots")}</a>
            {t(
              ": one row per answer, with the respondent's pseudonym — random, the same in every round, and never derived from an account. A pseudonym and a group are left out wherever they could single someone out (fewer than the minimum group size answering alike).",
            )}
          </li>
          <li>
            <a href={exports.comments}>{t("Comments")}</a>
            {t(": the anonymous comments of each round, per statement.")}
          </li>
        </ul>
      </section>
      {doc ? (
        <section className="panel">
          <DocumentView doc={doc} />
        </section>
      ) : null}
    </div>
  );
}
