import { getFormProps, useForm } from "@conform-to/react";
import { Form, Link } from "@remix-run/react";
import { FormErrors } from "~/components/form";
import { Time } from "~/components/time";
import { allErrors, ConfirmForm, DeadlineForm, IntentForm, StatementText, useResult } from "./forms";
import { ScheduledReminders } from "./reminders";
import type { Draft, Reminders } from "./types";

type Opening = NonNullable<Draft["opening"]>;

const statementsWord = (n: number) => `${n} statement${n === 1 ? "" : "s"}`;

/** Statements the panel would be asked about again in the words a round already did not adopt. */
function UnchangedWarning({ unchanged, slug }: { unchanged: Opening["unchanged"]; slug: string }) {
  if (unchanged.length === 0) return null;
  return (
    <div className="notice notice-warning" role="note">
      <p>
        <strong>
          {statementsWord(unchanged.length)} {unchanged.length === 1 ? "is" : "are"} back with the wording a round did not adopt:
        </strong>
      </p>
      <ul>
        {unchanged.map((s) => (
          <li key={s.statementId}>
            <Link to={`/g/${slug}/statements/${s.statementId}`}>Statement {s.number}</Link>: not adopted in round {s.lastRound},
            same text since
          </li>
        ))}
      </ul>
      <p>The panel would vote on the same words again. Re-word {unchanged.length === 1 ? "it" : "them"} first, or open anyway.</p>
    </div>
  );
}

/**
 * What opening does, to confirm: who is mailed, the deadline, what gets locked, and the
 * statements carried over unchanged. The button sends `confirm=yes`; without it the server
 * refuses to open.
 */
function OpenConfirmation({ round, opening, slug }: { round: Draft; opening: Opening; slug: string }) {
  const result = useResult("open");
  const here = `/g/${slug}/rounds/${round.number}`;
  return (
    <section className="panel confirm-open" id="open" aria-labelledby="open-title">
      <h3 id="open-title">Open round {round.number}?</h3>
      <FormErrors id="open-error" errors={allErrors(result)} />
      <ul className="confirm-list">
        <li>
          <strong>
            {opening.recipients} panelist{opening.recipients === 1 ? "" : "s"} will be mailed
          </strong>{" "}
          that the round is open, with the link to vote; they become the round&apos;s panel.
        </li>
        <li>
          {round.closesAt ? (
            round.overdue ? (
              <>
                <strong>
                  The deadline, <Time value={round.closesAt} />, has passed:
                </strong>{" "}
                set a new one before opening.
              </>
            ) : (
              <>
                Deadline: <Time value={round.closesAt} /> ({round.timeLeft}); the round closes itself then.
              </>
            )
          ) : (
            <>No deadline set: the round stays open until you close it.</>
          )}
        </li>
        <li>
          {round.items.length === 1
            ? "The statement of this draft is locked."
            : `The ${statementsWord(round.items.length)} of this draft are locked.`}
        </li>
        {opening.fixesRule ? (
          <li>
            <strong>This is the first round to open: it fixes the ballot scale, the adoption rule and anonymity for good.</strong>{" "}
            Scale: {opening.scale}. Rule: {opening.rule}
          </li>
        ) : (
          <li>The round is voted under the guideline&apos;s fixed rule: {opening.rule}</li>
        )}
      </ul>
      <UnchangedWarning unchanged={opening.unchanged} slug={slug} />
      <IntentForm intent="open" errors={false} className="row">
        <input type="hidden" name="confirm" value="yes" />
        <button type="submit" className="button">
          Yes, open round {round.number} and mail {opening.recipients} panelist{opening.recipients === 1 ? "" : "s"}
        </button>
        <Link to={here}>Cancel</Link>
      </IntentForm>
    </section>
  );
}

/** The first step: a GET form to the confirmation (?confirm=open), so opening always takes two deliberate steps. */
function OpenStep({ round, opening, slug }: { round: Draft; opening: Opening; slug: string }) {
  return (
    <section className="panel" aria-labelledby="open-title">
      <h3 id="open-title">Open the round</h3>
      <p>
        Opening locks the statements, fixes the panel (today&apos;s panelists) and the adoption rule, mails the panel and lets it
        vote. It cannot be undone; you confirm on the next step.
      </p>
      <UnchangedWarning unchanged={opening.unchanged} slug={slug} />
      <Form method="get" action={`/g/${slug}/rounds/${round.number}#open`}>
        <input type="hidden" name="confirm" value="open" />
        <button type="submit" className="button">
          Open round {round.number}…
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
        <h3 id="items-title">Statements in this draft</h3>
        {round.items.length === 0 ? (
          <p className="notice">No statements yet: add at least one before opening the round.</p>
        ) : null}
        <FormErrors id="remove-item-error" errors={removeResult?.error?.[""] ?? undefined} />
        <ol className="card-list round-items">
          {round.items.map((item) => (
            <li key={item.itemId} className="card">
              <h4>Statement {item.number}</h4>
              <StatementText item={item} />
              {item.newerRevision ? (
                <p className="notice">
                  Revision {item.newerRevision} of this statement is newer: remove the statement and add it again to vote on the
                  newer text.
                </p>
              ) : null}
              <div className="row item-actions">
                <Link to={`/g/${slug}/statements/${item.statementId}`}>
                  {canManage ? "Edit" : "Open"} statement {item.number}
                </Link>
                {canManage ? (
                  <IntentForm intent="remove-item" errors={false} className="item-form">
                    <input type="hidden" name="itemId" value={item.itemId} />
                    <button type="submit" className="button-link">
                      Remove statement {item.number} from the round
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
              <h3 id="add-title">Add statements</h3>
              <Form method="post" {...getFormProps(addForm)} className="stack">
                <input type="hidden" name="intent" value="add-items" />
                <FormErrors id={addForm.errorId} errors={addForm.errors} />
                <fieldset className="statement-choices">
                  <legend>Statements not in a round (each with its latest revision)</legend>
                  {round.candidates.map((c) => (
                    <label key={c.statementId} className="choice">
                      <input type="checkbox" name={addFields.statementIds.name} value={c.statementId} />
                      <span>
                        <span className="meta">
                          Statement {c.position} · {c.section ? `${c.section} · ` : ""}revision {c.revision}
                        </span>
                        <span className="choice-text">{c.text}</span>
                      </span>
                    </label>
                  ))}
                  {addFields.statementIds.errors ? (
                    <p className="field-error" id={addFields.statementIds.errorId}>
                      {addFields.statementIds.errors.join(" ")}
                    </p>
                  ) : null}
                </fieldset>
                <p>
                  <button type="submit" className="button button-secondary">
                    Add to round {round.number}
                  </button>
                </p>
              </Form>
            </section>
          ) : null}
          <section className="panel" aria-labelledby="deadline-title">
            <h3 id="deadline-title">Deadline</h3>
            <DeadlineForm
              intent="set-deadline"
              current={round.closesAt}
              label="Closes at (date and time in UTC; leave empty for no deadline)"
              button="Save deadline"
            />
          </section>
          <section className="panel" aria-labelledby="reminders-title">
            <h3 id="reminders-title">Reminders</h3>
            <ScheduledReminders
              scheduled={reminders.scheduled}
              status={round.status}
              closesAt={round.closesAt}
              canManage={canManage}
              linksToLocal={linksToLocal}
            />
          </section>
          <section className="panel" aria-labelledby="delete-title">
            <h3 id="delete-title">Delete this draft</h3>
            <ConfirmForm
              intent="delete"
              confirm={`I understand that draft round ${round.number} is deleted (its statements stay).`}
              button={`Delete draft round ${round.number}`}
              danger
            />
          </section>
        </>
      ) : null}
    </>
  );
}
