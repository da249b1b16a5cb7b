/**
 * The published recommendation set (DESIGN §5): its shape, how a version is assembled from the
 * decided statements, the changes against the previous version, and its CSV form (its Table 1 as
 * a document: app/consensus/table1.ts).
 * Pure: no Remix, no database. The field names are a contract with other tools: add, never rename.
 */
import type { z } from "zod";
import { canonicalJson, contentHash } from "./canonical";
import type {
  AuditHeadSchema,
  ChangesSchema,
  EntrySchema,
  PublishedGroupSchema,
  PublishedStabilitySchema,
  RatingsSchema,
  RecommendationSchema,
  RecommendationSetSchema,
  VotesSchema,
} from "./recommendation-set.schema";
import type { FrozenVerdict, Grade, GroupVerdict, Outcome } from "./rule";
import { AGREEMENT, ratingPoints, type RatingScale, type Scale } from "./scale";
import type { Stability } from "./stability";
import { isRatingTally, type GroupTally, type RatingTally, type Tally } from "./tally";

export const SET_FORMAT = "recommendation-set/1";

export type Votes = z.output<typeof VotesSchema>;
/** Counts per rating point, "1" to "N", and "unable" when the scale has it. */
export type Ratings = z.output<typeof RatingsSchema>;

/** One stakeholder group's result on a statement (DESIGN §3.4): only groups that may be shown. */
export type PublishedGroup = z.output<typeof PublishedGroupSchema>;

export type PublishedStability = z.output<typeof PublishedStabilitySchema>;

/**
 * One decided statement. An agreement set gives `votes`; a rating set `ratings` and `median`
 * instead. `outcome`, `grade`, `groups` and `stability` are absent from sets published before
 * them (stored sets are never rewritten).
 */
export type Entry = z.output<typeof EntrySchema>;

export function ratingsOf(tally: RatingTally, scale: Scale): Ratings {
  const ratings: Ratings = Object.fromEntries(tally.ratings.map((count, i) => [String(i + 1), count]));
  if (scale.kind === "rating" && scale.unable) ratings.unable = tally.unable;
  return ratings;
}

function counts(tally: Tally, scale: Scale): { votes: Votes } | { ratings: Ratings } {
  return isRatingTally(tally)
    ? { ratings: ratingsOf(tally, scale) }
    : { votes: { agree: tally.agree, disagree: tally.disagree, abstain: tally.abstain } };
}

/** A decided statement as a set publishes it, from its frozen result. */
export function entryOf(input: {
  statement: Pick<Entry, "statementId" | "revision" | "section" | "text" | "translations" | "round">;
  scale: Scale;
  tally: Tally;
  verdict: FrozenVerdict;
  explanation: string;
  /** The groups that may be shown, with their frozen results. */
  groups: { tally: GroupTally; result: GroupVerdict }[];
  stability: (Stability & { previousRound: number }) | null;
}): Entry {
  const { verdict, scale } = input;
  return {
    ...input.statement,
    ...counts(input.tally, scale),
    ...(isRatingTally(input.tally) ? { median: verdict.median ?? null } : {}),
    participants: verdict.participants,
    eligible: verdict.eligible,
    agreePercent: verdict.agreePercent,
    disagreePercent: verdict.disagreePercent,
    adopted: verdict.adopted,
    outcome: verdict.outcome,
    grade: verdict.grade,
    reasons: verdict.reasons,
    explanation: input.explanation,
    ...(input.groups.length
      ? {
          groups: input.groups.map(({ tally, result }) => ({
            name: tally.name,
            participants: result.participants,
            ...counts(tally.tally, scale),
            ...(isRatingTally(tally.tally) ? { median: result.median } : {}),
            agreePercent: result.agreePercent,
            disagreePercent: result.disagreePercent,
            outcome: result.outcome,
            grade: result.grade,
          })),
        }
      : {}),
    ...(input.stability
      ? {
          stability: {
            previousRound: input.stability.previousRound,
            shareChange: input.stability.shareChange,
            ...(isRatingTally(input.tally)
              ? { medianChange: input.stability.medianChange, iqrChange: input.stability.iqrChange }
              : {}),
            stable: input.stability.stable,
          },
        }
      : {}),
  };
}

export type Recommendation = z.output<typeof RecommendationSchema>;

export type Changes = z.output<typeof ChangesSchema>;

/** An audit chain's last event: its place and its hash (docs/decisions/004-audit-chain.md). */
export type AuditHead = z.output<typeof AuditHeadSchema>;

/** The set as published; its fields are described in recommendation-set.schema.ts. */
export type RecommendationSet = z.output<typeof RecommendationSetSchema>;

export type SetInput = Omit<RecommendationSet, "format" | "recommendations" | "notAdopted" | "changes" | "contentHash"> & {
  /** Every decided, non-retired statement in the guideline's statement order. */
  decided: Entry[];
  /** Statements retired since they were last published. */
  retired: string[];
  previous: RecommendationSet | null;
};

function entriesOf(set: RecommendationSet): Entry[] {
  return [...set.recommendations.map(({ number: _number, ...entry }) => entry), ...set.notAdopted];
}

/** What changed against the previous version, by stable statement identity. */
export function changesSince(previous: RecommendationSet | null, current: Entry[], retired: string[]): Changes {
  const before = new Map(previous ? entriesOf(previous).map((e) => [e.statementId, e.revision]) : []);
  const changes: Changes = { previousVersion: previous?.version ?? null, added: [], revised: [], retired: [] };
  for (const entry of current) {
    const previousRevision = before.get(entry.statementId);
    if (previousRevision === undefined) {
      changes.added.push({ statementId: entry.statementId, revision: entry.revision });
    } else if (previousRevision !== entry.revision) {
      changes.revised.push({ statementId: entry.statementId, revision: entry.revision, previousRevision });
    }
  }
  for (const statementId of retired) {
    const previousRevision = before.get(statementId);
    if (previousRevision !== undefined) changes.retired.push({ statementId, previousRevision });
  }
  return changes;
}

/** The set with its content hash: sha256 of the canonical JSON of everything else. */
export function assembleSet(input: SetInput): RecommendationSet {
  const { decided, retired, previous, ...rest } = input;
  let number = 0;
  const recommendations = decided.filter((e) => e.adopted).map((e) => ({ number: ++number, ...e }));
  const notAdopted = decided.filter((e) => !e.adopted);
  const unhashed = {
    format: SET_FORMAT,
    ...rest,
    recommendations,
    notAdopted,
    changes: changesSince(previous, decided, retired),
  } satisfies Omit<RecommendationSet, "contentHash">;
  return { ...unhashed, contentHash: contentHash(unhashed) };
}

/**
 * Whether publishing `next` would say anything the previous version did not: the rule, panel,
 * rounds, and each statement's text, round, counts and verdict. Fields a newer format adds to
 * the same results (outcome, grade, groups, stability, scale) are not news.
 */
export function sameContent(previous: RecommendationSet, next: RecommendationSet): boolean {
  const essence = (set: RecommendationSet) =>
    canonicalJson({
      rule: set.rule,
      panel: set.panel,
      rounds: set.rounds,
      entries: entriesOf(set).map((e) => [
        e.statementId,
        e.revision,
        e.section,
        e.text,
        e.round,
        e.votes ?? e.ratings,
        e.eligible,
        e.adopted,
        e.reasons,
      ]),
    });
  return essence(previous) === essence(next);
}

/** The serialisation that is stored, served and exported: canonical JSON, byte for byte. */
export function serializeSet(set: RecommendationSet): string {
  return canonicalJson(set);
}

export function verifyContentHash(set: RecommendationSet): boolean {
  const { contentHash: claimed, ...rest } = set;
  return contentHash(rest) === claimed;
}

/** A set's scale: sets published before scales were are on the agreement scale. */
export function setScale(set: Pick<RecommendationSet, "scale">): Scale {
  return set.scale ?? AGREEMENT;
}

/** The rating scale's columns: "1" to "N", then "unable" when the scale has it. */
export function ratingColumns(scale: RatingScale): string[] {
  return [...ratingPoints(scale).map(String), ...(scale.unable ? ["unable"] : [])];
}

/** An entry's count for one rating column; null when the entry has no ratings (it was decided on another scale). */
export function ratingCount(entry: Pick<Entry, "ratings">, column: string): number | null {
  return entry.ratings ? (entry.ratings[column] ?? 0) : null;
}

/** The counts of an entry's ballots on an agreement scale; null when it has no votes. */
function voteCounts(entry: Entry): [number, number, number] | [null, null, null] {
  return entry.votes ? [entry.votes.agree, entry.votes.disagree, entry.votes.abstain] : [null, null, null];
}

/** How a cell starts that a spreadsheet would read as a formula (OWASP, CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field: text a spreadsheet would run as a formula gets a leading single quote, so it
 * shows as the text it is; then quoting where RFC 4180 requires it. Numbers stay numbers.
 */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return "";
  if (typeof value !== "string") return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The languages a set translates its statements into: all of the guideline's but the authoritative one. */
export function translationLanguages(set: Pick<RecommendationSet, "guideline">): string[] {
  return (set.guideline.languages ?? []).filter((language) => language !== set.guideline.language);
}

/**
 * RFC 4180: a header row, then the recommendations, then the statements not adopted. An
 * agreement set has the columns it always had (so an existing set's CSV never changes); a rating
 * set one column per point ("1" to "N", and "unable" when the scale has it), then median,
 * outcome, grade and adopted. A set in several languages has, after `text` (the authoritative
 * text), one `text_<language>` column per other language.
 */
export function toCsv(set: RecommendationSet): string {
  const scale = setScale(set);
  const languages = translationLanguages(set);
  const textColumns = ["text", ...languages.map((language) => `text_${language}`)];
  const texts = (e: Entry) => [e.text, ...languages.map((language) => e.translations?.[language]?.text ?? null)];
  const entries: [number | null, Entry][] = [
    ...set.recommendations.map((r): [number, Entry] => [r.number, r]),
    ...set.notAdopted.map((e): [null, Entry] => [null, e]),
  ];
  let rows: (string | number | boolean | null)[][];
  if (scale.kind === "rating") {
    const columns = ratingColumns(scale);
    rows = [
      ["number", "section", ...textColumns, ...columns, "median", "outcome", "grade", "adopted"],
      ...entries.map(([number, e]) => [
        number,
        e.section,
        ...texts(e),
        ...columns.map((column) => ratingCount(e, column)),
        e.median ?? null,
        e.outcome ?? null,
        e.grade ?? null,
        e.adopted,
      ]),
    ];
  } else {
    rows = [
      ["number", "section", ...textColumns, "agree", "disagree", "abstain", "adopted"],
      ...entries.map(([number, e]) => [number, e.section, ...texts(e), ...voteCounts(e), e.adopted]),
    ];
  }
  return rows.map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}

/** What each outcome is called in tables (DESIGN §3.2). */
export const OUTCOME_LABELS: Record<Outcome, string> = {
  in: "Consensus in",
  out: "Consensus out",
  none: "No consensus",
  appropriate: "Appropriate",
  inappropriate: "Inappropriate",
  uncertain: "Uncertain",
};

/** What each AWMF grade is called in tables (DESIGN §3.3). */
export const GRADE_LABELS: Record<Grade, string> = {
  strong: "Strong consensus",
  consensus: "Consensus",
  majority: "Majority",
  none: "None",
};

export const GRADE_NOTE =
  "Grade: the AWMF strength of consensus of the agreement share — strong consensus above 95%, consensus above 75%, majority above 50%.";

export const outcomeLabel = (outcome: Outcome | undefined): string => (outcome ? OUTCOME_LABELS[outcome] : "");
export const gradeLabel = (grade: Grade | undefined): string => (grade ? GRADE_LABELS[grade] : "");

/** The median as a number to print: 8, 7.5; a dash without ratings. */
export function medianText(median: number | null | undefined): string {
  return median == null ? "–" : String(median);
}

/**
 * A rating entry's distribution in one line, the counts for 1 to N in order, then how many were
 * unable to score: "0 · 0 · 1 · 0 · 2 · 3 · 5 · 8 · 12 (unable 1)".
 */
export function distributionText(entry: Pick<Entry, "ratings">, scale: RatingScale): string {
  const counts = ratingPoints(scale)
    .map((point) => ratingCount(entry, String(point)) ?? 0)
    .join(" · ");
  return scale.unable ? `${counts} (unable ${ratingCount(entry, "unable") ?? 0})` : counts;
}

/** The header of a distribution column: "Ratings 1–9". */
export function distributionHeading(scale: RatingScale): string {
  return `Ratings 1–${scale.points}`;
}
