import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { getDb } from "@db/client.server";
import { Time } from "~/components/time";
import { WordDiff } from "~/components/word-diff";
import type { ComparedField, ListedStatement, Numbering, Result } from "~/consensus/compare";
import { gradeLabel, medianText, outcomeLabel, type Ratings } from "~/consensus/recommendation-set";
import { setLabel } from "~/consensus/table1";
import { msg, namespaces, type Translate } from "~/i18n";
import { changesPath, findComparison, parseRange } from "~/server/changes.server";
import { tr } from "~/server/i18n.server";
import { jsonError } from "~/server/public-api.server";
import styles from "~/styles/changes.css";

export const handle = namespaces("publication");

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export async function loader({ params }: LoaderFunctionArgs) {
  const slug = params.slug!;
  const range = parseRange(`${params.version}..${params.other}`);
  if (!range) {
    throw jsonError(
      404,
      tr(
        'There is no comparison of "{{version}}" with "{{other}}": compare a version number with a later one, or with "latest".',
        { version: params.version, other: params.other },
        "publication",
      ),
    );
  }
  const found = findComparison(getDb(), slug, range);
  if ("error" in found) throw jsonError(found.status, found.error);
  const { comparison } = found;
  const title = tr(
    "{{title}}: changes from version {{from}} to version {{to}}",
    { title: comparison.guideline.title, from: comparison.from.version, to: comparison.to.version },
    "publication",
  );
  return {
    comparison,
    json: changesPath(slug, comparison.from.version, comparison.to.version),
    title: `${title} · ${tr("Delphi consensus", undefined, "common")}`,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

const tablePath = (slug: string, version: number) => `/g/${encodeURIComponent(slug)}/v/${version}`;

/** "No. 8", "No. 8 → 7", "Not adopted → No. 2", "No. 3 → not adopted". */
function numberLabel({ before, after }: Numbering, t: Translate): string {
  if (before === after) return before === null ? t("Not adopted") : t("No. {{number}}", { number: before });
  if (before === null) return t("Not adopted → No. {{number}}", { number: after });
  return after === null ? t("No. {{before}} → not adopted", { before }) : t("No. {{before}} → {{after}}", { before, after });
}

/** A statement's number and section, as its list item or table is headed: "No. 8 → 7 · Chemotherapy". */
const heading = (number: string, section: string) => (section ? `${number} · ${section}` : number);

const listedNumber = (s: ListedStatement, t: Translate) =>
  s.number === undefined ? t("Not adopted") : t("No. {{number}}", { number: s.number });

const FIELD_LABELS: Record<ComparedField, string> = {
  adopted: msg("Verdict"),
  outcome: msg("Outcome"),
  grade: msg("Grade"),
  round: msg("Deciding round"),
  votes: msg("Votes"),
  ratings: msg("Ratings"),
  median: msg("Median"),
  participants: msg("Participants"),
  eligible: msg("Eligible"),
};

/** "1: 0 · 2: 1 · … · 9: 3 · unable: 0", each point kept with its count. */
const ratingsText = (ratings: Ratings, t: Translate) =>
  Object.entries(ratings)
    .map(([point, count]) => `${point === "unable" ? t("unable") : point}:\u00a0${count}`)
    .join(" · ");

function fieldText(field: ComparedField, result: Result, t: Translate): string {
  switch (field) {
    case "adopted":
      return result.adopted ? t("Adopted") : t("Not adopted");
    case "outcome":
      return setLabel(outcomeLabel(result.outcome), t) || "–";
    case "grade":
      return setLabel(gradeLabel(result.grade), t) || "–";
    case "round":
      return t("Round {{number}}", { number: result.round });
    case "votes":
      return result.votes ? t("{{agree}} agree, {{disagree}} disagree, {{abstain}} abstain", result.votes) : "–";
    case "ratings":
      return result.ratings ? ratingsText(result.ratings, t) : "–";
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
  const { t } = useTranslation("publication");
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{t("{{title}} ({{number}})", { title, number: count })}</h2>
      <p className="meta">{intro}</p>
      {count === 0 ? <p>{t("None.")}</p> : <ul className="changes-list">{children}</ul>}
    </section>
  );
}

function Listed({ statements }: { statements: ListedStatement[] }) {
  const { t } = useTranslation("publication");
  return statements.map((s) => (
    <li key={s.statementId}>
      <h3 className="changes-label">{heading(listedNumber(s, t), s.section)}</h3>
      <p className="changes-text">{s.text}</p>
    </li>
  ));
}

export default function Changes() {
  const { comparison: c, json } = useLoaderData<typeof loader>();
  const { t } = useTranslation("publication");
  const slug = c.guideline.slug;
  const versions = { from: c.from.version, to: c.to.version };
  return (
    <article className="table1 changes">
      <header>
        <h1>{c.guideline.title}</h1>
        <p className="table1-version">{t("Changes from version {{from}} to version {{to}}", versions)}</p>
        <p className="meta">
          <a href={tablePath(slug, c.from.version)}>{t("Version {{version}}", { version: c.from.version })}</a> {t("published")}{" "}
          <Time value={c.from.publishedAt} dateOnly /> ·{" "}
          <a href={tablePath(slug, c.to.version)}>{t("Version {{version}}", { version: c.to.version })}</a> {t("published")}{" "}
          <Time value={c.to.publishedAt} dateOnly />
        </p>
      </header>

      <Part
        id="added"
        title={t("Added")}
        intro={t("In version {{to}}, not in version {{from}}; numbers are those of version {{to}}.", versions)}
        count={c.added.length}
      >
        <Listed statements={c.added} />
      </Part>

      <Part
        id="revised"
        title={t("Revised")}
        intro={t("Reworded since version {{from}}: removed words struck through, added words underlined.", versions)}
        count={c.revised.length}
      >
        {c.revised.map((r) => (
          <li key={r.statementId}>
            <h3 className="changes-label">{heading(numberLabel(r.number, t), r.after.section)}</h3>
            <p className="meta">
              {t("Revision {{before}} → {{after}}", { before: r.before.revision, after: r.after.revision })}
              {r.sectionChanged
                ? ` · ${t("section “{{before}}” → “{{after}}”", { before: r.before.section, after: r.after.section })}`
                : null}
            </p>
            <p className="changes-text">
              <WordDiff segments={r.diff} />
            </p>
          </li>
        ))}
      </Part>

      <Part
        id="retired"
        title={t("Retired")}
        intro={t("In version {{from}}, not in version {{to}}; numbers are those of version {{from}}.", versions)}
        count={c.retired.length}
      >
        <Listed statements={c.retired} />
      </Part>

      <Part
        id="changed"
        title={t("Changed verdicts or counts")}
        intro={t("A different verdict, deciding round or count in version {{to}} than in version {{from}}.", versions)}
        count={c.changed.length}
      >
        {c.changed.map((s, index) => (
          <li key={s.statementId}>
            <h3 className="changes-label" id={`changed-${index}`}>
              {heading(numberLabel(s.number, t), s.section)}
            </h3>
            <p className="changes-text">{s.text}</p>
            <div className="table-scroll" role="region" aria-labelledby={`changed-${index}`} tabIndex={0}>
              <table className="table1-table changes-table" aria-labelledby={`changed-${index}`}>
                <thead>
                  <tr>
                    <th scope="col">{t("Changed")}</th>
                    <th scope="col">{t("Version {{version}}", { version: c.from.version })}</th>
                    <th scope="col">{t("Version {{version}}", { version: c.to.version })}</th>
                  </tr>
                </thead>
                <tbody>
                  {s.fields.map((field) => (
                    <tr key={field}>
                      <th scope="row">{t(FIELD_LABELS[field])}</th>
                      <td>{fieldText(field, s.before, t)}</td>
                      <td>{fieldText(field, s.after, t)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </li>
        ))}
      </Part>

      <Part
        id="renumbered"
        title={t("Renumbered")}
        intro={t("Statements whose number in Table 1 moved.")}
        count={c.renumbered.length}
      >
        {c.renumbered.map((s) => (
          <li key={s.statementId}>
            <h3 className="changes-label">{heading(numberLabel(s.number, t), s.section)}</h3>
            <p className="changes-text">{s.text}</p>
          </li>
        ))}
      </Part>

      <footer className="table1-footer">
        <p>
          {t("Version {{version}}: content hash", { version: c.from.version })} <code>{c.from.contentHash}</code>
        </p>
        <p>
          {t("Version {{version}}: content hash", { version: c.to.version })} <code>{c.to.contentHash}</code>
        </p>
        <p>
          {t("These changes as data:")} <a href={json}>JSON</a>
        </p>
      </footer>
    </article>
  );
}
