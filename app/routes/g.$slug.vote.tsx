import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { describeRule } from "~/consensus/rule";
import { formatUtc } from "~/time";
import { FeedbackPanel } from "~/components/feedback";
import { parseBallotForm, COMMENT_LIMIT } from "~/server/ballot-form";
import { ballotPage, castBallots, closedRounds, findOpenRound } from "~/server/ballots.server";
import { Refusal } from "~/server/errors";
import { requireMember } from "~/server/permissions.server";
import { getDb } from "@db/client.server";
import styles from "~/styles/ballot.css";
import { barStyles } from "~/components/vote-bar";
import { readForm } from "~/server/forms.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }, barStyles];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline, membership } = await requireMember(request, params.slug, "panelist");
  const db = getDb();
  // With no round open, the latest closed one is shown read-only with the panelist's own answers.
  const round = findOpenRound(db, guideline.id) ?? closedRounds(db, guideline.id)[0];
  if (!round) return { slug: guideline.slug, ballot: null, ruleText: null };
  const ballot = ballotPage(db, { round, membershipId: membership.id });
  return { slug: guideline.slug, ballot, ruleText: describeRule(ballot.rule) };
}

type ActionData = { ok: true; saved: number } | { ok: false; formErrors: string[]; fieldErrors: Record<string, string[]> };

export async function action({ request, params }: ActionFunctionArgs) {
  const { guideline, membership } = await requireMember(request, params.slug, "panelist");
  const parsed = parseBallotForm(await readForm(request));
  if (!parsed.ok) return Response.json(parsed satisfies ActionData, { status: 400 });
  try {
    const { saved } = castBallots(getDb(), { guideline, membership, ballots: parsed.ballots });
    return Response.json({ ok: true, saved } satisfies ActionData);
  } catch (error) {
    if (error instanceof Refusal) {
      return Response.json({ ok: false, formErrors: [error.message], fieldErrors: {} } satisfies ActionData, {
        status: error.status,
      });
    }
    throw error;
  }
}

const CHOICE_LABEL = { agree: "Agree", disagree: "Disagree", abstain: "Abstain" } as const;

function formatDeadline(value: string | null): string {
  return value ? formatUtc(value) : "no deadline set";
}

type Item = NonNullable<ReturnType<typeof useLoaderData<typeof loader>>["ballot"]>["items"][number];

/** One statement of the ballot. With JavaScript it saves on its own; without, the whole form submits. */
function BallotStatement({ item, errors, readOnly }: { item: Item; errors: Record<string, string[]>; readOnly: boolean }) {
  const fetcher = useFetcher<ActionData>();
  const [choice, setChoice] = useState(item.choice);
  const [comment, setComment] = useState(item.comment ?? "");
  const saving = fetcher.state !== "idle";
  const fetcherErrors = fetcher.data && !fetcher.data.ok ? fetcher.data : null;
  const choiceErrors = fetcherErrors?.fieldErrors[`choice.${item.roundItemId}`] ?? errors[`choice.${item.roundItemId}`];
  const commentErrors = fetcherErrors?.fieldErrors[`comment.${item.roundItemId}`] ?? errors[`comment.${item.roundItemId}`];
  const saved = fetcher.data?.ok === true;
  const legendId = `statement-${item.roundItemId}`;

  function save(next: { choice: string | null; comment: string }) {
    if (!next.choice) return;
    const data = new FormData();
    data.set("intent", "item");
    data.set(`choice.${item.roundItemId}`, next.choice);
    data.set(`comment.${item.roundItemId}`, next.comment);
    fetcher.submit(data, { method: "post" });
  }

  if (item.recused) {
    return (
      <li className="ballot-item ballot-item-recused">
        <h3 className="ballot-heading">
          Statement {item.position} <span className="muted">· {item.section}</span>
        </h3>
        <p className="statement-text">{item.text}</p>
        <p className="notice notice-locked">You are recused from this statement (conflict of interest): your vote is not collected on it.</p>
      </li>
    );
  }

  return (
    <li className="ballot-item">
      <fieldset aria-labelledby={legendId} aria-describedby={`${legendId}-text`}>
        <h3 className="ballot-heading" id={legendId}>
          Statement {item.position} <span className="muted">· {item.section}</span>
          {item.revision > 1 ? <span className="badge">revised</span> : null}
        </h3>
        <p className="statement-text" id={`${legendId}-text`}>
          {item.text}
        </p>
        {item.rationale ? (
          <details>
            <summary>Rationale</summary>
            <p>{item.rationale}</p>
          </details>
        ) : null}
        {item.references ? (
          <details>
            <summary>References</summary>
            <p className="references">{item.references}</p>
          </details>
        ) : null}
        {item.previous ? <FeedbackPanel previous={item.previous} currentText={item.text} /> : null}
        <div className="choices" role="radiogroup" aria-label={`Your vote on statement ${item.position}`}>
          {(["agree", "disagree", "abstain"] as const).map((value) => (
            <label key={value} className={`choice choice-${value}`}>
              <input
                type="radio"
                name={`choice.${item.roundItemId}`}
                value={value}
                checked={choice === value}
                disabled={readOnly}
                onChange={() => {
                  setChoice(value);
                  save({ choice: value, comment });
                }}
              />
              <span>{CHOICE_LABEL[value]}</span>
            </label>
          ))}
        </div>
        {choiceErrors ? <p className="field-error">{choiceErrors.join(" ")}</p> : null}
        <div className="field">
          <label htmlFor={`comment-${item.roundItemId}`}>Comment (optional, anonymous to other panelists)</label>
          <textarea
            id={`comment-${item.roundItemId}`}
            name={`comment.${item.roundItemId}`}
            rows={2}
            maxLength={COMMENT_LIMIT}
            value={comment}
            readOnly={readOnly}
            onChange={(event) => setComment(event.target.value)}
            onBlur={() => {
              if (comment !== (item.comment ?? "")) save({ choice, comment });
            }}
            aria-invalid={commentErrors ? true : undefined}
          />
          {commentErrors ? <p className="field-error">{commentErrors.join(" ")}</p> : null}
        </div>
        <p className="save-state" aria-live="polite">
          {saving ? "Saving…" : saved ? "Saved" : fetcherErrors?.formErrors.length ? fetcherErrors.formErrors.join(" ") : ""}
        </p>
      </fieldset>
    </li>
  );
}

export default function Vote() {
  const { slug, ballot, ruleText } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const navigation = useNavigation();
  if (!ballot) {
    return (
      <section className="panel">
        <h2>No round has opened yet</h2>
        <p>There is nothing to vote on right now. You will receive an e-mail when the first round opens.</p>
      </section>
    );
  }
  const closed = ballot.round.status === "closed";
  const votable = ballot.items.filter((i) => !i.recused);
  const answered = votable.filter((i) => i.choice).length;
  const errors = actionData && !actionData.ok ? actionData.fieldErrors : {};
  return (
    <section className="stack">
      <div className="panel ballot-intro">
        <h2>Round {ballot.round.number} ballot</h2>
        {closed ? (
          <p className="notice notice-locked" role="status">
            Round {ballot.round.number} closed{ballot.round.closedAt ? ` on ${formatUtc(ballot.round.closedAt)}` : ""}: ballots
            can no longer change. Your answers are shown below;{" "}
            <Link to={`/g/${slug}/results/${ballot.round.number}`}>see the group&apos;s results</Link>.
          </p>
        ) : (
          <p>
            Closes <strong>{formatDeadline(ballot.round.closesAt)}</strong>. You can change your answers until then.
          </p>
        )}
        <p className="rule-summary">
          <strong>Adoption rule:</strong> {ruleText}
        </p>
        <p>
          <strong>
            {answered} of {votable.length} answered
          </strong>
        </p>
        <progress max={votable.length} value={answered} aria-label="Statements answered">
          {answered} of {votable.length}
        </progress>
        {!ballot.eligible && !closed ? (
          <p className="notice notice-locked">
            You joined after this round opened, so you are not on its panel: you can read the statements and vote from the next round.
          </p>
        ) : null}
      </div>
      {actionData && !actionData.ok && actionData.formErrors.length ? (
        <p className="form-error" role="alert">
          {actionData.formErrors.join(" ")}
        </p>
      ) : null}
      {actionData?.ok ? (
        <p className="notice" role="status">
          Saved {actionData.saved} answer{actionData.saved === 1 ? "" : "s"}.
        </p>
      ) : null}
      <Form method="post" className="stack" aria-label={`Round ${ballot.round.number} ballot`}>
        <input type="hidden" name="intent" value="all" />
        <ol className="ballot-list">
          {ballot.items.map((item) => (
            <BallotStatement key={item.roundItemId} item={item} errors={errors} readOnly={closed || !ballot.eligible} />
          ))}
        </ol>
        {ballot.eligible && !closed ? (
          <p>
            <button type="submit" className="button" disabled={navigation.state === "submitting"}>
              Save all answers
            </button>
          </p>
        ) : null}
      </Form>
    </section>
  );
}
