import { diffWords } from "diff";

export type DiffSegment = { kind: "same" | "added" | "removed"; text: string };

/**
 * The word-level changes from one wording of a statement to the next. A changed word shows as
 * removed then added; spacing and line breaks do not count as changes and follow `after`, so the
 * "same" and "added" segments read together give `after` exactly.
 */
export function wordDiff(before: string, after: string): DiffSegment[] {
  return diffWords(before, after).map((change) => ({
    kind: change.added ? "added" : change.removed ? "removed" : "same",
    text: change.value,
  }));
}
