import { getFormProps, getInputProps, getTextareaProps, useForm, type SubmissionResult } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Field, FormErrors, useErrorText } from "~/components/form";
import { StatementFieldInputs } from "~/components/statement-fields";
import { langTag, ownName } from "~/components/statement-text";
import { TranslationFieldInputs } from "~/components/translation-fields";
import { DraftRoundBadge, LockBadge, StatusBadge } from "~/components/statement-status";
import { useLanguage } from "~/components/translations";
import { WordDiff } from "~/components/word-diff";
import { msg, namespaces, type Translate } from "~/i18n";
import { attempt, invalid, readForm } from "~/server/forms.server";
import { tr } from "~/server/i18n.server";
import { requireMember } from "~/server/permissions.server";
import {
  changeNoteRequired,
  editStatementSchema,
  readTranslations,
  RestoreSchema,
  RetireSchema,
  type EditBasis,
} from "~/server/statement-form";
import {
  confirmStatementTranslation,
  editStatement,
  getStatement,
  restoreStatement,
  retireStatement,
  type RevisionRound,
} from "~/server/statements.server";
import { otherLanguages } from "~/server/translations.server";
import { getDb } from "@db/client.server";
import styles from "~/styles/statements.css";
import { formatUtc } from "~/time";

export const handle = namespaces("statements");

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? data.title : "Statement · Delphi consensus" }];

/** The statements namespace's translation in the request's language. */
const translate: Translate = (key, values) => tr(key, values, "statements");

function notFound(): Response {
  return Response.json({ error: translate("No such statement.") }, { status: 404 });
}

const DONE: Record<string, (revision: string | null) => string> = {
  created: () => translate("Statement created as a draft."),
  edited: (revision) => translate("Saved: revision {{revision}} updated.", { revision }),
  revised: (revision) => translate("Saved as revision {{revision}}.", { revision }),
  retired: () => translate("Statement retired."),
  restored: () => translate("Statement restored."),
  confirmed: () => translate(msg("Translation confirmed against the current wording.")),
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
    title: `${translate("Statement {{number}}", { number: statement.position })} · ${translate("Delphi consensus")}`,
    slug: guideline.slug,
    languages: otherLanguages(guideline),
    canEdit: membership.role === "secretary",
    statement,
    notice: doneNotice(new URL(request.url)),
  };
}

const ConfirmTranslationSchema = z.object({ intent: z.literal("confirm-translation"), language: z.string().min(1).max(35) });

function actionSchema(basis: EditBasis) {
  return z.discriminatedUnion("intent", [
    editStatementSchema(basis, translate),
    RetireSchema,
    RestoreSchema,
    ConfirmTranslationSchema,
  ]);
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, guideline } = await requireMember(request, params.slug, "secretary");
  const db = getDb();
  const statement = getStatement(db, { guidelineId: guideline.id, statementId: params.statementId ?? "" });
  if (!statement) throw notFound();
  const form = await readForm(request);
  const submission = parseWithZod(form, { schema: actionSchema(statement.basis) });
  if (submission.status !== "success") return invalid(submission);
  const translated = readTranslations(form, otherLanguages(guideline));
  if (!translated.ok) return Response.json(submission.reply({ fieldErrors: translated.errors }), { status: 400 });
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
    if (value.intent === "confirm-translation") {
      confirmStatementTranslation(db, { ...target, language: value.language });
      return redirect(`${page}?done=confirmed`);
    }
    const { intent: _, ...fields } = value;
    const saved = editStatement(db, { ...target, edit: { ...fields, translations: translated.translations } });
    return redirect(`${page}?done=${saved.created ? "revised" : "edited"}&revision=${saved.revision}`);
  });
}

/** A round that holds a revision: a draft round has not voted on it yet, an open one is voting. */
function describeRound(round: RevisionRound, t: Translate): string {
  const number = round.number;
  switch (round.status) {
    case "draft":
      return t("in draft round {{number}}, not voted on yet", { number });
    case "open":
      return t("being voted on in round {{number}} (open)", { number });
    case "closed":
      return round.result
        ? round.result.adopted
          ? t("voted in round {{number}}: adopted ({{summary}})", { number, summary: round.result.summary })
          : t("voted in round {{number}}: not adopted ({{summary}})", { number, summary: round.result.summary })
        : t("voted in round {{number}}", { number });
  }
}

/** The rounds of a revision as one sentence: "Voted in round 1: adopted (…); in draft round 3, not voted on yet." */
function roundsSentence(rounds: RevisionRound[], t: Translate): string {
  if (rounds.length === 0) return t("Not voted on.");
  const sentence = rounds.map((round) => describeRound(round, t)).join(t("; "));
  return t("{{sentence}}.", { sentence: `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}` });
}

type Detail = ReturnType<typeof useLoaderData<typeof loader>>["statement"];

/** Conform gives every form the last reply; each form keeps only its own. */
function replyFor(intent: string, reply: SubmissionResult<string[]> | undefined) {
  return reply?.initialValue?.intent === intent ? reply : undefined;
}

function EditForm({
  statement,
  languages,
  lastResult,
}: {
  statement: Detail;
  languages: string[];
  lastResult: SubmissionResult<string[]> | undefined;
}) {
  const { basis, lockedInRound } = statement;
  const latest = statement.revisions.at(-1)!;
  const { t } = useTranslation("statements");
  const schema = editStatementSchema(basis, t);
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
      <h3 id="edit-heading">{t("Edit")}</h3>
      {lockedInRound !== null ? (
        <p className="notice notice-locked">
          {t("Locked while round {{number}} is open: the panel is voting on this wording.", { number: lockedInRound })}
        </p>
      ) : basis.votedInRound !== null ? (
        <p className="notice">
          {t(
            "Saving a new section or wording creates revision {{next}} because revision {{revision}} was voted in round {{round}}.",
            {
              next: basis.revision + 1,
              revision: basis.revision,
              round: basis.votedInRound,
            },
          )}
        </p>
      ) : (
        <p className="muted">
          {t("Revision {{revision}} has not been voted on yet: saving updates it in place.", { revision: basis.revision })}
        </p>
      )}
      <Form method="post" {...getFormProps(form)}>
        <fieldset disabled={lockedInRound !== null} className="stmt-fieldset">
          <legend className="stmt-visually-hidden">{t("Statement {{number}}", { number: statement.position })}</legend>
          <input type="hidden" name="intent" value="edit" />
          <FormErrors id={form.errorId} errors={form.errors} />
          <StatementFieldInputs fields={fields} />
          <TranslationFieldInputs languages={languages} current={latest.translations} errors={lastResult?.error ?? undefined} />
          {changeNoteRequired(basis) ? (
            <Field
              id={fields.changeNote.id}
              label={t("Change note (required): what changed and why")}
              errorId={fields.changeNote.errorId}
              errors={fields.changeNote.errors}
            >
              <textarea {...getTextareaProps(fields.changeNote)} rows={3} />
            </Field>
          ) : null}
          <button type="submit" className="button">
            {basis.votedInRound !== null ? t("Save as revision {{revision}}", { revision: basis.revision + 1 }) : t("Save")}
          </button>
        </fieldset>
      </Form>
    </section>
  );
}

/** Confirms a translation written for an earlier wording as still saying what the statement says. */
function ConfirmTranslations({ statement }: { statement: Detail }) {
  const { t } = useTranslation("statements");
  const stale = statement.revisions.at(-1)!.translations.filter((translation) => !translation.confirmed);
  // A voted wording's translations stay as they were: only a new wording can be translated again.
  if (stale.length === 0 || statement.lockedInRound !== null || statement.basis.votedInRound !== null) return null;
  return (
    <section aria-labelledby="confirm-translation-heading" className="stmt-edit">
      <h3 id="confirm-translation-heading">{t("Translations to check")}</h3>
      {stale.map((translation) => (
        <Form method="post" key={translation.language} className="row">
          <input type="hidden" name="intent" value="confirm-translation" />
          <input type="hidden" name="language" value={translation.language} />
          <p lang={langTag(translation.language)}>{translation.text}</p>
          <button type="submit" className="button button-secondary">
            {t("Confirm the {{language}} translation", { language: ownName(translation.language) })}
          </button>
        </Form>
      ))}
    </section>
  );
}

function RetireForm({ lastResult }: { lastResult: SubmissionResult<string[]> | undefined }) {
  const { t } = useTranslation("statements");
  const errorText = useErrorText();
  const [form, fields] = useForm({
    id: "retire-statement",
    lastResult,
    constraint: getZodConstraint(RetireSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: RetireSchema }),
  });
  return (
    <section aria-labelledby="retire-heading" className="stmt-retire">
      <h3 id="retire-heading">{t("Retire")}</h3>
      <p className="muted">
        {t("A retired statement goes into no new round and is listed as retired in the next published version.")}
      </p>
      <Form method="post" {...getFormProps(form)}>
        <input type="hidden" name="intent" value="retire" />
        <FormErrors id={form.errorId} errors={form.errors} />
        <div className="field stmt-confirm">
          <label htmlFor={fields.confirm.id}>
            <input {...getInputProps(fields.confirm, { type: "checkbox" })} />
            {t("I want to retire this statement")}
          </label>
          {fields.confirm.errors?.length ? (
            <p className="field-error" id={fields.confirm.errorId}>
              {fields.confirm.errors.map(errorText).join(" ")}
            </p>
          ) : null}
        </div>
        <button type="submit" className="button button-danger">
          {t("Retire statement")}
        </button>
      </Form>
    </section>
  );
}

function RestoreForm({ lastResult }: { lastResult: SubmissionResult<string[]> | undefined }) {
  const [form] = useForm({ id: "restore-statement", lastResult });
  const { t } = useTranslation("statements");
  return (
    <section aria-labelledby="restore-heading" className="stmt-retire">
      <h3 id="restore-heading">{t("Retired")}</h3>
      <p className="muted">
        {t("Restoring gives the statement back the verdict of the last round that voted on it, or makes it a draft again.")}
      </p>
      <Form method="post" {...getFormProps(form)}>
        <input type="hidden" name="intent" value="restore" />
        <FormErrors id={form.errorId} errors={form.errors} />
        <button type="submit" className="button button-secondary">
          {t("Restore statement")}
        </button>
      </Form>
    </section>
  );
}

function History({ revisions }: { revisions: Detail["revisions"] }) {
  const sectionBefore = new Map(revisions.slice(1).map((revision, i) => [revision.id, revisions[i]!.section]));
  const { t } = useTranslation("statements");
  const language = useLanguage();
  return (
    <section aria-labelledby="history-heading" className="stmt-history">
      <h3 id="history-heading">{t("History")}</h3>
      <ol reversed className="stmt-revisions">
        {[...revisions].reverse().map((revision) => (
          <li key={revision.id} className="card">
            <h4>{t("Revision {{revision}}", { revision: revision.revision })}</h4>
            <p className="meta">
              {revision.author ?? t("Unknown author")} ·{" "}
              <time dateTime={revision.createdAt}>{formatUtc(revision.createdAt, false, language)}</time>
            </p>
            {revision.changeNote ? (
              <p>
                <strong>{t("Change note:")}</strong> {revision.changeNote}
              </p>
            ) : null}
            {sectionBefore.has(revision.id) && sectionBefore.get(revision.id) !== revision.section ? (
              <p>
                <strong>{t("Section:")}</strong> {sectionBefore.get(revision.id) || t("none")} → {revision.section || t("none")}
              </p>
            ) : null}
            <p className="meta">{roundsSentence(revision.rounds, t)}</p>
            {revision.diff ? (
              <div className="stmt-text">
                <p className="stmt-diff-caption">
                  {t("Changes from revision {{revision}}:", { revision: revision.revision - 1 })}
                </p>
                <p>
                  <WordDiff segments={revision.diff} />
                </p>
              </div>
            ) : (
              <p className="stmt-text">{revision.text}</p>
            )}
            {revision.translations.map((translation) => (
              <div className="stmt-text" key={translation.language} lang={langTag(translation.language)}>
                <p className="stmt-diff-caption">
                  {ownName(translation.language)}
                  {translation.confirmed ? null : <span className="badge">{t("to check")}</span>}
                </p>
                <p>{translation.diff ? <WordDiff segments={translation.diff} /> : translation.text}</p>
              </div>
            ))}
          </li>
        ))}
      </ol>
    </section>
  );
}

export default function StatementPage() {
  const { slug, canEdit, statement, notice, languages } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>() as SubmissionResult<string[]> | undefined;
  const { t } = useTranslation("statements");
  const latest = statement.revisions.at(-1)!;
  const retired = statement.status === "retired";
  return (
    <div className="stack stmt-page">
      <section className="panel" aria-labelledby="statement-heading">
        <p className="meta">
          <Link to={`/g/${slug}/statements`}>{t("← All statements")}</Link>
        </p>
        <h2 id="statement-heading">{t("Statement {{number}}", { number: statement.position })}</h2>
        <p className="row">
          <StatusBadge status={statement.status} />
          {statement.lockedInRound !== null ? <LockBadge round={statement.lockedInRound} /> : null}
          {statement.inDraftRound !== null ? <DraftRoundBadge round={statement.inDraftRound} /> : null}
          <span className="muted">
            {statement.section ? `${statement.section} · ` : ""}
            {t("revision {{revision}}", { revision: latest.revision })}
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
            <h3>{t("Rationale")}</h3>
            <p className="stmt-prose">{latest.rationale}</p>
          </>
        ) : null}
        {latest.references ? (
          <>
            <h3>{t("References")}</h3>
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
              <EditForm key={latest.id} statement={statement} languages={languages} lastResult={replyFor("edit", reply)} />
              <ConfirmTranslations statement={statement} />
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
