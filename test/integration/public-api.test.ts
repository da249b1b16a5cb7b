import type { LoaderFunctionArgs } from "@remix-run/node";
import { beforeAll, describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import { ballots, memberships, users } from "@db/schema";
import type { RecommendationSet } from "~/consensus/recommendation-set";
import schema from "~/consensus/recommendation-set.schema.json";
import { loader as guidelinesLoader } from "~/routes/api.guidelines._index";
import { loader as versionsLoader } from "~/routes/api.guidelines.$slug.versions._index";
import { loader as versionLoader } from "~/routes/api.guidelines.$slug.versions.$version";
import { loader as schemaLoader } from "~/routes/api.schema.recommendation-set[.]json";
import { loader as pageLoader } from "~/routes/g.$slug_.v.$version/route";
import { findPublished } from "~/server/publications.server";
import record from "../../fixtures/imt-2025-table1.json";
import { COS_SLUG, DEMO_SLUG, seedDemo } from "../../scripts/seed-demo";
import { publishDemoSecondEdition } from "../support/demo";
import { createGuideline } from "../support/factories";
import { getRequest, respond } from "../support/requests";
import { expectValidSet } from "../support/schema";

const UNPUBLISHED = "unpublished-draft";
const IMMUTABLE = "public, max-age=31536000, immutable";
const SHORT = "public, max-age=60";
const IMMUNOTHERAPY = "Immune checkpoint inhibitors";

type Loader = (args: LoaderFunctionArgs) => Promise<unknown>;

function call(loader: Loader, path: string, params: Record<string, string> = {}, headers: Record<string, string> = {}) {
  const request = getRequest(path);
  for (const [name, value] of Object.entries(headers)) request.headers.set(name, value);
  return respond(() => loader({ request, params, context: {} }));
}

const api = {
  guidelines: () => call(guidelinesLoader, "/api/guidelines"),
  versions: (slug: string) => call(versionsLoader, `/api/guidelines/${slug}/versions`, { slug }),
  version: (slug: string, version: string, headers: Record<string, string> = {}) =>
    call(versionLoader, `/api/guidelines/${slug}/versions/${version}`, { slug, version }, headers),
  schema: () => call(schemaLoader, "/api/schema/recommendation-set.json"),
  page: (slug: string, version: string) => call(pageLoader, `/g/${slug}/v/${version}`, { slug, version }),
};

const stored = (version: number | "latest") => findPublished(getDb(), { slug: DEMO_SLUG, version })!;
const hexOf = (contentHash: string) => contentHash.replace("sha256:", "");

beforeAll(async () => {
  expect(await seedDemo(getDb())).toEqual({ seeded: true });
  createGuideline(getDb(), { slug: UNPUBLISHED, title: "A guideline still in draft" });
});

describe("the lists of what is published", () => {
  test("GET /api/guidelines lists the published guidelines only, with links", async () => {
    const response = await api.guidelines();
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("Cache-Control")).toBe(SHORT);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const { guidelines: list } = await response.json();
    // The demo publishes two guidelines: the IMT consensus and its core outcome set, in slug order.
    expect(list.map((g: { slug: string }) => g.slug)).toEqual([DEMO_SLUG, COS_SLUG]);
    expect({ guidelines: list.filter((g: { slug: string }) => g.slug === DEMO_SLUG) }).toEqual({
      guidelines: [
        {
          slug: DEMO_SLUG,
          title: record.guideline.title,
          language: "en",
          latestVersion: 1,
          latestPublishedAt: stored(1).publishedAt.toISOString(),
          versions: "/api/guidelines/imt-consensus/versions",
          latest: "/api/guidelines/imt-consensus/versions/latest",
        },
      ],
    });
  });

  test("GET /api/guidelines/:slug/versions lists the versions with their hashes", async () => {
    const response = await api.versions(DEMO_SLUG);
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe(SHORT);
    expect(await response.json()).toEqual({
      slug: DEMO_SLUG,
      versions: [
        {
          version: 1,
          publishedAt: stored(1).publishedAt.toISOString(),
          contentHash: stored(1).contentHash,
          url: "/api/guidelines/imt-consensus/versions/1",
        },
      ],
    });
  });

  test("an unknown slug and a guideline with nothing published are the same 404", async () => {
    for (const slug of ["no-such-guideline", UNPUBLISHED]) {
      const response = await api.versions(slug);
      expect(response.status).toBe(404);
      expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
      expect(await response.json()).toEqual({ error: `Nothing is published for the guideline "${slug}".` });
    }
  });
});

describe("a published version", () => {
  test("version 1 is the stored canonical JSON byte for byte, and valid against the schema", async () => {
    const response = await api.version(DEMO_SLUG, "1");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    const body = await response.text();
    expect(body).toBe(stored(1).body);
    const set: unknown = JSON.parse(body);
    expectValidSet(set);
    expect(set.version).toBe(1);
    expect(set.notAdopted).toEqual([]);
    const table1 = record.rounds[0]!.items;
    expect(set.recommendations).toHaveLength(9);
    expect(set.recommendations.map((r) => [r.number, r.section, r.text, r.votes])).toEqual(
      table1.map((item) => [item.number, item.section, item.text, item.votes]),
    );
    expect(set.recommendations[7]).toMatchObject({ votes: { agree: 17, disagree: 0, abstain: 14 }, agreePercent: 54.8 });
  });

  test("carries a strong ETag from the content hash, CORS and immutable caching", async () => {
    const response = await api.version(DEMO_SLUG, "1");
    expect(response.headers.get("ETag")).toBe(`"${hexOf(stored(1).contentHash)}"`);
    expect(response.headers.get("Cache-Control")).toBe(IMMUTABLE);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(response.headers.get("Access-Control-Expose-Headers")).toBe("ETag");
  });

  test("answers a matching If-None-Match with 304 and no body, a stale one with 200", async () => {
    const etag = (await api.version(DEMO_SLUG, "1")).headers.get("ETag")!;
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const notModified = await api.version(DEMO_SLUG, "1", { "If-None-Match": ifNoneMatch });
      expect(notModified.status).toBe(304);
      expect(await notModified.text()).toBe("");
      expect(notModified.headers.get("ETag")).toBe(etag);
      expect(notModified.headers.get("Cache-Control")).toBe(IMMUTABLE);
    }
    const stale = await api.version(DEMO_SLUG, "1", { "If-None-Match": '"0000"' });
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe(stored(1).body);
  });

  test("latest serves the same bytes and ETag with short caching", async () => {
    const response = await api.version(DEMO_SLUG, "latest");
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(stored(1).body);
    expect(response.headers.get("ETag")).toBe(`"${hexOf(stored(1).contentHash)}"`);
    expect(response.headers.get("Cache-Control")).toBe(SHORT);
  });

  test("as CSV: the Table 1 rows after a header, CRLF-terminated, with their own ETag", async () => {
    for (const version of ["1.csv", "latest.csv"]) {
      const response = await api.version(DEMO_SLUG, version);
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
      expect(response.headers.get("Content-Disposition")).toBe('inline; filename="imt-consensus-v1.csv"');
      expect(response.headers.get("ETag")).toBe(`"${hexOf(stored(1).contentHash)}.csv"`);
      const csv = await response.text();
      const lines = csv.split("\r\n");
      // The demo is published in English with the panel's Chinese beside it: one text column per language.
      expect(lines[0]).toBe("number,section,text,text_zh,agree,disagree,abstain,adopted");
      expect(lines).toHaveLength(11);
      expect(lines.at(-1)).toBe("");
      expect(lines[8]).toMatch(/^8,Chemotherapy,"Chemotherapy regimens .*",推荐 IMT 患者采用.*化疗方案,17,0,14,true$/);
    }
    expect((await api.version(DEMO_SLUG, "1.csv")).headers.get("Cache-Control")).toBe(IMMUTABLE);
    expect((await api.version(DEMO_SLUG, "latest.csv")).headers.get("Cache-Control")).toBe(SHORT);
  });

  test("an unknown slug, an unpublished version and an unpublished guideline are JSON 404s", async () => {
    const cases = [
      [DEMO_SLUG, "7", 'Version 7 of "imt-consensus" is not published; the latest is version 1.'],
      [DEMO_SLUG, "7.csv", 'Version 7 of "imt-consensus" is not published; the latest is version 1.'],
      ["no-such-guideline", "1", 'Nothing is published for the guideline "no-such-guideline".'],
      [UNPUBLISHED, "latest", `Nothing is published for the guideline "${UNPUBLISHED}".`],
    ] as const;
    for (const [slug, version, error] of cases) {
      const response = await api.version(slug, version);
      expect(response.status).toBe(404);
      expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
      expect(response.headers.get("Cache-Control")).toBe("no-store");
      expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
      expect(await response.json()).toEqual({ error });
    }
  });

  test("a malformed version is a JSON 400", async () => {
    for (const version of ["abc", "0", "01", "-1", "1.5", "1.xml", "latest.json", "99999999999999999999"]) {
      const response = await api.version(DEMO_SLUG, version);
      expect(response.status, version).toBe(400);
      expect((await response.json()).error).toBe(
        `"${version}" is not a version: use a version number (1, 2, …) or "latest", optionally followed by ".csv", ".md" or ".docx".`,
      );
    }
  });
});

test("GET /api/schema/recommendation-set.json serves the schema kept in the repo, with its own URL as $id", async () => {
  const response = await api.schema();
  expect(response.status).toBe(200);
  expect(response.headers.get("Content-Type")).toBe("application/schema+json; charset=utf-8");
  expect(response.headers.get("Cache-Control")).toBe("public, max-age=3600");
  expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
  expect(await response.json()).toEqual({ $id: "http://localhost/api/schema/recommendation-set.json", ...schema });
});

test("the schema is tight where the contract is, and the content hash catches the rest", () => {
  const set = JSON.parse(stored(1).body) as RecommendationSet;
  expectValidSet(set);
  const { number: _number, ...unnumbered } = set.recommendations[0]!;
  const notSchema: [string, unknown][] = [
    ["a misspelt rule bound", { ...set, rule: { ...set.rule, agreeAtLest: 50 } }],
    ["two agreement bounds", { ...set, rule: { ...set.rule, agreeAbove: 50 } }],
    ["a recommendation without number", { ...set, recommendations: [unnumbered] }],
    [
      "a numbered statement not adopted",
      { ...set, notAdopted: [{ ...set.recommendations[0], adopted: false, reasons: ["agreement"] }] },
    ],
    ["an unknown reason", { ...set, notAdopted: [{ ...unnumbered, adopted: false, reasons: ["unpopular"] }] }],
    ["another format", { ...set, format: "recommendation-set/2" }],
    ["a date that is not a date-time", { ...set, publishedAt: "2026-03-01" }],
    ["a malformed hash", { ...set, contentHash: set.contentHash.toUpperCase() }],
  ];
  for (const [what, broken] of notSchema) {
    expect(() => expectValidSet(broken), what).toThrow(/does not match recommendation-set.schema.json/);
  }
  const tampered = { ...set, recommendations: [{ ...set.recommendations[0]!, text: "Changed" }] };
  expect(() => expectValidSet(tampered)).toThrow(/is not the hash of the set's canonical JSON/);
});

test("no public endpoint shows the open round, a ballot or a person", async () => {
  const db = getDb();
  const people = db.select({ id: users.id, email: users.email, name: users.name }).from(users).all();
  const secrets = [
    IMMUNOTHERAPY,
    "who have no targeted option",
    ...people.flatMap((p) => [p.id, p.email, p.name]),
    ...db
      .select({ id: memberships.id })
      .from(memberships)
      .all()
      .map((m) => m.id),
    ...db
      .select({ id: ballots.id })
      .from(ballots)
      .all()
      .map((b) => b.id),
  ];
  const responses = [
    await api.guidelines(),
    await api.versions(DEMO_SLUG),
    ...(await Promise.all(["1", "latest", "1.csv", "latest.csv", "2", "2.csv"].map((v) => api.version(DEMO_SLUG, v)))),
    await api.schema(),
    await api.page(DEMO_SLUG, "1"),
    await api.page(DEMO_SLUG, "latest"),
  ];
  const bodies = await Promise.all(responses.map((r) => r.text()));
  expect(bodies.join("\n")).not.toMatch(/Expert \d/);
  for (const body of bodies) for (const secret of secrets) expect(body).not.toContain(secret);
});

test("the core outcome set, rated 1–9, is served as stored and valid, with ratings instead of votes and its own CSV", async () => {
  const stored = findPublished(getDb(), { slug: COS_SLUG, version: 1 })!;
  const response = await api.version(COS_SLUG, "1");
  expect(response.status).toBe(200);
  const body = await response.text();
  expect(body).toBe(stored.body);
  const set: unknown = JSON.parse(body);
  expectValidSet(set);
  expect(set.scale).toMatchObject({ kind: "rating", points: 9, unable: true });
  const points = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "unable"];
  for (const entry of [...set.recommendations, ...set.notAdopted]) {
    expect(entry).not.toHaveProperty("votes");
    expect(Object.keys(entry.ratings!)).toEqual(points);
    expect([entry.adopted, entry.outcome]).toEqual(entry.adopted ? [true, "in"] : [false, expect.stringMatching(/^(out|none)$/)]);
  }
  const csv = (await (await api.version(COS_SLUG, "1.csv")).text()).split("\r\n");
  expect(csv[0]).toBe("number,section,text,1,2,3,4,5,6,7,8,9,unable,median,outcome,grade,adopted");
  expect(csv).toHaveLength(set.recommendations.length + set.notAdopted.length + 2);
});

describe("publishing version 2 after round 2 closes", () => {
  let v1Body: string;
  let v1Etag: string;
  let latestEtag: string;

  beforeAll(async () => {
    const db = getDb();
    v1Body = await (await api.version(DEMO_SLUG, "1")).text();
    v1Etag = (await api.version(DEMO_SLUG, "1")).headers.get("ETag")!;
    latestEtag = (await api.version(DEMO_SLUG, "latest")).headers.get("ETag")!;

    // Ten late experts oppose the new statement, so version 2 has one statement not adopted.
    expect(publishDemoSecondEdition(db).version).toBe(2);
  });

  test("version 2 validates, revises statement 8 and does not adopt the opposed statement", async () => {
    const response = await api.version(DEMO_SLUG, "2");
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toBe(stored(2).body);
    const set: unknown = JSON.parse(body);
    expectValidSet(set);
    expect(set.recommendations).toHaveLength(9);
    expect(set.recommendations[7]).toMatchObject({ number: 8, section: "Chemotherapy", revision: 2, round: 2 });
    expect(set.notAdopted).toHaveLength(1);
    expect(set.notAdopted[0]).toMatchObject({
      section: "Immunotherapy",
      votes: { agree: 9, disagree: 10, abstain: 3 },
      adopted: false,
      reasons: ["agreement", "opposition"],
    });
    expect(set.notAdopted[0]!.text).toContain(IMMUNOTHERAPY);
    expect(set.changes).toMatchObject({ previousVersion: 1, revised: [{ previousRevision: 1, revision: 2 }], retired: [] });
    expect(set.changes.added).toHaveLength(1);
  });

  test("latest now serves version 2, while version 1 keeps its exact bytes and ETag", async () => {
    const latest = await api.version(DEMO_SLUG, "latest", { "If-None-Match": latestEtag });
    expect(latest.status).toBe(200);
    expect(await latest.text()).toBe(stored(2).body);
    expect(latest.headers.get("ETag")).toBe(`"${hexOf(stored(2).contentHash)}"`);

    const v1 = await api.version(DEMO_SLUG, "1");
    expect(await v1.text()).toBe(v1Body);
    expect(v1.headers.get("ETag")).toBe(v1Etag);
    expect((await api.version(DEMO_SLUG, "1", { "If-None-Match": v1Etag })).status).toBe(304);
  });

  test("the lists show version 2 as the latest", async () => {
    const { guidelines: list } = await (await api.guidelines()).json();
    expect(list).toEqual([
      expect.objectContaining({ slug: DEMO_SLUG, latestVersion: 2, latestPublishedAt: stored(2).publishedAt.toISOString() }),
      expect.objectContaining({ slug: COS_SLUG, latestVersion: 1 }),
    ]);
    const { versions } = await (await api.versions(DEMO_SLUG)).json();
    expect(versions.map((v: { version: number; url: string }) => [v.version, v.url])).toEqual([
      [1, "/api/guidelines/imt-consensus/versions/1"],
      [2, "/api/guidelines/imt-consensus/versions/2"],
    ]);
  });
});
