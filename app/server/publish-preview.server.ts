/**
 * What publishing now would produce, for the secretary to check before a version becomes
 * permanent: the next set, its changes with the statements' own words, or why there is nothing
 * to publish. Writes nothing.
 */
import type { Queryable } from "@db/client.server";
import { sameContent, type Entry, type RecommendationSet } from "~/consensus/recommendation-set";
import { Refusal } from "./errors";
import { buildNextSet, findPublished } from "./publications.server";

export type ChangeLine = {
  kind: "added" | "revised" | "retired";
  statementId: string;
  section: string;
  text: string;
  revision: number | null;
  previousRevision: number | null;
  /** The verdict the statement carries in the next version; null for a retired one. */
  adopted: boolean | null;
};

export type Preview =
  | { status: "ready"; set: RecommendationSet; changes: ChangeLine[] }
  | { status: "unchanged"; previousVersion: number }
  | { status: "refused"; message: string };

function entriesOf(set: RecommendationSet): Entry[] {
  return [...set.recommendations, ...set.notAdopted];
}

function previousSet(db: Queryable, slug: string, version: number | null): RecommendationSet | null {
  if (version === null) return null;
  const found = findPublished(db, { slug, version });
  return found ? (JSON.parse(found.body) as RecommendationSet) : null;
}

/** Added and revised statements read from the next set; retired ones from the version they leave. */
function changeLines(set: RecommendationSet, previous: RecommendationSet | null): ChangeLine[] {
  const next = new Map(entriesOf(set).map((e) => [e.statementId, e]));
  const before = new Map(previous ? entriesOf(previous).map((e) => [e.statementId, e]) : []);
  const line = (kind: ChangeLine["kind"], entry: Entry, revision: number | null, previousRevision: number | null) => ({
    kind,
    statementId: entry.statementId,
    section: entry.section,
    text: entry.text,
    revision,
    previousRevision,
    adopted: kind === "retired" ? null : entry.adopted,
  });
  return [
    ...set.changes.added.map((c) => line("added", next.get(c.statementId)!, c.revision, null)),
    ...set.changes.revised.map((c) => line("revised", next.get(c.statementId)!, c.revision, c.previousRevision)),
    ...set.changes.retired.map((c) => line("retired", before.get(c.statementId)!, null, c.previousRevision)),
  ];
}

export function previewNextVersion(db: Queryable, input: { slug: string; now?: Date }): Preview {
  let set: RecommendationSet;
  try {
    set = buildNextSet(db, input);
  } catch (error) {
    if (error instanceof Refusal) return { status: "refused", message: error.message };
    throw error;
  }
  const previous = previousSet(db, input.slug, set.changes.previousVersion);
  if (previous && sameContent(previous, set)) return { status: "unchanged", previousVersion: previous.version };
  return { status: "ready", set, changes: changeLines(set, previous) };
}
