import type { LinkDescriptor } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { medianAndIqr } from "~/consensus/order-statistics";
import {
  counted,
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
import { msg, type Translate } from "~/i18n";
import { english } from "~/locales/english";
import styles from "~/styles/distribution.css";
import { VoteBar, type ShareBase } from "./vote-bar";

/** Link it from any route that shows a Distribution, VerdictFacts or GroupResults (with barStyles for the vote bar). */
export const distributionStyles: LinkDescriptor = { rel: "stylesheet", href: styles };

/** The tallest bar, in rem: the histogram stays small beside the statement. */
const BAR_HEIGHT = 4;

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
  noResponseLabel,
}: {
  tally: RatingTally;
  /** For the end labels ("1 = not important") and whether "unable to score" is a column. */
  scale?: Scale;
  caption: string;
  median: number | null;
  iqr: number | null;
  /** Eligible members without a ballot; left out where not answering is not part of the picture. */
  noResponse?: number;
  /** What `noResponse` counts, in the page's language; "no response" unless given. */
  noResponseLabel?: string;
}) {
  const { t } = useTranslation("rules");
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
  if (unable) columns.push({ key: "unable", heading: t("Unable"), end: undefined, count: tally.unable, unable: true });
  const max = Math.max(1, ...columns.map((c) => c.count));
  const rated = tally.ratings.reduce((n, c) => n + c, 0);
  const facts = [
    t("{{count}} ratings", { count: rated }),
    unable ? t("{{number}} unable to score", { number: String(tally.unable) }) : null,
    noResponse === undefined
      ? null
      : noResponseLabel === undefined
        ? t("{{number}} no response", { number: String(noResponse) })
        : `${noResponse} ${noResponseLabel}`,
  ].filter(Boolean);
  return (
    <div className="histogram">
      <div className="histogram-chart">
        <table className="histogram-table">
          <caption>{caption}</caption>
          <thead>
            <tr>
              <th scope="row">{t("Rating")}</th>
              {columns.map((c) => (
                <th scope="col" key={c.key} className={c.unable ? "histogram-unable" : undefined}>
                  {c.heading}
                  {c.unable ? <span className="visually-hidden">{t(" to score")}</span> : null}
                  {c.end ? <span className="visually-hidden"> = {c.end}</span> : null}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">{t("Count")}</th>
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
          <>{t("No ratings: no median.")}</>
        ) : (
          <>
            {`${t("Median")} `}
            <strong>{median}</strong>
            {`${t(", interquartile range")} `}
            <strong>{iqr}</strong>
          </>
        )}{" "}
        <span className="muted">{t("({{facts}})", { facts: facts.join(t(", ")) })}</span>
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

/** What shares are of under a rule, in its explanation's words: "participants", "ratings". */
const SHARE_NOUNS: Record<ShareBase | "ratings", string> = {
  participants: msg("participants"),
  panel: msg("eligible members"),
  decisive: msg("members taking a side"),
  ratings: msg("ratings"),
};

function shareNoun(rule: Rule | undefined, verdict: Shares | undefined, t: Translate): string {
  return t(SHARE_NOUNS[ofRatings(rule) ? "ratings" : shareBaseOf(rule, verdict)]);
}

/** What `n` counts under a rule: "31 participants", "28 ratings". */
export function shareBaseWords(rule: Rule | undefined, verdict: Shares | undefined, n: number, t: Translate = english): string {
  return ofRatings(rule) ? t("{{count}} ratings", { count: n }) : counted(shareBaseOf(rule, verdict), n, t);
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
  in: msg("In (consensus for)"),
  out: msg("Out (consensus against)"),
  none: msg("None (no consensus either way)"),
  appropriate: msg("Appropriate"),
  inappropriate: msg("Inappropriate"),
  uncertain: msg("Uncertain"),
};

const GRADE_WORDS: Record<Grade, string> = {
  strong: msg("Strong consensus (over 95%)"),
  consensus: msg("Consensus (over 75%)"),
  majority: msg("Majority agreement (over 50%)"),
  none: msg("No majority (50% or less)"),
};

export function outcomeWords(outcome: Outcome, t: Translate = english): string {
  return t(OUTCOME_WORDS[outcome]);
}

export function gradeWords(grade: Grade, t: Translate = english): string {
  return t(GRADE_WORDS[grade]);
}

/** What the agreement share counts under a rule: "agree", "rated 7–9". */
export function agreementWord(rule: Rule | undefined, t: Translate = english): string {
  if (rule?.family === "rand-ucla") return t("rated {{low}}–{{high}}", { low: 7, high: 9 });
  if (rule?.family !== "band") return t("agree");
  const [low, high] = rule.agreeBand;
  return low === high ? t("rated {{low}}", { low }) : t("rated {{low}}–{{high}}", { low, high });
}

/** "66.7% of 3 participants agree": a verdict's agreement share, what it is of, and what it counts. */
function shareWords(rule: Rule | undefined, verdict: Pick<FrozenVerdict, "agreePercent"> & Shares, t: Translate): string {
  return t("{{percent}}% of {{base}} {{what}}", {
    percent: String(verdict.agreePercent),
    base: shareBaseWords(rule, verdict, verdict.denominator, t),
    what: agreementWord(rule, t),
  });
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
  const { t } = useTranslation("rules");
  return (
    <dl className="verdict-facts">
      <div>
        <dt>{t("Outcome")}</dt>
        <dd>
          <span className={`outcome outcome-${verdict.outcome}`}>{outcomeWords(verdict.outcome, t)}</span>
        </dd>
      </div>
      <div>
        <dt>{t("Strength of consensus (AWMF)")}</dt>
        <dd>
          <span className={`grade grade-${verdict.grade}`}>{gradeWords(verdict.grade, t)}</span>
          {verdict.agreePercent !== null ? <span className="muted">{` · ${shareWords(rule, verdict, t)}`}</span> : null}
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
  const { t } = useTranslation("rules");
  if (groups.length < 2) return null;
  const byName = new Map((results ?? []).map((r) => [r.name, r]));
  const rating = groups.some((g) => isRatingTally(g.tally));
  const shareHeading = t("Share {{what}} (of {{base}})", { what: agreementWord(rule, t), base: shareNoun(rule, undefined, t) });
  const participantsHeading = t("Participants");
  const medianHeading = t("Median");
  const outcomeHeading = t("Outcome");
  const strengthHeading = t("Strength (AWMF)");
  return (
    <details className="group-results">
      <summary>{t("Results by stakeholder group")}</summary>
      {note ? <p className="muted group-note">{note}</p> : null}
      <div className="table-scroll" role="region" aria-label={caption} tabIndex={0}>
        <table className="group-table">
          <caption>{caption}</caption>
          <thead>
            <tr>
              <th scope="col">{t("Group")}</th>
              <th scope="col">{participantsHeading}</th>
              {rating ? <th scope="col">{medianHeading}</th> : null}
              <th scope="col">{shareHeading}</th>
              <th scope="col">{outcomeHeading}</th>
              <th scope="col">{strengthHeading}</th>
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
                  <td data-label={participantsHeading}>{participants}</td>
                  {rating ? <td data-label={medianHeading}>{result?.median ?? "–"}</td> : null}
                  <td data-label={shareHeading}>
                    {share === null
                      ? "–"
                      : t("{{share}}% of {{n}}", { share: String(share), n: String(groupBase(rule, group.tally)) })}
                  </td>
                  <td data-label={outcomeHeading}>{result ? outcomeWords(result.outcome, t) : "–"}</td>
                  <td data-label={strengthHeading}>{result ? gradeWords(result.grade, t) : "–"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/**
 * Why the group table may leave groups out: in an anonymous guideline, groups below the minimum
 * size (DESIGN §4). Loaders give their page's translator (`translator(currentLanguage(), "rules")`).
 */
export function groupNote(rule: Rule | undefined, anonymity: "anonymous" | "named", t: Translate = english): string | null {
  if (anonymity !== "anonymous") return null;
  const minSize = rule ? groupMinSizeOf(rule) : DEFAULT_GROUP_MIN_SIZE;
  return t(
    'Anonymous guideline: groups with fewer than {{minSize}} participants are not shown on their own (pooled as "other groups" where that pool is large enough).',
    { minSize: String(minSize) },
  );
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
  const { t } = useTranslation("rules");
  const rating = rows.some((row) => isRatingTally(row.tally));
  const counts: { key: string; label: string; value: (row: OutcomeRow) => string | number }[] = rating
    ? [{ key: "median", label: t("Median"), value: (row) => row.verdict.median ?? "–" }]
    : [
        { key: "agree", label: t("Agree"), value: (row) => (isRatingTally(row.tally) ? "–" : row.tally.agree) },
        { key: "disagree", label: t("Disagree"), value: (row) => (isRatingTally(row.tally) ? "–" : row.tally.disagree) },
        { key: "abstain", label: t("Abstain"), value: (row) => (isRatingTally(row.tally) ? "–" : row.tally.abstain) },
      ];
  const statementHeading = t("Statement");
  const votedHeading = t("Voted");
  const outcomeHeading = t("Outcome");
  return (
    <table className="outcome-table">
      {/* The heading above the table says it on screen. */}
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{statementHeading}</th>
          <th scope="col">{t("Key point")}</th>
          {counts.map((c) => (
            <th key={c.key} scope="col" className="outcome-count">
              {c.label}
            </th>
          ))}
          <th scope="col">{votedHeading}</th>
          <th scope="col">{outcomeHeading}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.number}>
            <th scope="row" className="outcome-number" data-label={statementHeading}>
              {row.number}
            </th>
            <td className="outcome-text">
              <Link to={`${resultsPath}#statement-${row.number}`}>{shortText(row.text)}</Link>
            </td>
            {counts.map((c) => (
              <td key={c.key} className="outcome-count" data-label={c.label}>
                {c.value(row)}
              </td>
            ))}
            <td className="outcome-voted" data-label={votedHeading}>
              {t("{{voted}} of {{eligible}} eligible", {
                voted: String(participantsOf(row.tally)),
                eligible: String(row.tally.eligible),
              })}
            </td>
            <td className="outcome-result" data-label={outcomeHeading}>
              <span className={row.verdict.adopted ? "badge badge-done" : "badge badge-todo"}>
                {row.verdict.adopted ? t("Adopted") : t("Not adopted")}
              </span>
              <span className="outcome-words">{outcomeWords(row.verdict.outcome, t)}</span>
              {row.verdict.agreePercent !== null ? (
                <span className="outcome-share">{shareWords(rule, row.verdict, t)}</span>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
