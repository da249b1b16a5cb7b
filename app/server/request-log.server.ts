/**
 * One log line per request (app/server/log.server.ts): its id, method, route, status, duration
 * and the signed-in user's id. The route is the matched route's id (`routes/join.$token`), never
 * the path, which can hold a token; nothing of the query, the headers or the body is logged.
 * The id comes from a well-formed `X-Request-Id` (a proxy's) or is made here, and is sent back in
 * `X-Request-Id`; every line logged while the request is handled carries it.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { matchRoutes, type AgnosticRouteObject } from "@remix-run/router";
import { inRequest, log, type RequestState } from "./log.server";

type ManifestRoute = { id: string; parentId?: string; path?: string; index?: boolean; caseSensitive?: boolean };

/** The Remix build's route manifest as a tree to match paths against, as Remix does. */
function routeTree(manifest: Record<string, ManifestRoute | undefined>, parentId?: string): AgnosticRouteObject[] {
  return Object.values(manifest)
    .filter((route): route is ManifestRoute => route !== undefined && route.parentId === parentId)
    .map((route) =>
      route.index
        ? { id: route.id, index: true, path: route.path, caseSensitive: route.caseSensitive }
        : { id: route.id, path: route.path, caseSensitive: route.caseSensitive, children: routeTree(manifest, route.id) },
    );
}

const WELL_FORMED_ID = /^[\w.-]{1,64}$/;

/**
 * Wraps the server's request handling: `handle` runs with the request's state, and a line is
 * logged when the response is finished (or the connection closed before).
 */
export function requestLogging(manifest: Record<string, ManifestRoute | undefined>) {
  const tree = routeTree(manifest);
  const routeOf = (url: string | undefined): string => {
    const pathname = (url ?? "/").split("?")[0]!;
    if (pathname.startsWith("/build/")) return "static";
    return matchRoutes(tree, pathname)?.at(-1)?.route.id ?? "unmatched";
  };
  return (req: IncomingMessage, res: ServerResponse, handle: () => void) => {
    const given = req.headers["x-request-id"];
    const state: RequestState = {
      id: typeof given === "string" && WELL_FORMED_ID.test(given) ? given : randomUUID(),
      userId: null,
      route: null,
    };
    const started = performance.now();
    res.setHeader("X-Request-Id", state.id);
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      // Logged in the request's state, so the line carries its id like every other line of it.
      inRequest(state, () =>
        log().info(
          {
            method: req.method,
            route: state.route ?? routeOf(req.url),
            status: res.writableFinished ? res.statusCode : null,
            ms: Math.round((performance.now() - started) * 10) / 10,
            user: state.userId,
          },
          "request",
        ),
      );
    };
    res.once("finish", done);
    res.once("close", done);
    inRequest(state, handle);
  };
}
