/**
 * What changed between two published versions of a guideline (DESIGN §5): statements added,
 * revised (with a word diff), retired, and changed verdicts or counts, matched by the stable
 * `statementId`. Pure: no Remix, no database.
 */
import { canonicalJson } from "./canonical";
import { wordDiff, type DiffSegment } from "./diff";
import type { Entry, RecommendationSet } from "./recommendation-set";

export const COMPARISON_FORMAT = "recommendation-set-changes/1";

/** Which published version a side of the comparison is. */
export type VersionStamp = { version: number; publishedAt: string; contentHash: string };

/** A statement's number in Table 1 in each version; null where it was not adopted (or absent). */
export type Numbering = { before: number | null; after: number | null };

/** A statement in one version only: `number` only when adopted, as in the set. */
export type ListedStatement = {
  statementId: string;
  revision: number;
  number?: number;
  section: string;
  text: string;
  adopted: boolean;
};

export type Wording = { revision: number; section: string; text: string };

export type RevisedStatement = {
  statementId: string;
  number: Numbering;
  before: Wording;
  after: Wording;
  /** From the old text to the new: the "same" and "added" segments read together give the new text. */
  diff: DiffSegment[];
  sectionChanged: boolean;
};

/**
 * A statement's verdict and counts as a version publishes them. Like the set, `votes` on an
 * agreement scale, `ratings` and `median` on a rating scale, and no `outcome` or `grade` in sets
 * published before those fields.
 */
export type Result = Pick<
  Entry,
  | "round"
  | "adopted"
  | "outcome"
  | "grade"
  | "votes"
  | "ratings"
  | "median"
  | "participants"
  | "eligible"
  | "agreePercent"
  | "disagreePercent"
>;

/** The fields whose difference makes a statement `changed`; the percentages follow from them. */
const COMPARED_FIELDS = [
  "adopted",
  "outcome",
  "grade",
  "round",
  "votes",
  "ratings",
  "median",
  "participants",
  "eligible",
] as const satisfies readonly (keyof Result)[];
export type ComparedField = (typeof COMPARED_FIELDS)[number];

export type ChangedStatement = {
  statementId: string;
  number: Numbering;
  /** The section and text in the later version. */
  section: string;
  text: string;
  fields: ComparedField[];
  before: Result;
  after: Result;
};

export type RenumberedStatement = { statementId: string; section: string; text: string; number: Numbering };

export type VersionComparison = {
  format: typeof COMPARISON_FORMAT;
  guideline: { slug: string; title: string };
  from: VersionStamp;
  to: VersionStamp;
  added: ListedStatement[];
  revised: RevisedStatement[];
  retired: ListedStatement[];
  changed: ChangedStatement[];
  renumbered: RenumberedStatement[];
};

type Placed = { entry: Entry; number: number | null };

/** A set's statements by id, in the set's order: the recommendations, then those not adopted. */
function placed(set: RecommendationSet): Map<string, Placed> {
  return new Map([
    ...set.recommendations.map(({ number, ...entry }): [string, Placed] => [entry.statementId, { entry, number }]),
    ...set.notAdopted.map((entry): [string, Placed] => [entry.statementId, { entry, number: null }]),
  ]);
}

const stamp = (set: RecommendationSet): VersionStamp => ({
  version: set.version,
  publishedAt: set.publishedAt,
  contentHash: set.contentHash,
});

function listed({ entry, number }: Placed): ListedStatement {
  return {
    statementId: entry.statementId,
    revision: entry.revision,
    ...(number === null ? {} : { number }),
    section: entry.section,
    text: entry.text,
    adopted: entry.adopted,
  };
}

const wording = (entry: Entry): Wording => ({ revision: entry.revision, section: entry.section, text: entry.text });

function resultOf(entry: Entry): Result {
  const { round, adopted, outcome, grade, votes, ratings, median, participants, eligible, agreePercent, disagreePercent } = entry;
  return {
    round,
    adopted,
    ...(outcome === undefined ? {} : { outcome }),
    ...(grade === undefined ? {} : { grade }),
    ...(votes === undefined ? {} : { votes }),
    ...(ratings === undefined ? {} : { ratings }),
    ...(median === undefined ? {} : { median }),
    participants,
    eligible,
    agreePercent,
    disagreePercent,
  };
}

/**
 * Whether a field differs. `outcome` and `grade` missing from a set published before them are
 * not news (DESIGN §5); a count present in one version only (votes then ratings) is.
 */
function differs(field: ComparedField, before: Result, after: Result): boolean {
  const [a, b] = [before[field], after[field]];
  if (a === undefined || b === undefined) return a !== b && field !== "outcome" && field !== "grade";
  return canonicalJson(a) !== canonicalJson(b);
}

/** What changed from one version of a guideline to another, in the order of each set. */
export function compareSets(from: RecommendationSet, to: RecommendationSet): VersionComparison {
  const before = placed(from);
  const after = placed(to);
  const comparison: VersionComparison = {
    format: COMPARISON_FORMAT,
    guideline: { slug: to.guideline.slug, title: to.guideline.title },
    from: stamp(from),
    to: stamp(to),
    added: [],
    revised: [],
    retired: [...before].filter(([id]) => !after.has(id)).map(([, old]) => listed(old)),
    changed: [],
    renumbered: [],
  };
  for (const [id, now] of after) {
    const old = before.get(id);
    if (!old) {
      comparison.added.push(listed(now));
      continue;
    }
    const number = { before: old.number, after: now.number };
    if (old.entry.revision !== now.entry.revision) {
      comparison.revised.push({
        statementId: id,
        number,
        before: wording(old.entry),
        after: wording(now.entry),
        diff: wordDiff(old.entry.text, now.entry.text),
        sectionChanged: old.entry.section !== now.entry.section,
      });
    }
    const [was, is] = [resultOf(old.entry), resultOf(now.entry)];
    const fields = COMPARED_FIELDS.filter((field) => differs(field, was, is));
    if (fields.length > 0) {
      comparison.changed.push({
        statementId: id,
        number,
        section: now.entry.section,
        text: now.entry.text,
        fields,
        before: was,
        after: is,
      });
    }
    if (number.before !== number.after) {
      comparison.renumbered.push({ statementId: id, section: now.entry.section, text: now.entry.text, number });
    }
  }
  return comparison;
}
