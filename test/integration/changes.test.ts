/**
 * Comparing two published versions (issue 12): the JSON at /api/guidelines/:slug/changes/:a..:b
 * and the public page at /g/:slug/v/:a/changes/:b, over a guideline published twice.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import type * as RemixReact from "@remix-run/react";
import { eq } from "drizzle-orm";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { beforeAll, describe, expect, test, vi } from "vitest";
import { getDb } from "@db/client.server";
import { statements } from "@db/schema";
import { loader as apiLoader } from "~/routes/api.guidelines.$slug.changes.$range";
import ChangesPage, { loader as pageLoader } from "~/routes/g.$slug_.v.$version_.changes.$other/route";
import { findPublished, publish } from "~/server/publications.server";
import { closeRound } from "~/server/rounds.server";
import { addRevision, createGuideline, createStatement } from "../support/factories";
import { guidelineWithPanel, openRoundWithBallots, votes } from "../support/guideline";
import { getRequest, respond } from "../support/requests";

// The page is rendered from its loader's data, as Remix would on the server.
const page = vi.hoisted(() => ({ loaderData: undefined as unknown }));
vi.mock("@remix-run/react", async (original) => ({
  ...(await original<typeof RemixReact>()),
  useLoaderData: () => page.loaderData,
}));

const IMMUTABLE = "public, max-age=31536000, immutable";
const SHORT = "public, max-age=60";
const SLUG = "changes-imt";
const UNPUBLISHED = "changes-draft";

type Loader = (args: LoaderFunctionArgs) => Promise<unknown>;

function call(loader: Loader, path: string, params: Record<string, string>, headers: Record<string, string> = {}) {
  const request = getRequest(path);
  for (const [name, value] of Object.entries(headers)) request.headers.set(name, value);
  return respond(() => loader({ request, params, context: {} }));
}

const api = (range: string, headers: Record<string, string> = {}, slug = SLUG) =>
  call(apiLoader, `/api/guidelines/${slug}/changes/${range}`, { slug, range }, headers);
const pageData = (version: string, other: string, slug = SLUG) =>
  call(pageLoader, `/g/${slug}/v/${version}/changes/${other}`, { slug, version, other });

const hashOf = (version: number) => findPublished(getDb(), { slug: SLUG, version })!.contentHash;
const hexOf = (version: number) => hashOf(version).replace("sha256:", "");

let ids: { imaging: string; biopsy: string; surgery: string; radiotherapy: string };

/**
 * Version 1 after round 1 (imaging and surgery adopted, biopsy opposed); version 2 after round 2
 * re-voted biopsy reworded, now adopted, and a new statement on radiotherapy, opposed; surgery
 * was retired in between.
 */
beforeAll(async () => {
  const db = getDb();
  const g = await guidelineWithPanel(db, {
    slug: SLUG,
    panelSize: 5,
    statements: ["Imaging first", "Biopsy always", "Surgery first"],
  });
  const [imaging, biopsy, surgery] = g.statements.map((s) => s.statement.id) as [string, string, string];
  const first = openRoundWithBallots(db, {
    guidelineId: g.guideline.id,
    number: 1,
    revisionIds: g.statements.map((s) => s.revision.id),
    panel: g.panel,
    votes: [votes(5, 5), votes(5, 2, 2, 1), votes(5, 4, 0, 1)],
  });
  closeRound(db, { roundId: first.round.id, actorId: null, now: new Date("2026-01-10T10:00:00Z") });
  publish(db, { slug: SLUG, actorId: null, now: new Date("2026-01-11T09:30:00Z") });

  const reworded = addRevision(db, { statementId: biopsy, revision: 2, text: "Biopsy when imaging is equivocal" });
  const radiotherapy = createStatement(db, {
    guidelineId: g.guideline.id,
    position: 4,
    section: "Section 4",
    text: "Radiotherapy after partial resection",
  });
  const second = openRoundWithBallots(db, {
    guidelineId: g.guideline.id,
    number: 2,
    revisionIds: [reworded.id, radiotherapy.revision.id],
    panel: g.panel,
    votes: [votes(5, 4, 0, 1), votes(5, 1, 3, 1)],
  });
  closeRound(db, { roundId: second.round.id, actorId: null, now: new Date("2026-02-10T10:00:00Z") });
  db.update(statements).set({ status: "retired" }).where(eq(statements.id, surgery)).run();
  publish(db, { slug: SLUG, actorId: null, now: new Date("2026-02-11T09:30:00Z") });

  createGuideline(db, { slug: UNPUBLISHED, title: "A guideline still in draft" });
  ids = { imaging, biopsy, surgery, radiotherapy: radiotherapy.statement.id };
});

describe("GET /api/guidelines/:slug/changes/:a..:b", () => {
  test("lists what was added, revised, retired, renumbered, and the verdicts and counts that changed", async () => {
    const response = await api("1..2");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(await response.json()).toEqual({
      format: "recommendation-set-changes/1",
      guideline: { slug: SLUG, title: expect.stringMatching(/^Guideline \d+$/) },
      from: {
        version: 1,
        publishedAt: "2026-01-11T09:30:00.000Z",
        contentHash: hashOf(1),
        url: `/api/guidelines/${SLUG}/versions/1`,
      },
      to: {
        version: 2,
        publishedAt: "2026-02-11T09:30:00.000Z",
        contentHash: hashOf(2),
        url: `/api/guidelines/${SLUG}/versions/2`,
      },
      added: [
        {
          statementId: ids.radiotherapy,
          revision: 1,
          section: "Section 4",
          text: "Radiotherapy after partial resection",
          adopted: false,
        },
      ],
      revised: [
        {
          statementId: ids.biopsy,
          number: { before: null, after: 2 },
          before: { revision: 1, section: "Section 2", text: "Biopsy always" },
          after: { revision: 2, section: "Section 2", text: "Biopsy when imaging is equivocal" },
          diff: [
            { kind: "same", text: "Biopsy " },
            { kind: "removed", text: "always" },
            { kind: "added", text: "when imaging is equivocal" },
          ],
          sectionChanged: false,
        },
      ],
      retired: [{ statementId: ids.surgery, revision: 1, number: 2, section: "Section 3", text: "Surgery first", adopted: true }],
      changed: [
        {
          statementId: ids.biopsy,
          number: { before: null, after: 2 },
          section: "Section 2",
          text: "Biopsy when imaging is equivocal",
          fields: ["adopted", "outcome", "grade", "round", "votes"],
          before: {
            round: 1,
            adopted: false,
            outcome: "none",
            grade: "none",
            votes: { agree: 2, disagree: 2, abstain: 1 },
            participants: 5,
            eligible: 5,
            agreePercent: 40,
            disagreePercent: 40,
          },
          after: {
            round: 2,
            adopted: true,
            outcome: "in",
            grade: "consensus",
            votes: { agree: 4, disagree: 0, abstain: 1 },
            participants: 5,
            eligible: 5,
            agreePercent: 80,
            disagreePercent: 0,
          },
        },
      ],
      renumbered: [
        {
          statementId: ids.biopsy,
          section: "Section 2",
          text: "Biopsy when imaging is equivocal",
          number: { before: null, after: 2 },
        },
      ],
    });
  });

  test("between numbered versions: a strong ETag from both content hashes, CORS and immutable caching", async () => {
    const response = await api("1..2");
    expect(response.headers.get("ETag")).toBe(`"${hexOf(1)}..${hexOf(2)}"`);
    expect(response.headers.get("Cache-Control")).toBe(IMMUTABLE);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(response.headers.get("Access-Control-Expose-Headers")).toBe("ETag");
  });

  test("to latest: the same body and ETag, cached for a minute", async () => {
    const numbered = await api("1..2");
    const latest = await api("1..latest");
    expect(latest.status).toBe(200);
    expect(await latest.text()).toBe(await numbered.text());
    expect(latest.headers.get("ETag")).toBe(numbered.headers.get("ETag"));
    expect(latest.headers.get("Cache-Control")).toBe(SHORT);
  });

  test("answers a matching If-None-Match with 304 and no body, a stale one with 200", async () => {
    const etag = (await api("1..2")).headers.get("ETag")!;
    for (const [range, ifNoneMatch, cacheControl] of [
      ["1..2", etag, IMMUTABLE],
      ["1..2", `W/${etag}`, IMMUTABLE],
      ["1..latest", `"other", ${etag}`, SHORT],
    ] as const) {
      const notModified = await api(range, { "If-None-Match": ifNoneMatch });
      expect(notModified.status).toBe(304);
      expect(await notModified.text()).toBe("");
      expect(notModified.headers.get("ETag")).toBe(etag);
      expect(notModified.headers.get("Cache-Control")).toBe(cacheControl);
    }
    const stale = await api("1..2", { "If-None-Match": `"${hexOf(1)}"` });
    expect(stale.status).toBe(200);
    expect((await stale.json()).to.version).toBe(2);
  });

  test("a malformed range is a JSON 400 that says what a range is", async () => {
    for (const range of [
      "1",
      "1..",
      "..2",
      "1.2",
      "1...2",
      "latest..2",
      "latest..latest",
      "0..1",
      "01..2",
      "1..2.csv",
      "1..latest.csv",
      "99999999999999999999..latest",
    ]) {
      const response = await api(range);
      expect(response.status, range).toBe(400);
      expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
      expect(response.headers.get("Cache-Control")).toBe("no-store");
      expect(await response.json()).toEqual({
        error: `"${range}" is not a range of versions: use two version numbers, the earlier first ("1..2"), or a version number and "latest" ("1..latest").`,
      });
    }
  });

  test("a range that does not go forward is a JSON 400 naming both versions", async () => {
    for (const [range, error] of [
      ["2..1", "Version 2 is not earlier than version 1: compare an earlier version with a later one."],
      ["2..2", "Version 2 is not earlier than version 2: compare an earlier version with a later one."],
      ["2..latest", "Version 2 is not earlier than the latest, version 2: compare an earlier version with a later one."],
    ]) {
      const response = await api(range!);
      expect(response.status, range).toBe(400);
      expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
      expect(await response.json()).toEqual({ error });
    }
  });

  test("a version or guideline that is not published is a JSON 404", async () => {
    for (const [slug, range, error] of [
      [SLUG, "1..7", `Version 7 of "${SLUG}" is not published; the latest is version 2.`],
      [SLUG, "3..latest", `Version 3 of "${SLUG}" is not published; the latest is version 2.`],
      ["no-such-guideline", "1..2", 'Nothing is published for the guideline "no-such-guideline".'],
      [UNPUBLISHED, "1..latest", `Nothing is published for the guideline "${UNPUBLISHED}".`],
    ] as const) {
      const response = await api(range, {}, slug);
      expect(response.status, `${slug} ${range}`).toBe(404);
      expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
      expect(response.headers.get("Cache-Control")).toBe("no-store");
      expect(await response.json()).toEqual({ error });
    }
  });
});

describe("the page /g/:slug/v/:a/changes/:b", () => {
  test("shows both versions with links, the word diff as <del>/<ins>, and the changed counts as a table", async () => {
    const response = await pageData("1", "latest");
    expect(response.status).toBe(200);
    const data = await response.json();
    expect(data.json).toBe(`/api/guidelines/${SLUG}/changes/1..2`);
    page.loaderData = data;
    const html = renderToStaticMarkup(createElement(ChangesPage));
    const text = html.replace(/<[^>]+>/g, "");

    expect(text).toContain("Changes from version 1 to version 2");
    expect(html).toContain(
      `<a href="/g/${SLUG}/v/1">Version 1</a> published <time dateTime="2026-01-11T09:30:00.000Z">11 January 2026</time>`,
    );
    expect(html).toContain(
      `<a href="/g/${SLUG}/v/2">Version 2</a> published <time dateTime="2026-02-11T09:30:00.000Z">11 February 2026</time>`,
    );
    expect(html).toContain(`<a href="/api/guidelines/${SLUG}/changes/1..2">JSON</a>`);
    expect([...html.matchAll(/<h2 id="\w+">([^<]*)<\/h2>/g)].map((m) => m[1])).toEqual([
      "Added (1)",
      "Revised (1)",
      "Retired (1)",
      "Changed verdicts or counts (1)",
      "Renumbered (1)",
    ]);
    expect(text).toContain("Not adopted · Section 4Radiotherapy after partial resection");
    expect(text).toContain("No. 2 · Section 3Surgery first");
    expect(html).toContain(
      '<span>Biopsy </span><del><span style="position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0">removed: </span>always</del>',
    );
    expect(text).toContain("added: when imaging is equivocal");
    expect(text).toContain("Not adopted → No. 2 · Section 2");
    const rows = [...html.matchAll(/<tr><th scope="row">([^<]*)<\/th><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) =>
      m.slice(1),
    );
    expect(rows).toEqual([
      ["Verdict", "Not adopted", "Adopted"],
      ["Outcome", "No consensus", "Consensus in"],
      ["Grade", "None", "Consensus"],
      ["Deciding round", "Round 1", "Round 2"],
      ["Votes", "2 agree, 2 disagree, 1 abstain", "4 agree, 0 disagree, 1 abstain"],
    ]);
    expect(html).toContain('class="table-scroll" role="region" aria-labelledby="changed-0" tabindex="0"');
    expect(text).toContain(`Version 1: content hash ${hashOf(1)}`);
  });

  test("a malformed, backward or missing comparison is an error page with the reason", async () => {
    for (const [version, other, status, error] of [
      [
        "latest",
        "2",
        404,
        'There is no comparison of "latest" with "2": compare a version number with a later one, or with "latest".',
      ],
      ["2", "1", 400, "Version 2 is not earlier than version 1: compare an earlier version with a later one."],
      ["1", "7", 404, `Version 7 of "${SLUG}" is not published; the latest is version 2.`],
    ] as const) {
      const response = await pageData(version, other);
      expect(response.status, `${version} ${other}`).toBe(status);
      expect(await response.json()).toEqual({ error });
    }
  });
});
