import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { compareSets } from "~/consensus/compare";
import { assembleSet, type Entry, type RecommendationSet, type SetInput } from "~/consensus/recommendation-set";
import { gradeOf, type BandRule } from "~/consensus/rule";

/** Version 1 of the IMT consensus as the code before scales published it: no scale, outcome or grade. */
const imtV1 = JSON.parse(readFileSync("test/fixtures/imt-v1-published-before-scales.json", "utf8")) as RecommendationSet;
const imt = (n: number): Entry => {
  const { number: _number, ...entry } = imtV1.recommendations[n - 1]!;
  return entry;
};

/** An unchanged statement as today's code publishes it: with outcome and grade. */
const republished = (entry: Entry): Entry => ({
  ...entry,
  outcome: "in",
  grade: gradeOf(entry.votes!.agree, entry.participants),
});

const CHEMOTHERAPY_REVISED =
  "Chemotherapy regimens based on anthracyclines, methotrexate, pemetrexed + platinum, or paclitaxel + platinum may be considered for patients with unresectable IMT";
const RESEARCH_REVISED =
  "The diagnosis and treatment of IMT currently lack high-level evidence. It is recommended to conduct multicenter, prospective clinical studies and to share their data";
const IMMUNOTHERAPY =
  "Immune checkpoint inhibitors may be considered for patients with IMT who have no targeted option, within clinical trials";

/**
 * Version 2: round 2 re-voted a reworded statement 8 and a reworded research statement (now in
 * its own section), put a new statement on immunotherapy that the panel opposed, and the
 * radiotherapy statement was retired.
 */
const imtV2 = assembleSet({
  guideline: imtV1.guideline,
  version: 2,
  publishedAt: "2027-01-15T10:00:00.000Z",
  scale: { kind: "agreement" },
  rule: imtV1.rule,
  panel: imtV1.panel,
  rounds: [...imtV1.rounds, { number: 2, eligible: 31, responded: 31, closedAt: "2027-01-10T00:00:00.000Z" }],
  decided: [
    ...[1, 2, 3, 4, 5, 7].map((n) => republished(imt(n))),
    {
      ...imt(8),
      revision: 2,
      text: CHEMOTHERAPY_REVISED,
      round: 2,
      votes: { agree: 24, disagree: 0, abstain: 7 },
      agreePercent: 77.4,
      outcome: "in",
      grade: "consensus",
    },
    {
      ...imt(9),
      revision: 2,
      section: "Research priorities",
      text: RESEARCH_REVISED,
      round: 2,
      outcome: "in",
      grade: "strong",
    },
    {
      statementId: "imt-immunotherapy",
      revision: 1,
      section: "Immunotherapy",
      text: IMMUNOTHERAPY,
      round: 2,
      votes: { agree: 9, disagree: 10, abstain: 3 },
      participants: 22,
      eligible: 31,
      agreePercent: 40.9,
      disagreePercent: 45.5,
      adopted: false,
      outcome: "none",
      grade: "none",
      reasons: ["agreement", "opposition"],
      explanation:
        "Not adopted: 9 of 22 participants agree (40.9%, needs at least 50%) and 10 disagree (45.5%, needs under 20%).",
    },
  ],
  retired: [imt(6).statementId],
  previous: imtV1,
});

describe("comparing an agreement set published before scales with its next version", () => {
  const comparison = compareSets(imtV1, imtV2);

  test("names both versions by number, date and content hash", () => {
    expect(comparison).toMatchObject({
      format: "recommendation-set-changes/1",
      guideline: { slug: "imt-consensus", title: imtV1.guideline.title },
      from: {
        version: 1,
        publishedAt: "2026-12-01T14:15:05.535Z",
        contentHash: "sha256:f7d2c776f38a20d7028dae261c3860f9035e9d959c3e9258535f1110c4320b38",
      },
      to: { version: 2, publishedAt: "2027-01-15T10:00:00.000Z", contentHash: imtV2.contentHash },
    });
  });

  test("lists the new statement without a number, and the retired one with its old number", () => {
    expect(comparison.added).toEqual([
      { statementId: "imt-immunotherapy", revision: 1, section: "Immunotherapy", text: IMMUNOTHERAPY, adopted: false },
    ]);
    expect(comparison.retired).toEqual([
      {
        statementId: "x4fhqqtqzfhygg4j",
        revision: 1,
        number: 6,
        section: "Radiotherapy",
        text: imt(6).text,
        adopted: true,
      },
    ]);
  });

  test("gives each revised statement its old and new wording, a word diff and whether its section moved", () => {
    expect(comparison.revised).toEqual([
      {
        statementId: "2mid4ycozubapoj3",
        number: { before: 8, after: 7 },
        before: { revision: 1, section: "Chemotherapy", text: imt(8).text },
        after: { revision: 2, section: "Chemotherapy", text: CHEMOTHERAPY_REVISED },
        diff: [
          { kind: "same", text: "Chemotherapy regimens based on anthracyclines, methotrexate, pemetrexed + platinum, " },
          { kind: "removed", text: "and" },
          { kind: "added", text: "or" },
          { kind: "same", text: " paclitaxel + platinum " },
          { kind: "removed", text: "are recommended" },
          { kind: "added", text: "may be considered" },
          { kind: "same", text: " for patients with " },
          { kind: "added", text: "unresectable " },
          { kind: "same", text: "IMT" },
        ],
        sectionChanged: false,
      },
      {
        statementId: "cpemqolorfz3opqn",
        number: { before: 9, after: 8 },
        before: { revision: 1, section: "Research", text: imt(9).text },
        after: { revision: 2, section: "Research priorities", text: RESEARCH_REVISED },
        diff: [
          { kind: "same", text: `${imt(9).text} ` },
          { kind: "added", text: "and to share their data" },
        ],
        sectionChanged: true,
      },
    ]);
  });

  test("lists changed counts and deciding rounds, not the outcome and grade the old set lacked", () => {
    expect(comparison.changed).toEqual([
      {
        statementId: "2mid4ycozubapoj3",
        number: { before: 8, after: 7 },
        section: "Chemotherapy",
        text: CHEMOTHERAPY_REVISED,
        fields: ["round", "votes"],
        before: {
          round: 1,
          adopted: true,
          votes: { agree: 17, disagree: 0, abstain: 14 },
          participants: 31,
          eligible: 31,
          agreePercent: 54.8,
          disagreePercent: 0,
        },
        after: {
          round: 2,
          adopted: true,
          outcome: "in",
          grade: "consensus",
          votes: { agree: 24, disagree: 0, abstain: 7 },
          participants: 31,
          eligible: 31,
          agreePercent: 77.4,
          disagreePercent: 0,
        },
      },
      expect.objectContaining({ statementId: "cpemqolorfz3opqn", number: { before: 9, after: 8 }, fields: ["round"] }),
    ]);
  });

  test("notes every statement whose number in Table 1 moved", () => {
    expect(comparison.renumbered.map((r) => [r.section, r.number.before, r.number.after])).toEqual([
      ["Targeted therapy", 7, 6],
      ["Chemotherapy", 8, 7],
      ["Research priorities", 9, 8],
    ]);
    expect(comparison.renumbered[0]).toEqual({
      statementId: "hd4gixcy5etgwsz7",
      section: "Targeted therapy",
      text: imt(7).text,
      number: { before: 7, after: 6 },
    });
  });

  test("a version compared with itself has nothing to show", () => {
    expect(compareSets(imtV2, imtV2)).toMatchObject({ added: [], revised: [], retired: [], changed: [], renumbered: [] });
  });
});

describe("comparing two rating sets", () => {
  const COMET: BandRule = {
    family: "band",
    agreeBand: [7, 9],
    opposeBand: [1, 3],
    agreeAtLeast: 70,
    disagreeBelow: 15,
    denominator: "participants",
  };
  const ratings = (counts: number[], unable = 0) => ({
    ...Object.fromEntries(counts.map((count, i) => [String(i + 1), count])),
    unable,
  });
  const rated = (statementId: string, section: string, text: string, result: Partial<Entry>): Entry => ({
    statementId,
    revision: 1,
    section,
    text,
    round: 1,
    participants: 40,
    eligible: 40,
    disagreePercent: 0,
    agreePercent: 0,
    adopted: false,
    reasons: [],
    explanation: "",
    ...result,
  });
  const survival = rated("os", "Survival", "Overall survival", {
    ratings: ratings([0, 0, 0, 0, 1, 3, 7, 13, 16]),
    median: 8,
    agreePercent: 90,
    adopted: true,
    outcome: "in",
    grade: "consensus",
  });
  const qualityOfLife = rated("qol", "Quality of life", "Health-related quality of life, measured with a validated instrument", {
    ratings: ratings([0, 0, 0, 0, 0, 2, 4, 10, 12]),
    median: 8,
    participants: 28,
    agreePercent: 92.9,
    adopted: true,
    outcome: "in",
    grade: "consensus",
  });
  const cost = rated("cost", "Resource use", "Cost of treatment to the health service", {
    ratings: ratings([11, 11, 9, 4, 2, 2, 1, 0, 0]),
    median: 2,
    agreePercent: 2.5,
    disagreePercent: 77.5,
    outcome: "out",
    grade: "none",
    reasons: ["agreement", "opposition"],
  });
  const failureRound1 = rated("ttf", "Treatment", "Time to treatment failure", {
    ratings: ratings([0, 1, 2, 5, 9, 8, 6, 6, 3]),
    median: 6,
    agreePercent: 37.5,
    disagreePercent: 7.5,
    outcome: "none",
    grade: "none",
    reasons: ["agreement"],
  });
  const failureRound2: Entry = {
    ...failureRound1,
    round: 2,
    ratings: ratings([0, 0, 1, 1, 3, 5, 10, 12, 8]),
    median: 7.5,
    agreePercent: 75,
    disagreePercent: 2.5,
    adopted: true,
    outcome: "in",
    grade: "majority",
    reasons: [],
  };
  const common: Pick<SetInput, "guideline" | "scale" | "rule" | "panel" | "retired"> = {
    guideline: { slug: "imt-cos", title: "IMT-COS", language: "en" },
    scale: { kind: "rating", points: 9, unable: true },
    rule: COMET,
    panel: { size: 40, disciplines: {} },
    retired: [],
  };
  const v1 = assembleSet({
    ...common,
    version: 1,
    publishedAt: "2026-02-01T09:00:00.000Z",
    rounds: [{ number: 1, eligible: 40, responded: 40, closedAt: "2026-01-31T00:00:00.000Z" }],
    decided: [survival, failureRound1, qualityOfLife, cost],
    previous: null,
  });
  const v2 = assembleSet({
    ...common,
    version: 2,
    publishedAt: "2026-03-01T09:00:00.000Z",
    rounds: [...v1.rounds, { number: 2, eligible: 40, responded: 40, closedAt: "2026-02-28T00:00:00.000Z" }],
    decided: [survival, failureRound2, qualityOfLife, cost],
    previous: v1,
  });

  test("a statement decided in round 2 changes verdict, grade, ratings and median, and takes number 2", () => {
    const comparison = compareSets(v1, v2);
    expect(comparison).toMatchObject({ added: [], revised: [], retired: [] });
    expect(comparison.changed).toEqual([
      {
        statementId: "ttf",
        number: { before: null, after: 2 },
        section: "Treatment",
        text: "Time to treatment failure",
        fields: ["adopted", "outcome", "grade", "round", "ratings", "median"],
        before: {
          round: 1,
          adopted: false,
          outcome: "none",
          grade: "none",
          ratings: { "1": 0, "2": 1, "3": 2, "4": 5, "5": 9, "6": 8, "7": 6, "8": 6, "9": 3, unable: 0 },
          median: 6,
          participants: 40,
          eligible: 40,
          agreePercent: 37.5,
          disagreePercent: 7.5,
        },
        after: {
          round: 2,
          adopted: true,
          outcome: "in",
          grade: "majority",
          ratings: { "1": 0, "2": 0, "3": 1, "4": 1, "5": 3, "6": 5, "7": 10, "8": 12, "9": 8, unable: 0 },
          median: 7.5,
          participants: 40,
          eligible: 40,
          agreePercent: 75,
          disagreePercent: 2.5,
        },
      },
    ]);
    expect(comparison.renumbered.map((r) => [r.statementId, r.number])).toEqual([
      ["ttf", { before: null, after: 2 }],
      ["qol", { before: 2, after: 3 }],
    ]);
  });

  test("one more participant, unable to score, changes the ratings, participants and eligible", () => {
    const later: RecommendationSet = {
      ...v1,
      notAdopted: v1.notAdopted.map((e) =>
        e.statementId === "cost" ? { ...e, participants: 41, eligible: 41, ratings: { ...e.ratings, unable: 1 } } : e,
      ),
    };
    expect(compareSets(v1, later).changed.map((c) => [c.statementId, c.fields])).toEqual([
      ["cost", ["ratings", "participants", "eligible"]],
    ]);
  });

  test("a statement moved from votes to ratings changes both counts", () => {
    const [survivalRated, ...others] = v1.recommendations;
    const { ratings: _ratings, median: _median, ...survivalVoted } = survivalRated!;
    const voted: RecommendationSet = {
      ...v1,
      recommendations: [{ ...survivalVoted, votes: { agree: 36, disagree: 0, abstain: 4 } }, ...others],
    };
    expect(compareSets(voted, v1).changed.map((c) => [c.statementId, c.fields])).toEqual([
      ["os", ["votes", "ratings", "median"]],
    ]);
  });
});
