import { getFormProps, getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { getDb } from "@db/client.server";
import { Deadline } from "~/components/deadline";
import { Distribution, distributionStyles, GroupResults, groupNote, noResponseOf, VerdictFacts } from "~/components/distribution";
import { stableBelowOf } from "~/consensus/rule";
import { formatUtc, toDatetimeLocal } from "~/time";
import { Field, FormErrors } from "~/components/form";
import { ProgressBar } from "~/components/progress-bar";
import { barStyles } from "~/components/vote-bar";
import { Refusal } from "~/server/errors";
import { attempt, invalid, readForm } from "~/server/forms.server";
import { publicOrigin } from "~/server/env.server";
import { deliverOutbox } from "~/server/mail.server";
import { requireMember } from "~/server/permissions.server";
import { remindNonResponders, roundWorkspace } from "~/server/progress.server";
import { RoundActionSchema, type RoundIntent } from "~/server/round-forms";
import {
  addRoundItems,
  carryOverNotAdopted,
  closeOverdueRounds,
  closeRound,
  deleteDraftRound,
  findRoundByNumber,
  openDraftRound,
  removeRoundItem,
  setRoundDeadline,
} from "~/server/rounds.server";
import styles from "~/styles/rounds.css";

export const links: LinksFunction = () => [barStyles, distributionStyles, { rel: "stylesheet", href: styles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Round ${data.round.number} · Delphi consensus` : "Round · Delphi consensus" },
];

function roundNumber(param: string | undefined): number {
  const number = Number(param);
  if (!Number.isInteger(number) || number < 1) throw Response.json({ error: "Not a round number." }, { status: 404 });
  return number;
}

/**
 * What of a round reaches the page: an open round's counts without groups (per-group results
 * come after close only); a closed round's results with the groups that may be shown and their
 * verdicts, never every group's tally.
 */
function forPage(workspace: ReturnType<typeof roundWorkspace>, anonymity: "anonymous" | "named") {
  switch (workspace.status) {
    case "draft":
      return workspace;
    case "open":
      return { ...workspace, counts: workspace.counts?.map(({ roundItemId, tally }) => ({ roundItemId, tally })) ?? null };
    case "closed": {
      const { rule, scale, items } = workspace.results;
      return {
        ...workspace,
        results: {
          rule,
          scale,
          groupNote: groupNote(rule, anonymity),
          items,
        },
      };
    }
  }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline, membership } = await requireMember(request, params.slug, ["secretary", "observer"]);
  const number = roundNumber(params.number);
  const db = getDb();
  try {
    return {
      slug: guideline.slug,
      canManage: membership.role === "secretary",
      reminded: Number(new URL(request.url).searchParams.get("reminded")) || null,
      round: forPage(roundWorkspace(db, { guideline, membership, number }), guideline.anonymity),
    };
  } catch (error) {
    if (error instanceof Refusal) throw Response.json({ error: error.message }, { status: error.status });
    throw error;
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, guideline } = await requireMember(request, params.slug, "secretary");
  const number = roundNumber(params.number);
  const db = getDb();
  closeOverdueRounds(db, new Date(), { guidelineId: guideline.id });
  const submission = parseWithZod(await readForm(request), { schema: RoundActionSchema });
  if (submission.status !== "success") return invalid(submission);
  const value = submission.value;
  const here = `/g/${guideline.slug}/rounds/${number}`;
  const actorId = user.id;
  return attempt(submission, () => {
    if (value.intent === "remind") {
      const voteUrl = `${publicOrigin(request)}/g/${guideline.slug}/vote`;
      const count = remindNonResponders(db, { guideline, number, voteUrl, actorId });
      void deliverOutbox();
      return redirect(`${here}?reminded=${count}`);
    }
    const roundId = findRoundByNumber(db, { guidelineId: guideline.id, number }).id;
    switch (value.intent) {
      case "add-items":
        addRoundItems(db, { roundId, statementIds: value.statementIds, actorId });
        return redirect(here);
      case "remove-item":
        removeRoundItem(db, { roundId, itemId: value.itemId, actorId });
        return redirect(here);
      case "set-deadline":
      case "extend-deadline":
        setRoundDeadline(db, { roundId, closesAt: value.closesAt ?? null, actorId });
        return redirect(here);
      case "open":
        openDraftRound(db, { roundId, actorId, voteUrl: `${publicOrigin(request)}/g/${guideline.slug}/vote` });
        void deliverOutbox();
        return redirect(here);
      case "delete":
        deleteDraftRound(db, { roundId, actorId });
        return redirect(`/g/${guideline.slug}/rounds`);
      case "close":
        closeRound(db, { roundId, actorId });
        return redirect(here);
      case "carry-over": {
        const next = carryOverNotAdopted(db, { roundId, actorId });
        return redirect(`/g/${guideline.slug}/rounds/${next.number}`);
      }
    }
  });
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;
type Workspace = Data["round"];
type Draft = Extract<Workspace, { status: "draft" }>;
type Open = Extract<Workspace, { status: "open" }>;
type Closed = Extract<Workspace, { status: "closed" }>;
type Choices = NonNullable<Open["choices"]>;

/** The action's reply, when it answers the form with this intent. */
function useResult(intent: RoundIntent): SubmissionResult<string[]> | undefined {
  const result = useActionData<SubmissionResult<string[]>>();
  return result?.initialValue?.intent === intent ? result : undefined;
}

/** A form of one button (and hidden inputs) for one intent; its refusal shows beside it unless shown elsewhere. */
function IntentForm({
  intent,
  children,
  className,
  errors = true,
}: {
  intent: RoundIntent;
  children: ReactNode;
  className?: string;
  errors?: boolean;
}) {
  const result = useResult(intent);
  return (
    <Form method="post" className={className}>
      <input type="hidden" name="intent" value={intent} />
      {errors ? <FormErrors id={`${intent}-error`} errors={result?.error?.[""] ?? undefined} /> : null}
      {children}
    </Form>
  );
}

/** A form with one required "I understand" checkbox before an irreversible action. */
function ConfirmForm({
  intent,
  confirm,
  button,
  danger,
}: {
  intent: "close" | "delete";
  confirm: string;
  button: string;
  danger?: boolean;
}) {
  const [form, fields] = useForm<{ intent: string; confirm: boolean }>({
    id: intent,
    lastResult: useResult(intent),
    shouldValidate: "onSubmit",
  });
  return (
    <Form method="post" {...getFormProps(form)} className="stack">
      <input type="hidden" name="intent" value={intent} />
      <FormErrors id={form.errorId} errors={form.errors} />
      <div className="field">
        <label className="choice">
          <input {...getInputProps(fields.confirm, { type: "checkbox" })} required />
          <span>{confirm}</span>
        </label>
        {fields.confirm.errors ? (
          <p className="field-error" id={fields.confirm.errorId}>
            {fields.confirm.errors.join(" ")}
          </p>
        ) : null}
      </div>
      <p>
        <button type="submit" className={danger ? "button button-danger" : "button"}>
          {button}
        </button>
      </p>
    </Form>
  );
}

function DeadlineForm({
  intent,
  current,
  label,
  button,
}: {
  intent: "set-deadline" | "extend-deadline";
  current: string | null;
  label: string;
  button: string;
}) {
  const [form, fields] = useForm<{ intent: string; closesAt: string }>({
    id: intent,
    lastResult: useResult(intent),
    defaultValue: { closesAt: toDatetimeLocal(current) },
    shouldValidate: "onSubmit",
  });
  return (
    <Form method="post" {...getFormProps(form)} className="deadline-form">
      <input type="hidden" name="intent" value={intent} />
      <FormErrors id={form.errorId} errors={form.errors} />
      <Field id={fields.closesAt.id} label={label} errorId={fields.closesAt.errorId} errors={fields.closesAt.errors}>
        <input {...getInputProps(fields.closesAt, { type: "datetime-local" })} required={intent === "extend-deadline"} />
      </Field>
      <button type="submit" className="button button-secondary">
        {button}
      </button>
    </Form>
  );
}

function StatementText({ item }: { item: { section: string; revision: number; text: string } }) {
  return (
    <>
      <p className="meta">
        {item.section ? `${item.section} · ` : ""}revision {item.revision}
      </p>
      <p className="statement-text">{item.text}</p>
    </>
  );
}

function DraftRound({ round, canManage }: { round: Draft; canManage: boolean }) {
  const removeResult = useResult("remove-item");
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
              <h4>Statement {item.position}</h4>
              <StatementText item={item} />
              {item.newerRevision ? (
                <p className="notice">
                  Revision {item.newerRevision} of this statement is newer: remove the statement and add it again to vote on the
                  newer text.
                </p>
              ) : null}
              {canManage ? (
                <IntentForm intent="remove-item" errors={false}>
                  <input type="hidden" name="itemId" value={item.itemId} />
                  <button type="submit" className="button-link">
                    Remove statement {item.position} from the round
                  </button>
                </IntentForm>
              ) : null}
            </li>
          ))}
        </ol>
      </section>
      {canManage ? (
        <>
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
                          {c.section ? `${c.section} · ` : ""}revision {c.revision}
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
          <section className="panel" aria-labelledby="open-title">
            <h3 id="open-title">Open the round</h3>
            <p>
              Opening locks the statements, fixes the panel (today&apos;s panelists) and the adoption rule, and lets the panel
              vote. It cannot be undone.
            </p>
            <IntentForm intent="open">
              <button type="submit" className="button">
                Open round {round.number}
              </button>
            </IntentForm>
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

function ChoiceList({ choices, itemId }: { choices: Choices | null; itemId: string }) {
  const list = choices?.find((c) => c.itemId === itemId)?.choices;
  if (!choices) return null;
  return (
    <details className="choices">
      <summary>Who chose what (named guideline)</summary>
      {list?.length ? (
        <ul>
          {list.map((c, i) => (
            <li key={i}>
              {c.name}: {c.choice === "unable" ? "unable to score" : c.choice}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No ballots.</p>
      )}
    </details>
  );
}

function ResponseRates({ progress }: { progress: Open["progress"] }) {
  return (
    <section className="panel" aria-labelledby="progress-title">
      <h3 id="progress-title">Response rate</h3>
      <ProgressBar label="Responded (at least one statement)" value={progress.responded} max={progress.eligible} unit="members" />
      <ProgressBar label="Complete (every statement)" value={progress.complete} max={progress.eligible} unit="members" />
      <h4>By discipline</h4>
      <ul className="discipline-progress">
        {progress.disciplines.map((d) => (
          <li key={d.discipline}>
            <ProgressBar label={d.discipline} value={d.responded} max={d.eligible} unit="responded" />
            <p className="meta">{d.complete} complete</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Waiting({
  waiting,
  reminded,
  canManage,
}: {
  waiting: NonNullable<Open["progress"]["waiting"]>;
  reminded: number | null;
  canManage: boolean;
}) {
  return (
    <section className="panel" aria-labelledby="waiting-title">
      <h3 id="waiting-title">Not yet complete</h3>
      {reminded ? (
        <p className="notice" role="status">
          A reminder was queued for {reminded} member{reminded === 1 ? "" : "s"}. Without SMTP it waits in the outbox.
        </p>
      ) : null}
      {waiting.length === 0 ? (
        <p>Every panelist has answered all their statements.</p>
      ) : (
        <>
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">E-mail</th>
                <th scope="col">Discipline</th>
                <th scope="col">Answered</th>
              </tr>
            </thead>
            <tbody>
              {waiting.map((m) => (
                <tr key={m.membershipId}>
                  <td>
                    {m.name}
                    {m.removed ? <span className="badge">Removed</span> : null}
                  </td>
                  <td>{m.email}</td>
                  <td>{m.discipline ?? "Unspecified"}</td>
                  <td>{m.answered === 0 ? "Not responded" : `${m.answered} of ${m.items} answered`}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {canManage ? (
            <IntentForm intent="remind" className="row">
              <button type="submit" className="button button-secondary">
                Remind non-responders
              </button>
              <span className="muted">E-mails each member above (except removed ones) the deadline and the link to vote.</span>
            </IntentForm>
          ) : null}
        </>
      )}
    </section>
  );
}

/** Why an open round shows no counts: anonymity (for everyone), or a named guideline's setting. */
function HiddenCounts({ anonymity, canManage }: { anonymity: Open["anonymity"]; canManage: boolean }) {
  return (
    <p className="notice notice-locked">
      {anonymity === "anonymous"
        ? "This guideline is anonymous: nobody sees any count while the round is open, so that no one can work out a " +
          "ballot by watching the counts move as members answer. The results show when the round closes."
        : canManage
          ? "Running counts are off in this guideline's settings; the results show when the round closes."
          : "Counts show when the round closes."}
    </p>
  );
}

function OpenRound({ round, canManage, reminded }: { round: Open; canManage: boolean; reminded: number | null }) {
  const counts = new Map(round.counts?.map((c) => [c.roundItemId, c]));
  return (
    <>
      <ResponseRates progress={round.progress} />
      {round.progress.waiting ? <Waiting waiting={round.progress.waiting} reminded={reminded} canManage={canManage} /> : null}
      <section className="panel" aria-labelledby="open-items-title">
        <h3 id="open-items-title">Statements</h3>
        <p className="meta">Rule: {round.rule}</p>
        {round.counts ? null : <HiddenCounts anonymity={round.anonymity} canManage={canManage} />}
        <ol className="card-list round-items">
          {round.items.map((item) => {
            const tally = counts.get(item.itemId)?.tally;
            return (
              <li key={item.itemId} className="card">
                <h4>Statement {item.position}</h4>
                <StatementText item={item} />
                {tally ? (
                  <Distribution
                    tally={tally}
                    scale={round.scale}
                    label={`${round.scale.kind === "rating" ? "Ratings" : "Votes"} so far on statement ${item.position}`}
                    noResponse={noResponseOf(tally)}
                    noResponseLabel="not yet answered"
                  />
                ) : null}
                <ChoiceList choices={round.choices} itemId={item.itemId} />
              </li>
            );
          })}
        </ol>
      </section>
      {canManage ? (
        <>
          <section className="panel" aria-labelledby="extend-title">
            <h3 id="extend-title">Extend the deadline</h3>
            <DeadlineForm
              intent="extend-deadline"
              current={round.closesAt}
              label="New deadline (date and time in UTC; later than the current one)"
              button="Extend deadline"
            />
          </section>
          <section className="panel" aria-labelledby="close-title">
            <h3 id="close-title">Close the round</h3>
            <p>Closing counts the ballots, decides every statement under the rule and freezes the results.</p>
            <ConfirmForm
              intent="close"
              confirm="Closing is irreversible: ballots can no longer change"
              button={`Close round ${round.number}`}
              danger
            />
          </section>
        </>
      ) : null}
    </>
  );
}

function CarryOver({ carryOver, number }: { carryOver: Closed["carryOver"]; number: number }) {
  if (carryOver.statements === 0) return null;
  const n = carryOver.statements;
  return (
    <section className="panel" aria-labelledby="carry-title">
      <h3 id="carry-title">Not adopted: vote again</h3>
      {carryOver.blockedBy ? (
        <p className="notice">
          {n} statement{n === 1 ? " was" : "s were"} not adopted. Round {carryOver.blockedBy.number} is{" "}
          {carryOver.blockedBy.status}: {carryOver.blockedBy.status === "draft" ? "add them to it, or delete it" : "close it"}{" "}
          before carrying them into a new round.
        </p>
      ) : (
        <IntentForm intent="carry-over" className="stack">
          <p>
            Starts draft round {carryOver.nextNumber} with the {n} statement{n === 1 ? "" : "s"} round {number} did not adopt,
            each as a new revision for you to re-word before the round opens.
          </p>
          <p>
            <button type="submit" className="button">
              Carry {n} not-adopted statement{n === 1 ? "" : "s"} into round {carryOver.nextNumber}
            </button>
          </p>
        </IntentForm>
      )}
    </section>
  );
}

type Result = Closed["results"]["items"][number];
type Stability = NonNullable<Result["stability"]>;

/** A change with its sign: "+3.2", "−1.5", "0"; null when there was nothing to compare. */
function signed(change: number | null): string {
  if (change === null) return "not comparable";
  if (change === 0) return "0";
  return change > 0 ? `+${change}` : `−${-change}`;
}

const roundsWord = (numbers: number[]) =>
  numbers.length === 1 ? `round ${numbers[0]}` : `rounds ${numbers.slice(0, -1).join(", ")} and ${numbers.at(-1)}`;

/** How far a statement moved since the previous round that voted on it (DESIGN §3.4). */
function StabilityLine({
  stability,
  rating,
  stableBelow,
}: {
  stability: Stability | null;
  rating: boolean;
  stableBelow: number;
}) {
  if (!stability) {
    return <p className="stability muted">Stability: first voted in this round, nothing to compare with.</p>;
  }
  const changes = [`agreement share ${signed(stability.shareChange)} points`];
  if (rating) changes.push(`median ${signed(stability.medianChange)}`, `IQR ${signed(stability.iqrChange)}`);
  return (
    <p className="stability">
      Since round {stability.previousRound}: {changes.join(", ")} —{" "}
      <span className={stability.stable ? "stability-stable" : "stability-moving"}>
        {stability.stable ? "stable" : "not stable"}
      </span>{" "}
      <span className="muted">(stable when the share moves less than {stableBelow} points)</span>
    </p>
  );
}

/** The suggestion to stop: only when every statement of the round was voted before and is stable. */
function StabilitySummary({ items, stableBelow }: { items: Result[]; stableBelow: number }) {
  const compared = items.filter((i) => i.stability !== null);
  if (compared.length === 0) return null;
  const since = roundsWord([...new Set(compared.map((i) => i.stability!.previousRound))].sort((a, b) => a - b));
  if (compared.length === items.length && compared.every((i) => i.stability!.stable)) {
    return (
      <p className="notice stability-summary" role="status">
        Every statement is stable (moved less than {stableBelow} points since {since}): you may stop here and publish.
      </p>
    );
  }
  const stable = compared.filter((i) => i.stability!.stable).length;
  return (
    <p className="stability-summary">
      {stable} of {items.length} statement{items.length === 1 ? "" : "s"} stable since {since} (moved less than {stableBelow}{" "}
      points){compared.length < items.length ? `; ${items.length - compared.length} voted for the first time` : ""}.
    </p>
  );
}

function ClosedRound({ round, canManage, slug }: { round: Closed; canManage: boolean; slug: string }) {
  const { items, rule, scale, groupNote: note } = round.results;
  const adopted = items.filter((r) => r.verdict.adopted).length;
  const stableBelow = stableBelowOf(rule);
  const rating = scale.kind === "rating";
  return (
    <>
      <section className="panel">
        <h3>Results</h3>
        <p>
          <strong>
            {adopted} of {items.length} statements adopted.
          </strong>{" "}
          Rule: {round.rule}
        </p>
        {canManage ? <StabilitySummary items={items} stableBelow={stableBelow} /> : null}
        {canManage ? (
          <p>
            <Link to={`/g/${slug}/publish`}>Preview and publish the next version</Link>
          </p>
        ) : null}
      </section>
      <ol className="card-list round-items">
        {items.map((item) => (
          <li key={item.itemId} className="card result">
            <h3 className="result-heading">
              Statement {item.position}{" "}
              <span className={item.verdict.adopted ? "badge verdict-adopted" : "badge verdict-not-adopted"}>
                {item.verdict.adopted ? "Adopted" : "Not adopted"}
              </span>
            </h3>
            <StatementText item={item} />
            <Distribution
              tally={item.tally}
              scale={scale}
              verdict={item.verdict}
              label={`${rating ? "Ratings" : "Votes"} on statement ${item.position}`}
              noResponse={item.noResponse}
            />
            <p className="explanation">{item.explanation}</p>
            <VerdictFacts verdict={item.verdict} rule={rule} />
            <GroupResults
              groups={item.shownGroups}
              results={item.verdict.groupResults}
              rule={rule}
              caption={`Statement ${item.position} by stakeholder group`}
              note={note}
            />
            {canManage ? <StabilityLine stability={item.stability} rating={rating} stableBelow={stableBelow} /> : null}
            {item.comments.length > 0 ? (
              <details className="comments">
                <summary>
                  {item.comments.length} anonymous comment{item.comments.length === 1 ? "" : "s"}
                </summary>
                <ul>
                  {item.comments.map((comment, i) => (
                    <li key={i}>{comment}</li>
                  ))}
                </ul>
              </details>
            ) : null}
            <ChoiceList choices={round.choices} itemId={item.itemId} />
          </li>
        ))}
      </ol>
      {canManage ? <CarryOver carryOver={round.carryOver} number={round.number} /> : null}
    </>
  );
}

const STATUS_LABEL = { draft: "Draft", open: "Open", closed: "Closed" } as const;

/** One round from draft to results: what the secretary does next, and what observers may read. */
export default function RoundPage() {
  const { slug, canManage, reminded, round } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <section className="panel round-header">
        <p className="meta">
          <Link to={`/g/${slug}/rounds`}>All rounds</Link>
        </p>
        <h2>
          Round {round.number}{" "}
          <span className={`badge round-status round-status-${round.status}`}>{STATUS_LABEL[round.status]}</span>
        </h2>
        <p>
          {round.status === "closed" ? (
            <>Closed {round.closedAt ? formatUtc(round.closedAt) : ""}</>
          ) : (
            <>
              Deadline: <Deadline closesAt={round.closesAt} left={round.timeLeft} />
            </>
          )}
          {round.openedAt ? <span className="muted"> · opened {formatUtc(round.openedAt)}</span> : null}
          {round.panelSize !== null ? <span className="muted"> · {round.panelSize} eligible panelists</span> : null}
        </p>
      </section>
      {round.status === "draft" ? <DraftRound round={round} canManage={canManage} /> : null}
      {round.status === "open" ? <OpenRound round={round} canManage={canManage} reminded={reminded} /> : null}
      {round.status === "closed" ? <ClosedRound round={round} canManage={canManage} slug={slug} /> : null}
    </div>
  );
}
