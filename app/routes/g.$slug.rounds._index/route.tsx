import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import type { SubmissionResult } from "@conform-to/react";
import { getDb } from "@db/client.server";
import { barStyles } from "~/components/vote-bar";
import { formatUtc } from "~/time";
import { Field, FormErrors } from "~/components/form";
import { attempt, invalid, readForm } from "~/server/forms.server";
import { requireMember } from "~/server/permissions.server";
import { roundsPage } from "~/server/progress.server";
import { CreateRoundSchema } from "~/server/round-forms";
import { createDraftRound } from "~/server/rounds.server";
import styles from "~/styles/rounds.css";

export const links: LinksFunction = () => [barStyles, { rel: "stylesheet", href: styles }];

export const meta: MetaFunction = () => [{ title: "Rounds · Delphi consensus" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline, membership } = await requireMember(request, params.slug, ["secretary", "observer"]);
  const db = getDb();
  return { slug: guideline.slug, canManage: membership.role === "secretary", ...roundsPage(db, { guideline, membership }) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, guideline } = await requireMember(request, params.slug, "secretary");
  const submission = parseWithZod(await readForm(request), { schema: CreateRoundSchema });
  if (submission.status !== "success") return invalid(submission);
  const { statementIds, closesAt } = submission.value;
  return attempt(submission, () => {
    const round = createDraftRound(getDb(), {
      guidelineId: guideline.id,
      statementIds,
      closesAt: closesAt ?? null,
      actorId: user.id,
    });
    return redirect(`/g/${guideline.slug}/rounds/${round.number}`);
  });
}

const STATUS_LABEL = { draft: "Draft", open: "Open", closed: "Closed" } as const;
const STATEMENT_STATUS = {
  draft: "new",
  in_round: "in a round",
  adopted: "adopted",
  not_adopted: "not adopted",
  retired: "retired",
} as const;

type Data = ReturnType<typeof useLoaderData<typeof loader>>;

function RoundDates({ round }: { round: Data["rounds"][number] }) {
  if (round.status === "closed") return <>Closed {round.closedAt ? formatUtc(round.closedAt) : ""}</>;
  if (!round.closesAt) return <span className="muted">No deadline set</span>;
  if (round.overdue) return <strong>Deadline passed — closing now</strong>;
  return <>Closes {formatUtc(round.closesAt)}</>;
}

function RoundList({ slug, rounds }: { slug: string; rounds: Data["rounds"] }) {
  if (rounds.length === 0) return <p className="muted">No rounds yet.</p>;
  return (
    <table className="data-table">
      <thead>
        <tr>
          <th scope="col">Round</th>
          <th scope="col">Status</th>
          <th scope="col">Statements</th>
          <th scope="col">Responses</th>
          <th scope="col">Deadline</th>
        </tr>
      </thead>
      <tbody>
        {rounds.map((round) => (
          <tr key={round.number}>
            <td>
              <Link to={`/g/${slug}/rounds/${round.number}`}>Round {round.number}</Link>
            </td>
            <td>
              <span className={`badge round-status round-status-${round.status}`}>{STATUS_LABEL[round.status]}</span>
              {round.origin === "import" ? <span className="badge">Imported</span> : null}
            </td>
            <td>
              {round.items} statement{round.items === 1 ? "" : "s"}
            </td>
            <td>
              {round.responded === null ? (
                <span className="muted">Not open yet</span>
              ) : (
                `${round.responded} of ${round.panelSize ?? 0} responded`
              )}
            </td>
            <td>
              <RoundDates round={round} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NewDraftForm({ candidates, nextNumber }: { candidates: Data["candidates"]; nextNumber: number }) {
  const lastResult = useActionData<SubmissionResult<string[]>>();
  const [form, fields] = useForm({
    id: "new-round",
    lastResult,
    constraint: getZodConstraint(CreateRoundSchema),
    shouldValidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: CreateRoundSchema }),
  });
  const chosen = new Set(
    (lastResult?.initialValue?.statementIds as string[] | undefined) ??
      candidates.filter((c) => c.suggested).map((c) => c.statementId),
  );
  return (
    <section className="panel" aria-labelledby="new-round-title">
      <h3 id="new-round-title">New draft round</h3>
      {candidates.length === 0 ? (
        <p className="muted">Every statement is retired or already in a round: write or revise a statement first.</p>
      ) : (
        <Form method="post" {...getFormProps(form)} className="stack">
          <FormErrors id={form.errorId} errors={form.errors} />
          <fieldset
            className="statement-choices"
            aria-describedby={fields.statementIds.errors ? fields.statementIds.errorId : undefined}
          >
            <legend>Statements (each with its latest revision; not yet adopted ones are chosen)</legend>
            {candidates.map((c) => (
              <label key={c.statementId} className="choice">
                <input
                  type="checkbox"
                  name={fields.statementIds.name}
                  value={c.statementId}
                  defaultChecked={chosen.has(c.statementId)}
                />
                <span>
                  <span className="meta">
                    {c.section ? `${c.section} · ` : ""}revision {c.revision} · {STATEMENT_STATUS[c.status]}
                  </span>
                  <span className="choice-text">{c.text}</span>
                </span>
              </label>
            ))}
            {fields.statementIds.errors ? (
              <p className="field-error" id={fields.statementIds.errorId}>
                {fields.statementIds.errors.join(" ")}
              </p>
            ) : null}
          </fieldset>
          <Field
            id={fields.closesAt.id}
            label="Deadline (optional; date and time in UTC)"
            errorId={fields.closesAt.errorId}
            errors={fields.closesAt.errors}
          >
            <input {...getInputProps(fields.closesAt, { type: "datetime-local" })} />
          </Field>
          <p>
            <button type="submit" className="button">
              Create draft round {nextNumber}
            </button>
          </p>
        </Form>
      )}
    </section>
  );
}

/** Every round of the guideline with its response rate, and the start of the next one. */
export default function Rounds() {
  const { slug, rounds, candidates, canManage } = useLoaderData<typeof loader>();
  const draft = rounds.find((r) => r.status === "draft");
  const nextNumber = (rounds[0]?.number ?? 0) + 1;
  return (
    <div className="stack">
      <section className="panel">
        <h2>Rounds</h2>
        <RoundList slug={slug} rounds={rounds} />
      </section>
      {canManage && draft ? (
        <p className="notice">
          <Link to={`/g/${slug}/rounds/${draft.number}`}>Round {draft.number}</Link> is being drafted. A guideline has at most one
          draft round and one open round at a time.
        </p>
      ) : null}
      {canManage && !draft ? <NewDraftForm candidates={candidates} nextNumber={nextNumber} /> : null}
    </div>
  );
}
