import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { CHOICE_LABEL, CHOICES, COMMENT_LIMIT } from "~/consensus/ballot";
import { describeRule, type Rule } from "~/consensus/rule";
import { describeScale, ratingPoints, type Scale } from "~/consensus/scale";
import { formatUtc } from "~/time";
import { distributionStyles, groupNote } from "~/components/distribution";
import { FeedbackPanel } from "~/components/feedback";
import { useErrorText } from "~/components/form";
import { OtherLanguages, useLangAttribute, useReading } from "~/components/statement-text";
import { useLanguage } from "~/components/translations";
import { namespaces, type Translate } from "~/i18n";
import { parseBallotForm, type BallotDraft } from "~/server/ballot-form";
import {
  ballotPage,
  ballotScale,
  castBallots,
  closedRounds,
  findOpenRound,
  withdrawBallot,
  type CastOutcome,
} from "~/server/ballots.server";
import { Refusal } from "~/server/errors.server";
import { commitTogether } from "~/server/group-commit.server";
import { currentLanguage, tr, translator } from "~/server/i18n.server";
import { requireMember } from "~/server/permissions.server";
import { getDb } from "@db/client.server";
import styles from "~/styles/ballot.css";
import { barStyles } from "~/components/vote-bar";
import { readForm } from "~/server/forms.server";

// The feedback beside a statement shows distribution.tsx's charts and verdicts (rules).
export const handle = namespaces("panelist", "rules");

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }, barStyles, distributionStyles];

const count = (value: string | null) => (value !== null && /^\d{1,6}$/.test(value) ? Number(value) : null);

/** The notice after a whole-form save or a withdrawal, read from the redirect's query, in the request's language. */
function noticeOf(url: URL): string | null {
  const saved = count(url.searchParams.get("saved"));
  const changed = count(url.searchParams.get("changed"));
  const withdrawn = count(url.searchParams.get("withdrawn"));
  const parts: string[] = [];
  if (withdrawn !== null) {
    parts.push(
      tr("Your answer on statement {{number}} was withdrawn: it counts as no response.", { number: withdrawn }, "panelist"),
    );
  }
  if (saved !== null && saved > 0) {
    parts.push(
      changed === 0
        ? tr("Your answers are saved; nothing had changed since your last save.", undefined, "panelist")
        : changed === null
          ? tr("Your answers are saved.", undefined, "panelist")
          : tr("Your answers are saved ({{changed}} of {{saved}} changed).", { changed, saved }, "panelist"),
    );
  }
  return parts.length ? parts.join(" ") : null;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline, membership } = await requireMember(request, params.slug, "panelist");
  const db = getDb();
  const notice = noticeOf(new URL(request.url));
  // With no round open, the latest closed one is shown read-only with the panelist's own answers.
  const round = findOpenRound(db, guideline.id) ?? closedRounds(db, guideline.id)[0];
  if (!round) return { slug: guideline.slug, ballot: null, ruleText: null, groupNote: null, notice };
  const page = ballotPage(db, { round, membershipId: membership.id, anonymity: guideline.anonymity, languages: guideline });
  return {
    slug: guideline.slug,
    ballot: page,
    ruleText: describeRule(page.rule, undefined, translator(currentLanguage(), "rules")),
    groupNote: groupNote(page.rule, guideline.anonymity, translator(currentLanguage(), "rules")),
    notice,
  };
}

type ActionData =
  | { ok: true; saved: number; changed: number; withdrawn?: number }
  | {
      ok: false;
      formErrors: string[];
      fieldErrors: Record<string, string[]>;
      /** What was typed for each statement that was not saved, to show it again. */
      drafts: Record<string, BallotDraft>;
    };

function failure(
  status: number,
  formErrors: string[],
  fieldErrors: Record<string, string[]>,
  drafts: Record<string, BallotDraft>,
) {
  return Response.json({ ok: false, formErrors, fieldErrors, drafts } satisfies ActionData, { status });
}

/**
 * One statement (`intent=item`, with JavaScript) answers JSON. The whole form (`intent=all`,
 * without JavaScript) saves every valid statement: when all are saved it answers 303 back to the
 * ballot (a reload posts nothing again); otherwise the page comes back with the statements that
 * were not saved marked, as typed. `withdraw=<item>` takes that statement back to no response.
 */
export async function action({ request, params }: ActionFunctionArgs) {
  const { guideline, membership } = await requireMember(request, params.slug, "panelist");
  const db = getDb();
  // Answers are read on the open round's scale (castBallots checks them again against the round it saves in).
  const form = parseBallotForm(await readForm(request), ballotScale(db, guideline), translator(currentLanguage(), "rules"));
  if (!form.ok) return failure(400, form.formErrors, {}, form.drafts);
  // One statement saves on its own, all or nothing.
  if (form.intent === "item" && Object.keys(form.fieldErrors).length) return failure(400, [], form.fieldErrors, form.drafts);
  let outcome: CastOutcome & { withdrawn: number | null };
  try {
    // Saved with the other ballots of this turn of the event loop in one commit, and answered only after it.
    outcome = await commitTogether(db, () => {
      const withdrawn = form.withdraw ? withdrawBallot(db, { guideline, membership, roundItemId: form.withdraw }).number : null;
      const cast = form.ballots.length
        ? castBallots(db, { guideline, membership, ballots: form.ballots })
        : { saved: 0, changed: 0, refused: [] };
      const refused = cast.refused[0];
      if (form.intent === "item" && refused) throw new Refusal(refused.key, refused.status, refused.values);
      return { ...cast, withdrawn };
    });
  } catch (error) {
    if (error instanceof Refusal) return failure(error.status, [error.text()], form.fieldErrors, form.drafts);
    throw error;
  }
  const fieldErrors = { ...form.fieldErrors };
  for (const refused of outcome.refused)
    (fieldErrors[`choice.${refused.roundItemId}`] ??= []).push(tr(refused.key, refused.values));
  const unsaved = new Set(Object.keys(fieldErrors).map((field) => field.slice(field.indexOf(".") + 1)));
  const drafts = Object.fromEntries(Object.entries(form.drafts).filter(([id]) => unsaved.has(id)));

  if (form.intent === "item") {
    return Response.json({
      ok: true,
      saved: outcome.saved,
      changed: outcome.changed,
      ...(outcome.withdrawn === null ? {} : { withdrawn: outcome.withdrawn }),
    } satisfies ActionData);
  }
  if (unsaved.size === 0) {
    const query = new URLSearchParams();
    if (outcome.withdrawn !== null) query.set("withdrawn", String(outcome.withdrawn));
    if (form.ballots.length) {
      query.set("saved", String(outcome.saved));
      query.set("changed", String(outcome.changed));
    }
    return redirect(`/g/${guideline.slug}/vote?${query}`, 303);
  }
  const summary = [
    outcome.withdrawn === null
      ? ""
      : tr("Your answer on statement {{number}} was withdrawn.", { number: outcome.withdrawn }, "panelist"),
    outcome.saved > 0
      ? tr("{{count}} answers saved;", { count: outcome.saved }, "panelist")
      : tr("Nothing was saved:", undefined, "panelist"),
    tr("{{count}} statements not saved — see them marked below, as you typed them.", { count: unsaved.size }, "panelist"),
  ];
  return failure(400, [summary.filter(Boolean).join(" ")], fieldErrors, drafts);
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;
type Item = NonNullable<Data["ballot"]>["items"][number];

/** An answer as the form sends it: "agree", "7", "unable"; null for none. */
const formValue = (answer: string | number | null): string | null => (answer === null ? null : String(answer));

/** What the statement's status line says: saving, refused, or typed but not saved yet. */
function saveState(input: {
  t: Translate;
  saving: boolean;
  refused: string[] | undefined;
  choice: string | null;
  comment: string;
  item: Item;
  scale: Scale;
  justSaved: boolean;
}): string {
  const { t, choice, comment, item } = input;
  if (input.saving) return t("Saving…");
  if (input.refused?.length) return input.refused.join(" ");
  if (!choice && comment.trim()) {
    return input.scale.kind === "rating"
      ? t("Not saved yet: choose a rating to save this comment.")
      : t("Not saved yet: choose agree, disagree or abstain to save this comment.");
  }
  if (choice !== formValue(item.answer) || comment.trim() !== (item.comment ?? "")) {
    return t("Not saved yet: your comment saves when you leave the box.");
  }
  return input.justSaved ? t("Saved") : "";
}

type ChoiceProps = {
  itemId: string;
  /** The statement's number. */
  number: number;
  choice: string | null;
  disabled: boolean;
  onChoose: (value: string) => void;
};

/** Agree / disagree / abstain: three large radio buttons. */
function AgreementChoices({ itemId, number, choice, disabled, onChoose }: ChoiceProps) {
  const { t } = useTranslation("panelist");
  return (
    <div className="choices" role="radiogroup" aria-label={t("Your vote on statement {{number}}", { number })}>
      {CHOICES.map((value) => (
        <label key={value} className={`choice choice-${value}`}>
          <input
            type="radio"
            name={`choice.${itemId}`}
            value={value}
            checked={choice === value}
            disabled={disabled}
            onChange={() => onChoose(value)}
          />
          {/* CHOICE_LABEL's names are the keys "Agree", "Disagree" and "Abstain" (vote-bar.tsx). */}
          <span>{t(CHOICE_LABEL[value])}</span>
        </label>
      ))}
    </div>
  );
}

/**
 * A rating 1..N: one radio group (arrow keys move along it), the points in a row that wraps on a
 * narrow screen, the ends named from the scale's labels ("1 = not important"), and "unable to
 * score" apart from the row when the scale has it.
 */
function RatingChoices({
  scale,
  itemId,
  number,
  choice,
  disabled,
  onChoose,
}: ChoiceProps & { scale: Extract<Scale, { kind: "rating" }> }) {
  const { t } = useTranslation("panelist");
  const { t: rulesT } = useTranslation("rules");
  const hintId = `scale-${itemId}`;
  const { low, high } = scale.labels ?? {};
  const radio = (value: string) => (
    <input
      type="radio"
      name={`choice.${itemId}`}
      value={value}
      checked={choice === value}
      disabled={disabled}
      onChange={() => onChoose(value)}
    />
  );
  return (
    <>
      <p className="rating-hint" id={hintId}>
        {describeScale(scale, rulesT)}
      </p>
      <div
        className="rating-choices"
        role="radiogroup"
        aria-label={t("Your rating of statement {{number}}", { number })}
        aria-describedby={hintId}
      >
        <div className="rating-points">
          {ratingPoints(scale).map((point) => {
            const end = point === 1 ? low : point === scale.points ? high : undefined;
            return (
              <label key={point} className="choice choice-rating">
                {radio(String(point))}
                <span>
                  {point}
                  {end ? <span className="visually-hidden"> = {end}</span> : null}
                </span>
              </label>
            );
          })}
        </div>
        {low || high ? (
          <p className="rating-ends" aria-hidden="true">
            <span>{low ? `1 = ${low}` : ""}</span>
            <span>{high ? `${scale.points} = ${high}` : ""}</span>
          </p>
        ) : null}
        {scale.unable ? (
          <label className="choice choice-unable">
            {radio("unable")}
            <span>{t("Unable to score")}</span>
          </label>
        ) : null}
      </div>
    </>
  );
}

/**
 * One statement of the ballot. With JavaScript it saves on its own; without, the whole form
 * submits. `draft` is what was typed when a whole-form save could not keep this statement.
 */
function BallotStatement({
  item,
  language,
  scale,
  rule,
  groupNote,
  errors,
  draft,
  readOnly,
}: {
  item: Item;
  /** The guideline's authoritative language, the one `item.text` is in. */
  language: string;
  scale: Scale;
  rule: Rule;
  groupNote: string | null;
  errors: Record<string, string[]>;
  draft: BallotDraft | undefined;
  readOnly: boolean;
}) {
  const { t } = useTranslation("panelist");
  const errorText = useErrorText();
  const fetcher = useFetcher<ActionData>();
  const [choice, setChoice] = useState(draft ? draft.choice : formValue(item.answer));
  const [comment, setComment] = useState(draft ? draft.comment : (item.comment ?? ""));
  const saving = fetcher.state !== "idle";
  const fetcherErrors = fetcher.data && !fetcher.data.ok ? fetcher.data : null;
  const choiceErrors = fetcherErrors?.fieldErrors[`choice.${item.roundItemId}`] ?? errors[`choice.${item.roundItemId}`];
  const commentErrors = fetcherErrors?.fieldErrors[`comment.${item.roundItemId}`] ?? errors[`comment.${item.roundItemId}`];
  const legendId = `statement-${item.roundItemId}`;
  const reading = useReading(item, language);
  const lang = useLangAttribute(reading.first.language);

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
          {t("Statement {{number}}", { number: item.number })} <span className="muted">· {item.section}</span>
        </h3>
        <p className="statement-text" lang={lang}>
          {reading.first.text}
        </p>
        <OtherLanguages others={reading.others} />
        <p className="notice notice-locked">
          {t("You are recused from this statement (conflict of interest): your vote is not collected on it.")}
        </p>
      </li>
    );
  }

  const choices: ChoiceProps = {
    itemId: item.roundItemId,
    number: item.number,
    choice,
    disabled: readOnly,
    onChoose: (value) => {
      setChoice(value);
      save({ choice: value, comment });
    },
  };
  return (
    <li className="ballot-item">
      <fieldset aria-labelledby={legendId} aria-describedby={`${legendId}-text`}>
        <h3 className="ballot-heading" id={legendId}>
          {t("Statement {{number}}", { number: item.number })} <span className="muted">· {item.section}</span>
          {item.revised ? <span className="badge">{t("revised")}</span> : null}
        </h3>
        <p className="statement-text" id={`${legendId}-text`} lang={lang}>
          {reading.first.text}
        </p>
        <OtherLanguages others={reading.others} withRationale />
        {reading.first.rationale ? (
          <div className="ballot-rationale">
            <h4>{t("Rationale")}</h4>
            <p lang={lang}>{reading.first.rationale}</p>
          </div>
        ) : null}
        {item.references ? (
          <details>
            <summary>{t("References")}</summary>
            <p className="references">{item.references}</p>
          </details>
        ) : null}
        {item.previous ? (
          <FeedbackPanel
            previous={item.previous}
            currentText={item.text}
            changeNote={item.revised ? item.changeNote : null}
            rule={rule}
            groupNote={groupNote}
            subject={t("Statement {{number}}", { number: item.number })}
          />
        ) : null}
        {scale.kind === "rating" ? <RatingChoices scale={scale} {...choices} /> : <AgreementChoices {...choices} />}
        {choiceErrors ? <p className="field-error">{choiceErrors.map(errorText).join(" ")}</p> : null}
        <div className="field">
          <label htmlFor={`comment-${item.roundItemId}`}>{t("Comment (optional, anonymous to other panelists)")}</label>
          <textarea
            id={`comment-${item.roundItemId}`}
            name={`comment.${item.roundItemId}`}
            rows={2}
            maxLength={COMMENT_LIMIT}
            value={comment}
            readOnly={readOnly}
            onChange={(event) => setComment(event.target.value)}
            onBlur={() => {
              if (comment.trim() !== (item.comment ?? "")) save({ choice, comment });
            }}
            aria-invalid={commentErrors ? true : undefined}
          />
          {commentErrors ? <p className="field-error">{commentErrors.map(errorText).join(" ")}</p> : null}
        </div>
        <div className="row save-row">
          <p className="save-state" aria-live="polite">
            {saveState({
              t,
              saving,
              refused: fetcherErrors?.formErrors.map(errorText),
              choice,
              comment,
              item,
              scale,
              justSaved: fetcher.data?.ok === true,
            })}
          </p>
          {item.answer !== null && !readOnly ? (
            <button
              type="submit"
              name="withdraw"
              value={item.roundItemId}
              className="button-link"
              onClick={(event) => {
                event.preventDefault();
                setChoice(null);
                setComment("");
                fetcher.submit({ intent: "item", withdraw: item.roundItemId }, { method: "post" });
              }}
            >
              {t("Withdraw my answer")}
            </button>
          ) : null}
        </div>
      </fieldset>
    </li>
  );
}

export default function Vote() {
  const { slug, ballot, ruleText, groupNote, notice } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const navigation = useNavigation();
  const { t } = useTranslation("panelist");
  const { t: rulesT } = useTranslation("rules");
  const errorText = useErrorText();
  const language = useLanguage();
  if (!ballot) {
    return (
      <section className="panel">
        <h2>{t("No round has opened yet")}</h2>
        <p>{t("There is nothing to vote on right now. You will receive an e-mail when the first round opens.")}</p>
      </section>
    );
  }
  const number = ballot.round.number;
  const closed = ballot.round.status === "closed";
  const votable = ballot.items.filter((i) => !i.recused);
  const answered = votable.filter((i) => i.answer !== null).length;
  const failed = actionData && !actionData.ok ? actionData : null;
  return (
    <section className="stack">
      <div className="panel ballot-intro">
        <h2>{t("Round {{number}} ballot", { number })}</h2>
        {closed ? (
          <p className="notice notice-locked" role="status">
            {ballot.round.closedAt
              ? t("Round {{number}} closed on {{date}}: ballots can no longer change. Your answers are shown below;", {
                  number,
                  date: formatUtc(ballot.round.closedAt, false, language),
                })
              : t("Round {{number}} closed: ballots can no longer change. Your answers are shown below;", { number })}{" "}
            <Link to={`/g/${slug}/results/${number}`}>{t("see the group's results")}</Link>
            {t(".")}
          </p>
        ) : (
          <p>
            {ballot.round.closesAt ? (
              <>
                {t("Closes")} <strong>{formatUtc(ballot.round.closesAt, false, language)}</strong>
                {t(". You can change your answers until then.")}
              </>
            ) : (
              <>{t("No deadline set: you can change your answers until the secretary closes the round.")}</>
            )}
          </p>
        )}
        {ballot.scale.kind === "rating" ? (
          <p className="rule-summary">
            <strong>{t("Scale:")}</strong> {describeScale(ballot.scale, rulesT)}
            {t(".")}
          </p>
        ) : null}
        <p className="rule-summary">
          <strong>{t("Adoption rule:")}</strong> {ruleText}
        </p>
        <p>
          <strong>{t("{{answered}} of {{total}} answered", { answered, total: votable.length })}</strong>
        </p>
        <progress max={votable.length} value={answered} aria-label={t("Statements answered")}>
          {t("{{answered}} of {{total}}", { answered, total: votable.length })}
        </progress>
        {!ballot.eligible && !closed ? (
          <p className="notice notice-locked">
            {t(
              "You joined after this round opened, so you are not on its panel: you can read the statements and vote from the next round.",
            )}
          </p>
        ) : null}
      </div>
      {failed?.formErrors.length ? (
        <p className="form-error" role="alert">
          {failed.formErrors.map(errorText).join(" ")}
        </p>
      ) : notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      <Form method="post" className="stack" aria-label={t("Round {{number}} ballot", { number })}>
        <input type="hidden" name="intent" value="all" />
        <ol className="ballot-list">
          {ballot.items.map((item) => (
            <BallotStatement
              key={item.roundItemId}
              item={item}
              language={ballot.language}
              scale={ballot.scale}
              rule={ballot.rule}
              groupNote={groupNote}
              errors={failed?.fieldErrors ?? {}}
              draft={failed?.drafts[item.roundItemId]}
              readOnly={closed || !ballot.eligible}
            />
          ))}
        </ol>
        {ballot.eligible && !closed ? (
          <p>
            <button type="submit" className="button" disabled={navigation.state === "submitting"}>
              {t("Save all answers")}
            </button>
          </p>
        ) : null}
      </Form>
    </section>
  );
}
