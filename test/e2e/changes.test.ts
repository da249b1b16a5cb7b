/**
 * Comparing versions over HTTP on the built server: the IMT demo published twice (round 2
 * rewords statement 8 and adds an immunotherapy statement the late experts oppose), then the
 * comparison fetched as JSON and as the public page, anonymously and without JavaScript.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDatabase } from "@db/client.server";
import record from "../../fixtures/imt-2025-table1.json";
import { DEMO_SLUG, seedDemo } from "../../scripts/seed-demo";
import { publishDemoSecondEdition } from "../support/demo";
import { startServer, type RunningServer } from "../support/server";

let server: RunningServer;
let published: { version: number; publishedAt: string; contentHash: string }[];

/** The demo with round 2 closed and published as version 2, in a closed database file. */
async function demoWithTwoVersions(): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), "delphi-e2e-changes-")), "e2e.sqlite");
  const db = openDatabase(path);
  try {
    await seedDemo(db);
    publishDemoSecondEdition(db);
  } finally {
    db.$client.close();
  }
  return path;
}

beforeAll(async () => {
  server = await startServer({ copyOf: await demoWithTwoVersions() });
  published = (await (await fetch(`${server.url}/api/guidelines/${DEMO_SLUG}/versions`)).json()).versions;
});
afterAll(() => server?.stop());

const get = (path: string, headers: Record<string, string> = {}) => fetch(server.url + path, { headers });
const hex = (version: number) => published[version - 1]!.contentHash.replace("sha256:", "");
const CHEMOTHERAPY = record.rounds[0]!.items[7]!.text;

describe("GET /api/guidelines/:slug/changes/:a..:b on the built server", () => {
  test("1..2: statement 8 revised with a word diff, the immunotherapy statement added, not adopted", async () => {
    const response = await get(`/api/guidelines/${DEMO_SLUG}/changes/1..2`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("ETag")).toBe(`"${hex(1)}..${hex(2)}"`);
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const comparison = await response.json();
    expect(comparison).toMatchObject({
      format: "recommendation-set-changes/1",
      guideline: { slug: DEMO_SLUG, title: record.guideline.title },
      from: published[0],
      to: published[1],
      retired: [],
      renumbered: [],
    });
    expect(comparison.added).toEqual([expect.objectContaining({ section: "Immunotherapy", revision: 1, adopted: false })]);
    expect(comparison.added[0]).not.toHaveProperty("number");
    expect(comparison.revised).toEqual([
      expect.objectContaining({
        number: { before: 8, after: 8 },
        before: { revision: 1, section: "Chemotherapy", text: CHEMOTHERAPY },
        after: expect.objectContaining({ revision: 2, section: "Chemotherapy" }),
        sectionChanged: false,
      }),
    ]);
    const [revised] = comparison.revised;
    const segments = revised.diff as { kind: string; text: string }[];
    // Spacing follows the new wording (app/consensus/diff.ts): the old one is there word for word.
    expect(
      segments
        .filter((s) => s.kind !== "added")
        .map((s) => s.text)
        .join("")
        .replace(/\s+/g, ""),
    ).toBe(CHEMOTHERAPY.replace(/\s+/g, ""));
    expect(
      segments
        .filter((s) => s.kind !== "removed")
        .map((s) => s.text)
        .join(""),
    ).toBe(revised.after.text);
    expect(comparison.changed).toEqual([
      expect.objectContaining({
        statementId: revised.statementId,
        fields: ["round", "votes", "participants"],
        before: expect.objectContaining({ round: 1, votes: { agree: 17, disagree: 0, abstain: 14 }, participants: 31 }),
        after: expect.objectContaining({ round: 2, votes: { agree: 9, disagree: 0, abstain: 3 }, participants: 12 }),
      }),
    ]);
  });

  test("1..latest is the same comparison, cached for a minute; If-None-Match gives 304", async () => {
    const numbered = await get(`/api/guidelines/${DEMO_SLUG}/changes/1..2`);
    const latest = await get(`/api/guidelines/${DEMO_SLUG}/changes/1..latest`);
    expect(await latest.text()).toBe(await numbered.text());
    expect(latest.headers.get("Cache-Control")).toBe("public, max-age=60");
    const etag = numbered.headers.get("ETag")!;
    const notModified = await get(`/api/guidelines/${DEMO_SLUG}/changes/1..2`, { "If-None-Match": etag });
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe("");
  });

  test("a malformed or backward range is a 400, a version not published a 404, each with a JSON error", async () => {
    for (const [range, status, error] of [
      ["one..two", 400, /^"one\.\.two" is not a range of versions/],
      ["2..1", 400, /^Version 2 is not earlier than version 1/],
      ["1..9", 404, /^Version 9 of "imt-consensus" is not published; the latest is version 2\.$/],
    ] as const) {
      const response = await get(`/api/guidelines/${DEMO_SLUG}/changes/${range}`);
      expect(response.status, range).toBe(status);
      expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
      expect((await response.json()).error).toMatch(error);
    }
  });
});

describe("the page /g/:slug/v/:a/changes/:b on the built server", () => {
  test("is public and complete as served: both versions linked, the diff as <del>/<ins>, the JSON linked", async () => {
    const response = await get(`/g/${DEMO_SLUG}/v/1/changes/latest`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/html/);
    // React marks where one text ends and the next begins: <!-- -->.
    const html = (await response.text()).replaceAll("<!-- -->", "");
    expect(html).toContain(`<title>${record.guideline.title}: changes from version 1 to version 2 · Delphi consensus</title>`);
    expect(html).toContain("Changes from version 1 to version 2");
    expect(html).toContain(`<a href="/g/${DEMO_SLUG}/v/1">Version 1</a>`);
    expect(html).toContain(`<a href="/g/${DEMO_SLUG}/v/2">Version 2</a>`);
    expect(html).toContain(`<a href="/api/guidelines/${DEMO_SLUG}/changes/1..2">JSON</a>`);
    expect(html).toMatch(/<del><span [^>]*>removed: <\/span>/);
    expect(html).toMatch(/<ins><span [^>]*>added: <\/span>/);
    expect(html).toMatch(/<h2 id="changed">Changed verdicts or counts \(1\)<\/h2>/);
    expect(html).toContain('<th scope="row">Votes</th><td>17 agree, 0 disagree, 14 abstain</td>');
    expect(html).toMatch(/<link rel="stylesheet" href="\/build\/_assets\/changes-[\w-]+\.css"/);
  });

  test("a version not published is a 404 page with the reason", async () => {
    const response = await get(`/g/${DEMO_SLUG}/v/1/changes/9`);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("Version 9 of &quot;imt-consensus&quot; is not published; the latest is version 2.");
  });
});
