/**
 * What publishing now would produce, for the secretary to check before a version becomes
 * permanent: the next set, its changes with the statements' own words, or why there is nothing
 * to publish. Writes nothing.
 */
import { and, eq, inArray } from "drizzle-orm";
import type { Queryable } from "@db/client.server";
import { guidelines, statements } from "@db/schema";
import { sameContent, type Entry, type RecommendationSet } from "~/consensus/recommendation-set";
import { Refusal } from "./errors.server";
import { buildNextSet, findPublished } from "./publications.server";

export type ChangeLine = {
  kind: "added" | "revised" | "retired";
  statementId: string;
  /** The statement's number (statements.position); null for one no longer in the guideline's list. */
  number: number | null;
  section: string;
  text: string;
  revision: number | null;
  previousRevision: number | null;
  /** The verdict the statement carries in the next version; null for a retired one. */
  adopted: boolean | null;
};

export type Preview =
  | {
      status: "ready";
      set: RecommendationSet;
      changes: ChangeLine[];
      /**
       * Each statement's number by id: the preview names statements by it, beside the number a
       * recommendation gets in the set (1..k over the adopted ones, the published contract).
       */
      numbers: Record<string, number>;
    }
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

/** The number of each of the guideline's statements named in the sets, by id. */
function statementNumbers(db: Queryable, slug: string, ids: string[]): Record<string, number> {
  if (ids.length === 0) return {};
  const rows = db
    .select({ id: statements.id, number: statements.position })
    .from(statements)
    .innerJoin(guidelines, eq(guidelines.id, statements.guidelineId))
    .where(and(eq(guidelines.slug, slug), inArray(statements.id, ids)))
    .all();
  return Object.fromEntries(rows.map((row) => [row.id, row.number]));
}

/** Added and revised statements read from the next set; retired ones from the version they leave. */
function changeLines(set: RecommendationSet, previous: RecommendationSet | null, numbers: Record<string, number>): ChangeLine[] {
  const next = new Map(entriesOf(set).map((e) => [e.statementId, e]));
  const before = new Map(previous ? entriesOf(previous).map((e) => [e.statementId, e]) : []);
  const line = (kind: ChangeLine["kind"], entry: Entry, revision: number | null, previousRevision: number | null) => ({
    kind,
    statementId: entry.statementId,
    number: numbers[entry.statementId] ?? null,
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
    if (error instanceof Refusal) return { status: "refused", message: error.text() };
    throw error;
  }
  const previous = previousSet(db, input.slug, set.changes.previousVersion);
  if (previous && sameContent(previous, set)) return { status: "unchanged", previousVersion: previous.version };
  const ids = [...entriesOf(set), ...(previous ? entriesOf(previous) : [])].map((e) => e.statementId);
  const numbers = statementNumbers(db, input.slug, [...new Set(ids)]);
  return { status: "ready", set, changes: changeLines(set, previous, numbers), numbers };
}
