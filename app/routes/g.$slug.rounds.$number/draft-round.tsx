import { getFormProps, useForm } from "@conform-to/react";
import { Form, Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { FormErrors } from "~/components/form";
import { Time } from "~/components/time";
import { allErrors, ConfirmForm, DeadlineForm, IntentForm, StatementText, useResult } from "./forms";
import { ownName } from "~/components/statement-text";
import { slots, withElements } from "~/components/translations";
import { ScheduledReminders } from "./reminders";
import type { Draft, Reminders } from "./types";

type Opening = NonNullable<Draft["opening"]>;

/** The statements without a confirmed translation: the round cannot open until each has one. */
function UntranslatedWarning({ untranslated }: { untranslated: Opening["untranslated"] }) {
  const { t } = useTranslation("rounds");
  if (untranslated.length === 0) return null;
  return (
    <div className="notice notice-warning" role="note">
      <p>
        <strong>{t("The round cannot open until every statement has a confirmed translation:")}</strong>
      </p>
      <ul>
        {untranslated.map((u) => (
          <li key={`${u.number} ${u.language}`}>
            {u.state === "missing"
              ? t("Statement {{number}}: no translation into {{language}}", { number: u.number, language: ownName(u.language) })
              : t("Statement {{number}}: the translation into {{language}} is to check", {
                  number: u.number,
                  language: ownName(u.language),
                })}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Statements the panel would be asked about again in the words a round already did not adopt. */
function UnchangedWarning({ unchanged, slug }: { unchanged: Opening["unchanged"]; slug: string }) {
  const { t } = useTranslation("rounds");
  if (unchanged.length === 0) return null;
  const count = unchanged.length;
  return (
    <div className="notice notice-warning" role="note">
      <p>
        <strong>{t("{{count}} statements are back with the wording a round did not adopt:", { count })}</strong>
      </p>
      <ul>
        {unchanged.map((s) => (
          <li key={s.statementId}>
            {withElements(
              t("{{statement}}: not adopted in round {{round}}, same text since", { ...slots("statement"), round: s.lastRound }),
              {
                statement: (
                  <Link to={`/g/${slug}/statements/${s.statementId}`}>{t("Statement {{number}}", { number: s.number })}</Link>
                ),
              },
            )}
          </li>
        ))}
      </ul>
      <p>{t("The panel would vote on the same words again. Re-word them first, or open anyway.", { count })}</p>
    </div>
  );
}

/**
 * What opening does, to confirm: who is mailed, the deadline, what gets locked, and the
 * statements carried over unchanged. The button sends `confirm=yes`; without it the server
 * refuses to open.
 */
function OpenConfirmation({ round, opening, slug }: { round: Draft; opening: Opening; slug: string }) {
  const { t } = useTranslation("rounds");
  const result = useResult("open");
  const here = `/g/${slug}/rounds/${round.number}`;
  const recipients = opening.recipients;
  return (
    <section className="panel confirm-open" id="open" aria-labelledby="open-title">
      <h3 id="open-title">{t("Open round {{number}}?", { number: round.number })}</h3>
      <FormErrors id="open-error" errors={allErrors(result)} />
      <ul className="confirm-list">
        <li>
          {withElements(
            t("{{mailed}} that the round is open, with the link to vote; they become the round's panel.", slots("mailed")),
            {
              mailed: <strong>{t("{{count}} panelists will be mailed", { count: recipients })}</strong>,
            },
          )}
        </li>
        <li>
          {round.closesAt ? (
            round.overdue ? (
              <>
                <strong>
                  {withElements(t("The deadline, {{when}}, has passed:", slots("when")), {
                    when: <Time value={round.closesAt} />,
                  })}
                </strong>{" "}
                {t("set a new one before opening.")}
              </>
            ) : (
              withElements(
                t("Deadline: {{when}} ({{left}}); the round closes itself then.", { ...slots("when"), left: round.timeLeft }),
                {
                  when: <Time value={round.closesAt} />,
                },
              )
            )
          ) : (
            t("No deadline set: the round stays open until you close it.")
          )}
        </li>
        <li>{t("The {{count}} statements of this draft are locked.", { count: round.items.length })}</li>
        {opening.fixesRule ? (
          <li>
            <strong>
              {t("This is the first round to open: it fixes the ballot scale, the adoption rule and anonymity for good.")}
            </strong>{" "}
            {t("Scale: {{scale}}. Rule: {{rule}}", { scale: opening.scale, rule: opening.rule })}
          </li>
        ) : (
          <li>{t("The round is voted under the guideline's fixed rule: {{rule}}", { rule: opening.rule })}</li>
        )}
      </ul>
      <UnchangedWarning unchanged={opening.unchanged} slug={slug} />
      <UntranslatedWarning untranslated={opening.untranslated} />
      <IntentForm intent="open" errors={false} className="row">
        <input type="hidden" name="confirm" value="yes" />
        <button type="submit" className="button" disabled={opening.untranslated.length > 0}>
          {t("Yes, open round {{number}} and mail {{count}} panelists", { number: round.number, count: recipients })}
        </button>
        <Link to={here}>{t("Cancel")}</Link>
      </IntentForm>
    </section>
  );
}

/** The first step: a GET form to the confirmation (?confirm=open), so opening always takes two deliberate steps. */
function OpenStep({ round, opening, slug }: { round: Draft; opening: Opening; slug: string }) {
  const { t } = useTranslation("rounds");
  return (
    <section className="panel" aria-labelledby="open-title">
      <h3 id="open-title">{t("Open the round")}</h3>
      <p>
        {t(
          "Opening locks the statements, fixes the panel (today's panelists) and the adoption rule, mails the panel and lets it vote. It cannot be undone; you confirm on the next step.",
        )}
      </p>
      <UnchangedWarning unchanged={opening.unchanged} slug={slug} />
      <Form method="get" action={`/g/${slug}/rounds/${round.number}#open`}>
        <input type="hidden" name="confirm" value="open" />
        <button type="submit" className="button">
          {t("Open round {{number}}…", { number: round.number })}
        </button>
      </Form>
    </section>
  );
}

export function DraftRound({
  round,
  reminders,
  canManage,
  confirming,
  slug,
  linksToLocal,
}: {
  round: Draft;
  reminders: Reminders;
  canManage: boolean;
  confirming: boolean;
  slug: string;
  linksToLocal: boolean;
}) {
  const { t } = useTranslation("rounds");
  const removeResult = useResult("remove-item");
  const openResult = useResult("open");
  const [addForm, addFields] = useForm<{ intent: string; statementIds: string[] }>({
    id: "add-items",
    lastResult: useResult("add-items"),
    shouldValidate: "onSubmit",
  });
  return (
    <>
      <section className="panel" aria-labelledby="items-title">
        <h3 id="items-title">{t("Statements in this draft")}</h3>
        {round.items.length === 0 ? (
          <p className="notice">{t("No statements yet: add at least one before opening the round.")}</p>
        ) : null}
        <FormErrors id="remove-item-error" errors={removeResult?.error?.[""] ?? undefined} />
        <ol className="card-list round-items">
          {round.items.map((item) => (
            <li key={item.itemId} className="card">
              <h4>{t("Statement {{number}}", { number: item.number })}</h4>
              <StatementText item={item} />
              {item.newerRevision ? (
                <p className="notice">
                  {t(
                    "Revision {{revision}} of this statement is newer: remove the statement and add it again to vote on the newer text.",
                    { revision: item.newerRevision },
                  )}
                </p>
              ) : null}
              <div className="row item-actions">
                <Link to={`/g/${slug}/statements/${item.statementId}`}>
                  {canManage
                    ? t("Edit statement {{number}}", { number: item.number })
                    : t("Open statement {{number}}", { number: item.number })}
                </Link>
                {canManage ? (
                  <IntentForm intent="remove-item" errors={false} className="item-form">
                    <input type="hidden" name="itemId" value={item.itemId} />
                    <button type="submit" className="button-link">
                      {t("Remove statement {{number}} from the round", { number: item.number })}
                    </button>
                  </IntentForm>
                ) : null}
              </div>
            </li>
          ))}
        </ol>
      </section>
      {canManage && round.opening ? (
        <>
          {confirming || openResult ? (
            <OpenConfirmation round={round} opening={round.opening} slug={slug} />
          ) : (
            <OpenStep round={round} opening={round.opening} slug={slug} />
          )}
          {round.candidates.length > 0 ? (
            <section className="panel" aria-labelledby="add-title">
              <h3 id="add-title">{t("Add statements")}</h3>
              <Form method="post" {...getFormProps(addForm)} className="stack">
                <input type="hidden" name="intent" value="add-items" />
                <FormErrors id={addForm.errorId} errors={addForm.errors} />
                <fieldset className="statement-choices">
                  <legend>{t("Statements not in a round (each with its latest revision)")}</legend>
                  {round.candidates.map((c) => (
                    <label key={c.statementId} className="choice">
                      <input type="checkbox" name={addFields.statementIds.name} value={c.statementId} />
                      <span>
                        <span className="meta">
                          {t("Statement {{number}}", { number: c.position })} · {c.section ? `${c.section} · ` : ""}
                          {t("revision {{revision}}", { revision: c.revision })}
                        </span>
                        <span className="choice-text">{c.text}</span>
                      </span>
                    </label>
                  ))}
                  {addFields.statementIds.errors ? (
                    <p className="field-error" id={addFields.statementIds.errorId}>
                      {addFields.statementIds.errors.map((error) => t(error)).join(" ")}
                    </p>
                  ) : null}
                </fieldset>
                <p>
                  <button type="submit" className="button button-secondary">
                    {t("Add to round {{number}}", { number: round.number })}
                  </button>
                </p>
              </Form>
            </section>
          ) : null}
          <section className="panel" aria-labelledby="deadline-title">
            <h3 id="deadline-title">{t("Deadline")}</h3>
            <DeadlineForm
              intent="set-deadline"
              current={round.closesAt}
              label={t("Closes at (date and time in UTC; leave empty for no deadline)")}
              button={t("Save deadline")}
            />
          </section>
          <section className="panel" aria-labelledby="reminders-title">
            <h3 id="reminders-title">{t("Reminders")}</h3>
            <ScheduledReminders
              scheduled={reminders.scheduled}
              status={round.status}
              closesAt={round.closesAt}
              canManage={canManage}
              linksToLocal={linksToLocal}
            />
          </section>
          <section className="panel" aria-labelledby="delete-title">
            <h3 id="delete-title">{t("Delete this draft")}</h3>
            <ConfirmForm
              intent="delete"
              confirm={t("I understand that draft round {{number}} is deleted (its statements stay).", { number: round.number })}
              button={t("Delete draft round {{number}}", { number: round.number })}
              danger
            />
          </section>
        </>
      ) : null}
    </>
  );
}
