/**
 * Rating scales end to end (DESIGN §3.1–3.3, 5, 6): consensus records on a rating scale imported,
 * published and exported as JSON, CSV, Markdown, Word and the Table 1 page, with every outcome,
 * adopted flag, grade and median as the rule's family gives it; an agreement set published before
 * scales kept byte for byte; and records whose rule does not fit their scale refused whole.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type * as RemixReact from "@remix-run/react";
import { count, eq } from "drizzle-orm";
import { createElement, type ComponentProps } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { beforeAll, describe, expect, test, vi } from "vitest";
import { getDb } from "@db/client.server";
import {
  auditEvents,
  guidelines,
  recommendationSets,
  roundItems,
  roundResults,
  rounds,
  statementRevisions,
  statements,
} from "@db/schema";
import { verifyContentHash, type Entry, type RecommendationSet } from "~/consensus/recommendation-set";
import { renderSet } from "~/consensus/table1";
import { loader as versionLoader } from "~/routes/api.guidelines.$slug.versions.$version";
import PublishPage, { loader as publishLoader } from "~/routes/g.$slug.publish/route";
import Table1Page, { loader as pageLoader } from "~/routes/g.$slug_.v.$version/route";
import { ImportRefused, importRecord } from "~/server/imports.server";
import { findPublished, publish } from "~/server/publications.server";
import { runCli } from "../support/cli";
import { containsRun, wordTexts } from "../support/word";
import { addMember, createUser } from "../support/factories";
import { cookieFor, getRequest, respond } from "../support/requests";
import { expectValidSet } from "../support/schema";

// Pages are rendered from their loaders' data, as Remix would on the server.
const page = vi.hoisted(() => ({ loaderData: undefined as unknown }));
vi.mock("@remix-run/react", async (original) => ({
  ...(await original<typeof RemixReact>()),
  useLoaderData: () => page.loaderData,
  useActionData: () => undefined,
  Form: (props: ComponentProps<"form">) => createElement("form", props),
}));

const PUBLISHED_AT = new Date("2026-04-01T08:00:00.000Z");
const NINE_POINTS_UNABLE = { kind: "rating", points: 9, unable: true };
const COMET = { family: "band", agreeBand: [7, 9], opposeBand: [1, 3], agreeAtLeast: 70, disagreeBelow: 15 };

type Ratings = Record<string, number>;
const item = (number: number, text: string, ratings: Ratings, extra: object = {}) => ({
  number,
  section: `Section ${number}`,
  text,
  ratings,
  ...extra,
});

function record(slug: string, scale: object, rule: object, panelSize: number, items: object[]) {
  return {
    format: "consensus-record/1",
    guideline: { slug, title: `Rated consensus ${slug}` },
    scale,
    rule,
    panel: { size: panelSize, disciplines: { Clinicians: panelSize } },
    rounds: [{ number: 1, closedAt: "2026-03-01", panelSize, items }],
  };
}

/** COMET's 70/15 band rule, each item at a boundary: 20 participants, "unable to score" allowed. */
const band = record("comet-band", NINE_POINTS_UNABLE, COMET, 20, [
  item(1, "Exactly 70% rate 7-9, one unable", { "5": 5, "7": 4, "8": 5, "9": 5, unable: 1 }, { publishedVerdict: "adopted" }),
  item(2, "13 of 20 rate 7-9", { "5": 7, "7": 4, "8": 4, "9": 5 }),
  item(3, "Exactly 15% rate 1-3", { "2": 3, "6": 2, "7": 5, "8": 5, "9": 5 }, { publishedVerdict: "adopted" }),
  item(4, "Consensus out", { "1": 6, "2": 5, "3": 3, "5": 5, "8": 1 }),
  item(5, "Half rate 7-9", { "3": 2, "5": 8, "7": 10 }),
  item(6, "Everyone rates 7-9", { "7": 5, "8": 5, "9": 10 }),
  item(7, "Nobody rated it", {}),
]);

/** RAND/UCLA with IPRAS on 15 members, "unable" left out of every figure. */
const ipras = record("rand-ipras", NINE_POINTS_UNABLE, { family: "rand-ucla", disagreement: "ipras" }, 15, [
  item(1, "Appropriate", { "7": 3, "8": 4, "9": 3, unable: 2 }),
  item(2, "Inappropriate", { "1": 3, "2": 4, "3": 3 }),
  item(3, "Uncertain by median", { "4": 3, "5": 4, "6": 3 }),
  item(4, "Uncertain by disagreement", { "1": 4, "7": 1, "9": 5 }),
  // P30 = 4, P70 = 7.4: IPR = 3.4 and IPRAS = 2.35 + 1.5 × |5 − 5.7| = 3.4 exactly: no disagreement.
  item(5, "IPRAS tie", { "1": 3, "4": 2, "7": 4, "8": 4 }),
]);

/** RAND/UCLA with the classic table, no "unable". */
const classic = record("rand-classic", { kind: "rating", points: 9 }, { family: "rand-ucla", disagreement: "classic" }, 10, [
  item(1, "Seven ratings", { "8": 7 }),
  item(2, "Three at each extreme", { "1": 3, "8": 2, "9": 3 }),
  item(3, "Two low only", { "1": 2, "8": 3, "9": 3 }),
]);

/** What each item must come out as: [text, outcome, adopted, grade, median, reasons, agreePercent]. */
type Expected = [string, string, boolean, string, number | null, string[], number | null];

const BAND_EXPECTED: Expected[] = [
  ["Exactly 70% rate 7-9, one unable", "in", true, "majority", 8, [], 70],
  ["13 of 20 rate 7-9", "none", false, "majority", 7, ["agreement"], 65],
  ["Exactly 15% rate 1-3", "none", false, "majority", 7.5, ["opposition"], 75],
  ["Consensus out", "out", false, "none", 2, ["agreement", "opposition"], 5],
  ["Half rate 7-9", "none", false, "none", 6, ["agreement"], 50],
  ["Everyone rates 7-9", "in", true, "strong", 8.5, [], 100],
  ["Nobody rated it", "none", false, "none", null, ["no votes"], null],
];

const IPRAS_EXPECTED: Expected[] = [
  ["Appropriate", "appropriate", true, "strong", 8, [], 100],
  ["Inappropriate", "inappropriate", false, "none", 2, [], 0],
  ["Uncertain by median", "uncertain", false, "none", 5, ["median"], 0],
  ["Uncertain by disagreement", "uncertain", false, "majority", 8, ["disagreement"], 60],
  ["IPRAS tie", "appropriate", true, "majority", 7, [], 61.5],
];

const CLASSIC_EXPECTED: Expected[] = [
  ["Seven ratings", "uncertain", false, "strong", 8, ["method"], 100],
  ["Three at each extreme", "uncertain", false, "majority", 8, ["disagreement"], 62.5],
  ["Two low only", "appropriate", true, "majority", 8, [], 75],
];

function entries(set: RecommendationSet): Entry[] {
  return [...set.recommendations, ...set.notAdopted];
}

/** The entries in the record's item order: [text, outcome, adopted, grade, median, reasons, agreePercent]. */
function results(set: RecommendationSet, texts: string[]): Expected[] {
  const byText = new Map(entries(set).map((e) => [e.text, e]));
  return texts.map((text) => {
    const e = byText.get(text)!;
    return [e.text, e.outcome!, e.adopted, e.grade!, e.median ?? null, e.reasons, e.agreePercent];
  });
}

/** The ratings as a set publishes them: every point of the scale, missing ones 0, and "unable" when the scale has it. */
function published(ratings: Ratings, points: number, unable: boolean): Ratings {
  const all: Ratings = Object.fromEntries(Array.from({ length: points }, (_, i) => [String(i + 1), ratings[String(i + 1)] ?? 0]));
  if (unable) all.unable = ratings.unable ?? 0;
  return all;
}

async function importAndPublish(input: object): Promise<{ slug: string; set: RecommendationSet; warnings: string[] }> {
  const { slug, warnings } = importRecord(getDb(), { text: JSON.stringify(input), actorId: null });
  const { set } = publish(getDb(), { slug, actorId: null, now: PUBLISHED_AT });
  expectValidSet(set);
  return { slug, set, warnings };
}

function fetchVersion(slug: string, version: string) {
  const request = getRequest(`/api/guidelines/${slug}/versions/${version}`);
  return respond(() => versionLoader({ request, params: { slug, version }, context: {} }));
}

const secretaries = new Map<string, string>();

/** A session cookie of a secretary of the guideline (imported guidelines have no members). */
async function secretaryCookie(slug: string): Promise<string> {
  let userId = secretaries.get(slug);
  if (!userId) {
    const guideline = getDb().select().from(guidelines).where(eq(guidelines.slug, slug)).get()!;
    userId = (await createUser(getDb(), { email: `secretary-${slug}@example.org`, name: `Secretary of ${slug}` })).id;
    addMember(getDb(), { guidelineId: guideline.id, userId, role: "secretary" });
    secretaries.set(slug, userId);
  }
  return cookieFor(userId);
}

async function renderTable1(slug: string): Promise<string> {
  const response = await respond(() =>
    pageLoader({ request: getRequest(`/g/${slug}/v/1`), params: { slug, version: "1" }, context: {} }),
  );
  expect(response.status).toBe(200);
  page.loaderData = await response.json();
  return renderToStaticMarkup(createElement(Table1Page));
}

describe("COMET's band rule, 70% in and under 15% opposed", () => {
  let slug: string;
  let set: RecommendationSet;
  let warnings: string[];
  beforeAll(async () => {
    ({ slug, set, warnings } = await importAndPublish(band));
  });

  test("the import sets the guideline's and the round's scale, freezes rating tallies and warns of a contradicted verdict", () => {
    expect(warnings).toEqual([
      'rounds[0].items[2]: the file says "adopted", the rule gives "not adopted" ' +
        "(Not adopted: 3 of 20 participants rated 1–3 (15%, needs under 15%).)",
    ]);
    const db = getDb();
    const guideline = db.select().from(guidelines).where(eq(guidelines.slug, slug)).get()!;
    expect(guideline.scale).toEqual(NINE_POINTS_UNABLE);
    const round = db.select().from(rounds).where(eq(rounds.guidelineId, guideline.id)).get()!;
    expect(round).toMatchObject({ status: "closed", origin: "import", scaleSnapshot: NINE_POINTS_UNABLE });
    const frozen = db
      .select({ tally: roundResults.tally, eligible: roundResults.eligible, adopted: roundResults.adopted })
      .from(roundResults)
      .innerJoin(roundItems, eq(roundItems.id, roundResults.roundItemId))
      .where(eq(roundItems.roundId, round.id))
      .orderBy(roundItems.position)
      .all();
    expect(frozen[0]).toEqual({ tally: { ratings: [0, 0, 0, 0, 5, 0, 4, 5, 5], unable: 1 }, eligible: 20, adopted: true });
    expect(frozen[6]).toEqual({ tally: { ratings: [0, 0, 0, 0, 0, 0, 0, 0, 0], unable: 0 }, eligible: 20, adopted: false });
    const statuses = db
      .select({ status: statements.status })
      .from(statements)
      .where(eq(statements.guidelineId, guideline.id))
      .all();
    expect(statuses.map((s) => s.status).sort()).toEqual(["adopted", "adopted", ...Array(5).fill("not_adopted")]);
  });

  test("the set has the scale, and per statement ratings and median instead of votes, outcome and grade", () => {
    expect(set.scale).toEqual(NINE_POINTS_UNABLE);
    expect(set.rule).toEqual({ ...COMET, denominator: "participants" });
    expect(
      results(
        set,
        BAND_EXPECTED.map(([text]) => text),
      ),
    ).toEqual(BAND_EXPECTED);
    expect(set.recommendations.map((r) => [r.number, r.text])).toEqual([
      [1, "Exactly 70% rate 7-9, one unable"],
      [2, "Everyone rates 7-9"],
    ]);
    band.rounds[0]!.items.forEach((given) => {
      const entry = entries(set).find((e) => e.text === (given as { text: string }).text)!;
      expect(entry.ratings).toEqual(published((given as { ratings: Ratings }).ratings, 9, true));
      expect(entry).not.toHaveProperty("votes");
    });
    expect(set.recommendations[0]).toMatchObject({ participants: 20, eligible: 20, disagreePercent: 0 });
    expect(set.notAdopted.find((e) => e.text === "Consensus out")).toMatchObject({
      disagreePercent: 70,
      explanation: expect.stringContaining("The opposite holds: a consensus against it."),
    });
    expect(set.rounds).toEqual([{ number: 1, eligible: 20, responded: 20, closedAt: "2026-03-01T00:00:00.000Z" }]);
  });

  test("the JSON Schema is tight on what rating sets add", () => {
    const [first] = set.recommendations;
    const [notAdopted] = set.notAdopted;
    const broken: [string, unknown][] = [
      ["votes and ratings both", { ...set, recommendations: [{ ...first, votes: { agree: 1, disagree: 0, abstain: 0 } }] }],
      ["neither votes nor ratings", { ...set, recommendations: [{ ...first, ratings: undefined }] }],
      ["a rating past 10", { ...set, recommendations: [{ ...first, ratings: { ...first!.ratings, "11": 1 } }] }],
      ["a negative count", { ...set, recommendations: [{ ...first, ratings: { ...first!.ratings, "3": -1 } }] }],
      ["an unknown outcome", { ...set, recommendations: [{ ...first, outcome: "maybe" }] }],
      ["an adopted statement without the positive outcome", { ...set, recommendations: [{ ...first, outcome: "none" }] }],
      ["a statement not adopted with the positive outcome", { ...set, notAdopted: [{ ...notAdopted, outcome: "in" }] }],
      ["an unknown grade", { ...set, recommendations: [{ ...first, grade: "unanimous" }] }],
      ["a median past 10", { ...set, recommendations: [{ ...first, median: 11 }] }],
      ["eleven points", { ...set, scale: { kind: "rating", points: 11, unable: true } }],
      ["a scale with an unknown field", { ...set, scale: { ...set.scale, stars: true } }],
      ["a band rule without its agreement band", { ...set, rule: { ...set.rule, agreeBand: undefined } }],
      ["a band rule with a percent field", { ...set, rule: { ...set.rule, disagreement: "ipras" } }],
      ["a reason for an empty group", { ...set, notAdopted: [{ ...notAdopted, reasons: ["group:"] }] }],
    ];
    for (const [what, value] of broken) {
      expect(() => expectValidSet(JSON.parse(JSON.stringify(value))), what).toThrow(
        /does not match recommendation-set.schema.json/,
      );
    }
    const groupReason = { ...set, notAdopted: [{ ...notAdopted, reasons: ["agreement", "group:Patients"] }] };
    expect(() => expectValidSet(groupReason)).toThrow(/is not the hash/);
  });

  test("the API serves the stored JSON and a CSV with a column per rating, then median, outcome, grade and adopted", async () => {
    const stored = findPublished(getDb(), { slug, version: 1 })!;
    expect(await (await fetchVersion(slug, "1")).text()).toBe(stored.body);
    const response = await fetchVersion(slug, "1.csv");
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    const csv = await response.text();
    expect(csv).toBe(renderSet(stored.body, "csv"));
    expect(csv.split("\r\n")).toEqual([
      "number,section,text,1,2,3,4,5,6,7,8,9,unable,median,outcome,grade,adopted",
      '1,Section 1,"Exactly 70% rate 7-9, one unable",0,0,0,0,5,0,4,5,5,1,8,in,majority,true',
      "2,Section 6,Everyone rates 7-9,0,0,0,0,0,0,5,5,10,0,8.5,in,strong,true",
      ",Section 2,13 of 20 rate 7-9,0,0,0,0,7,0,4,4,5,0,7,none,majority,false",
      ",Section 3,Exactly 15% rate 1-3,0,3,0,0,0,2,5,5,5,0,7.5,none,majority,false",
      ",Section 4,Consensus out,6,5,3,0,5,0,0,1,0,0,2,out,none,false",
      ",Section 5,Half rate 7-9,0,0,2,0,8,0,10,0,0,0,6,none,none,false",
      ",Section 7,Nobody rated it,0,0,0,0,0,0,0,0,0,0,,none,none,false",
      "",
    ]);
  });

  test("the CLI exports the same bytes as the API for JSON and CSV, and the Markdown", async () => {
    const stored = findPublished(getDb(), { slug, version: 1 })!;
    const json = runCli(["export", slug]);
    expect([json.status, json.stderr]).toEqual([0, ""]);
    expect(json.stdout).toBe(stored.body);
    expect(runCli(["export", slug, "--format", "csv"]).stdout).toBe(await (await fetchVersion(slug, "1.csv")).text());
    expect(runCli(["export", slug, "--format", "md"]).stdout).toBe(renderSet(stored.body, "md"));
  });

  test("Markdown: the rule, the scale and the grades, and each distribution, median, outcome and grade in both tables", async () => {
    const response = await fetchVersion(slug, "1.md");
    expect(response.status).toBe(200);
    const md = await response.text();
    expect(md).toBe(renderSet(findPublished(getDb(), { slug, version: 1 })!.body, "md"));
    const lines = md.split("\n");
    expect(lines).toContain("Adoption rule: At least 70% of participants rate 7–9 and under 15% rate 1–3.");
    expect(lines).toContain('Scale: A rating from 1 to 9, or "unable to score".');
    expect(lines.filter((line) => line.startsWith("|"))).toEqual([
      "| No. | Section | Key point | Round | Voters | Ratings 1–9 | Median | Outcome | Grade |",
      "|---:|---|---|---:|---:|---|---:|---|---|",
      "| 1 | Section 1 | Exactly 70% rate 7-9, one unable | 1 | 20 | 0 · 0 · 0 · 0 · 5 · 0 · 4 · 5 · 5 (unable 1) | 8 | Consensus in | Majority |",
      "| 2 | Section 6 | Everyone rates 7-9 | 1 | 20 | 0 · 0 · 0 · 0 · 0 · 0 · 5 · 5 · 10 (unable 0) | 8.5 | Consensus in | Strong consensus |",
      "| Section | Statement | Round | Voters | Ratings 1–9 | Median | Outcome | Grade | Why |",
      "|---|---|---:|---:|---|---:|---|---|---|",
      "| Section 2 | 13 of 20 rate 7-9 | 1 | 20 | 0 · 0 · 0 · 0 · 7 · 0 · 4 · 4 · 5 (unable 0) | 7 | No consensus | Majority | " +
        "Not adopted: 13 of 20 participants rated 7–9 (65%, needs at least 70%). |",
      "| Section 3 | Exactly 15% rate 1-3 | 1 | 20 | 0 · 3 · 0 · 0 · 0 · 2 · 5 · 5 · 5 (unable 0) | 7.5 | No consensus | Majority | " +
        "Not adopted: 3 of 20 participants rated 1–3 (15%, needs under 15%). |",
      "| Section 4 | Consensus out | 1 | 20 | 6 · 5 · 3 · 0 · 5 · 0 · 0 · 1 · 0 (unable 0) | 2 | Consensus out | None | " +
        "Not adopted: 1 of 20 participants rated 7–9 (5%, needs at least 70%) and 14 rated 1–3 (70%, needs under 15%). " +
        "The opposite holds: a consensus against it. |",
      "| Section 5 | Half rate 7-9 | 1 | 20 | 0 · 0 · 2 · 0 · 8 · 0 · 10 · 0 · 0 (unable 0) | 6 | No consensus | None | " +
        "Not adopted: 10 of 20 participants rated 7–9 (50%, needs at least 70%). |",
      "| Section 7 | Nobody rated it | 1 | 0 | 0 · 0 · 0 · 0 · 0 · 0 · 0 · 0 · 0 (unable 0) | – | No consensus | None | No votes were cast. |",
    ]);
  });

  test("Word: the scale, Table 1 with the distribution, median, outcome and grade, and what was not adopted", async () => {
    const response = await fetchVersion(slug, "1.docx");
    expect(response.status).toBe(200);
    const texts = wordTexts(new Uint8Array(await response.arrayBuffer()));
    expect(texts).toContain("Adoption rule: At least 70% of participants rate 7–9 and under 15% rate 1–3.");
    expect(texts).toContain('Scale: A rating from 1 to 9, or "unable to score".');
    expect(
      containsRun(texts, ["No.", "Section", "Key point", "Round", "Voters", "Ratings 1–9", "Median", "Outcome", "Grade"]),
    ).toBe(true);
    expect(
      containsRun(texts, [
        "1",
        "Section 1",
        "Exactly 70% rate 7-9, one unable",
        "1",
        "20",
        "0 · 0 · 0 · 0 · 5 · 0 · 4 · 5 · 5 (unable 1)",
        "8",
        "Consensus in",
        "Majority",
      ]),
    ).toBe(true);
    expect(
      containsRun(texts, [
        "2",
        "Section 6",
        "Everyone rates 7-9",
        "1",
        "20",
        "0 · 0 · 0 · 0 · 0 · 0 · 5 · 5 · 10 (unable 0)",
        "8.5",
      ]),
    ).toBe(true);
    expect(
      containsRun(texts, ["Section", "Statement", "Round", "Voters", "Ratings 1–9", "Median", "Outcome", "Grade", "Why"]),
    ).toBe(true);
    expect(
      containsRun(texts, [
        "Section 4",
        "Consensus out",
        "1",
        "20",
        "6 · 5 · 3 · 0 · 5 · 0 · 0 · 1 · 0 (unable 0)",
        "2",
        "Consensus out",
        "None",
        "Not adopted: 1 of 20 participants rated 7–9 (5%, needs at least 70%) and 14 rated 1–3 (70%, needs under 15%). " +
          "The opposite holds: a consensus against it.",
      ]),
    ).toBe(true);
    expect(
      containsRun(texts, ["Section 7", "Nobody rated it", "1", "0", "0 · 0 · 0 · 0 · 0 · 0 · 0 · 0 · 0 (unable 0)", "–"]),
    ).toBe(true);
  });

  test("the Table 1 page shows the scale, each distribution, median, outcome and grade, in scrolling regions", async () => {
    const html = await renderTable1(slug);
    expect(html).toContain("Scale: A rating from 1 to 9, or &quot;unable to score&quot;.");
    expect(html).toContain("with the ratings of the round that decided each");
    const headers = [...html.matchAll(/<th scope="col"[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(headers).toEqual([
      ...["No.", "Section", "Key point", "Round", "Voters", "Ratings 1–9", "Median", "Outcome", "Grade"],
      ...["Section", "Statement", "Round", "Voters", "Ratings 1–9", "Median", "Outcome", "Grade", "Why"],
    ]);
    // Each count is read with its rating: "rated 5: 5".
    const row = html.slice(html.indexOf("Exactly 70% rate 7-9"), html.indexOf("Everyone rates 7-9"));
    expect(row.replace(/<[^>]+>/g, "")).toContain(
      "rated 1: 0rated 2: 0rated 3: 0rated 4: 0rated 5: 5rated 6: 0rated 7: 4rated 8: 5rated 9: 5unable: 18Consensus inMajority",
    );
    expect(html.match(/class="table-scroll" role="region"/g)).toHaveLength(2);
  });
});

describe("RAND/UCLA", () => {
  test("IPRAS: appropriate, inappropriate, uncertain by median and by disagreement; a tie is no disagreement", async () => {
    const { slug, set, warnings } = await importAndPublish(ipras);
    expect(warnings).toEqual([]);
    expect(
      results(
        set,
        IPRAS_EXPECTED.map(([text]) => text),
      ),
    ).toEqual(IPRAS_EXPECTED);
    expect(set.recommendations.map((r) => [r.number, r.text])).toEqual([
      [1, "Appropriate"],
      [2, "IPRAS tie"],
    ]);
    const byText = new Map(entries(set).map((e) => [e.text, e]));
    // "unable to score" is a ballot (participants) but no rating (the shares and median leave it out).
    expect(byText.get("Appropriate")).toMatchObject({
      participants: 12,
      ratings: published({ "7": 3, "8": 4, "9": 3, unable: 2 }, 9, true),
    });
    expect(byText.get("IPRAS tie")!.explanation).toBe(
      "Appropriate (adopted): median 7 of 13 ratings, no disagreement (IPR 3.4 ≤ IPRAS 3.4).",
    );
    expect(byText.get("Uncertain by disagreement")!.explanation).toContain("disagreement (IPR 8 > IPRAS 2.35)");
    // Inappropriate is decided, not failing: no reasons, and not adopted.
    expect(set.notAdopted.find((e) => e.outcome === "inappropriate")).toMatchObject({ adopted: false, reasons: [] });

    const csv = await (await fetchVersion(slug, "1.csv")).text();
    expect(csv.split("\r\n").slice(0, 4)).toEqual([
      "number,section,text,1,2,3,4,5,6,7,8,9,unable,median,outcome,grade,adopted",
      "1,Section 1,Appropriate,0,0,0,0,0,0,3,4,3,2,8,appropriate,strong,true",
      "2,Section 5,IPRAS tie,3,0,0,2,0,0,4,4,0,0,7,appropriate,majority,true",
      ",Section 2,Inappropriate,3,4,3,0,0,0,0,0,0,0,2,inappropriate,none,false",
    ]);
    const md = renderSet(findPublished(getDb(), { slug, version: 1 })!.body, "md");
    expect(md).toContain(
      "| Section 4 | Uncertain by disagreement | 1 | 10 | 4 · 0 · 0 · 0 · 0 · 0 · 1 · 0 · 5 (unable 0) | 8 | Uncertain | Majority | ",
    );
    expect(md).toContain("Adoption rule: RAND/UCLA appropriateness on the 9-point scale:");
    const texts = wordTexts(new Uint8Array(await (await fetchVersion(slug, "1.docx")).arrayBuffer()));
    expect(
      containsRun(texts, [
        "2",
        "Section 5",
        "IPRAS tie",
        "1",
        "13",
        "3 · 0 · 0 · 2 · 0 · 0 · 4 · 4 · 0 (unable 0)",
        "7",
        "Appropriate",
        "Majority",
      ]),
    ).toBe(true);
    expect(
      containsRun(texts, [
        "Section 2",
        "Inappropriate",
        "1",
        "10",
        "3 · 4 · 3 · 0 · 0 · 0 · 0 · 0 · 0 (unable 0)",
        "2",
        "Inappropriate",
        "None",
      ]),
    ).toBe(true);
  });

  test("classic: 7 ratings fall outside the table (method); 8 with 3 at each extreme disagree; 2 at one extreme do not", async () => {
    const { slug, set } = await importAndPublish(classic);
    expect(set.scale).toEqual({ kind: "rating", points: 9, unable: false });
    expect(
      results(
        set,
        CLASSIC_EXPECTED.map(([text]) => text),
      ),
    ).toEqual(CLASSIC_EXPECTED);
    // Without "unable" on the scale, the ratings and the CSV have no "unable".
    expect(set.recommendations[0]!.ratings).toEqual(published({ "1": 2, "8": 3, "9": 3 }, 9, false));
    expect((await (await fetchVersion(slug, "1.csv")).text()).split("\r\n")).toEqual([
      "number,section,text,1,2,3,4,5,6,7,8,9,median,outcome,grade,adopted",
      "1,Section 3,Two low only,2,0,0,0,0,0,0,3,3,8,appropriate,majority,true",
      ",Section 1,Seven ratings,0,0,0,0,0,0,0,7,0,8,uncertain,strong,false",
      ",Section 2,Three at each extreme,3,0,0,0,0,0,0,2,3,8,uncertain,majority,false",
      "",
    ]);
    const texts = wordTexts(new Uint8Array(await (await fetchVersion(slug, "1.docx")).arrayBuffer()));
    expect(
      containsRun(texts, ["1", "Section 3", "Two low only", "1", "8", "2 · 0 · 0 · 0 · 0 · 0 · 0 · 3 · 3", "8", "Appropriate"]),
    ).toBe(true);
    expect(texts).toContain("Uncertain (not adopted): the classic disagreement table applies to 8–16 ratings, not 7.");
  });
});

describe("the publish page of a rating set", () => {
  test("previews the distribution, median, outcome and grade of each statement, labelled for narrow screens", async () => {
    const input = { ...classic, guideline: { slug: "rand-classic-preview", title: "Preview" } };
    importRecord(getDb(), { text: JSON.stringify(input), actorId: null });
    const slug = "rand-classic-preview";
    const cookie = await secretaryCookie(slug);
    const response = await respond(() =>
      publishLoader({ request: getRequest(`/g/${slug}/publish`, { cookie }), params: { slug }, context: {} }),
    );
    page.loaderData = await response.json();
    const html = renderToStaticMarkup(createElement(PublishPage));
    expect(html).toContain("Publishing now makes <strong>version 1</strong>: 1 adopted, 2 not adopted, from round 1.");
    expect(html).toContain(
      '<th scope="col">Ratings 1–9</th><th scope="col">Median</th><th scope="col">Outcome</th><th scope="col">Grade</th>',
    );
    expect(html).toContain(
      '<td data-label="Key point">Two low only</td><td data-label="Ratings 1–9">2 · 0 · 0 · 0 · 0 · 0 · 0 · 3 · 3</td>' +
        '<td data-label="Median">8</td><td data-label="Outcome">Appropriate</td><td data-label="Grade">Majority</td>',
    );
    expect(html).toContain(
      "Section 2 · Ratings 1–9: 3 · 0 · 0 · 0 · 0 · 0 · 0 · 2 · 3 · Median: 8 · Outcome: Uncertain · Grade: Majority",
    );
    // A preview publishes nothing.
    const guideline = getDb().select().from(guidelines).where(eq(guidelines.slug, slug)).get()!;
    expect(
      getDb().select({ n: count() }).from(recommendationSets).where(eq(recommendationSets.guidelineId, guideline.id)).get()!.n,
    ).toBe(0);
  });
});

describe("an agreement set published before scales", () => {
  const OLD_BODY = readFileSync("test/fixtures/imt-v1-published-before-scales.json", "utf8");
  const old = JSON.parse(OLD_BODY) as RecommendationSet;

  beforeAll(() => {
    // The IMT record imported, and the set the previous code published from it stored as it was.
    const imt = readFileSync("fixtures/imt-2025-table1.json", "utf8");
    expect(importRecord(getDb(), { text: imt, actorId: null }).slug).toBe(old.guideline.slug);
    const guideline = getDb().select().from(guidelines).where(eq(guidelines.slug, old.guideline.slug)).get()!;
    getDb()
      .$client.prepare(
        "insert into recommendation_sets (id, guideline_id, version, published_at, published_by, body, content_hash) values (?, ?, ?, ?, null, ?, ?)",
      )
      .run("oldimtversion1", guideline.id, 1, Date.parse(old.publishedAt), OLD_BODY, old.contentHash);
  });

  test("keeps its exact bytes and hash through the API and the CLI, and the schema still accepts it", async () => {
    expect(old).not.toHaveProperty("scale");
    expect(old.recommendations[0]).not.toHaveProperty("outcome");
    expect(verifyContentHash(old)).toBe(true);
    expectValidSet(old);
    for (const version of ["1", "latest"]) {
      const response = await fetchVersion(old.guideline.slug, version);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(OLD_BODY);
      expect(response.headers.get("ETag")).toBe(`"${old.contentHash.replace("sha256:", "")}"`);
    }
    const cli = runCli(["export", old.guideline.slug, "--version", "1"]);
    expect([cli.status, cli.stderr]).toEqual([0, ""]);
    expect(cli.stdout).toBe(OLD_BODY);
    const csv = runCli(["export", old.guideline.slug, "--format", "csv"]).stdout;
    expect(csv).toBe(await (await fetchVersion(old.guideline.slug, "1.csv")).text());
    expect(csv.split("\r\n")[0]).toBe("number,section,text,agree,disagree,abstain,adopted");
    expect(csv.split("\r\n")[8]).toMatch(/^8,Chemotherapy,.*,17,0,14,true$/);
  });

  test("its Table 1 page keeps the agreement columns", async () => {
    const html = await renderTable1(old.guideline.slug);
    const headers = [...html.matchAll(/<th scope="col"[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(headers).toEqual(["No.", "Section", "Key point", "Round", "Voters", "Agree", "Disagree", "Abstain"]);
    expect(html).not.toContain("Ratings 1–");
    expect(html).toContain("with the votes of the round that decided each");
  });

  test("publishing the same record with this code gives the same CSV, byte for byte, and new fields in the JSON", async () => {
    const imt = JSON.parse(readFileSync("fixtures/imt-2025-table1.json", "utf8"));
    const { slug, set } = await importAndPublish({ ...imt, guideline: { ...imt.guideline, slug: "imt-republished" } });
    const csv = await (await fetchVersion(slug, "1.csv")).text();
    expect(csv).toBe(renderSet(OLD_BODY, "csv"));
    expect(set.scale).toEqual({ kind: "agreement" });
    expect(set.recommendations.map((r) => [r.votes, r.outcome, r.grade])).toEqual(
      old.recommendations.map((r) => [r.votes, "in", expect.any(String)]),
    );
    expect(set.recommendations[7]).toMatchObject({
      votes: { agree: 17, disagree: 0, abstain: 14 },
      outcome: "in",
      grade: "majority",
    });
    expect(set.recommendations[0]).toMatchObject({ outcome: "in", grade: "strong" });
  });
});

describe("a rule that does not fit its record's scale", () => {
  const rowCounts = () =>
    Object.fromEntries(
      Object.entries({ guidelines, statements, statementRevisions, rounds, roundItems, roundResults, auditEvents }).map(
        ([name, table]) => [name, getDb().select({ n: count() }).from(table).get()!.n],
      ),
    );

  function refusal(input: object): ImportRefused {
    const before = rowCounts();
    try {
      importRecord(getDb(), { text: JSON.stringify(input), actorId: null });
    } catch (error) {
      expect(error).toBeInstanceOf(ImportRefused);
      expect(rowCounts()).toEqual(before);
      return error as ImportRefused;
    }
    throw new Error("expected the import to be refused");
  }

  const five = { kind: "rating", points: 5 };
  const rated = [item(1, "Rated", { "4": 3, "5": 2 })];

  test.each([
    ["a percent rule on ratings", five, { agreeAtLeast: 50, disagreeBelow: 20 }, "rule.family", "needs the agreement scale"],
    ["RAND/UCLA on 5 points", five, { family: "rand-ucla" }, "rule.family", "RAND/UCLA needs the 9-point scale, not 1–5"],
    [
      "an agreement band beyond the scale",
      five,
      { ...COMET, agreeBand: [4, 7], opposeBand: [1, 2] },
      "rule.agreeBand",
      "[4, 7] goes beyond the scale's 1–5",
    ],
    [
      "an opposition band beyond the scale",
      five,
      { ...COMET, agreeBand: [1, 2], opposeBand: [4, 6] },
      "rule.opposeBand",
      "opposeBand [4, 6] goes beyond the scale's 1–5",
    ],
    ["overlapping bands", five, { ...COMET, agreeBand: [3, 5], opposeBand: [1, 3] }, "rule.opposeBand", "must not overlap"],
    [
      "a band starting below 1",
      five,
      { ...COMET, agreeBand: [0, 5], opposeBand: undefined, disagreeBelow: undefined },
      "rule.agreeBand[0]",
      "starts at 1",
    ],
  ])("%s is refused with its path and nothing is written", (_, scale, rule, path, message) => {
    const refused = refusal(record(`misfit-${path.replace(/\W/g, "").toLowerCase()}`, scale, rule, 5, rated));
    expect(refused.problems).toEqual([{ path, message: expect.stringContaining(message) }]);
  });

  test("bands that overlap and go beyond the scale: both problems are listed", () => {
    const refused = refusal(record("overlap-and-beyond", five, { ...COMET, agreeBand: [4, 5], opposeBand: [1, 6] }, 5, rated));
    expect(refused.problems).toEqual([
      { path: "rule.opposeBand", message: "agreeBand and opposeBand must not overlap" },
      { path: "rule.opposeBand", message: "opposeBand [1, 6] goes beyond the scale's 1–5" },
    ]);
  });

  test("a band rule on agree / disagree / abstain is refused", () => {
    const input = {
      ...record("band-on-votes", { kind: "agreement" }, COMET, 5, []),
      rounds: [{ number: 1, panelSize: 5, items: [{ number: 1, text: "Voted", votes: { agree: 5, disagree: 0, abstain: 0 } }] }],
    };
    expect(refusal(input).problems).toEqual([
      { path: "rule.family", message: "The band family needs a rating scale, not agree / disagree / abstain" },
    ]);
  });

  test("every problem of a record is listed at once: the rule, votes on a rating scale, ratings off the scale, too many ballots", () => {
    const input = record("many-problems", { kind: "rating", points: 5 }, { family: "rand-ucla" }, 5, [
      item(1, "Off the scale", { "0": 1, "6": 1, unable: 1, "3": 1 }),
      { number: 2, text: "Votes instead", votes: { agree: 1, disagree: 0, abstain: 0 } },
      item(3, "Too many", { "5": 4, "4": 2 }),
    ]);
    const refused = refusal(input);
    expect(refused.message).toBe("The consensus record has 7 problems: nothing was imported.");
    expect(refused.problems).toEqual([
      { path: 'rounds[0].items[0].ratings["0"]', message: 'is not a rating on this scale: ratings are "1" to "5"' },
      { path: 'rounds[0].items[0].ratings["6"]', message: 'is not a rating on this scale: ratings are "1" to "5"' },
      { path: "rounds[0].items[0].ratings.unable", message: 'is not on this scale: it has no "unable" (unable to score)' },
      {
        path: "rounds[0].items[1].votes",
        message: 'are for the agreement scale: this record is on a 1–5 rating scale (its "scale"), so give ratings',
      },
      { path: "rounds[0].items[1].ratings", message: 'is required (the item\'s ratings: counts for "1" to "5")' },
      { path: "rule.family", message: "RAND/UCLA needs the 9-point scale, not 1–5" },
      { path: "rounds[0].items[2].ratings", message: "the ratings add up to 6, above the round's panelSize of 5" },
    ]);
  });

  test("a scale that is not one is refused at its own path", () => {
    const refused = refusal(record("bad-scale", { kind: "rating", points: 11, unabel: true }, COMET, 5, rated));
    expect(refused.problems).toEqual([
      { path: "scale.points", message: "points must be from 3 to 10, got 11" },
      { path: "scale", message: 'Unknown scale field "unabel"; allowed: kind, points, unable, labels' },
    ]);
  });

  test("the CLI lists every problem and exits non-zero", () => {
    const file = `${process.env.DATABASE_PATH}.misfit.json`;
    writeFileSync(file, JSON.stringify(record("cli-misfit", five, { family: "rand-ucla" }, 5, [item(1, "X", { "9": 1 })])));
    const result = runCli(["import", file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      [
        `Refused: 2 problems in ${file}`,
        '  rounds[0].items[0].ratings["9"]: is not a rating on this scale: ratings are "1" to "5"',
        "  rule.family: RAND/UCLA needs the 9-point scale, not 1–5",
        "",
      ].join("\n"),
    );
  });
});
