import { getFormProps, getInputProps, getTextareaProps, useForm, type SubmissionResult } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Field, FormErrors } from "~/components/form";
import { StatementFieldInputs } from "~/components/statement-fields";
import { DraftRoundBadge, LockBadge, StatusBadge } from "~/components/statement-status";
import { WordDiff } from "~/components/word-diff";
import { attempt, invalid, readForm } from "~/server/forms.server";
import { requireMember } from "~/server/permissions.server";
import { changeNoteRequired, editStatementSchema, RestoreSchema, RetireSchema, type EditBasis } from "~/server/statement-form";
import { editStatement, getStatement, restoreStatement, retireStatement, type RevisionRound } from "~/server/statements.server";
import { getDb } from "@db/client.server";
import styles from "~/styles/statements.css";
import { formatUtc } from "~/time";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Statement ${data.statement.position} · Delphi consensus` : "Statement · Delphi consensus" },
];

function notFound(): Response {
  return Response.json({ error: "No such statement." }, { status: 404 });
}

const DONE: Record<string, (revision: string | null) => string> = {
  created: () => "Statement created as a draft.",
  edited: (revision) => `Saved: revision ${revision} updated.`,
  revised: (revision) => `Saved as revision ${revision}.`,
  retired: () => "Statement retired.",
  restored: () => "Statement restored.",
};

/** The confirmation shown after a change, read from the redirect's query (works without JavaScript). */
function doneNotice(url: URL): string | null {
  const done = url.searchParams.get("done");
  return done && Object.hasOwn(DONE, done) ? DONE[done]!(url.searchParams.get("revision")) : null;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline, membership } = await requireMember(request, params.slug, ["secretary", "observer"]);
  const statement = getStatement(getDb(), { guidelineId: guideline.id, statementId: params.statementId ?? "" });
  if (!statement) throw notFound();
  return {
    slug: guideline.slug,
    canEdit: membership.role === "secretary",
    statement,
    notice: doneNotice(new URL(request.url)),
  };
}

function actionSchema(basis: EditBasis) {
  return z.discriminatedUnion("intent", [editStatementSchema(basis), RetireSchema, RestoreSchema]);
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, guideline } = await requireMember(request, params.slug, "secretary");
  const db = getDb();
  const statement = getStatement(db, { guidelineId: guideline.id, statementId: params.statementId ?? "" });
  if (!statement) throw notFound();
  const submission = parseWithZod(await readForm(request), { schema: actionSchema(statement.basis) });
  if (submission.status !== "success") return invalid(submission);
  const target = { guidelineId: guideline.id, statementId: statement.id, actorId: user.id };
  const page = `/g/${guideline.slug}/statements/${statement.id}`;
  return attempt(submission, () => {
    const value = submission.value;
    if (value.intent === "retire") {
      retireStatement(db, target);
      return redirect(`${page}?done=retired`);
    }
    if (value.intent === "restore") {
      restoreStatement(db, target);
      return redirect(`${page}?done=restored`);
    }
    const { intent: _, ...edit } = value;
    const saved = editStatement(db, { ...target, edit });
    return redirect(`${page}?done=${saved.created ? "revised" : "edited"}&revision=${saved.revision}`);
  });
}

/** A round that holds a revision: a draft round has not voted on it yet, an open one is voting. */
function describeRound(round: RevisionRound): string {
  switch (round.status) {
    case "draft":
      return `in draft round ${round.number}, not voted on yet`;
    case "open":
      return `being voted on in round ${round.number} (open)`;
    case "closed":
      return round.result
        ? `voted in round ${round.number}: ${round.result.adopted ? "adopted" : "not adopted"} (${round.result.summary})`
        : `voted in round ${round.number}`;
  }
}

/** The rounds of a revision as one sentence: "Voted in round 1: adopted (…); in draft round 3, not voted on yet." */
function roundsSentence(rounds: RevisionRound[]): string {
  if (rounds.length === 0) return "Not voted on.";
  const sentence = rounds.map(describeRound).join("; ");
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}

type Detail = ReturnType<typeof useLoaderData<typeof loader>>["statement"];

/** Conform gives every form the last reply; each form keeps only its own. */
function replyFor(intent: string, reply: SubmissionResult<string[]> | undefined) {
  return reply?.initialValue?.intent === intent ? reply : undefined;
}

function EditForm({ statement, lastResult }: { statement: Detail; lastResult: SubmissionResult<string[]> | undefined }) {
  const { basis, lockedInRound } = statement;
  const latest = statement.revisions.at(-1)!;
  const schema = editStatementSchema(basis);
  const [form, fields] = useForm({
    id: "edit-statement",
    lastResult,
    constraint: getZodConstraint(schema),
    shouldValidate: "onBlur",
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    defaultValue: {
      section: statement.section,
      text: latest.text,
      rationale: latest.rationale,
      references: latest.references,
      changeNote: basis.votedInRound === null ? (latest.changeNote ?? "") : "",
    },
  });
  return (
    <section aria-labelledby="edit-heading" className="stmt-edit">
      <h3 id="edit-heading">Edit</h3>
      {lockedInRound !== null ? (
        <p className="notice notice-locked">Locked while round {lockedInRound} is open: the panel is voting on this wording.</p>
      ) : basis.votedInRound !== null ? (
        <p className="notice">
          Saving a new section or wording creates revision {basis.revision + 1} because revision {basis.revision} was voted in
          round {basis.votedInRound}.
        </p>
      ) : (
        <p className="muted">Revision {basis.revision} has not been voted on yet: saving updates it in place.</p>
      )}
      <Form method="post" {...getFormProps(form)}>
        <fieldset disabled={lockedInRound !== null} className="stmt-fieldset">
          <legend className="stmt-visually-hidden">Statement {statement.position}</legend>
          <input type="hidden" name="intent" value="edit" />
          <FormErrors id={form.errorId} errors={form.errors} />
          <StatementFieldInputs fields={fields} />
          {changeNoteRequired(basis) ? (
            <Field
              id={fields.changeNote.id}
              label="Change note (required): what changed and why"
              errorId={fields.changeNote.errorId}
              errors={fields.changeNote.errors}
            >
              <textarea {...getTextareaProps(fields.changeNote)} rows={3} />
            </Field>
          ) : null}
          <button type="submit" className="button">
            {basis.votedInRound !== null ? `Save as revision ${basis.revision + 1}` : "Save"}
          </button>
        </fieldset>
      </Form>
    </section>
  );
}

function RetireForm({ lastResult }: { lastResult: SubmissionResult<string[]> | undefined }) {
  const [form, fields] = useForm({
    id: "retire-statement",
    lastResult,
    constraint: getZodConstraint(RetireSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: RetireSchema }),
  });
  return (
    <section aria-labelledby="retire-heading" className="stmt-retire">
      <h3 id="retire-heading">Retire</h3>
      <p className="muted">A retired statement goes into no new round and is listed as retired in the next published version.</p>
      <Form method="post" {...getFormProps(form)}>
        <input type="hidden" name="intent" value="retire" />
        <FormErrors id={form.errorId} errors={form.errors} />
        <div className="field stmt-confirm">
          <label htmlFor={fields.confirm.id}>
            <input {...getInputProps(fields.confirm, { type: "checkbox" })} />I want to retire this statement
          </label>
          {fields.confirm.errors?.length ? (
            <p className="field-error" id={fields.confirm.errorId}>
              {fields.confirm.errors.join(" ")}
            </p>
          ) : null}
        </div>
        <button type="submit" className="button button-danger">
          Retire statement
        </button>
      </Form>
    </section>
  );
}

function RestoreForm({ lastResult }: { lastResult: SubmissionResult<string[]> | undefined }) {
  const [form] = useForm({ id: "restore-statement", lastResult });
  return (
    <section aria-labelledby="restore-heading" className="stmt-retire">
      <h3 id="restore-heading">Retired</h3>
      <p className="muted">
        Restoring gives the statement back the verdict of the last round that voted on it, or makes it a draft again.
      </p>
      <Form method="post" {...getFormProps(form)}>
        <input type="hidden" name="intent" value="restore" />
        <FormErrors id={form.errorId} errors={form.errors} />
        <button type="submit" className="button button-secondary">
          Restore statement
        </button>
      </Form>
    </section>
  );
}

function History({ revisions }: { revisions: Detail["revisions"] }) {
  const sectionBefore = new Map(revisions.slice(1).map((revision, i) => [revision.id, revisions[i]!.section]));
  return (
    <section aria-labelledby="history-heading" className="stmt-history">
      <h3 id="history-heading">History</h3>
      <ol reversed className="stmt-revisions">
        {[...revisions].reverse().map((revision) => (
          <li key={revision.id} className="card">
            <h4>Revision {revision.revision}</h4>
            <p className="meta">
              {revision.author ?? "Unknown author"} · <time dateTime={revision.createdAt}>{formatUtc(revision.createdAt)}</time>
            </p>
            {revision.changeNote ? (
              <p>
                <strong>Change note:</strong> {revision.changeNote}
              </p>
            ) : null}
            {sectionBefore.has(revision.id) && sectionBefore.get(revision.id) !== revision.section ? (
              <p>
                <strong>Section:</strong> {sectionBefore.get(revision.id) || "none"} → {revision.section || "none"}
              </p>
            ) : null}
            <p className="meta">{roundsSentence(revision.rounds)}</p>
            {revision.diff ? (
              <div className="stmt-text">
                <p className="stmt-diff-caption">Changes from revision {revision.revision - 1}:</p>
                <p>
                  <WordDiff segments={revision.diff} />
                </p>
              </div>
            ) : (
              <p className="stmt-text">{revision.text}</p>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

export default function StatementPage() {
  const { slug, canEdit, statement, notice } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>() as SubmissionResult<string[]> | undefined;
  const latest = statement.revisions.at(-1)!;
  const retired = statement.status === "retired";
  return (
    <div className="stack stmt-page">
      <section className="panel" aria-labelledby="statement-heading">
        <p className="meta">
          <Link to={`/g/${slug}/statements`}>← All statements</Link>
        </p>
        <h2 id="statement-heading">Statement {statement.position}</h2>
        <p className="row">
          <StatusBadge status={statement.status} />
          {statement.lockedInRound !== null ? <LockBadge round={statement.lockedInRound} /> : null}
          {statement.inDraftRound !== null ? <DraftRoundBadge round={statement.inDraftRound} /> : null}
          <span className="muted">
            {statement.section ? `${statement.section} · ` : ""}revision {latest.revision}
          </span>
        </p>
        {notice ? (
          <p className="notice" role="status">
            {notice}
          </p>
        ) : null}
        <blockquote className="stmt-current">{latest.text}</blockquote>
        {latest.rationale ? (
          <>
            <h3>Rationale</h3>
            <p className="stmt-prose">{latest.rationale}</p>
          </>
        ) : null}
        {latest.references ? (
          <>
            <h3>References</h3>
            <p className="stmt-prose">{latest.references}</p>
          </>
        ) : null}
      </section>
      {canEdit ? (
        <section className="panel stack">
          {retired ? (
            <RestoreForm lastResult={replyFor("restore", reply)} />
          ) : (
            <>
              <EditForm key={latest.id} statement={statement} lastResult={replyFor("edit", reply)} />
              {statement.lockedInRound === null ? <RetireForm lastResult={replyFor("retire", reply)} /> : null}
            </>
          )}
        </section>
      ) : null}
      <section className="panel">
        <History revisions={statement.revisions} />
      </section>
    </div>
  );
}
