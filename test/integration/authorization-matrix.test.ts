/**
 * Who may load and post to every route, as a table: one entry per route module in app/routes, checked
 * against six identities. A route file without an entry (or an entry for a file that is gone,
 * or a loader/action the entry does not cover) fails, so no route ships without a decision.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import {
  cookieOf,
  digest,
  IDENTITIES,
  MATRIX,
  paramNames,
  pattern,
  reasonsOf,
  routeValues,
  seedWorld,
  type Read,
  type World,
  type Write,
} from "../support/matrix";
import { formRequest, getRequest } from "../support/requests";
import { startServer, type RunningServer } from "../support/server";
import { inProcess, locationOf, overHttp, routeFiles, type Transport } from "../support/transport";

const ROUTES_DIR = join(process.cwd(), "app/routes");
const METHODS = ["GET", "POST"] as const;
type Method = (typeof METHODS)[number];
type RouteModule = { loader?: unknown; action?: unknown };

function loadRoute(file: string): Promise<RouteModule> {
  return import(/* @vite-ignore */ join(ROUTES_DIR, file));
}

let world: World;
let values: Record<string, string>;
let server: RunningServer;
/** Each route is asked in-process (loader and action called directly) and over HTTP (the built server on this database). */
const TRANSPORTS = [inProcess, overHttp(() => server)];

beforeAll(async () => {
  world = await seedWorld(getDb());
  server = await startServer({ database: process.env.DATABASE_PATH });
  values = routeValues(world);
});

function target(file: string, overrides: Record<string, string> = {}) {
  const params = Object.fromEntries(paramNames(file).map((name) => [name, overrides[name] ?? values[name]!]));
  const path = pattern(file).replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name]!));
  return { params, path };
}

afterAll(() => server?.stop());

/** A browser's request: a page (or a form posted without JavaScript) over HTTP. */
async function call(
  transport: Transport,
  file: string,
  method: Method,
  cookie: string | undefined,
  overrides?: Record<string, string>,
) {
  const { params, path } = target(file, overrides);
  const request = method === "GET" ? getRequest(path, { cookie }) : formRequest(path, {}, { cookie });
  return { path, response: await transport.send({ file, request, params, asDocument: true }) };
}

function toLogin(path: string): string {
  return `/login?${new URLSearchParams({ redirectTo: path })}`;
}

async function expectOutcome(response: Response, expected: Read | Write, path: string) {
  const location = locationOf(response);
  switch (expected) {
    case "ok":
      expect(response.status).toBeGreaterThanOrEqual(200);
      expect(response.status).toBeLessThan(400);
      expect(location ?? "").not.toMatch(/^\/login/);
      return;
    case "allowed":
      expect(response.status).toBeLessThan(500);
      expect(response.status).not.toBe(403);
      expect(response.status).not.toBe(404);
      expect(location ?? "").not.toMatch(/^\/login/);
      return;
    case "login":
      expect(response.status).toBe(302);
      expect(location).toBe(toLogin(path));
      return;
    default:
      expect(response.status).toBe(expected);
      expect(await reasonsOf(response)).not.toEqual([]);
  }
}

describe("the table covers every route", () => {
  test("one entry per route module in app/routes, and no entry for a module that is gone", () => {
    const files = routeFiles();
    const missing = files.filter((f) => !(f in MATRIX));
    const stale = Object.keys(MATRIX).filter((f) => !files.includes(f));
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
  });

  test.each(Object.keys(MATRIX))("%s: GET is listed exactly when it has a loader, POST when it has an action", async (file) => {
    const route = await loadRoute(file);
    const entry = MATRIX[file]!;
    expect({ GET: Boolean(entry.GET), POST: Boolean(entry.POST) }).toEqual({
      GET: Boolean(route.loader),
      POST: Boolean(route.action),
    });
  });
});

describe.each(TRANSPORTS.map((t) => [t.name, t] as const))("%s", (_, transport) => {
  describe.each(Object.entries(MATRIX))("%s", (file, entry) => {
    for (const method of METHODS) {
      const row = entry[method];
      if (!row) continue;
      test.each(IDENTITIES.map((identity) => [identity, row[identity]] as const))(
        `${method} ${pattern(file)} as %s: %s`,
        async (identity, expected) => {
          const before = digest(getDb());
          const { path, response } = await call(transport, file, method, await cookieOf(world, identity));
          await expectOutcome(response, expected, path);
          // A GET never writes, whoever asks; a refused POST changes nothing.
          if (method === "GET" || (expected !== "ok" && expected !== "allowed")) expect(digest(getDb())).toEqual(before);
        },
      );
    }
  });

  describe("an unknown guideline is a 404, whoever asks", () => {
    const scoped = Object.entries(MATRIX).filter(([file]) => paramNames(file).includes("slug"));
    for (const [file, entry] of scoped) {
      for (const method of METHODS.filter((m) => entry[m])) {
        test(`${method} ${pattern(file).replace(":slug", "no-such-guideline")} as secretary`, async () => {
          const { response } = await call(transport, file, method, await cookieOf(world, "secretary"), {
            slug: "no-such-guideline",
          });
          expect(response.status).toBe(404);
          expect(await reasonsOf(response)).not.toEqual([]);
        });
      }
    }
  });

  describe("another guideline's statement under this guideline's address is a 404", () => {
    for (const method of METHODS) {
      test(`${method} /g/imt-consensus/statements/<a statement of other-consensus> as IMT's secretary`, async () => {
        const before = digest(getDb());
        const { response } = await call(
          transport,
          "g.$slug.statements.$statementId/route.tsx",
          method,
          await cookieOf(world, "secretary"),
          {
            statementId: world.other.statementIds[0]!,
          },
        );
        expect(response.status).toBe(404);
        expect(await reasonsOf(response)).not.toEqual([]);
        expect(digest(getDb())).toEqual(before);
      });
    }
  });
});
