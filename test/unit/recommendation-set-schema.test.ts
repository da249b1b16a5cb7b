import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { assembleSet, type Entry, type RecommendationSet, type SetInput } from "~/consensus/recommendation-set";
import { recommendationSetJsonSchema, RecommendationSetSchema } from "~/consensus/recommendation-set.schema";
import { expectValidSet } from "../support/schema";

const COMMITTED = "app/consensus/recommendation-set.schema.json";
const HASH = `sha256:${"0".repeat(64)}`;

const ratings = (counts: number[], unable: number) => ({
  ...Object.fromEntries(counts.map((count, i) => [String(i + 1), count])),
  unable,
});

const rated = (statementId: string, fields: Partial<Entry>): Entry => ({
  statementId,
  revision: 1,
  section: "Outcomes",
  text: `Outcome ${statementId}`,
  round: 2,
  ratings: ratings([0, 0, 0, 1, 1, 2, 6, 6, 4], 0),
  median: 7.5,
  participants: 20,
  eligible: 20,
  agreePercent: 80,
  disagreePercent: 0,
  adopted: true,
  outcome: "in",
  grade: "consensus",
  reasons: [],
  explanation: "",
  ...fields,
});

const ratingSet = (rule: SetInput["rule"], decided: Entry[]): RecommendationSet =>
  assembleSet({
    guideline: { slug: "imt-cos", title: "IMT core outcome set", language: "en", registration: "COMET 1234" },
    version: 1,
    publishedAt: "2026-03-01T09:30:00.000Z",
    scale: { kind: "rating", points: 9, unable: true, labels: { low: "not important", high: "critical" } },
    rule,
    ruleText: "70% rate 7-9 and under 15% rate 1-3.",
    panel: { size: 20, disciplines: { Patients: 8, Pathology: 12 } },
    rounds: [
      { number: 1, eligible: 20, responded: 19, closedAt: "2026-02-01T00:00:00.000Z" },
      { number: 2, eligible: 20, responded: 20, closedAt: "2026-02-28T00:00:00.000Z" },
    ],
    auditHead: { seq: 12, hash: HASH },
    decided,
    retired: [],
    previous: null,
  });

const band = ratingSet(
  {
    family: "band",
    agreeBand: [7, 9],
    opposeBand: [1, 3],
    agreeAtLeast: 70,
    disagreeBelow: 15,
    denominator: "participants",
    groups: { require: "every", minSize: 5 },
  },
  [
    rated("survival", {
      groups: [
        {
          name: "Patients",
          participants: 8,
          ratings: ratings([0, 0, 0, 0, 1, 1, 2, 2, 2], 0),
          median: 7.5,
          agreePercent: 75,
          disagreePercent: 0,
          outcome: "in",
          grade: "majority",
        },
      ],
      stability: { previousRound: 1, shareChange: 5, medianChange: 0.5, iqrChange: -1, stable: true },
    }),
    rated("cost", { adopted: false, outcome: "none", grade: "none", agreePercent: 40, reasons: ["agreement", "group:Patients"] }),
  ],
);

const randUcla = ratingSet({ family: "rand-ucla", disagreement: "ipras" }, [
  rated("quality", { outcome: "appropriate" }),
  rated("harm", { median: 2, adopted: false, outcome: "inappropriate", reasons: [] }),
  rated("time", { median: 5, adopted: false, outcome: "uncertain", reasons: ["median"] }),
]);

const beforeScales = JSON.parse(readFileSync("test/fixtures/imt-v1-published-before-scales.json", "utf8")) as RecommendationSet;

describe("the JSON Schema of a published set", () => {
  test("is generated from the zod schemas: the committed file is what `npm run -s schema` writes", () => {
    const generated = JSON.stringify(recommendationSetJsonSchema(), null, 2) + "\n";
    expect(readFileSync(COMMITTED, "utf8"), "run `npm run -s schema`").toBe(generated);
  });

  test("takes an instance's URL as $id, after $schema", () => {
    const id = "https://consensus.example.org/api/schema/recommendation-set.json";
    const schema = recommendationSetJsonSchema(id);
    expect(Object.keys(schema).slice(0, 4)).toEqual(["$schema", "$id", "title", "description"]);
    const { $id, ...rest } = schema;
    expect($id).toBe(id);
    expect(rest).toEqual(recommendationSetJsonSchema());
    expect(recommendationSetJsonSchema()).not.toHaveProperty("$id");
  });

  test("accepts the sets this code publishes and the set published before scales, as zod does", () => {
    for (const set of [beforeScales, band, randUcla]) {
      expectValidSet(set);
      expect(RecommendationSetSchema.parse(set)).toEqual(set);
    }
  });

  test("lets a set gain fields, but not its rule or scale", () => {
    // Past the schema, only the content hash (which covers every field) is left to fail.
    expect(() => expectValidSet({ ...band, comment: "added later" })).toThrow(/is not the hash/);
    expect(() => expectValidSet({ ...band, rule: { ...band.rule, comment: "x" } })).toThrow(/does not match/);
    expect(() => expectValidSet({ ...band, scale: { ...band.scale, comment: "x" } })).toThrow(/does not match/);
  });

  test("rejects what the contract rules out", () => {
    const [first] = band.recommendations;
    const [notAdopted] = band.notAdopted;
    const { votes: _votes, ...beforeEntry } = beforeScales.recommendations[0]!;
    const broken: [string, unknown][] = [
      ["neither votes nor ratings", { ...beforeScales, recommendations: [beforeEntry] }],
      ["votes and ratings both", { ...band, recommendations: [{ ...first, votes: { agree: 1, disagree: 0, abstain: 0 } }] }],
      [
        "a group with neither",
        { ...band, recommendations: [{ ...first, groups: [{ ...first!.groups![0], ratings: undefined }] }] },
      ],
      ["a recommendation not adopted", { ...band, recommendations: [{ ...first, adopted: false }] }],
      ["a recommendation with a reason", { ...band, recommendations: [{ ...first, reasons: ["agreement"] }] }],
      ["a recommendation without the positive outcome", { ...band, recommendations: [{ ...first, outcome: "none" }] }],
      ["a statement not adopted but adopted", { ...band, notAdopted: [{ ...notAdopted, adopted: true }] }],
      ["a statement not adopted with a number", { ...band, notAdopted: [{ ...notAdopted, number: 3 }] }],
      ["a statement not adopted with the positive outcome", { ...band, notAdopted: [{ ...notAdopted, outcome: "in" }] }],
      ["a statement not adopted without why", { ...band, notAdopted: [{ ...notAdopted, reasons: [] }] }],
      ["a reason twice", { ...band, notAdopted: [{ ...notAdopted, reasons: ["agreement", "agreement"] }] }],
      ["an extra key in the rule", { ...beforeScales, rule: { ...beforeScales.rule, agreeAtLest: 50 } }],
      ["two agreement bounds", { ...beforeScales, rule: { ...beforeScales.rule, agreeAbove: 50 } }],
      ["two opposition bounds", { ...beforeScales, rule: { ...beforeScales.rule, disagreeAtMost: 20 } }],
      ["a rule without its denominator", { ...beforeScales, rule: { agreeAtLeast: 50 } }],
      ["an unknown family", { ...band, rule: { ...band.rule, family: "vote" } }],
      ["a band past 10", { ...band, rule: { ...band.rule, agreeBand: [7, 11] } }],
      ["a rating scale without unable", { ...band, scale: { kind: "rating", points: 9 } }],
      ["a rating past 10", { ...band, recommendations: [{ ...first, ratings: { ...first!.ratings, "11": 1 } }] }],
      ["a median past 10", { ...band, recommendations: [{ ...first, median: 11 }] }],
      ["a share over 100", { ...band, recommendations: [{ ...first, agreePercent: 100.5 }] }],
      ["an uppercase content hash", { ...band, contentHash: band.contentHash.toUpperCase() }],
      ["a short audit hash", { ...band, auditHead: { seq: 12, hash: "sha256:00" } }],
      ["a slug with capitals", { ...band, guideline: { ...band.guideline, slug: "IMT" } }],
      ["a date that is not a date-time", { ...band, publishedAt: "2026-03-01" }],
      ["no rounds", { ...band, rounds: [] }],
      ["another format", { ...band, format: "recommendation-set/2" }],
    ];
    for (const [what, value] of broken) {
      expect(() => expectValidSet(JSON.parse(JSON.stringify(value))), what).toThrow(/does not match/);
    }
  });
});
