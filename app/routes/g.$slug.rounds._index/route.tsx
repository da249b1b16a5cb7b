import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import type { SubmissionResult } from "@conform-to/react";
import { useTranslation } from "react-i18next";
import { getDb } from "@db/client.server";
import { useLanguage } from "~/components/translations";
import { barStyles } from "~/components/vote-bar";
import { msg, namespaces } from "~/i18n";
import { formatUtc } from "~/time";
import { Field, FormErrors } from "~/components/form";
import { attempt, invalid, readForm } from "~/server/forms.server";
import { tr } from "~/server/i18n.server";
import { requireMember } from "~/server/permissions.server";
import { roundsPage } from "~/server/progress.server";
import { CreateRoundSchema } from "~/server/round-forms";
import { createDraftRound } from "~/server/rounds.server";
import styles from "~/styles/rounds.css";

export const handle = namespaces("rounds");

export const links: LinksFunction = () => [barStyles, { rel: "stylesheet", href: styles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Rounds · Delphi consensus" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline, membership } = await requireMember(request, params.slug, ["secretary", "observer"]);
  const db = getDb();
  return {
    title: tr("Rounds · Delphi consensus", undefined, "rounds"),
    slug: guideline.slug,
    canManage: membership.role === "secretary",
    ...roundsPage(db, { guideline, membership }),
  };
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

const STATUS_LABEL = { draft: msg("Draft"), open: msg("Open"), closed: msg("Closed") } as const;
const STATEMENT_STATUS = {
  draft: msg("new"),
  in_round: msg("in a round"),
  adopted: msg("adopted"),
  not_adopted: msg("not adopted"),
  retired: msg("retired"),
} as const;

/** Where a link sits in a translated sentence. */
const LINK = "\u0000";

type Data = ReturnType<typeof useLoaderData<typeof loader>>;

function RoundDates({ round }: { round: Data["rounds"][number] }) {
  const { t } = useTranslation("rounds");
  const language = useLanguage();
  if (round.status === "closed") {
    return <>{t("Closed {{when}}", { when: round.closedAt ? formatUtc(round.closedAt, false, language) : "" })}</>;
  }
  if (!round.closesAt) return <span className="muted">{t("No deadline set")}</span>;
  if (round.overdue) return <strong>{t("Deadline passed — closing now")}</strong>;
  return <>{t("Closes {{when}}", { when: formatUtc(round.closesAt, false, language) })}</>;
}

function RoundList({ slug, rounds }: { slug: string; rounds: Data["rounds"] }) {
  const { t } = useTranslation("rounds");
  if (rounds.length === 0) return <p className="muted">{t("No rounds yet.")}</p>;
  return (
    <table className="data-table">
      <thead>
        <tr>
          <th scope="col">{t("Round")}</th>
          <th scope="col">{t("Status")}</th>
          <th scope="col">{t("Statements")}</th>
          <th scope="col">{t("Responses")}</th>
          <th scope="col">{t("Deadline")}</th>
        </tr>
      </thead>
      <tbody>
        {rounds.map((round) => (
          <tr key={round.number}>
            <td>
              <Link to={`/g/${slug}/rounds/${round.number}`}>{t("Round {{number}}", { number: round.number })}</Link>
            </td>
            <td>
              <span className={`badge round-status round-status-${round.status}`}>{t(STATUS_LABEL[round.status])}</span>
              {round.origin === "import" ? <span className="badge">{t("Imported")}</span> : null}
            </td>
            <td>{t("{{count}} statements", { count: round.items })}</td>
            <td>
              {round.responded === null ? (
                <span className="muted">{t("Not open yet")}</span>
              ) : (
                t("{{responded}} of {{panelSize}} responded", { responded: round.responded, panelSize: round.panelSize ?? 0 })
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
  const { t } = useTranslation("rounds");
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
      <h3 id="new-round-title">{t("New draft round")}</h3>
      {candidates.length === 0 ? (
        <p className="muted">{t("Every statement is retired or already in a round: write or revise a statement first.")}</p>
      ) : (
        <Form method="post" {...getFormProps(form)} className="stack">
          <FormErrors id={form.errorId} errors={form.errors} />
          <fieldset
            className="statement-choices"
            aria-describedby={fields.statementIds.errors ? fields.statementIds.errorId : undefined}
          >
            <legend>{t("Statements (each with its latest revision; not yet adopted ones are chosen)")}</legend>
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
                    {c.section ? `${c.section} · ` : ""}
                    {t("revision {{revision}}", { revision: c.revision })} · {t(STATEMENT_STATUS[c.status])}
                  </span>
                  <span className="choice-text">{c.text}</span>
                </span>
              </label>
            ))}
            {fields.statementIds.errors ? (
              <p className="field-error" id={fields.statementIds.errorId}>
                {fields.statementIds.errors.map((error) => t(error)).join(" ")}
              </p>
            ) : null}
          </fieldset>
          <Field
            id={fields.closesAt.id}
            label={t("Deadline (optional; date and time in UTC)")}
            errorId={fields.closesAt.errorId}
            errors={fields.closesAt.errors}
          >
            <input {...getInputProps(fields.closesAt, { type: "datetime-local" })} />
          </Field>
          <p>
            <button type="submit" className="button">
              {t("Create draft round {{number}}", { number: nextNumber })}
            </button>
          </p>
        </Form>
      )}
    </section>
  );
}

function DraftNotice({ slug, number }: { slug: string; number: number }) {
  const { t } = useTranslation("rounds");
  const [before, after] = t("{{round}} is being drafted. A guideline has at most one draft round and one open round at a time.", {
    round: LINK,
  }).split(LINK);
  return (
    <p className="notice">
      {before}
      <Link to={`/g/${slug}/rounds/${number}`}>{t("Round {{number}}", { number })}</Link>
      {after}
    </p>
  );
}

/** Every round of the guideline with its response rate, and the start of the next one. */
export default function Rounds() {
  const { slug, rounds, candidates, canManage } = useLoaderData<typeof loader>();
  const { t } = useTranslation("rounds");
  const draft = rounds.find((r) => r.status === "draft");
  const nextNumber = (rounds[0]?.number ?? 0) + 1;
  return (
    <div className="stack">
      <section className="panel">
        <h2>{t("Rounds")}</h2>
        <RoundList slug={slug} rounds={rounds} />
      </section>
      {canManage && draft ? <DraftNotice slug={slug} number={draft.number} /> : null}
      {canManage && !draft ? <NewDraftForm candidates={candidates} nextNumber={nextNumber} /> : null}
    </div>
  );
}
