import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, asc, count, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, test } from "vitest";
import { getDb, openDatabase } from "@db/client.server";
import {
  auditEvents,
  ballots,
  guidelines,
  memberships,
  roundItems,
  rounds,
  statementRevisions,
  statements,
  users,
} from "@db/schema";
import { verifyAudit } from "~/server/audit-verify.server";
import { frozenResults } from "~/server/results.server";
import { verifyContentHash, type RecommendationSet } from "~/consensus/recommendation-set";
import { verifyLogin } from "~/server/auth.server";
import { findPublished } from "~/server/publications.server";
import record from "../../fixtures/imt-2025-table1.json";
import { COS_SLUG, DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_SLUG, rowsHeld, seedDemo } from "../../scripts/seed-demo";
import { runCli } from "../support/cli";
import { digest } from "../support/matrix";

beforeAll(async () => {
  expect(await seedDemo(getDb())).toEqual({ seeded: true });
});

function roundTallies(number: number) {
  return getDb()
    .select({
      position: roundItems.position,
      text: statementRevisions.text,
      section: statementRevisions.section,
      agree: sql<number>`sum(${ballots.choice} = 'agree')`,
      disagree: sql<number>`sum(${ballots.choice} = 'disagree')`,
      abstain: sql<number>`sum(${ballots.choice} = 'abstain')`,
    })
    .from(rounds)
    .innerJoin(guidelines, eq(guidelines.id, rounds.guidelineId))
    .innerJoin(roundItems, eq(roundItems.roundId, rounds.id))
    .innerJoin(statementRevisions, eq(statementRevisions.id, roundItems.revisionId))
    .innerJoin(statements, eq(statements.id, statementRevisions.statementId))
    .leftJoin(ballots, eq(ballots.roundItemId, roundItems.id))
    .where(and(eq(guidelines.slug, DEMO_SLUG), eq(rounds.number, number)))
    .groupBy(roundItems.id)
    .orderBy(asc(roundItems.position))
    .all();
}

describe("the IMT demo", () => {
  test("round 1's per-panelist ballots add up exactly to Table 1, statement by statement", () => {
    const expected = record.rounds[0]!.items.map((item) => ({
      position: item.number,
      text: item.text,
      section: item.section,
      ...item.votes,
    }));
    expect(roundTallies(1)).toEqual(expected);
  });

  test("round 1 is closed, with every statement adopted under the committee's rule", () => {
    const db = getDb();
    const round = db.select().from(rounds).where(eq(rounds.number, 1)).get()!;
    expect(round.status).toBe("closed");
    expect(round.ruleSnapshot).toEqual(record.rule);
    expect(round.panelSnapshot?.members).toHaveLength(31);
    const results = frozenResults(db, round).items;
    expect(results.map((r) => r.verdict.adopted)).toEqual(Array(9).fill(true));
    expect(results[7]).toMatchObject({
      tally: { agree: 17, disagree: 0, abstain: 14, eligible: 31 },
      verdict: { outcome: "in", adopted: true, agreePercent: 54.8, grade: "majority" },
    });
  });

  test("publishes version 1 from the real ballots, reproducing Table 1 exactly", () => {
    const published = findPublished(getDb(), { slug: DEMO_SLUG, version: "latest" })!;
    expect(published.version).toBe(1);
    const set = JSON.parse(published.body) as RecommendationSet;
    expect(verifyContentHash(set)).toBe(true);
    expect(set.recommendations.map((r) => ({ number: r.number, section: r.section, text: r.text, votes: r.votes }))).toEqual(
      record.rounds[0]!.items.map((item) => ({ number: item.number, section: item.section, text: item.text, votes: item.votes })),
    );
    expect(set.recommendations.every((r) => r.adopted && r.participants === 31)).toBe(true);
    expect(set.notAdopted).toEqual([]);
    expect(set.rule).toEqual(record.rule);
    expect(set.panel).toEqual({ size: 31, disciplines: record.panel.disciplines });
    expect(set.rounds).toEqual([{ number: 1, eligible: 31, responded: 31, closedAt: "2025-02-16T18:00:00.000Z" }]);
  });

  test("has 31 pseudonymous panelists in the fixture's disciplines", () => {
    const rows = getDb()
      .select({ discipline: memberships.discipline, n: count() })
      .from(memberships)
      .innerJoin(guidelines, eq(guidelines.id, memberships.guidelineId))
      .where(and(eq(memberships.role, "panelist"), eq(guidelines.slug, DEMO_SLUG)))
      .groupBy(memberships.discipline)
      .all();
    expect(Object.fromEntries(rows.map((r) => [r.discipline, r.n]))).toEqual(record.panel.disciplines);
    const names = getDb()
      .select({ name: users.name })
      .from(users)
      .where(sql`${users.email} like 'expert%'`)
      .all();
    expect(names.map((n) => n.name)).toContain("Expert 07");
  });

  test("opens round 2 with statement 8 re-worded and a new immunotherapy statement, expert 01 yet to vote", () => {
    const db = getDb();
    const round = db.select().from(rounds).where(eq(rounds.number, 2)).get()!;
    expect(round.status).toBe("open");
    expect(round.closesAt!.getTime()).toBeGreaterThan(Date.now());
    const items = roundTallies(2);
    expect(items.map((i) => i.section)).toEqual(["Chemotherapy", "Immunotherapy"]);
    expect(items[0]!.text).not.toBe(record.rounds[0]!.items[7]!.text);
    const expert01 = db
      .select({ n: count(ballots.id) })
      .from(ballots)
      .innerJoin(memberships, eq(memberships.id, ballots.membershipId))
      .innerJoin(users, eq(users.id, memberships.userId))
      .innerJoin(roundItems, eq(roundItems.id, ballots.roundItemId))
      .where(and(eq(users.email, DEMO_ACCOUNTS.panelist(1)), eq(roundItems.roundId, round.id)))
      .get()!;
    expect(expert01.n).toBe(0);
  });

  test("its audit log holds every event its statements, rounds, ballots and publication would have produced, in order", () => {
    const db = getDb();
    const guideline = db.select().from(guidelines).where(eq(guidelines.slug, DEMO_SLUG)).get()!;
    const events = db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.guidelineId, guideline.id))
      .orderBy(asc(auditEvents.seq))
      .all();
    expect(verifyAudit(db.$client, { slug: DEMO_SLUG }).broken).toEqual([]);
    // The chain reads as it happened: each event no earlier than the one before.
    const times = events.map((e) => e.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const secretary = db.select().from(users).where(eq(users.email, DEMO_ACCOUNTS.secretary)).get()!;
    const admin = db.select().from(users).where(eq(users.email, DEMO_ACCOUNTS.admin)).get()!;
    const actions = (action: string) => events.filter((e) => e.action === action);
    expect(actions("guideline.created").map((e) => e.actorId)).toEqual([admin.id]);
    expect(actions("statement.created").map((e) => e.details.statement)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(actions("statement.revised").map((e) => [e.details.statement, e.details.revision])).toEqual([[8, 2]]);
    expect(actions("round.created").map((e) => e.details)).toEqual([
      { round: 1, items: 9 },
      { round: 2, items: 2 },
    ]);
    expect(actions("round.opened").map((e) => [e.details.round, e.actorId])).toEqual([
      [1, secretary.id],
      [2, secretary.id],
    ]);
    expect(actions("round.closed").map((e) => [e.details, e.actorId])).toEqual([
      [{ round: 1, items: 9, adopted: 9 }, secretary.id],
    ]);
    expect(actions("version.published").map((e) => e.details.version)).toEqual([1]);

    // One ballot.cast per ballot, by its panelist, at the ballot's time, never with the choice.
    const cast = db
      .select({ userId: memberships.userId, round: rounds.number, item: roundItems.position, at: ballots.createdAt })
      .from(ballots)
      .innerJoin(memberships, eq(memberships.id, ballots.membershipId))
      .innerJoin(roundItems, eq(roundItems.id, ballots.roundItemId))
      .innerJoin(rounds, eq(rounds.id, roundItems.roundId))
      .where(eq(rounds.guidelineId, guideline.id))
      .all();
    const key = (e: { userId: string | null; round: unknown; item: unknown; at: Date }) =>
      `${e.userId} ${e.round}.${e.item} ${e.at.toISOString()}`;
    expect(cast).toHaveLength(31 * 9 + 12 * 2);
    expect(
      actions("ballot.cast")
        .map((e) => key({ userId: e.actorId, round: e.details.round, item: e.details.item, at: e.createdAt }))
        .sort(),
    ).toEqual(cast.map(key).sort());
    expect(actions("ballot.cast").every((e) => Object.keys(e.details).sort().join() === "item,round")).toBe(true);
    expect(events.filter((e) => e.action.startsWith("ballot.") && e.action !== "ballot.cast")).toEqual([]);
  });

  test("demo accounts log in with the demo password", async () => {
    expect((await verifyLogin(DEMO_ACCOUNTS.secretary, DEMO_PASSWORD))?.name).toBe("Demo Secretary");
    expect((await verifyLogin(DEMO_ACCOUNTS.panelist(31), DEMO_PASSWORD))?.name).toBe("Expert 31");
  });

  test("seeds only an empty database, and never in production", async () => {
    const before = digest(getDb());
    await expect(seedDemo(getDb())).rejects.toThrow(
      /^The database already holds data \(\d+ rows in \d+ tables: .*\)\. The demo seeds only an empty database/,
    );
    expect(digest(getDb())).toEqual(before);
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    try {
      await expect(seedDemo(getDb())).rejects.toThrow(/refuses to run with NODE_ENV=production/);
    } finally {
      process.env.NODE_ENV = previous;
    }
  });
});

describe("the demo seed never writes into a database in use", () => {
  test("one row in any table refuses it, from the CLI too, and nothing is written", () => {
    const dir = mkdtempSync(join(tmpdir(), "delphi-demo-"));
    const path = join(dir, "in-use.sqlite");
    const db = openDatabase(path);
    db.$client
      .prepare(
        "insert into outbox_mails (id, kind, \"to\", subject, body, created_at) values ('m1', 'note', 'a@b.org', 's', 'b', 0)",
      )
      .run();
    const before = digest(db);
    db.$client.close();
    const result = runCli(["demo:seed"], "", { DATABASE_PATH: path });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/already holds data \(1 rows in 1 tables: outbox_mails\)/);
    const after = openDatabase(path);
    expect(digest(after)).toEqual(before);
    after.$client.close();
  });

  test("it seeds in one transaction: a failure half-way leaves the database empty", async () => {
    const dir = mkdtempSync(join(tmpdir(), "delphi-demo-"));
    const db = openDatabase(join(dir, "empty.sqlite"));
    // Publishing comes late in the seed: make it fail there.
    db.$client.exec(
      "create temp trigger no_publish before insert on recommendation_sets begin select raise(abort, 'no publishing today'); end",
    );
    await expect(seedDemo(db)).rejects.toThrow(/no publishing today/);
    expect(rowsHeld(db)).toEqual({});
    db.$client.close();
  });
});

describe("the core-outcome-set demo", () => {
  test("40 participants in three stakeholder groups rate 1–9 under COMET's rule, required within every group", () => {
    const db = getDb();
    const guideline = db.select().from(guidelines).where(eq(guidelines.slug, COS_SLUG)).get()!;
    expect(guideline.scale).toEqual({
      kind: "rating",
      points: 9,
      unable: true,
      labels: { low: "not important", high: "critical" },
    });
    expect(guideline.rule).toMatchObject({
      family: "band",
      agreeBand: [7, 9],
      opposeBand: [1, 3],
      agreeAtLeast: 70,
      disagreeBelow: 15,
    });
    const groups = db
      .select({ group: memberships.stakeholderGroup, n: count() })
      .from(memberships)
      .where(and(eq(memberships.guidelineId, guideline.id), eq(memberships.role, "panelist")))
      .groupBy(memberships.stakeholderGroup)
      .all();
    expect(Object.fromEntries(groups.map((g) => [g.group, g.n]))).toEqual({ Clinicians: 18, Patients: 12, Researchers: 10 });
    expect(verifyAudit(db.$client, { slug: COS_SLUG }).broken).toEqual([]);
  });

  test("round 1 closed with consensus in, consensus out and undecided outcomes; round 2 open on the undecided", () => {
    const db = getDb();
    const guideline = db.select().from(guidelines).where(eq(guidelines.slug, COS_SLUG)).get()!;
    const [second, first] = db
      .select()
      .from(rounds)
      .where(eq(rounds.guidelineId, guideline.id))
      .orderBy(sql`${rounds.number} desc`)
      .all();
    const results = frozenResults(db, first!).items;
    // Every group where the rule fails is named, whether or not it fails overall too.
    const all = ["group:Clinicians", "group:Patients", "group:Researchers"];
    expect(results.map((r) => [r.verdict.outcome, r.verdict.reasons])).toEqual([
      ["in", []],
      ["in", []],
      ["none", ["agreement", ...all]],
      ["none", ["group:Researchers"]],
      ["out", ["agreement", "opposition", ...all]],
      ["none", ["agreement", "opposition", ...all]],
    ]);
    expect(results[0]!.verdict).toMatchObject({
      agreeCount: 36,
      denominator: 40,
      agreePercent: 90,
      grade: "consensus",
      median: 8,
    });
    expect(results[5]!.tally).toMatchObject({ unable: 5, eligible: 40 });
    expect(second).toMatchObject({ number: 2, status: "open" });
    const published = JSON.parse(findPublished(db, { slug: COS_SLUG, version: 1 })!.body) as RecommendationSet;
    expect(published.scale).toEqual(guideline.scale);
    expect(published.recommendations.map((r) => [r.text, r.ratings?.["9"], r.median, r.outcome, r.grade])).toEqual([
      ["Overall survival", 16, 8, "in", "consensus"],
      ["Objective response rate by RECIST 1.1", 9, 8, "in", "consensus"],
    ]);
    expect(published.recommendations[0]!.groups?.map((g) => [g.name, g.participants, g.outcome])).toEqual([
      ["Clinicians", 18, "in"],
      ["Patients", 12, "in"],
      ["Researchers", 10, "in"],
    ]);
  });
});
