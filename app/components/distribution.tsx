import type { LinkDescriptor } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { medianAndIqr } from "~/consensus/order-statistics";
import {
  DEFAULT_GROUP_MIN_SIZE,
  denominatorOf,
  groupMinSizeOf,
  type FrozenVerdict,
  type Grade,
  type GroupVerdict,
  type Outcome,
  type Rule,
} from "~/consensus/rule";
import type { Scale } from "~/consensus/scale";
import { isRatingTally, participantsOf, type GroupTally, type RatingTally, type Tally } from "~/consensus/tally";
import styles from "~/styles/distribution.css";
import { SHARE_BASE_NOUNS, VoteBar, type ShareBase } from "./vote-bar";

/** Link it from any route that shows a Distribution, VerdictFacts or GroupResults (with barStyles for the vote bar). */
export const distributionStyles: LinkDescriptor = { rel: "stylesheet", href: styles };

/** The tallest bar, in rem: the histogram stays small beside the statement. */
const BAR_HEIGHT = 4;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * A rating item's distribution as a small histogram that is a real table: one column per point
 * of the scale (and "unable to score" where the scale has it), the counts in the cells, and a bar
 * in each cell for the eye, hidden from screen readers (the count beside it says the same). The
 * header row of ratings is drawn under the bars (CSS), but stays the table's header.
 */
export function RatingHistogram({
  tally,
  scale,
  caption,
  median,
  iqr,
  noResponse,
  noResponseLabel = "no response",
}: {
  tally: RatingTally;
  /** For the end labels ("1 = not important") and whether "unable to score" is a column. */
  scale?: Scale;
  caption: string;
  median: number | null;
  iqr: number | null;
  /** Eligible members without a ballot; left out where not answering is not part of the picture. */
  noResponse?: number;
  noResponseLabel?: string;
}) {
  const labels = scale?.kind === "rating" ? scale.labels : undefined;
  const points = tally.ratings.length;
  const columns = tally.ratings.map((count, i) => ({
    key: String(i + 1),
    heading: String(i + 1),
    end: i === 0 ? labels?.low : i === points - 1 ? labels?.high : undefined,
    count,
    unable: false,
  }));
  const unable = scale?.kind === "rating" ? scale.unable || tally.unable > 0 : tally.unable > 0;
  if (unable) columns.push({ key: "unable", heading: "Unable", end: undefined, count: tally.unable, unable: true });
  const max = Math.max(1, ...columns.map((c) => c.count));
  const rated = tally.ratings.reduce((n, c) => n + c, 0);
  const facts = [
    plural(rated, "rating"),
    unable ? `${tally.unable} unable to score` : null,
    noResponse === undefined ? null : `${noResponse} ${noResponseLabel}`,
  ].filter(Boolean);
  return (
    <div className="histogram">
      <div className="histogram-chart">
        <table className="histogram-table">
          <caption>{caption}</caption>
          <thead>
            <tr>
              <th scope="row">Rating</th>
              {columns.map((c) => (
                <th scope="col" key={c.key} className={c.unable ? "histogram-unable" : undefined}>
                  {c.heading}
                  {c.unable ? <span className="visually-hidden"> to score</span> : null}
                  {c.end ? <span className="visually-hidden"> = {c.end}</span> : null}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">Count</th>
              {columns.map((c) => (
                <td key={c.key} className={c.unable ? "histogram-unable" : undefined}>
                  <span className="histogram-count">{c.count}</span>
                  <span
                    className={c.count > 0 ? "histogram-bar" : "histogram-bar histogram-bar-empty"}
                    style={{ height: `${(BAR_HEIGHT * c.count) / max}rem` }}
                    aria-hidden="true"
                  />
                </td>
              ))}
            </tr>
          </tbody>
        </table>
        {labels?.low || labels?.high ? (
          <p className="histogram-ends" aria-hidden="true">
            <span>{labels.low ? `1 = ${labels.low}` : ""}</span>
            <span>{labels.high ? `${points} = ${labels.high}` : ""}</span>
          </p>
        ) : null}
      </div>
      <p className="histogram-stats">
        {median === null ? (
          <>No ratings: no median.</>
        ) : (
          <>
            Median <strong>{median}</strong>, interquartile range <strong>{iqr}</strong>
          </>
        )}{" "}
        <span className="muted">({facts.join(", ")})</span>
      </p>
    </div>
  );
}

type Shares = Pick<FrozenVerdict, "denominator" | "participants" | "eligible">;

/**
 * What a verdict's shares are of: the rule's denominator or, without the rule, the count the
 * verdict's denominator equals (where two are equal, so are the shares).
 */
function shareBaseOf(rule: Rule | undefined, verdict: Shares | undefined): ShareBase {
  if (rule && rule.family !== "rand-ucla") return rule.denominator;
  if (!verdict || verdict.denominator === verdict.participants) return "participants";
  return verdict.denominator === verdict.eligible ? "panel" : "decisive";
}

/** Ratings are what RAND/UCLA's shares are of, and a band rule's that leaves "unable to score" out. */
function ofRatings(rule: Rule | undefined): boolean {
  return rule?.family === "rand-ucla" || (rule?.family === "band" && rule.denominator === "decisive");
}

/** What shares are of under a rule, one and many, in its explanation's words. */
function shareNouns(rule: Rule | undefined, verdict: Shares | undefined): readonly [string, string] {
  return ofRatings(rule) ? ["rating", "ratings"] : SHARE_BASE_NOUNS[shareBaseOf(rule, verdict)];
}

/** What `n` counts under a rule: "31 participants", "28 ratings". */
export function shareBaseWords(rule: Rule | undefined, verdict: Shares | undefined, n: number): string {
  const [one, many] = shareNouns(rule, verdict);
  return `${n} ${n === 1 ? one : many}`;
}

/** The count a group's shares are of under the rule (the group verdict keeps only its participants). */
function groupBase(rule: Rule | undefined, tally: Tally): number {
  if (!rule) return participantsOf(tally);
  return denominatorOf(rule.family === "rand-ucla" ? "decisive" : rule.denominator, tally);
}

/**
 * How a statement was answered: the vote bar on the agreement scale, its shares of the rule's
 * denominator; the histogram (with median and IQR) on a rating scale. Median and IQR come from
 * the frozen verdict when there is one.
 */
export function Distribution({
  tally,
  scale,
  label,
  verdict,
  rule,
  noResponse,
  noResponseLabel,
}: {
  tally: Tally;
  scale?: Scale;
  /** What it shows, e.g. "Votes in round 2" (ratings: "Ratings in round 2"). */
  label: string;
  verdict?: Pick<FrozenVerdict, "median" | "iqr"> & Shares;
  /** The rule the verdict was reached under: the vote bar's shares are of its denominator. */
  rule?: Rule;
  noResponse?: number;
  noResponseLabel?: string;
}) {
  if (isRatingTally(tally)) {
    const computed = medianAndIqr(tally.ratings);
    return (
      <RatingHistogram
        tally={tally}
        scale={scale}
        caption={label}
        median={verdict?.median !== undefined ? verdict.median : computed.median}
        iqr={verdict?.iqr !== undefined ? verdict.iqr : computed.iqr}
        noResponse={noResponse}
        noResponseLabel={noResponseLabel}
      />
    );
  }
  const { agree, disagree, abstain } = tally;
  return (
    <VoteBar
      label={label}
      agree={agree}
      disagree={disagree}
      abstain={abstain}
      noResponse={noResponse}
      base={shareBaseOf(rule, verdict)}
      labels={noResponseLabel ? { noResponse: noResponseLabel.charAt(0).toUpperCase() + noResponseLabel.slice(1) } : undefined}
    />
  );
}

/** Eligible members without a ballot on the item. */
export function noResponseOf(tally: Tally): number {
  return tally.eligible - participantsOf(tally);
}

const OUTCOME_WORDS: Record<Outcome, string> = {
  in: "In (consensus for)",
  out: "Out (consensus against)",
  none: "None (no consensus either way)",
  appropriate: "Appropriate",
  inappropriate: "Inappropriate",
  uncertain: "Uncertain",
};

const GRADE_WORDS: Record<Grade, string> = {
  strong: "Strong consensus (over 95%)",
  consensus: "Consensus (over 75%)",
  majority: "Majority agreement (over 50%)",
  none: "No majority (50% or less)",
};

export function outcomeWords(outcome: Outcome): string {
  return OUTCOME_WORDS[outcome];
}

export function gradeWords(grade: Grade): string {
  return GRADE_WORDS[grade];
}

/** What the agreement share counts under a rule: "agree", "rated 7–9". */
export function agreementWord(rule: Rule | undefined): string {
  if (rule?.family === "rand-ucla") return "rated 7–9";
  if (rule?.family !== "band") return "agree";
  const [low, high] = rule.agreeBand;
  return low === high ? `rated ${low}` : `rated ${low}–${high}`;
}

/**
 * Beside every verdict: its outcome and its AWMF strength of consensus (which never changes the
 * verdict), with the agreement share and what it is of.
 */
export function VerdictFacts({
  verdict,
  rule,
}: {
  verdict: Pick<FrozenVerdict, "outcome" | "grade" | "agreePercent"> & Shares;
  rule?: Rule;
}) {
  return (
    <dl className="verdict-facts">
      <div>
        <dt>Outcome</dt>
        <dd>
          <span className={`outcome outcome-${verdict.outcome}`}>{outcomeWords(verdict.outcome)}</span>
        </dd>
      </div>
      <div>
        <dt>Strength of consensus (AWMF)</dt>
        <dd>
          <span className={`grade grade-${verdict.grade}`}>{gradeWords(verdict.grade)}</span>
          {verdict.agreePercent !== null ? (
            <span className="muted">
              {" "}
              · {verdict.agreePercent}% of {shareBaseWords(rule, verdict, verdict.denominator)} {agreementWord(rule)}
            </span>
          ) : null}
        </dd>
      </div>
    </dl>
  );
}

/**
 * The results within the stakeholder groups that may be shown (the server decides which:
 * results.server.ts shownGroups), each with its verdict frozen at close and its share with what
 * it is of. Nothing with fewer than two groups: one group is the whole panel. On a narrow screen
 * each group's row stacks, its cells labelled (distribution.css), instead of scrolling sideways.
 */
export function GroupResults({
  groups,
  results,
  rule,
  caption,
  note,
}: {
  groups: readonly GroupTally[];
  results: readonly GroupVerdict[] | undefined;
  rule?: Rule;
  caption: string;
  /** Why some groups are pooled or missing, e.g. the minimum group size in an anonymous guideline. */
  note?: string | null;
}) {
  if (groups.length < 2) return null;
  const byName = new Map((results ?? []).map((r) => [r.name, r]));
  const rating = groups.some((g) => isRatingTally(g.tally));
  const shareHeading = `Share ${agreementWord(rule)} (of ${shareNouns(rule, undefined)[1]})`;
  return (
    <details className="group-results">
      <summary>Results by stakeholder group</summary>
      {note ? <p className="muted group-note">{note}</p> : null}
      <div className="table-scroll" role="region" aria-label={caption} tabIndex={0}>
        <table className="group-table">
          <caption>{caption}</caption>
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">Participants</th>
              {rating ? <th scope="col">Median</th> : null}
              <th scope="col">{shareHeading}</th>
              <th scope="col">Outcome</th>
              <th scope="col">Strength (AWMF)</th>
            </tr>
          </thead>
          <tbody>
            {groups.map((group) => {
              const result = byName.get(group.name);
              const participants = participantsOf(group.tally);
              const share = result?.agreePercent ?? null;
              return (
                <tr key={group.name}>
                  <th scope="row">{group.name}</th>
                  <td data-label="Participants">{participants}</td>
                  {rating ? <td data-label="Median">{result?.median ?? "–"}</td> : null}
                  <td data-label={shareHeading}>{share === null ? "–" : `${share}% of ${groupBase(rule, group.tally)}`}</td>
                  <td data-label="Outcome">{result ? outcomeWords(result.outcome) : "–"}</td>
                  <td data-label="Strength (AWMF)">{result ? gradeWords(result.grade) : "–"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/** Why the group table may leave groups out: in an anonymous guideline, groups below the minimum size (DESIGN §4). */
export function groupNote(rule: Rule | undefined, anonymity: "anonymous" | "named"): string | null {
  if (anonymity !== "anonymous") return null;
  const minSize = rule ? groupMinSizeOf(rule) : DEFAULT_GROUP_MIN_SIZE;
  return `Anonymous guideline: groups with fewer than ${minSize} participants are not shown on their own (pooled as "other groups" where that pool is large enough).`;
}

/** One statement's line in a round's outcome table. */
export type OutcomeRow = {
  /** The statement's number. */
  number: number;
  text: string;
  tally: Tally;
  verdict: Pick<FrozenVerdict, "adopted" | "outcome" | "agreePercent" | "median"> & Shares;
};

/** The start of a statement, cut at a word: a table's key point stays short. */
export function shortText(text: string, length = 140): string {
  if (text.length <= length) return text;
  const cut = text.slice(0, length);
  const lastSpace = cut.lastIndexOf(" ");
  return `${(lastSpace > length / 2 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}

/**
 * A closed round at a glance, one row per statement: its number, its key point (cut short, linked
 * to the statement's full result), the counts, how many voted of how many eligible, and the
 * outcome with the agreement share and what it is of. On a narrow screen each row stacks: number
 * and key point, then the counts side by side (distribution.css), never scrolling sideways.
 */
export function OutcomeTable({
  rows,
  rule,
  caption,
  resultsPath,
}: {
  rows: readonly OutcomeRow[];
  rule?: Rule;
  caption: string;
  /** The round's results page; each key point links to its statement there. */
  resultsPath: string;
}) {
  const rating = rows.some((row) => isRatingTally(row.tally));
  const counts: { label: string; value: (row: OutcomeRow) => string | number }[] = rating
    ? [{ label: "Median", value: (row) => row.verdict.median ?? "–" }]
    : [
        { label: "Agree", value: (row) => (isRatingTally(row.tally) ? "–" : row.tally.agree) },
        { label: "Disagree", value: (row) => (isRatingTally(row.tally) ? "–" : row.tally.disagree) },
        { label: "Abstain", value: (row) => (isRatingTally(row.tally) ? "–" : row.tally.abstain) },
      ];
  return (
    <table className="outcome-table">
      {/* The heading above the table says it on screen. */}
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Statement</th>
          <th scope="col">Key point</th>
          {counts.map((c) => (
            <th key={c.label} scope="col" className="outcome-count">
              {c.label}
            </th>
          ))}
          <th scope="col">Voted</th>
          <th scope="col">Outcome</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.number}>
            <th scope="row" className="outcome-number" data-label="Statement">
              {row.number}
            </th>
            <td className="outcome-text">
              <Link to={`${resultsPath}#statement-${row.number}`}>{shortText(row.text)}</Link>
            </td>
            {counts.map((c) => (
              <td key={c.label} className="outcome-count" data-label={c.label}>
                {c.value(row)}
              </td>
            ))}
            <td className="outcome-voted" data-label="Voted">
              {participantsOf(row.tally)} of {row.tally.eligible} eligible
            </td>
            <td className="outcome-result" data-label="Outcome">
              <span className={row.verdict.adopted ? "badge badge-done" : "badge badge-todo"}>
                {row.verdict.adopted ? "Adopted" : "Not adopted"}
              </span>
              <span className="outcome-words">{outcomeWords(row.verdict.outcome)}</span>
              {row.verdict.agreePercent !== null ? (
                <span className="outcome-share">
                  {row.verdict.agreePercent}% of {shareBaseWords(rule, row.verdict, row.verdict.denominator)}{" "}
                  {agreementWord(rule)}
                </span>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
