/**
 * The public API (DESIGN §5): anonymous, read-only, cacheable responses over the published
 * recommendation sets. Only published versions are reachable from here: drafts, open rounds and
 * ballots never are.
 */
import { createHash } from "node:crypto";
import type { Queryable } from "@db/client.server";
import type { RecommendationSet } from "~/consensus/recommendation-set";
import { renderSet, table1Doc } from "~/consensus/table1";
import { DEFAULT_LANGUAGE, languageOf, type Language } from "~/i18n";
import { translator } from "./i18n.server";
import { findPublished, listPublishedGuidelines, listVersions, type PublishedVersion } from "./publications.server";
import { DOCX_TYPE, wordOf } from "./word.server";

export const CACHE_IMMUTABLE = "public, max-age=31536000, immutable";
export const CACHE_SHORT = "public, max-age=60";

const CORS = { "Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag" };
export const JSON_TYPE = "application/json; charset=utf-8";

/** A published version's representations: the set as JSON and CSV, its Table 1 as Markdown and Word. */
const TYPES = {
  json: JSON_TYPE,
  csv: "text/csv; charset=utf-8",
  md: "text/markdown; charset=utf-8",
  docx: DOCX_TYPE,
} as const;

type Wanted = { version: number | "latest"; format: keyof typeof TYPES };

/** `N` or `latest`, optionally followed by `.csv`, `.md` or `.docx`; null for anything else. */
export function parseVersionParam(param: string | undefined): Wanted | null {
  const match = /^(latest|[1-9][0-9]*)(?:\.(csv|md|docx))?$/.exec(param ?? "");
  if (!match) return null;
  const version = match[1] === "latest" ? "latest" : Number(match[1]);
  if (version !== "latest" && !Number.isSafeInteger(version)) return null;
  return { version, format: (match[2] as Wanted["format"] | undefined) ?? "json" };
}

export function versionPath(slug: string, version: number | "latest", format: Wanted["format"] = "json"): string {
  return `/api/guidelines/${encodeURIComponent(slug)}/versions/${version}${format === "json" ? "" : `.${format}`}`;
}

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/"x" matches "x" and the other way round. */
export function matches(ifNoneMatch: string | null | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = etag.replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => {
    const candidate = tag.trim();
    return candidate === "*" || candidate.replace(/^W\//, "") === opaque;
  });
}

export type Representation = {
  body: string | Uint8Array<ArrayBuffer>;
  etag: string;
  cacheControl: string;
  headers: Record<string, string>;
};

/** The representation, or 304 with the same validators and caching when the client has it. */
export function serve(request: Request, representation: Representation): Response {
  const { ok, notModified } = representationHeaders(representation);
  if (matches(request.headers.get("If-None-Match"), representation.etag)) {
    return new Response(null, { status: 304, headers: notModified });
  }
  return new Response(representation.body, { status: 200, headers: ok });
}

function serveJson(request: Request, body: string, cacheControl: string, contentType = JSON_TYPE): Response {
  const etag = `"${createHash("sha256").update(body).digest("hex")}"`;
  return serve(request, { body, etag, cacheControl, headers: { "Content-Type": contentType } });
}

const STATUS_TEXT = { 400: "Bad Request", 404: "Not Found" } as const;

export function jsonError(status: keyof typeof STATUS_TEXT, message: string): Response {
  return new Response(JSON.stringify({ error: message }), {
    status,
    statusText: STATUS_TEXT[status],
    // A missing version may be published a minute later: never cache the refusal.
    headers: { ...CORS, "Content-Type": JSON_TYPE, "Cache-Control": "no-store" },
  });
}

export function malformedVersionMessage(param: string | undefined): string {
  return `"${param ?? ""}" is not a version: use a version number (1, 2, …) or "latest", optionally followed by ".csv", ".md" or ".docx".`;
}

/**
 * Why a published version is missing. An unpublished guideline and an unknown slug read the
 * same, so the API does not reveal which guidelines exist as drafts.
 */
export function missingVersionMessage(db: Queryable, slug: string, version: number | "latest"): string {
  const latest = listVersions(db, { slug }).at(-1);
  if (!latest) return `Nothing is published for the guideline "${slug}".`;
  return `Version ${version} of "${slug}" is not published; the latest is version ${latest.version}.`;
}

export function guidelinesResponse(db: Queryable, request: Request): Response {
  const guidelines = listPublishedGuidelines(db).map((g) => ({
    slug: g.slug,
    title: g.title,
    language: g.language,
    latestVersion: g.latestVersion,
    latestPublishedAt: g.latestPublishedAt.toISOString(),
    versions: `/api/guidelines/${encodeURIComponent(g.slug)}/versions`,
    latest: versionPath(g.slug, "latest"),
  }));
  return serveJson(request, JSON.stringify({ guidelines }), CACHE_SHORT);
}

export function versionsResponse(db: Queryable, request: Request, slug: string): Response {
  const versions = listVersions(db, { slug }).map((v) => ({
    version: v.version,
    publishedAt: v.publishedAt.toISOString(),
    contentHash: v.contentHash,
    url: versionPath(slug, v.version),
  }));
  if (versions.length === 0) return jsonError(404, missingVersionMessage(db, slug, "latest"));
  return serveJson(request, JSON.stringify({ slug, versions }), CACHE_SHORT);
}

// A numbered version never changes once published, so it is read from the database once.
const numberedVersions = new Map<string, PublishedVersion>();

function findVersion(db: Queryable, slug: string, version: number | "latest"): PublishedVersion | null {
  if (version === "latest") return findPublished(db, { slug, version });
  const key = `${slug}\n${version}`;
  const cached = numberedVersions.get(key);
  if (cached) return cached;
  const found = findPublished(db, { slug, version });
  if (found) numberedVersions.set(key, found);
  return found;
}

// Word files of published versions by content hash: made once, then served from memory.
const wordFiles = new Map<string, Uint8Array<ArrayBuffer>>();

async function wordFile(found: PublishedVersion, language: Language): Promise<Uint8Array<ArrayBuffer>> {
  const key = `${found.contentHash} ${language}`;
  let file = wordFiles.get(key);
  if (!file) {
    file = new Uint8Array(
      await wordOf(table1Doc(JSON.parse(found.body) as RecommendationSet, translator(language, "publication"))),
    );
    wordFiles.set(key, file);
  }
  return file;
}

/** The language of a Table 1 download: `?lang=zh`, else English (a URL per language, so caches keep them apart). */
function documentLanguage(request: Request): Language {
  return languageOf(new URL(request.url).searchParams.get("lang")) ?? DEFAULT_LANGUAGE;
}

/**
 * A published set as stored, as CSV, or its Table 1 as Markdown or Word. The ETag derives from
 * the content hash, so it is the same for a numbered version and for `latest` while that
 * version is the latest. The Word file's is weak: the same Table 1 written again differs in
 * its zip's timestamps.
 */
export async function setResponse(db: Queryable, request: Request, slug: string, wanted: Wanted): Promise<Response> {
  const found = findVersion(db, slug, wanted.version);
  if (!found) return jsonError(404, missingVersionMessage(db, slug, wanted.version));
  // The Table 1 documents are written in a language; the data (JSON, CSV) is the same in all.
  const { format } = wanted;
  const language = format === "md" || format === "docx" ? documentLanguage(request) : DEFAULT_LANGUAGE;
  const body =
    format === "docx" ? await wordFile(found, language) : renderSet(found.body, format, translator(language, "publication"));
  return serve(request, setRepresentation(found, { slug, latest: wanted.version === "latest", format, language, body }));
}

/** A version's representation in one format (and, for the Table 1 documents, one language), its body made. */
export function setRepresentation(
  found: Pick<PublishedVersion, "version" | "contentHash">,
  input: { slug: string; latest: boolean; format: Wanted["format"]; language: Language; body: Representation["body"] },
): Representation {
  const { format } = input;
  const hex = found.contentHash.replace(/^sha256:/, "");
  const suffix = input.language === DEFAULT_LANGUAGE ? "" : `.${input.language}`;
  const filename = `${input.slug}-v${found.version}.${format}`;
  return {
    body: input.body,
    etag: format === "json" ? `"${hex}"` : format === "docx" ? `W/"${hex}${suffix}.docx"` : `"${hex}${suffix}.${format}"`,
    cacheControl: input.latest ? CACHE_SHORT : CACHE_IMMUTABLE,
    headers: {
      "Content-Type": TYPES[format],
      ...(format === "json"
        ? {}
        : { "Content-Disposition": `${format === "docx" ? "attachment" : "inline"}; filename="${filename}"` }),
    },
  };
}

/** The headers of a representation's 200 and of its 304 (the validators and caching). */
export function representationHeaders({ etag, cacheControl, headers }: Representation) {
  const validators = { ...CORS, ETag: etag, "Cache-Control": cacheControl };
  return { ok: { ...validators, ...headers }, notModified: validators };
}

/** The JSON Schema of a set, indented for people reading it. */
export function schemaResponse(request: Request, schema: object): Response {
  return serveJson(
    request,
    JSON.stringify(schema, null, 2) + "\n",
    "public, max-age=3600",
    "application/schema+json; charset=utf-8",
  );
}
