/**
 * Comparing two published versions of a guideline (issue 12), for the API and the public page:
 * the `A..B` range, the two stored sets, and the comparison served like a version — immutable
 * between two numbered versions, short-lived when B is `latest`.
 */
import type { Queryable } from "@db/client.server";
import { compareSets, type VersionComparison, type VersionStamp } from "~/consensus/compare";
import type { RecommendationSet } from "~/consensus/recommendation-set";
import { findPublished } from "./publications.server";
import {
  CACHE_IMMUTABLE,
  CACHE_SHORT,
  JSON_TYPE,
  jsonError,
  missingVersionMessage,
  serve,
  versionPath,
} from "./public-api.server";

/** From a numbered version to a later one, or to whichever is the latest. */
export type VersionRange = { from: number; to: number | "latest" };

/** `A..B`, A a version number and B a version number or `latest`; null for anything else. */
export function parseRange(param: string | undefined): VersionRange | null {
  const match = /^([1-9][0-9]*)\.\.(latest|[1-9][0-9]*)$/.exec(param ?? "");
  if (!match) return null;
  const from = Number(match[1]);
  const to = match[2] === "latest" ? "latest" : Number(match[2]);
  if (!Number.isSafeInteger(from) || (to !== "latest" && !Number.isSafeInteger(to))) return null;
  return { from, to };
}

export function malformedRangeMessage(param: string | undefined): string {
  return `"${param ?? ""}" is not a range of versions: use two version numbers, the earlier first ("1..2"), or a version number and "latest" ("1..latest").`;
}

export function changesPath(slug: string, from: number, to: number | "latest"): string {
  return `/api/guidelines/${encodeURIComponent(slug)}/changes/${from}..${to}`;
}

/** The comparison as served: each version with the address of its JSON. */
export type PublishedComparison = Omit<VersionComparison, "from" | "to"> & {
  from: VersionStamp & { url: string };
  to: VersionStamp & { url: string };
};

export type FoundComparison = { comparison: PublishedComparison } | { status: 400 | 404; error: string };

/** The two published versions compared; a 404 when either is not published, a 400 when they are not in order. */
export function findComparison(db: Queryable, slug: string, range: VersionRange): FoundComparison {
  const from = findPublished(db, { slug, version: range.from });
  if (!from) return { status: 404, error: missingVersionMessage(db, slug, range.from) };
  const to = findPublished(db, { slug, version: range.to });
  if (!to) return { status: 404, error: missingVersionMessage(db, slug, range.to) };
  if (from.version >= to.version) {
    const later = range.to === "latest" ? `the latest, version ${to.version}` : `version ${to.version}`;
    return {
      status: 400,
      error: `Version ${from.version} is not earlier than ${later}: compare an earlier version with a later one.`,
    };
  }
  const comparison = compareSets(JSON.parse(from.body) as RecommendationSet, JSON.parse(to.body) as RecommendationSet);
  return {
    comparison: {
      ...comparison,
      from: { ...comparison.from, url: versionPath(slug, from.version) },
      to: { ...comparison.to, url: versionPath(slug, to.version) },
    },
  };
}

const hex = (contentHash: string) => contentHash.replace(/^sha256:/, "");

/**
 * The comparison as JSON. Its ETag derives from the two content hashes, so it is the same for
 * `1..2` and for `1..latest` while version 2 is the latest.
 */
export function changesResponse(db: Queryable, request: Request, slug: string, param: string | undefined): Response {
  const range = parseRange(param);
  if (!range) return jsonError(400, malformedRangeMessage(param));
  const found = findComparison(db, slug, range);
  if ("error" in found) return jsonError(found.status, found.error);
  const { comparison } = found;
  return serve(request, {
    body: JSON.stringify(comparison),
    etag: `"${hex(comparison.from.contentHash)}..${hex(comparison.to.contentHash)}"`,
    cacheControl: range.to === "latest" ? CACHE_SHORT : CACHE_IMMUTABLE,
    headers: { "Content-Type": JSON_TYPE },
  });
}
