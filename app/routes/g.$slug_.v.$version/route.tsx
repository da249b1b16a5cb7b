import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { getDb } from "@db/client.server";
import { langTag, useLangAttribute, useReading } from "~/components/statement-text";
import { useLanguage } from "~/components/translations";
import {
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
import { distributionTitle, setLabel } from "~/consensus/table1";
import { namespaces } from "~/i18n";
import { currentLanguage, tr } from "~/server/i18n.server";
import { findPublished } from "~/server/publications.server";
import { jsonError, missingVersionMessage, parseVersionParam, versionPath } from "~/server/public-api.server";
import styles from "~/styles/table1.css";
import { formatUtc } from "~/time";

export const handle = namespaces("publication", "rules");

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export async function loader({ params }: LoaderFunctionArgs) {
  const slug = params.slug!;
  const wanted = parseVersionParam(params.version);
  if (wanted?.format !== "json") {
    throw jsonError(
      404,
      tr(
        'There is no version "{{version}}": versions are numbers (1, 2, …) or "latest".',
        { version: params.version },
        "publication",
      ),
    );
  }
  const found = findPublished(getDb(), { slug, version: wanted.version });
  if (!found) throw jsonError(404, missingVersionMessage(getDb(), slug, wanted.version));
  const set = JSON.parse(found.body) as RecommendationSet;
  // The manuscript downloads in the page's language.
  const documentQuery = currentLanguage() === "en" ? "" : `?lang=${currentLanguage()}`;
  return {
    set,
    title: `${tr("{{title}}: Table 1, version {{version}}", { title: set.guideline.title, version: set.version }, "publication")} · ${tr("Delphi consensus", undefined, "common")}`,
    links: {
      json: versionPath(slug, set.version),
      csv: versionPath(slug, set.version, "csv"),
      markdown: versionPath(slug, set.version, "md") + documentQuery,
      word: versionPath(slug, set.version, "docx") + documentQuery,
      changes: set.version > 1 ? `/g/${encodeURIComponent(slug)}/v/${set.version - 1}/changes/${set.version}` : null,
    },
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

/** "12 March 2026", "2026年3月12日": in the page's language. */
function useFormatDate(): (iso: string) => string {
  const language = useLanguage();
  return (iso) => formatUtc(iso, true, language);
}

const count = (n: number | null | undefined) => (n == null ? "–" : n);

/** The counts of the set's scale: agree, disagree, abstain; or a rating's distribution, median, outcome and grade. */
function Counts({ entry, scale }: { entry: Entry; scale: Scale }) {
  const { t } = useTranslation("publication");
  if (scale.kind === "agreement") {
    return (
      <>
        <td className="num table1-third" data-label={t("Agree")}>
          {count(entry.votes?.agree)}
        </td>
        <td className="num table1-third" data-label={t("Disagree")}>
          {count(entry.votes?.disagree)}
        </td>
        <td className="num table1-third" data-label={t("Abstain")}>
          {count(entry.votes?.abstain)}
        </td>
      </>
    );
  }
  return (
    <>
      <td data-label={distributionTitle(scale, t)}>
        <Distribution entry={entry} scale={scale} />
      </td>
      <td className="num table1-third" data-label={t("Median")}>
        {medianText(entry.median)}
      </td>
      <td className="table1-third" data-label={t("Outcome")}>
        {setLabel(outcomeLabel(entry.outcome), t)}
      </td>
      <td className="table1-third" data-label={t("Grade")}>
        {setLabel(gradeLabel(entry.grade), t)}
      </td>
    </>
  );
}

/** How many gave each rating: the points in small print over their counts, read as "rated 1: 0, rated 2: 0, …". */
function Distribution({ entry, scale }: { entry: Entry; scale: RatingScale }) {
  const { t } = useTranslation("publication");
  return (
    <ol className="table1-distribution">
      {ratingColumns(scale).map((column) => (
        <li key={column}>
          <span className="table1-point">
            {column === "unable" ? null : <span className="table1-hidden">{t("rated ")}</span>}
            {column === "unable" ? t("unable") : column}
            <span className="table1-hidden">{t(": ")}</span>
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
  const { t } = useTranslation("publication");
  return (
    <>
      <th scope="col" className="num">
        {t("Round")}
      </th>
      <th scope="col" className="num">
        {t("Voters")}
      </th>
    </>
  );
}

function DecidedBy({ entry }: { entry: Entry }) {
  const { t } = useTranslation("publication");
  return (
    <>
      <td className="num table1-half" data-label={t("Round")}>
        {entry.round}
      </td>
      <td className="num table1-half" data-label={t("Voters")}>
        {entry.participants}
      </td>
    </>
  );
}

function CountHeadings({ scale }: { scale: Scale }) {
  const { t } = useTranslation("publication");
  if (scale.kind === "agreement") {
    return (
      <>
        <th scope="col" className="num">
          {t("Agree")}
        </th>
        <th scope="col" className="num">
          {t("Disagree")}
        </th>
        <th scope="col" className="num">
          {t("Abstain")}
        </th>
      </>
    );
  }
  return (
    <>
      <th scope="col">{distributionTitle(scale, t)}</th>
      <th scope="col" className="num">
        {t("Median")}
      </th>
      <th scope="col">{t("Outcome")}</th>
      <th scope="col">{t("Grade")}</th>
    </>
  );
}

function Summary({ set }: { set: RecommendationSet }) {
  const { t } = useTranslation("publication");
  const formatDate = useFormatDate();
  const rounds = set.rounds
    .map((r) =>
      t("round {{number}} closed {{date}}, {{responded}} of {{eligible}} responded", {
        number: r.number,
        date: formatDate(r.closedAt),
        responded: r.responded,
        eligible: r.eligible,
      }),
    )
    .join(t("; "));
  return (
    <p className="meta">
      {t("Panel of {{size}}", { size: set.panel.size })} · {rounds}
      {set.guideline.registration
        ? ` · ${t("registration {{registration}}", { registration: set.guideline.registration })}`
        : null}
    </p>
  );
}

/**
 * A statement's text in the reader's language when the set has it, its other languages below:
 * a published Table 1 shows every language it was published in.
 */
function KeyPoint({ entry, language }: { entry: Entry; language: string }) {
  const translations = Object.entries(entry.translations ?? {}).map(([code, t]) => ({ language: code, ...t }));
  const { first, others } = useReading({ text: entry.text, translations }, language);
  const lang = useLangAttribute(first.language);
  if (others.length === 0) return <>{entry.text}</>;
  return (
    <>
      <span lang={lang}>{first.text}</span>
      {others.map((other) => (
        <span key={other.language} className="table1-translation" lang={langTag(other.language)}>
          {other.text}
        </span>
      ))}
    </>
  );
}

function Recommendations({ set }: { set: RecommendationSet }) {
  const { t } = useTranslation("publication");
  const scale = setScale(set);
  return (
    <div className="table-scroll" role="region" aria-labelledby="table1-caption" tabIndex={0}>
      <table className={tableClass(scale)}>
        <caption id="table1-caption">
          {scale.kind === "agreement"
            ? t(
                "Table 1. Key points adopted in version {{version}}, with the votes of the round that decided each and how many voted in it",
                {
                  version: set.version,
                },
              )
            : t(
                "Table 1. Key points adopted in version {{version}}, with the ratings of the round that decided each and how many voted in it",
                { version: set.version },
              )}
        </caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              {t("No.")}
            </th>
            <th scope="col">{t("Section")}</th>
            <th scope="col">{t("Key point")}</th>
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
              <td className="table1-text">
                <KeyPoint entry={r} language={set.guideline.language} />
              </td>
              <DecidedBy entry={r} />
              <Counts entry={r} scale={scale} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NotAdopted({ entries, scale, language }: { entries: Entry[]; scale: Scale; language: string }) {
  const { t } = useTranslation("publication");
  return (
    <section aria-labelledby="not-adopted">
      <h2 id="not-adopted">{t("Not adopted")}</h2>
      {entries.length === 0 ? (
        <p>{t("None: every statement put to the vote was adopted.")}</p>
      ) : (
        <div className="table-scroll" role="region" aria-labelledby="not-adopted" tabIndex={0}>
          <table className={tableClass(scale)} aria-labelledby="not-adopted">
            <thead>
              <tr>
                <th scope="col">{t("Section")}</th>
                <th scope="col">{t("Statement")}</th>
                <DecidedByHeadings />
                <CountHeadings scale={scale} />
                <th scope="col">{t("Why")}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.statementId}>
                  <td>{e.section}</td>
                  <td className="table1-text">
                    <KeyPoint entry={e} language={language} />
                  </td>
                  <DecidedBy entry={e} />
                  <Counts entry={e} scale={scale} />
                  <td className="table1-why" data-label={t("Why")}>
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
  const { t } = useTranslation(["publication", "rules"]);
  const formatDate = useFormatDate();
  const scale = setScale(set);
  return (
    <article className="table1">
      <header>
        <h1>{set.guideline.title}</h1>
        <p className="table1-version">
          {t("Version {{version}} · published {{date}}", { version: set.version, date: formatDate(set.publishedAt) })}
        </p>
        <Summary set={set} />
      </header>
      <section aria-labelledby="rule-heading" className="table1-rule">
        <h2 id="rule-heading">{t("Adoption rule")}</h2>
        <p>{describeRule(set.rule, undefined, t)}</p>
        {set.ruleText ? (
          <blockquote>
            <p>{set.ruleText}</p>
          </blockquote>
        ) : null}
        {scale.kind === "rating" ? (
          <>
            <p>{t("Scale: {{scale}}.", { scale: describeScale(scale, t) })}</p>
            <p>{setLabel(GRADE_NOTE, t)}</p>
          </>
        ) : null}
      </section>
      <Recommendations set={set} />
      <NotAdopted entries={set.notAdopted} scale={scale} language={set.guideline.language} />
      <footer className="table1-footer">
        <p>
          {t("Content hash")} <code>{set.contentHash}</code>
        </p>
        <p>
          {t("For a manuscript:")} <a href={links.word}>Word</a> · <a href={links.markdown}>Markdown</a>
          {t(". As data:")} <a href={links.json}>JSON</a> · <a href={links.csv}>CSV</a>
        </p>
        {links.changes ? (
          <p>
            <a href={links.changes}>{t("What changed since version {{version}}", { version: set.version - 1 })}</a>
          </p>
        ) : null}
      </footer>
    </article>
  );
}
