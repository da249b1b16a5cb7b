import { useTranslation } from "react-i18next";
import { CHOICE_LABEL } from "~/consensus/ballot";
import { wordDiff } from "~/consensus/diff";
import type { Rule } from "~/consensus/rule";
import type { Answer } from "~/consensus/tally";
import type { Translate } from "~/i18n";
import type { FeedbackItem } from "~/server/ballots.server";
import { Distribution, GroupResults, noResponseOf, VerdictFacts } from "./distribution";
import { WordDiff } from "./word-diff";

type Feedback = Pick<
  FeedbackItem,
  "round" | "text" | "scale" | "tally" | "verdict" | "explanation" | "comments" | "groups" | "own"
>;

/** An answer in words: "Agree", "7", "Unable to score", or "no answer". */
export function answerWords(answer: Answer | null, t: Translate): string {
  if (answer === null) return t("no answer");
  if (answer === "unable") return t("Unable to score");
  // CHOICE_LABEL's names are the keys "Agree", "Disagree" and "Abstain" (vote-bar.tsx).
  return typeof answer === "number" ? String(answer) : t(CHOICE_LABEL[answer]);
}

/**
 * A closed round's outcome on one statement: the panel's distribution (vote bar or histogram),
 * the verdict with its outcome and strength, the stakeholder groups that may be shown, the
 * anonymous comments, and your own ballot when you were on the round's panel.
 */
export function RoundFeedback({
  feedback,
  rule,
  groupNote,
  subject,
}: {
  feedback: Feedback;
  rule?: Rule;
  groupNote?: string | null;
  /** Which statement it is about, e.g. "Statement 3" (in the page's language), naming its group table apart from the others on the page. */
  subject?: string;
}) {
  const { t } = useTranslation();
  const rating = feedback.scale.kind === "rating";
  const round = feedback.round;
  return (
    <div className="feedback-body">
      <Distribution
        tally={feedback.tally}
        scale={feedback.scale}
        verdict={feedback.verdict}
        rule={rule}
        label={rating ? t("Ratings in round {{round}}", { round }) : t("Votes in round {{round}}", { round })}
        noResponse={noResponseOf(feedback.tally)}
      />
      <p>
        <span className={feedback.verdict.adopted ? "badge badge-done" : "badge badge-todo"}>
          {feedback.verdict.adopted ? t("Adopted") : t("Not adopted")}
        </span>{" "}
        {feedback.explanation}
      </p>
      <VerdictFacts verdict={feedback.verdict} rule={rule} />
      <GroupResults
        groups={feedback.groups}
        results={feedback.verdict.groupResults}
        rule={rule}
        caption={
          subject
            ? t("{{subject}}, round {{round}} by stakeholder group", { subject, round })
            : t("Round {{round}} by stakeholder group", { round })
        }
        note={groupNote}
      />
      {feedback.own ? (
        <p>
          {t("Your ballot in round {{round}}:", { round })} <strong>{answerWords(feedback.own.answer, t)}</strong>
          {feedback.own.comment ? <span> — “{feedback.own.comment}”</span> : null}
        </p>
      ) : null}
      {feedback.comments.length ? (
        <>
          <h4>{t("Comments from the panel (anonymous)")}</h4>
          <ul className="comments">
            {feedback.comments.map((comment, i) => (
              <li key={i}>{comment}</li>
            ))}
          </ul>
        </>
      ) : (
        <p className="muted">{t("No comments were left on this statement.")}</p>
      )}
    </div>
  );
}

/**
 * Beside a statement on the ballot that an earlier round voted on: the secretary's note on what
 * changed, the wording's changes, and how the previous round went.
 */
export function FeedbackPanel({
  previous,
  currentText,
  changeNote,
  rule,
  groupNote,
  subject,
}: {
  previous: Feedback;
  currentText: string;
  /** The secretary's change note, for a revision other than the one voted before. */
  changeNote?: string | null;
  rule?: Rule;
  groupNote?: string | null;
  subject?: string;
}) {
  const { t } = useTranslation();
  const round = previous.round;
  return (
    <section className="feedback" aria-label={t("Feedback from round {{round}}", { round })}>
      <h4>{t("Changes since round {{round}}", { round })}</h4>
      {changeNote ? (
        <p className="change-note">
          <strong>{t("The secretary's note:")}</strong> {changeNote}
        </p>
      ) : null}
      {previous.text === currentText ? (
        <p className="muted">{t("The wording is unchanged.")}</p>
      ) : (
        <p>
          <WordDiff segments={wordDiff(previous.text, currentText)} />
        </p>
      )}
      <h4>{t("Round {{round}} result", { round })}</h4>
      <RoundFeedback feedback={previous} rule={rule} groupNote={groupNote} subject={subject} />
    </section>
  );
}
