/**
 * Published versions answered before Express (issue 15). A numbered version never changes, so
 * its JSON and CSV are made once, with every header precomputed, and a GET or HEAD for them —
 * or their 304 — is one lookup in memory and one write. Anything else (`latest`, the Table 1
 * documents, a query string, a version not published yet) goes on to Express, which answers it
 * as before; both build the representation with the same public-api functions.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Queryable } from "@db/client.server";
import { renderSet } from "~/consensus/table1";
import { log, noteRoute } from "./log.server";
import { findPublished } from "./publications.server";
import { matches, representationHeaders, setRepresentation } from "./public-api.server";

/** `/api/guidelines/<slug>/versions/<number>` or `….csv`, nothing after it. */
const PATH = /^\/api\/guidelines\/([a-z0-9][a-z0-9-]*)\/versions\/([1-9][0-9]{0,8})(\.csv)?$/;

type Prepared = { etag: string; body: Buffer; ok: OutgoingHttpHeaders; notModified: OutgoingHttpHeaders };

/**
 * The listener's first look at a request: true when it answered it. `headers` are added to
 * every 200 (the security headers of a data response).
 */
export function publishedVersions(db: () => Queryable, headers: Record<string, string>) {
  const prepared = new Map<string, Prepared>();

  function prepare(url: string, slug: string, version: number, format: "json" | "csv"): Prepared | null {
    const found = findPublished(db(), { slug, version });
    if (!found) return null;
    const body = Buffer.from(renderSet(found.body, format));
    const representation = setRepresentation(found, { slug, latest: false, format, language: "en", body });
    const { ok, notModified } = representationHeaders(representation);
    const entry = {
      etag: representation.etag,
      body,
      ok: { ...headers, ...ok, "Content-Length": body.byteLength },
      // A 304 carries what updates the cached 200 (RFC 9110 §15.4.5: its validators and caching,
      // and CORS for a caller that revalidates itself); the security headers of a body it has not.
      notModified,
    };
    prepared.set(url, entry);
    return entry;
  }

  return function answer(req: IncomingMessage, res: ServerResponse): boolean {
    if ((req.method !== "GET" && req.method !== "HEAD") || !req.url) return false;
    let entry = prepared.get(req.url);
    if (!entry) {
      const match = PATH.exec(req.url);
      if (!match) return false;
      try {
        entry = prepare(req.url, match[1]!, Number(match[2]), match[3] ? "csv" : "json") ?? undefined;
      } catch (error) {
        // Express answers it then, and reports what went wrong as for any other request.
        log().error({ err: error }, "preparing a published version failed");
      }
    }
    if (!entry) return false;
    noteRoute("published version (before Express)");
    const ifNoneMatch = req.headers["if-none-match"];
    if (ifNoneMatch === entry.etag || matches(ifNoneMatch, entry.etag)) {
      res.writeHead(304, entry.notModified).end();
    } else {
      res.writeHead(200, entry.ok).end(req.method === "HEAD" ? undefined : entry.body);
    }
    return true;
  };
}
