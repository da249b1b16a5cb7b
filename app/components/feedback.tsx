import { CHOICE_LABEL, type Choice } from "~/consensus/ballot";
import { VoteBar } from "./vote-bar";
import { WordDiff } from "./word-diff";
import { wordDiff } from "~/consensus/diff";

type Feedback = {
  round: number;
  text: string;
  distribution: { agree: number; disagree: number; abstain: number; eligible: number };
  adopted: boolean;
  explanation: string;
  comments: string[];
  myChoice: Choice | null;
  myComment: string | null;
};

/** A closed round's outcome on one statement: the group's votes, the verdict, anonymous comments, your own ballot. */
export function RoundFeedback({ feedback }: { feedback: Feedback }) {
  const { agree, disagree, abstain, eligible } = feedback.distribution;
  return (
    <div className="feedback-body">
      <VoteBar
        agree={agree}
        disagree={disagree}
        abstain={abstain}
        noResponse={eligible - agree - disagree - abstain}
        label={`Votes in round ${feedback.round}`}
      />
      <p>
        <span className={feedback.adopted ? "badge badge-done" : "badge badge-todo"}>
          {feedback.adopted ? "Adopted" : "Not adopted"}
        </span>{" "}
        {feedback.explanation}
      </p>
      <p>
        Your ballot in round {feedback.round}:{" "}
        <strong>{feedback.myChoice ? CHOICE_LABEL[feedback.myChoice] : "no answer"}</strong>
        {feedback.myComment ? <span> — “{feedback.myComment}”</span> : null}
      </p>
      {feedback.comments.length ? (
        <>
          <h4>Comments from the panel (anonymous)</h4>
          <ul className="comments">
            {feedback.comments.map((comment, i) => (
              <li key={i}>{comment}</li>
            ))}
          </ul>
        </>
      ) : (
        <p className="muted">No comments were left on this statement.</p>
      )}
    </div>
  );
}

/** Beside a revised statement on the ballot: what changed in its wording, and how the previous round went. */
export function FeedbackPanel({ previous, currentText }: { previous: Feedback; currentText: string }) {
  return (
    <section className="feedback" aria-label={`Feedback from round ${previous.round}`}>
      <h4>Changes since round {previous.round}</h4>
      {previous.text === currentText ? (
        <p className="muted">The wording is unchanged.</p>
      ) : (
        <p>
          <WordDiff segments={wordDiff(previous.text, currentText)} />
        </p>
      )}
      <h4>Round {previous.round} result</h4>
      <RoundFeedback feedback={previous} />
    </section>
  );
}
