import { readFileSync } from "node:fs";
import { and, asc, count, eq } from "drizzle-orm";
import { beforeAll, describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import { auditEvents, guidelines, roundItems, roundResults, rounds, statementRevisions, statements } from "@db/schema";
import { toCsv, type RecommendationSet } from "~/consensus/recommendation-set";
import { ImportRefused, importRecord } from "~/server/imports.server";
import { findPublished, publish } from "~/server/publications.server";
import { Refusal } from "~/server/errors.server";
import { frozenResults } from "~/server/results.server";
import { findRoundByNumber } from "~/server/rounds.server";
import { runCli } from "../support/cli";
import { expectValidSet } from "../support/schema";

const FIXTURE = readFileSync("fixtures/imt-2025-table1.json", "utf8");
const fixture = JSON.parse(FIXTURE);
const IMPORTED_AT = new Date("2026-01-10T12:00:00.000Z");

function rowCounts() {
  const tables = { guidelines, statements, statementRevisions, rounds, roundItems, roundResults, auditEvents };
  return Object.fromEntries(
    Object.entries(tables).map(([name, table]) => [name, getDb().select({ n: count() }).from(table).get()!.n]),
  );
}

function guidelineId(slug: string): string {
  return getDb().select().from(guidelines).where(eq(guidelines.slug, slug)).get()!.id;
}

const numbers = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

const votes = (agree: number, disagree: number, abstain: number) => ({ agree, disagree, abstain });

describe("importing the IMT consensus record", () => {
  let set: RecommendationSet;
  beforeAll(() => {
    const imported = importRecord(getDb(), { text: FIXTURE, actorId: null, now: IMPORTED_AT });
    expect(imported).toEqual({ slug: "imt-consensus", warnings: [] });
    set = publish(getDb(), { slug: "imt-consensus", actorId: null, now: new Date("2026-03-01T09:30:00.000Z") }).set;
    expectValidSet(set);
  });

  test("reproduces Table 1 exactly when published", () => {
    const items = fixture.rounds[0].items;
    expect(set.recommendations).toHaveLength(9);
    set.recommendations.forEach((recommendation, i) => {
      expect(recommendation).toMatchObject({
        number: i + 1,
        revision: 1,
        round: 1,
        section: items[i].section,
        text: items[i].text,
        votes: items[i].votes,
        participants: 31,
        adopted: true,
        reasons: [],
      });
    });
    expect(set.recommendations[7]).toMatchObject({ agreePercent: 54.8, disagreePercent: 0 });
    expect(set.notAdopted).toEqual([]);
    expect(set.rounds).toEqual([{ number: 1, eligible: 31, responded: 31, closedAt: "2025-02-16T00:00:00.000Z" }]);
    expect(set.panel).toEqual({ size: 31, disciplines: fixture.panel.disciplines });
    expect(set.rule).toEqual(fixture.rule);
    expect(set.ruleText).toBe(fixture.ruleText);
    expect(set.guideline).toEqual({
      slug: "imt-consensus",
      title: fixture.guideline.title,
      language: "en",
      registration: "PREPARE-2024CN902",
      source: fixture.guideline.source,
    });
  });

  test("stores closed import rounds that the CLI exports byte for byte", () => {
    const db = getDb();
    const id = guidelineId("imt-consensus");
    const [round] = db.select().from(rounds).where(eq(rounds.guidelineId, id)).all();
    expect(round).toMatchObject({
      number: 1,
      status: "closed",
      origin: "import",
      openedAt: null,
      panelSize: 31,
      scaleSnapshot: { kind: "agreement" },
    });
    expect(db.select().from(guidelines).where(eq(guidelines.id, id)).get()!.scale).toEqual({ kind: "agreement" });
    expect(round!.closedAt?.toISOString()).toBe("2025-02-16T00:00:00.000Z");
    expect(round!.panelSnapshot).toEqual({ members: [], disciplines: fixture.panel.disciplines });
    const rows = db.select().from(statements).where(eq(statements.guidelineId, id)).orderBy(asc(statements.position)).all();
    expect(rows.map((s) => [s.position, s.status])).toEqual(numbers(9).map((n) => [n, "adopted"]));
    const audit = db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.guidelineId, id), eq(auditEvents.action, "guideline.imported")))
      .get();
    expect(audit).toMatchObject({ details: { rounds: 1, statements: 9, warnings: 0 } });
    expect(audit!.createdAt.toISOString()).toBe(IMPORTED_AT.toISOString());

    const published = findPublished(db, { slug: "imt-consensus", version: 1 })!;
    const json = runCli(["export", "imt-consensus"]);
    expect(json.status).toBe(0);
    expect(json.stdout).toBe(published.body);
    const csv = runCli(["export", "imt-consensus", "--format", "csv"]);
    expect(csv.stdout).toBe(toCsv(JSON.parse(published.body) as RecommendationSet));
  });
});

/** Two rounds: alpha fails on opposition, is reworded and passes; beta is only in round 1. */
const twoRounds = {
  format: "consensus-record/1",
  guideline: { slug: "two-rounds", title: "A two-round consensus", language: "zh-CN" },
  rule: { agreeAtLeast: 50, disagreeBelow: 20, denominator: "participants" },
  panel: { size: 20, disciplines: { Pathology: 12, Radiology: 8 } },
  rounds: [
    {
      number: 1,
      closedAt: "2025-01-10",
      panelSize: 20,
      items: [
        { number: 1, statement: "alpha", section: "Diagnosis", text: "Alpha, first wording", votes: votes(12, 6, 2) },
        { number: 2, text: "Beta", section: "Imaging", votes: votes(15, 1, 4) },
        { number: 3, statement: "gamma", text: "Gamma", eligible: 18, votes: votes(10, 0, 5) },
      ],
    },
    {
      number: 2,
      closedAt: "2025-03-01T10:00:00+01:00",
      panelSize: 20,
      items: [
        { number: 1, statement: "gamma", section: "Treatment", text: "Gamma", eligible: 18, votes: votes(9, 4, 5) },
        { number: 2, statement: "alpha", text: "Alpha, reworded", votes: votes(16, 2, 2), publishedVerdict: "adopted" },
        { number: 3, text: "Delta", votes: votes(5, 2, 13) },
      ],
    },
  ],
};

describe("importing a record of several rounds", () => {
  let set: RecommendationSet;
  beforeAll(() => {
    const imported = importRecord(getDb(), { text: JSON.stringify(twoRounds), actorId: null, now: IMPORTED_AT });
    expect(imported).toEqual({ slug: "two-rounds", warnings: [] });
    set = publish(getDb(), { slug: "two-rounds", actorId: null, now: IMPORTED_AT }).set;
    expectValidSet(set);
  });

  test("links reworded statements and lets the latest round decide", () => {
    expect(set.recommendations).toEqual([
      expect.objectContaining({
        number: 1,
        section: "Diagnosis",
        text: "Alpha, reworded",
        revision: 2,
        round: 2,
        votes: votes(16, 2, 2),
      }),
      expect.objectContaining({ number: 2, section: "Imaging", text: "Beta", revision: 1, round: 1, votes: votes(15, 1, 4) }),
    ]);
    expect(set.notAdopted).toEqual([
      expect.objectContaining({
        section: "Treatment",
        text: "Gamma",
        revision: 1,
        round: 2,
        eligible: 18,
        reasons: ["opposition"],
      }),
      expect.objectContaining({ section: "", text: "Delta", revision: 1, round: 2, reasons: ["agreement"] }),
    ]);
    expect(set.notAdopted[0]).not.toHaveProperty("number");
    expect(set.guideline.language).toBe("zh-CN");
    expect(set.rounds).toEqual([
      { number: 1, eligible: 20, responded: 20, closedAt: "2025-01-10T00:00:00.000Z" },
      { number: 2, eligible: 20, responded: 20, closedAt: "2025-03-01T09:00:00.000Z" },
    ]);
    expect(set.panel).toEqual({ size: 20, disciplines: { Pathology: 12, Radiology: 8 } });
  });

  test("keeps each round's verdicts and one revision per wording", () => {
    const db = getDb();
    const id = guidelineId("two-rounds");
    const history = db
      .select({
        position: statements.position,
        status: statements.status,
        revision: statementRevisions.revision,
        round: rounds.number,
        eligible: roundItems.eligible,
        resultEligible: roundResults.eligible,
        adopted: roundResults.adopted,
        verdict: roundResults.verdict,
      })
      .from(statements)
      .innerJoin(statementRevisions, eq(statementRevisions.statementId, statements.id))
      .innerJoin(roundItems, eq(roundItems.revisionId, statementRevisions.id))
      .innerJoin(rounds, eq(rounds.id, roundItems.roundId))
      .innerJoin(roundResults, eq(roundResults.roundItemId, roundItems.id))
      .where(eq(statements.guidelineId, id))
      .orderBy(asc(statements.position), asc(rounds.number))
      .all()
      .map(({ verdict, ...row }) => ({ ...row, reasons: (verdict as { reasons: string[] }).reasons }));
    expect(history).toEqual([
      {
        position: 1,
        status: "adopted",
        revision: 1,
        round: 1,
        eligible: null,
        resultEligible: 20,
        adopted: false,
        reasons: ["opposition"],
      },
      { position: 1, status: "adopted", revision: 2, round: 2, eligible: null, resultEligible: 20, adopted: true, reasons: [] },
      { position: 2, status: "adopted", revision: 1, round: 1, eligible: null, resultEligible: 20, adopted: true, reasons: [] },
      { position: 3, status: "not_adopted", revision: 1, round: 1, eligible: 18, resultEligible: 18, adopted: true, reasons: [] },
      {
        position: 3,
        status: "not_adopted",
        revision: 1,
        round: 2,
        eligible: 18,
        resultEligible: 18,
        adopted: false,
        reasons: ["opposition"],
      },
      {
        position: 4,
        status: "not_adopted",
        revision: 1,
        round: 2,
        eligible: null,
        resultEligible: 20,
        adopted: false,
        reasons: ["agreement"],
      },
    ]);
    const revisionCount = db
      .select({ id: statementRevisions.id })
      .from(statementRevisions)
      .innerJoin(statements, eq(statements.id, statementRevisions.statementId))
      .where(eq(statements.guidelineId, id))
      .all().length;
    expect(revisionCount).toBe(5);
  });

  test("each revision keeps the section its round voted it under; the latest decides the published one", () => {
    const record = {
      ...twoRounds,
      guideline: { slug: "moved-sections", title: "Moved sections" },
      rounds: [
        {
          number: 1,
          panelSize: 20,
          items: [{ number: 1, statement: "alpha", section: "Diagnosis", text: "Alpha", votes: votes(8, 8, 4) }],
        },
        {
          number: 2,
          panelSize: 20,
          items: [{ number: 1, statement: "alpha", section: "Work-up", text: "Alpha, reworded", votes: votes(16, 2, 2) }],
        },
      ],
    };
    importRecord(getDb(), { text: JSON.stringify(record), actorId: null });
    const id = guidelineId("moved-sections");
    const revisions = getDb()
      .select({ revision: statementRevisions.revision, section: statementRevisions.section, text: statementRevisions.text })
      .from(statementRevisions)
      .innerJoin(statements, eq(statements.id, statementRevisions.statementId))
      .where(eq(statements.guidelineId, id))
      .orderBy(asc(statementRevisions.revision))
      .all();
    expect(revisions).toEqual([
      { revision: 1, section: "Diagnosis", text: "Alpha" },
      { revision: 2, section: "Work-up", text: "Alpha, reworded" },
    ]);
    const roundOne = findRoundByNumber(getDb(), { guidelineId: id, number: 1 });
    expect(frozenResults(getDb(), roundOne).items.map((item) => [item.section, item.text])).toEqual([["Diagnosis", "Alpha"]]);
    const { set } = publish(getDb(), { slug: "moved-sections", actorId: null });
    expect(set.recommendations).toEqual([expect.objectContaining({ section: "Work-up", text: "Alpha, reworded", revision: 2 })]);
  });

  test("an item's eligible count is the denominator under a panel rule", () => {
    const record = {
      ...twoRounds,
      guideline: { slug: "panel-rule", title: "Panel rule" },
      rule: { agreeAtLeast: 50, denominator: "panel" },
      rounds: [
        {
          number: 1,
          panelSize: 20,
          items: [
            { number: 1, text: "Nine of twenty", votes: votes(9, 0, 0) },
            { number: 2, text: "Nine of eighteen", eligible: 18, votes: votes(9, 0, 0) },
          ],
        },
      ],
    };
    importRecord(getDb(), { text: JSON.stringify(record), actorId: null });
    const { set } = publish(getDb(), { slug: "panel-rule", actorId: null });
    expect(set.recommendations).toEqual([expect.objectContaining({ number: 1, text: "Nine of eighteen", agreePercent: 50 })]);
    expect(set.notAdopted).toEqual([
      expect.objectContaining({ text: "Nine of twenty", agreePercent: 45, reasons: ["agreement"] }),
    ]);
  });
});

describe("refusals", () => {
  test("an invalid record is refused whole, with every problem, and nothing is written", () => {
    const bad = structuredClone(fixture);
    bad.guideline.slug = "bad-record";
    bad.rounds[0].items[0].votes.agree = -1;
    bad.rounds[0].items[8].text = "";
    bad.rounds[0].extra = true;
    const before = rowCounts();
    let refusal: unknown;
    try {
      importRecord(getDb(), { text: JSON.stringify(bad), actorId: null });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ImportRefused);
    expect(refusal).toBeInstanceOf(Refusal);
    expect(refusal).toMatchObject({
      status: 422,
      message: "The consensus record has 2 problems: nothing was imported.",
      problems: [
        { path: "rounds[0].items[0].votes.agree", message: expect.stringContaining("got -1") },
        { path: "rounds[0].items[8].text", message: "must not be empty" },
      ],
      warnings: ['Ignored unknown field "rounds[0].extra"'],
    });
    expect(rowCounts()).toEqual(before);
  });

  test("control characters in its texts refuse a record whole, each listed by path, and nothing is written", () => {
    const bad = structuredClone(fixture);
    bad.guideline.slug = "control-characters";
    bad.guideline.title = "Consensus\u0000";
    bad.panel.disciplines["Radiology\u0007"] = 2;
    bad.rounds[0].items[4].text = "A lone\rcarriage return";
    bad.rounds[0].items[5].section = "Sur\u001Fgery";
    const before = rowCounts();
    let refusal: unknown;
    try {
      importRecord(getDb(), { text: JSON.stringify(bad), actorId: null });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ImportRefused);
    expect(refusal).toMatchObject({
      status: 422,
      message: "The consensus record has 4 problems: nothing was imported.",
      problems: [
        {
          path: "guideline.title",
          message: "contains a control character (U+0000 at character 10): only tab and line break are allowed",
        },
        {
          path: 'panel.disciplines["Radiology\\u0007"]',
          message:
            "is not a discipline name: it contains a control character (U+0007 at character 10): only tab and line break are allowed",
        },
        {
          path: "rounds[0].items[4].text",
          message: "contains a control character (U+000D at character 7): only tab and line break are allowed",
        },
        {
          path: "rounds[0].items[5].section",
          message: "contains a control character (U+001F at character 4): only tab and line break are allowed",
        },
      ],
    });
    expect(rowCounts()).toEqual(before);
    expect(getDb().select().from(guidelines).where(eq(guidelines.slug, "control-characters")).get()).toBeUndefined();
  });

  test("CRLF line breaks are stored as line feeds; bidirectional controls are kept, with a warning", () => {
    const record = structuredClone(fixture);
    record.guideline.slug = "imt-line-breaks";
    record.rounds[0].items[0].text = "Imaging findings\r\nof IMT";
    record.rounds[0].items[1].section = "\u202EPathology\u202C";
    const { warnings } = importRecord(getDb(), { text: JSON.stringify(record), actorId: null });
    expect(warnings).toEqual([
      "rounds[0].items[1].section: a bidirectional control character (U+202E at character 1) can make it display in another order than stored",
    ]);
    const { set } = publish(getDb(), { slug: "imt-line-breaks", actorId: null });
    expect(set.recommendations.slice(0, 2).map((r) => [r.section, r.text])).toEqual([
      ["Imaging", "Imaging findings\nof IMT"],
      ["\u202EPathology\u202C", fixture.rounds[0].items[1].text],
    ]);
  });

  test("an existing slug is refused with a conflict and nothing is written", () => {
    const first = { ...twoRounds, guideline: { slug: "taken", title: "The first consensus" } };
    importRecord(getDb(), { text: JSON.stringify(first), actorId: null });
    const before = rowCounts();
    const second = { ...structuredClone(fixture), guideline: { slug: "taken", title: "Another consensus" } };
    expect(() => importRecord(getDb(), { text: JSON.stringify(second), actorId: null })).toThrow(
      expect.objectContaining({ status: 409, message: expect.stringContaining('"taken" already exists') }),
    );
    expect(rowCounts()).toEqual(before);
  });

  test("a publishedVerdict the rule contradicts is imported with a warning, the rule's verdict kept", () => {
    const record = structuredClone(fixture);
    record.guideline.slug = "imt-mismatch";
    record.rounds[0].items[7].publishedVerdict = "not adopted";
    const { warnings } = importRecord(getDb(), { text: JSON.stringify(record), actorId: null });
    expect(warnings).toEqual([
      expect.stringMatching(/^rounds\[0\]\.items\[7\]: the file says "not adopted", the rule gives "adopted"/),
    ]);
    const { set } = publish(getDb(), { slug: "imt-mismatch", actorId: null });
    expect(set.recommendations[7]).toMatchObject({ number: 8, adopted: true });
    const audit = getDb()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.guidelineId, guidelineId("imt-mismatch")), eq(auditEvents.action, "guideline.imported")))
      .get();
    expect(audit?.details).toEqual({ rounds: 1, statements: 9, warnings: 1 });
  });
});
