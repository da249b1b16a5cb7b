import { eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import { recommendationSets, statements } from "@db/schema";
import { serializeSet, verifyContentHash, type RecommendationSet } from "~/consensus/recommendation-set";
import { Refusal } from "~/server/errors.server";
import { findPublished, listVersions, publish } from "~/server/publications.server";
import { closeRound } from "~/server/rounds.server";
import { runCli } from "../support/cli";
import { addRevision } from "../support/factories";
import { guidelineWithPanel, openRoundWithBallots, votes } from "../support/guideline";

async function editionOne() {
  const db = getDb();
  const g = await guidelineWithPanel(db, { panelSize: 5, statements: ["Imaging first", "Biopsy always", "Surgery first"] });
  const first = openRoundWithBallots(db, {
    guidelineId: g.guideline.id,
    number: 1,
    revisionIds: g.statements.map((s) => s.revision.id),
    panel: g.panel,
    votes: [votes(5, 5), votes(5, 2, 2, 1), votes(5, 4, 0, 1)],
  });
  closeRound(db, { roundId: first.round.id, actorId: g.secretary.id, now: new Date("2026-01-10T10:00:00Z") });
  return { db, g, first };
}

describe("publishing", () => {
  test("version 1 holds the adopted statements numbered in statement order and the rest with why", async () => {
    const { db, g } = await editionOne();
    const { version, set } = publish(db, {
      slug: g.guideline.slug,
      actorId: g.secretary.id,
      now: new Date("2026-01-11T09:30:00Z"),
    });
    expect(version).toBe(1);
    expect(set.recommendations.map((r) => [r.number, r.text, r.votes])).toEqual([
      [1, "Imaging first", { agree: 5, disagree: 0, abstain: 0 }],
      [2, "Surgery first", { agree: 4, disagree: 0, abstain: 1 }],
    ]);
    expect(set.notAdopted).toHaveLength(1);
    expect(set.notAdopted[0]).toMatchObject({
      text: "Biopsy always",
      adopted: false,
      reasons: ["agreement", "opposition"],
      agreePercent: 40,
      disagreePercent: 40,
      statementId: g.statements[1]!.statement.id,
    });
    expect(set.notAdopted[0]).not.toHaveProperty("number");
    expect(set.rounds).toEqual([{ number: 1, eligible: 5, responded: 5, closedAt: "2026-01-10T10:00:00.000Z" }]);
    expect(set.panel).toEqual({ size: 5, disciplines: { Radiology: 3, Pathology: 2 } });
    expect(set.publishedAt).toBe("2026-01-11T09:30:00.000Z");
    expect(set.changes).toEqual({
      previousVersion: null,
      added: g.statements.map((s) => ({ statementId: s.statement.id, revision: 1 })),
      revised: [],
      retired: [],
    });
    expect(verifyContentHash(set)).toBe(true);
    const stored = findPublished(db, { slug: g.guideline.slug, version: 1 })!;
    expect(stored.body).toBe(serializeSet(set));
    expect(stored.contentHash).toBe(set.contentHash);
  });

  test("a statement revised in a later round gives version 2, with the change listed and a new hash", async () => {
    const { db, g } = await editionOne();
    const v1 = publish(db, { slug: g.guideline.slug, actorId: null });
    const biopsy = g.statements[1]!;
    const reworded = addRevision(db, { statementId: biopsy.statement.id, revision: 2, text: "Biopsy when imaging is equivocal" });
    const second = openRoundWithBallots(db, {
      guidelineId: g.guideline.id,
      number: 2,
      revisionIds: [reworded.id],
      panel: g.panel,
      votes: [votes(5, 4, 0, 1)],
    });
    closeRound(db, { roundId: second.round.id, actorId: null });
    const v2 = publish(db, { slug: g.guideline.slug, actorId: null });

    expect(v2.version).toBe(2);
    expect(v2.contentHash).not.toBe(v1.contentHash);
    expect(v2.set.changes).toEqual({
      previousVersion: 1,
      added: [],
      revised: [{ statementId: biopsy.statement.id, revision: 2, previousRevision: 1 }],
      retired: [],
    });
    expect(v2.set.recommendations.map((r) => [r.number, r.text, r.round, r.revision])).toEqual([
      [1, "Imaging first", 1, 1],
      [2, "Biopsy when imaging is equivocal", 2, 2],
      [3, "Surgery first", 1, 1],
    ]);
    expect(v2.set.notAdopted).toEqual([]);
    expect(v2.set.rounds.map((r) => r.number)).toEqual([1, 2]);
    // Version 1 is served exactly as it was published.
    expect(findPublished(db, { slug: g.guideline.slug, version: 1 })!.body).toBe(serializeSet(v1.set));
    expect(findPublished(db, { slug: g.guideline.slug, version: "latest" })!.version).toBe(2);

    db.update(statements).set({ status: "retired" }).where(eq(statements.id, g.statements[2]!.statement.id)).run();
    const v3 = publish(db, { slug: g.guideline.slug, actorId: null });
    expect(v3.set.changes.retired).toEqual([{ statementId: g.statements[2]!.statement.id, previousRevision: 1 }]);
    expect(v3.set.recommendations.map((r) => r.text)).toEqual(["Imaging first", "Biopsy when imaging is equivocal"]);
    expect(listVersions(db, { slug: g.guideline.slug }).map((v) => v.version)).toEqual([1, 2, 3]);
  });

  test("refuses a guideline with no closed round, or nothing new, and writes nothing", async () => {
    const db = getDb();
    const g = await guidelineWithPanel(db, { panelSize: 2, statements: ["Draft only"] });
    expect(() => publish(db, { slug: g.guideline.slug, actorId: null })).toThrow(/has no closed round yet/);
    expect(() => publish(db, { slug: "nope", actorId: null })).toThrow(
      new Refusal('No guideline "{{slug}}".', 404, { slug: "nope" }),
    );

    const { g: other } = await editionOne();
    publish(db, { slug: other.guideline.slug, actorId: null });
    expect(() => publish(db, { slug: other.guideline.slug, actorId: null })).toThrow(/Nothing has changed since version 1/);
    expect(listVersions(db, { slug: other.guideline.slug })).toHaveLength(1);
  });

  test("the database refuses to change or delete a published set, or reuse its number", async () => {
    const { db, g } = await editionOne();
    publish(db, { slug: g.guideline.slug, actorId: null });
    const sqlite = db.$client;
    expect(() => sqlite.prepare("update recommendation_sets set body = '{}'").run()).toThrow(/never changes/);
    expect(() => sqlite.prepare("delete from recommendation_sets").run()).toThrow(/never changes/);
    const row = db.select().from(recommendationSets).where(eq(recommendationSets.guidelineId, g.guideline.id)).get()!;
    expect(() =>
      db
        .insert(recommendationSets)
        .values({ ...row, id: "again" })
        .run(),
    ).toThrow(/UNIQUE/);
  });

  test("cli: publish prints the version; export writes the stored bytes; errors exit non-zero", async () => {
    const { g } = await editionOne();
    const slug = g.guideline.slug;
    const published = runCli(["publish", slug]);
    expect(published.status).toBe(0);
    expect(published.stdout).toBe("1\n");

    const exported = runCli(["export", slug]);
    expect(exported.status).toBe(0);
    expect(exported.stdout).toBe(findPublished(getDb(), { slug, version: 1 })!.body);
    const set = JSON.parse(exported.stdout) as RecommendationSet;
    expect(set.version).toBe(1);

    const csv = runCli(["export", slug, "--version", "1", "--format", "csv"]);
    expect(csv.stdout.split("\r\n")).toEqual([
      "number,section,text,agree,disagree,abstain,adopted",
      "1,Section 1,Imaging first,5,0,0,true",
      "2,Section 3,Surgery first,4,0,1,true",
      ",Section 2,Biopsy always,2,2,1,false",
      "",
    ]);
    const md = runCli(["export", slug, "--format", "md"]);
    expect(md.stdout).toContain("| 2 | Section 3 | Surgery first | 1 | 5 | 4 | 0 | 1 |");
    expect(md.stdout).toContain("## Not adopted");

    for (const [args, message] of [
      [["export", slug, "--version", "7"], `"${slug}" has no version 7.`],
      [["export", slug, "--version", "x"], '--version: must be a version number (1, 2, …) or "latest", got "x"'],
      [["export", slug, "--format", "pdf"], '--format: must be one of json, csv, md, got "pdf"'],
      [["export", "unknown-slug"], '"unknown-slug" has no published version.'],
      [["publish", slug], "Nothing has changed since version 1"],
      [["publish", "unknown-slug"], 'No guideline "unknown-slug".'],
    ] as const) {
      const result = runCli([...args]);
      expect(result.status, args.join(" ")).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(message);
    }
  }, 90_000); // seven CLI processes, each starting tsx
});
