import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { getDb } from "@db/client.server";
import { FormErrors } from "~/components/form";
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
import { attempt, invalid, readForm } from "~/server/forms.server";
import { requireMember } from "~/server/permissions.server";
import { previewNextVersion, type ChangeLine } from "~/server/publish-preview.server";
import { listVersions, publish } from "~/server/publications.server";
import { versionPath } from "~/server/public-api.server";
import styles from "~/styles/publish.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction = () => [{ title: "Publish · Delphi consensus" }];

const CONFIRMATION = "Tick the box to confirm that you understand published versions are permanent and public.";

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

function formatDate(iso: string): string {
  return new Date(iso).toLocaleDateString("en-GB", { dateStyle: "long", timeZone: "UTC" });
}

function VersionLinkList({ links, label }: { links: VersionLinks; label: string }) {
  return (
    <ul className="link-list" aria-label={label}>
      <li>
        <a href={links.table1}>Table 1 page</a>
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

const CHANGE_HEADINGS = { added: "Added", revised: "Revised", retired: "Retired" } as const;

/** "Statement 8", or nothing for a statement no longer in the guideline's list. */
const statementLabel = (number: number | null | undefined) => (number == null ? "" : `Statement ${number} · `);

function ChangeItem({ change }: { change: ChangeLine }) {
  return (
    <li className="change">
      <p className="meta">
        {statementLabel(change.number)}
        {change.section || "No section"}
        {change.kind === "revised" ? ` · revision ${change.previousRevision} → ${change.revision}` : null}
        {change.adopted === null ? null : (
          <span className={change.adopted ? "badge badge-done" : "badge"}>{change.adopted ? "adopted" : "not adopted"}</span>
        )}
      </p>
      <p className="change-text">{change.text}</p>
    </li>
  );
}

function ChangeList({ changes, previousVersion }: { changes: ChangeLine[]; previousVersion: number | null }) {
  return (
    <section aria-labelledby="changes-heading">
      <h4 id="changes-heading">
        {previousVersion === null ? "Changes: this is the first version" : `Changes since version ${previousVersion}`}
      </h4>
      {changes.length === 0 ? (
        <p className="muted">No statement was added, revised or retired; only tallies or the panel changed.</p>
      ) : null}
      {(["added", "revised", "retired"] as const).map((kind) => {
        const lines = changes.filter((c) => c.kind === kind);
        if (lines.length === 0) return null;
        return (
          <div key={kind}>
            <h5>
              {CHANGE_HEADINGS[kind]} ({lines.length})
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
function countColumns(scale: Scale): { label: string; value: (entry: Entry) => string | number }[] {
  if (scale.kind === "agreement") {
    return [
      { label: "Agree", value: (e) => count(e.votes?.agree) },
      { label: "Disagree", value: (e) => count(e.votes?.disagree) },
      { label: "Abstain", value: (e) => count(e.votes?.abstain) },
    ];
  }
  return [
    { label: distributionHeading(scale), value: (e) => distributionText(e, scale) },
    { label: "Median", value: (e) => medianText(e.median) },
    { label: "Outcome", value: (e) => outcomeLabel(e.outcome) },
    { label: "Grade", value: (e) => gradeLabel(e.grade) },
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
  if (recommendations.length === 0) return <p className="muted">No statement would be adopted in this version.</p>;
  const columns = countColumns(scale);
  return (
    <table className="data-table labelled-table">
      <caption>
        Table 1 as it will be published: the adopted statements, numbered 1 to {recommendations.length} as recommendations
      </caption>
      <thead>
        <tr>
          <th scope="col">Statement → recommendation</th>
          <th scope="col">Section</th>
          <th scope="col">Key point</th>
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
            <td data-label="Number" className="publish-number">
              <strong>Statement {numbers[r.statementId] ?? "–"}</strong>{" "}
              <span className="muted">→ Recommendation {r.number}</span>
            </td>
            <td data-label="Section">{r.section}</td>
            <td data-label="Key point">{r.text}</td>
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
  if (entries.length === 0) return <p>None: every statement put to the vote would be adopted.</p>;
  const columns = countColumns(scale);
  const counts = (e: Entry) =>
    scale.kind === "agreement"
      ? columns.map((c) => `${c.label.toLowerCase()} ${c.value(e)}`).join(", ")
      : columns.map((c) => `${c.label}: ${c.value(e)}`).join(" · ");
  return (
    <ul className="change-list">
      {entries.map((e) => (
        <li key={e.statementId} className="change">
          <p className="meta">
            {statementLabel(numbers[e.statementId])}
            {e.section || "No section"} · {counts(e)}
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
          Published versions are permanent and public: version {version} can never be changed or withdrawn.
        </label>
      </div>
      {fields.confirm.errors?.length ? (
        <p className="field-error" id={fields.confirm.errorId}>
          {fields.confirm.errors.join(" ")}
        </p>
      ) : null}
      <button type="submit" className="button">
        Publish version {version}
      </button>
    </Form>
  );
}

function NextVersion() {
  const { preview } = useLoaderData<typeof loader>();
  return (
    <section className="panel stack" aria-labelledby="next-heading">
      <h3 id="next-heading">Next version</h3>
      {preview.status === "refused" ? <p className="notice notice-locked">{preview.message}</p> : null}
      {preview.status === "unchanged" ? (
        <p className="notice notice-locked">
          Nothing has changed since version {preview.previousVersion}: close another round or retire a statement before publishing
          again.
        </p>
      ) : null}
      {preview.status === "ready" ? (
        <>
          <p>
            Publishing now makes <strong>version {preview.set.version}</strong>: {preview.set.recommendations.length} adopted,{" "}
            {preview.set.notAdopted.length} not adopted, from {preview.set.rounds.length === 1 ? "round" : "rounds"}{" "}
            {preview.set.rounds.map((r) => r.number).join(", ")}.
          </p>
          <ChangeList changes={preview.changes} previousVersion={preview.set.changes.previousVersion} />
          <section aria-labelledby="table1-heading">
            <h4 id="table1-heading">Recommendations</h4>
            <RecommendationsTable
              recommendations={preview.set.recommendations}
              scale={setScale(preview.set)}
              numbers={preview.numbers}
            />
          </section>
          <section aria-labelledby="not-adopted-heading">
            <h4 id="not-adopted-heading">Not adopted</h4>
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
  return (
    <section className="panel stack" aria-labelledby="versions-heading">
      <h3 id="versions-heading">Published versions</h3>
      {versions.length === 0 ? (
        <p className="muted">Nothing is published yet.</p>
      ) : (
        <table className="data-table labelled-table">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Published</th>
              <th scope="col">Content hash</th>
              <th scope="col">Downloads and links</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.version}>
                <td data-label="Version">{v.version}</td>
                <td data-label="Published">
                  <time dateTime={v.publishedAt}>{formatDate(v.publishedAt)}</time>
                </td>
                <td data-label="Content hash">
                  <code title={v.contentHash}>{v.contentHash.replace(/^sha256:/, "").slice(0, 12)}</code>
                </td>
                <td data-label="Links">
                  <VersionLinkList links={v.links} label={`Version ${v.version}`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        <a href={report}>Methods report and analysis exports</a>
      </p>
    </section>
  );
}

export default function Publish() {
  const { justPublished } = useLoaderData<typeof loader>();
  return (
    <div className="stack publish">
      <h2>Publish</h2>
      {justPublished ? (
        <div className="notice" role="status">
          <p>Version {justPublished.version} is published. It is public from now on:</p>
          <VersionLinkList links={justPublished.links} label={`Version ${justPublished.version} just published`} />
        </div>
      ) : null}
      <NextVersion />
      <PublishedVersions />
    </div>
  );
}
