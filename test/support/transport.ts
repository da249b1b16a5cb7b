/**
 * Two ways to put a request to a route, so the authorization matrix and the fuzz tests check
 * both: in-process (the route module's loader or action, called directly) and over HTTP (the
 * built server, started on the test file's own database, through server.ts's middleware: body
 * limit, security headers, cross-site refusal, the published-version route, Remix).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { RunningServer } from "./server";
import { respond } from "./requests";

type RouteArgs = { request: Request; params: Record<string, string>; context: Record<string, unknown> };
type Handler = (args: RouteArgs) => Promise<unknown>;

const ROUTES_DIR = join(process.cwd(), "app/routes");

export async function routeHandler(file: string, kind: "loader" | "action"): Promise<Handler> {
  const route = (await import(/* @vite-ignore */ join(ROUTES_DIR, file))) as Partial<Record<typeof kind, Handler>>;
  const found = route[kind];
  if (!found) throw new Error(`${file} has no ${kind}.`);
  return found;
}

export type Sent = {
  /** The route module under app/routes, e.g. "g.$slug.vote/route.tsx" or "api.guidelines._index.ts". */
  file: string;
  /** A request on http://localhost; a POST goes to the action, anything else to the loader. */
  request: Request;
  params: Record<string, string>;
  /** Over HTTP, a POST as a browser without JavaScript sends it (the page comes back) rather than as a fetcher (`?_data`). */
  asDocument?: boolean;
};

export type Transport = { name: string; send: (sent: Sent) => Promise<Response> };

export const inProcess: Transport = {
  name: "in-process",
  async send({ file, request, params }) {
    const handler = await routeHandler(file, request.method === "POST" ? "action" : "loader");
    return respond(() => handler({ request, params, context: { clientAddress: "192.0.2.10" } }));
  },
};

/** A route module's flat-route name: its folder for a folder route, else its file name without the extension. */
export const routeName = (file: string) => file.replace(/(\/route)?\.[jt]sx?$/, "");

/** Every route module under app/routes: "name.ts(x)" files and "name/route.tsx" folders. */
export function routeFiles(): string[] {
  return readdirSync(ROUTES_DIR, { withFileTypes: true })
    .flatMap((entry) => {
      if (entry.isFile()) return /\.[jt]sx?$/.test(entry.name) ? [entry.name] : [];
      return readdirSync(join(ROUTES_DIR, entry.name))
        .filter((f) => /^route\.[jt]sx?$/.test(f))
        .map((f) => `${entry.name}/${f}`);
    })
    .sort();
}

export const routeId = (file: string) => `routes/${routeName(file)}`;

/** The built server: POSTs as a fetcher (`?_data=<route>`) unless sent as a document; GETs as a browser would. */
export function overHttp(server: () => RunningServer): Transport {
  return {
    name: "over HTTP",
    async send({ file, request, asDocument }) {
      const url = new URL(request.url);
      if (request.method === "POST" && !asDocument) url.searchParams.append("_data", routeId(file));
      return fetch(server().url + url.pathname + url.search, {
        method: request.method,
        headers: request.headers,
        body: request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer(),
        redirect: "manual",
      });
    },
  };
}

/** Where a response sends the browser: its Location, or Remix's redirect header for a `?_data` request. */
export function locationOf(response: Response): string | null {
  return response.headers.get("Location") ?? response.headers.get("X-Remix-Redirect");
}

type RemixContext = {
  state?: {
    loaderData?: Record<string, unknown>;
    actionData?: Record<string, unknown>;
    errors?: Record<string, unknown>;
  };
};

/**
 * The state Remix embedded in a page (`window.__remixContext`), read up to the end of its script:
 * a string in the data may hold "};", never "</script>" (escaped). Null when there is none.
 */
export function remixContextOf(html: string): RemixContext | null {
  const context = /window\.__remixContext = (\{.*?\});<\/script>/s.exec(html)?.[1];
  return context ? (JSON.parse(context) as RemixContext) : null;
}

/**
 * A response's data as JSON: the body itself, or for a page the action's data (else the route
 * errors) that Remix embedded in it; null when there is none.
 */
export async function dataOf(response: Response): Promise<unknown> {
  const text = await response.clone().text();
  try {
    return JSON.parse(text);
  } catch {
    const state = remixContextOf(text)?.state;
    const found = Object.values(state?.actionData ?? {})[0] ?? Object.values(state?.errors ?? {})[0];
    return found ?? null;
  }
}
