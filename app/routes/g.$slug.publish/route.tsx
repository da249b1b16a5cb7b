import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { getDb } from "@db/client.server";
import { FormErrors, useErrorText } from "~/components/form";
import { slot, useLanguage, withElements } from "~/components/translations";
import {
  distributionHeading,
  distributionText,
  gradeLabel,
  medianText,
  outcomeLabel,
  setScale,
  type Entry,
  type Recommendation,
} from "~/consensus/recommendation-set";
import type { Scale } from "~/consensus/scale";
import { msg, namespaces, type Translate } from "~/i18n";
import { attempt, invalid, readForm } from "~/server/forms.server";
import { tr } from "~/server/i18n.server";
import { requireMember } from "~/server/permissions.server";
import { previewNextVersion, type ChangeLine } from "~/server/publish-preview.server";
import { listVersions, publish } from "~/server/publications.server";
import { versionPath } from "~/server/public-api.server";
import styles from "~/styles/publish.css";
import { formatUtc } from "~/time";

export const handle = namespaces("statements");

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Publish · Delphi consensus" }];

const CONFIRMATION = msg("Tick the box to confirm that you understand published versions are permanent and public.");

const PublishSchema = z.object({
  confirm: z.boolean({ error: CONFIRMATION }).refine((ticked) => ticked, CONFIRMATION),
});

function linksFor(slug: string, version: number) {
  const g = `/g/${encodeURIComponent(slug)}`;
  return {
    table1: `${g}/v/${version}`,
    json: versionPath(slug, version),
    csv: versionPath(slug, version, "csv"),
    markdown: versionPath(slug, version, "md"),
    word: versionPath(slug, version, "docx"),
  };
}

type VersionLinks = ReturnType<typeof linksFor>;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline } = await requireMember(request, params.slug, "secretary");
  const db = getDb();
  const newestFirst = listVersions(db, { slug: guideline.slug })
    .reverse()
    .map((v) => ({
      version: v.version,
      publishedAt: v.publishedAt.toISOString(),
      contentHash: v.contentHash,
      links: linksFor(guideline.slug, v.version),
    }));
  const published = Number(new URL(request.url).searchParams.get("published"));
  return {
    title: `${tr("Publish", {}, "statements")} · ${tr("Delphi consensus", {}, "statements")}`,
    preview: previewNextVersion(db, { slug: guideline.slug }),
    versions: newestFirst,
    justPublished: newestFirst.find((v) => v.version === published) ?? null,
    report: `/g/${encodeURIComponent(guideline.slug)}/report`,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { guideline, user } = await requireMember(request, params.slug, "secretary");
  const submission = parseWithZod(await readForm(request), { schema: PublishSchema });
  if (submission.status !== "success") return invalid(submission);
  const result = await attempt(submission, () => publish(getDb(), { slug: guideline.slug, actorId: user.id }));
  if (result instanceof Response) return result;
  return redirect(`/g/${encodeURIComponent(guideline.slug)}/publish?published=${result.version}`);
}

function VersionLinkList({ links, label }: { links: VersionLinks; label: string }) {
  const { t } = useTranslation("statements");
  return (
    <ul className="link-list" aria-label={label}>
      <li>
        <a href={links.table1}>{t("Table 1 page")}</a>
      </li>
      <li>
        <a href={links.json}>API JSON</a>
      </li>
      <li>
        <a href={links.csv}>CSV</a>
      </li>
      <li>
        <a href={links.markdown}>Markdown</a>
      </li>
      <li>
        <a href={links.word}>Word</a>
      </li>
    </ul>
  );
}

const CHANGE_HEADINGS = { added: msg("Added"), revised: msg("Revised"), retired: msg("Retired") } as const;

/** "Statement 8", or nothing for a statement no longer in the guideline's list. */
const statementLabel = (number: number | null | undefined, t: Translate) =>
  number == null ? "" : `${t("Statement {{number}}", { number })} · `;

function ChangeItem({ change }: { change: ChangeLine }) {
  const { t } = useTranslation("statements");
  return (
    <li className="change">
      <p className="meta">
        {statementLabel(change.number, t)}
        {change.section || t("No section")}
        {change.kind === "revised"
          ? ` · ${t("revision {{previous}} → {{revision}}", { previous: change.previousRevision, revision: change.revision })}`
          : null}
        {change.adopted === null ? null : (
          <span className={change.adopted ? "badge badge-done" : "badge"}>
            {change.adopted ? t("adopted") : t("not adopted")}
          </span>
        )}
      </p>
      <p className="change-text">{change.text}</p>
    </li>
  );
}

function ChangeList({ changes, previousVersion }: { changes: ChangeLine[]; previousVersion: number | null }) {
  const { t } = useTranslation("statements");
  return (
    <section aria-labelledby="changes-heading">
      <h4 id="changes-heading">
        {previousVersion === null
          ? t("Changes: this is the first version")
          : t("Changes since version {{version}}", { version: previousVersion })}
      </h4>
      {changes.length === 0 ? (
        <p className="muted">{t("No statement was added, revised or retired; only tallies or the panel changed.")}</p>
      ) : null}
      {(["added", "revised", "retired"] as const).map((kind) => {
        const lines = changes.filter((c) => c.kind === kind);
        if (lines.length === 0) return null;
        return (
          <div key={kind}>
            <h5>
              {t(CHANGE_HEADINGS[kind])} ({lines.length})
            </h5>
            <ul className="change-list">
              {lines.map((c) => (
                <ChangeItem key={c.statementId} change={c} />
              ))}
            </ul>
          </div>
        );
      })}
    </section>
  );
}

const count = (n: number | undefined) => (n === undefined ? "–" : n);

/** The columns of the set's scale: agree, disagree, abstain; or the ratings' distribution, median, outcome and grade. */
function countColumns(scale: Scale, t: Translate): { label: string; value: (entry: Entry) => string | number }[] {
  if (scale.kind === "agreement") {
    return [
      { label: t("Agree"), value: (e) => count(e.votes?.agree) },
      { label: t("Disagree"), value: (e) => count(e.votes?.disagree) },
      { label: t("Abstain"), value: (e) => count(e.votes?.abstain) },
    ];
  }
  return [
    { label: distributionHeading(scale), value: (e) => distributionText(e, scale) },
    { label: t("Median"), value: (e) => medianText(e.median) },
    { label: t("Outcome"), value: (e) => outcomeLabel(e.outcome) },
    { label: t("Grade"), value: (e) => gradeLabel(e.grade) },
  ];
}

/**
 * The adopted statements as Table 1 will list them. Each is named by its statement number, as on
 * every other page, with the recommendation number it gets in the published set beside it (1..k
 * over the adopted statements: the published contract).
 */
function RecommendationsTable({
  recommendations,
  scale,
  numbers,
}: {
  recommendations: Recommendation[];
  scale: Scale;
  numbers: Record<string, number>;
}) {
  const { t } = useTranslation("statements");
  if (recommendations.length === 0) return <p className="muted">{t("No statement would be adopted in this version.")}</p>;
  const columns = countColumns(scale, t);
  return (
    <table className="data-table labelled-table">
      <caption>
        {t("Table 1 as it will be published: the adopted statements, numbered 1 to {{last}} as recommendations", {
          last: recommendations.length,
        })}
      </caption>
      <thead>
        <tr>
          <th scope="col">{t("Statement → recommendation")}</th>
          <th scope="col">{t("Section")}</th>
          <th scope="col">{t("Key point")}</th>
          {columns.map((c) => (
            <th key={c.label} scope="col">
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {recommendations.map((r) => (
          <tr key={r.statementId}>
            <td data-label={t("Number")} className="publish-number">
              <strong>{t("Statement {{number}}", { number: numbers[r.statementId] ?? "–" })}</strong>{" "}
              <span className="muted">{t("→ Recommendation {{number}}", { number: r.number })}</span>
            </td>
            <td data-label={t("Section")}>{r.section}</td>
            <td data-label={t("Key point")}>{r.text}</td>
            {columns.map((c) => (
              <td key={c.label} data-label={c.label}>
                {c.value(r)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NotAdoptedList({ entries, scale, numbers }: { entries: Entry[]; scale: Scale; numbers: Record<string, number> }) {
  const { t } = useTranslation("statements");
  if (entries.length === 0) return <p>{t("None: every statement put to the vote would be adopted.")}</p>;
  const columns = countColumns(scale, t);
  const counts = (e: Entry) =>
    scale.kind === "agreement"
      ? columns.map((c) => `${c.label.toLowerCase()} ${c.value(e)}`).join(", ")
      : columns.map((c) => `${c.label}: ${c.value(e)}`).join(" · ");
  return (
    <ul className="change-list">
      {entries.map((e) => (
        <li key={e.statementId} className="change">
          <p className="meta">
            {statementLabel(numbers[e.statementId], t)}
            {e.section || t("No section")} · {counts(e)}
          </p>
          <p className="change-text">{e.text}</p>
          <p>{e.explanation}</p>
        </li>
      ))}
    </ul>
  );
}

function PublishForm({ version }: { version: number }) {
  const lastResult = useActionData<typeof action>();
  const { t } = useTranslation("statements");
  const errorText = useErrorText();
  const [form, fields] = useForm({
    id: "publish",
    lastResult,
    constraint: getZodConstraint(PublishSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: PublishSchema }),
  });
  return (
    <Form method="post" className="publish-form" {...getFormProps(form)}>
      <FormErrors id={form.errorId} errors={form.errors} />
      <div className="confirm">
        <input {...getInputProps(fields.confirm, { type: "checkbox" })} />
        <label htmlFor={fields.confirm.id}>
          {t("Published versions are permanent and public: version {{version}} can never be changed or withdrawn.", { version })}
        </label>
      </div>
      {fields.confirm.errors?.length ? (
        <p className="field-error" id={fields.confirm.errorId}>
          {fields.confirm.errors.map(errorText).join(" ")}
        </p>
      ) : null}
      <button type="submit" className="button">
        {t("Publish version {{version}}", { version })}
      </button>
    </Form>
  );
}

function NextVersion() {
  const { preview } = useLoaderData<typeof loader>();
  const { t } = useTranslation("statements");
  return (
    <section className="panel stack" aria-labelledby="next-heading">
      <h3 id="next-heading">{t("Next version")}</h3>
      {preview.status === "refused" ? <p className="notice notice-locked">{preview.message}</p> : null}
      {preview.status === "unchanged" ? (
        <p className="notice notice-locked">
          {t(
            "Nothing has changed since version {{version}}: close another round or retire a statement before publishing again.",
            { version: preview.previousVersion },
          )}
        </p>
      ) : null}
      {preview.status === "ready" ? (
        <>
          <p>
            {withElements(
              t("Publishing now makes {{version}}: {{adopted}} adopted, {{notAdopted}} not adopted, from rounds {{rounds}}.", {
                version: slot("version"),
                adopted: preview.set.recommendations.length,
                notAdopted: preview.set.notAdopted.length,
                count: preview.set.rounds.length,
                rounds: preview.set.rounds.map((r) => r.number).join(", "),
              }),
              { version: <strong>{t("version {{version}}", { version: preview.set.version })}</strong> },
            )}
          </p>
          <ChangeList changes={preview.changes} previousVersion={preview.set.changes.previousVersion} />
          <section aria-labelledby="table1-heading">
            <h4 id="table1-heading">{t("Recommendations")}</h4>
            <RecommendationsTable
              recommendations={preview.set.recommendations}
              scale={setScale(preview.set)}
              numbers={preview.numbers}
            />
          </section>
          <section aria-labelledby="not-adopted-heading">
            <h4 id="not-adopted-heading">{t("Not adopted")}</h4>
            <NotAdoptedList entries={preview.set.notAdopted} scale={setScale(preview.set)} numbers={preview.numbers} />
          </section>
          <PublishForm version={preview.set.version} />
        </>
      ) : null}
    </section>
  );
}

function PublishedVersions() {
  const { versions, report } = useLoaderData<typeof loader>();
  const { t } = useTranslation("statements");
  const language = useLanguage();
  return (
    <section className="panel stack" aria-labelledby="versions-heading">
      <h3 id="versions-heading">{t("Published versions")}</h3>
      {versions.length === 0 ? (
        <p className="muted">{t("Nothing is published yet.")}</p>
      ) : (
        <table className="data-table labelled-table">
          <thead>
            <tr>
              <th scope="col">{t("Version")}</th>
              <th scope="col">{t("Published")}</th>
              <th scope="col">{t("Content hash")}</th>
              <th scope="col">{t("Downloads and links")}</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.version}>
                <td data-label={t("Version")}>{v.version}</td>
                <td data-label={t("Published")}>
                  <time dateTime={v.publishedAt}>{formatUtc(v.publishedAt, true, language)}</time>
                </td>
                <td data-label={t("Content hash")}>
                  <code title={v.contentHash}>{v.contentHash.replace(/^sha256:/, "").slice(0, 12)}</code>
                </td>
                <td data-label={t("Links")}>
                  <VersionLinkList links={v.links} label={t("Version {{version}}", { version: v.version })} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        <a href={report}>{t("Methods report and analysis exports")}</a>
      </p>
    </section>
  );
}

export default function Publish() {
  const { justPublished } = useLoaderData<typeof loader>();
  const { t } = useTranslation("statements");
  return (
    <div className="stack publish">
      <h2>{t("Publish")}</h2>
      {justPublished ? (
        <div className="notice" role="status">
          <p>{t("Version {{version}} is published. It is public from now on:", { version: justPublished.version })}</p>
          <VersionLinkList
            links={justPublished.links}
            label={t("Version {{version}} just published", { version: justPublished.version })}
          />
        </div>
      ) : null}
      <NextVersion />
      <PublishedVersions />
    </div>
  );
}
