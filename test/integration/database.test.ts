import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import * as schema from "@db/schema";
import { ballots } from "@db/schema";
import { freezeLegacyVerdicts } from "~/server/results.server";
import { addMember, castBallot, createGuideline, createRound, createStatement, createUser } from "../support/factories";

describe("the database", () => {
  test("is migrated, durable and checks its foreign keys", () => {
    const sqlite = getDb().$client;
    const tables = sqlite
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like '\\_\\_%' escape '\\' and name not like 'sqlite%' order by name",
      )
      .pluck()
      .all();
    expect(tables).toEqual([
      "audit_events",
      "audit_heads",
      "ballots",
      "guidelines",
      "invitations",
      "memberships",
      "outbox_mails",
      "password_resets",
      "recommendation_sets",
      "recusals",
      "reminder_schedules",
      "respondent_codes",
      "round_items",
      "round_recusals",
      "round_responses",
      "round_results",
      "rounds",
      "sessions",
      "statement_revisions",
      "statement_translations",
      "statements",
      "users",
    ]);
    expect(sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(sqlite.pragma("synchronous", { simple: true })).toBe(2); // FULL
    expect(sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(sqlite.pragma("busy_timeout", { simple: true })).toBe(5000);
  });

  test("keeps one ballot per round item and member, with a choice among the three", async () => {
    const db = getDb();
    const user = await createUser(db, { email: "p@example.org", name: "P" });
    const guideline = createGuideline(db, { slug: "unique-ballots", title: "Ballots" });
    const member = addMember(db, { guidelineId: guideline.id, userId: user.id, role: "panelist" });
    const { revision } = createStatement(db, { guidelineId: guideline.id, position: 1, text: "A statement" });
    const { items } = createRound(db, { guidelineId: guideline.id, number: 1, revisionIds: [revision.id], status: "open" });
    const item = items[0]!;

    castBallot(db, { roundItemId: item.id, membershipId: member.id, choice: "agree" });
    expect(() => castBallot(db, { roundItemId: item.id, membershipId: member.id, choice: "disagree" })).toThrow(
      /UNIQUE constraint failed: ballots.round_item_id, ballots.membership_id/,
    );
    expect(() =>
      db.$client
        .prepare(
          "insert into ballots (id, round_item_id, membership_id, choice, created_at, updated_at) values ('x', ?, ?, 'maybe', 0, 0)",
        )
        .run(item.id, member.id),
    ).toThrow(/CHECK constraint failed: ballots_choice/);
    expect(() => castBallot(db, { roundItemId: "no-such-item", membershipId: member.id, choice: "agree" })).toThrow(
      /FOREIGN KEY constraint failed/,
    );
    const rows = db.select().from(ballots).where(eq(ballots.roundItemId, item.id)).all();
    expect(rows.map((r) => r.choice)).toEqual(["agree"]);
  });

  test("refuses a malformed slug", () => {
    expect(() => createGuideline(getDb(), { slug: "Bad Slug", title: "x" })).toThrow(/guidelines_slug_format/);
    expect(() => createGuideline(getDb(), { slug: "-leading", title: "x" })).toThrow(/guidelines_slug_format/);
  });
});

/** A database migrated up to, not including, the migration tagged `tag`. */
function migratedBefore(tag: string): Database.Database {
  const dir = mkdtempSync(join(tmpdir(), "delphi-before-"));
  cpSync("db/migrations", join(dir, "migrations"), { recursive: true });
  const journal = join(dir, "migrations", "meta", "_journal.json");
  const parsed = JSON.parse(readFileSync(journal, "utf8")) as { entries: { tag: string }[] };
  writeFileSync(
    journal,
    JSON.stringify({
      ...parsed,
      entries: parsed.entries.slice(
        0,
        parsed.entries.findIndex((e) => e.tag === tag),
      ),
    }),
  );
  const sqlite = new Database(join(dir, "before.sqlite"));
  migrate(drizzle(sqlite), { migrationsFolder: join(dir, "migrations") });
  return sqlite;
}

describe("migrating the section onto revisions (0005)", () => {
  test("gives every revision, voted ones included, its statement's section, then freezes voted ones again", () => {
    const sqlite = migratedBefore("0005_revision_section");
    sqlite.exec(`
      insert into guidelines (id, slug, title, rule, created_at) values ('g', 'before-0005', 'Before', '{"agreeAtLeast":50}', 0);
      insert into statements (id, guideline_id, position, section, status, created_at) values ('s', 'g', 1, 'Radiotherapy', 'adopted', 0);
      insert into statement_revisions (id, statement_id, revision, text, created_at) values ('r1', 's', 1, 'Voted', 0);
      insert into statement_revisions (id, statement_id, revision, text, created_at) values ('r2', 's', 2, 'Draft', 0);
      insert into rounds (id, guideline_id, number, created_at) values ('round', 'g', 1, 0);
      insert into round_items (id, round_id, revision_id, position) values ('item', 'round', 'r1', 1);
      update rounds set status = 'open' where id = 'round';
      insert into round_results (round_item_id, agree, disagree, abstain, eligible, adopted, reasons) values ('item', 1, 0, 0, 1, 1, '[]');
      update rounds set status = 'closed' where id = 'round';
    `);
    migrate(drizzle(sqlite), { migrationsFolder: "db/migrations" });
    expect(sqlite.prepare("select id, section from statement_revisions order by revision").all()).toEqual([
      { id: "r1", section: "Radiotherapy" },
      { id: "r2", section: "Radiotherapy" },
    ]);
    expect(sqlite.prepare("select name from pragma_table_info('statements') where name = 'section'").all()).toEqual([]);
    expect(() => sqlite.prepare("update statement_revisions set section = 'Moved' where id = 'r1'").run()).toThrow(
      "a revision that went to a vote never changes; add a new revision",
    );
    sqlite.prepare("update statement_revisions set section = 'Moved' where id = 'r2'").run();
    expect(sqlite.prepare("select section from statement_revisions where id = 'r2'").pluck().get()).toBe("Moved");
    sqlite.close();
  });
});

describe("rating scales and frozen verdicts (0006)", () => {
  /** A closed agreement round in the format before 0006, two ballots and their frozen results. */
  function legacyRound(sqlite: Database.Database) {
    sqlite.exec(`
      insert into users (id, email, name, password_hash, created_at) values ('u1', 'a@b.org', 'A', 'x', 0), ('u2', 'c@d.org', 'C', 'x', 0);
      insert into guidelines (id, slug, title, rule, created_at) values ('g', 'before-0006', 'Before', '{"agreeAtLeast":50,"disagreeBelow":20}', 0);
      insert into memberships (id, guideline_id, user_id, role, discipline, created_at) values ('m1', 'g', 'u1', 'panelist', 'Pathology', 0), ('m2', 'g', 'u2', 'panelist', 'Radiology', 0);
      insert into statements (id, guideline_id, position, status, created_at) values ('s', 'g', 1, 'adopted', 0);
      insert into statement_revisions (id, statement_id, revision, text, section, created_at) values ('r1', 's', 1, 'Voted', 'Imaging', 0);
      insert into rounds (id, guideline_id, number, created_at) values ('round', 'g', 1, 0);
      insert into round_items (id, round_id, revision_id, position) values ('item', 'round', 'r1', 1);
      update rounds set status = 'open', panel_size = 2,
        panel_snapshot = '{"members":[{"membershipId":"m1","discipline":"Pathology"},{"membershipId":"m2","discipline":"Radiology"}],"disciplines":{}}',
        rule_snapshot = '{"agreeAtLeast":50,"disagreeBelow":20,"denominator":"participants"}' where id = 'round';
      insert into ballots (id, round_item_id, membership_id, choice, comment, created_at, updated_at) values
        ('b1', 'item', 'm1', 'agree', 'Fine', 0, 0), ('b2', 'item', 'm2', 'abstain', null, 0, 0);
      insert into round_results (round_item_id, agree, disagree, abstain, eligible, adopted, reasons, agree_percent, disagree_percent)
        values ('item', 1, 0, 1, 2, 1, '[]', 50, 0);
      update rounds set status = 'closed' where id = 'round';
    `);
  }

  test("keeps every ballot and result, freezes the legacy verdict once, and keeps every trigger", () => {
    const sqlite = migratedBefore("0006_scales");
    legacyRound(sqlite);
    migrate(drizzle(sqlite), { migrationsFolder: "db/migrations" });
    expect(sqlite.prepare("select id, choice, rating, comment from ballots order by id").all()).toEqual([
      { id: "b1", choice: "agree", rating: null, comment: "Fine" },
      { id: "b2", choice: "abstain", rating: null, comment: null },
    ]);
    expect(sqlite.prepare("select tally, groups, adopted, verdict from round_results").get()).toEqual({
      tally: '{"agree":1,"disagree":0,"abstain":1}',
      groups: null,
      adopted: 1,
      verdict: null,
    });
    expect(sqlite.prepare("select scale from guidelines").pluck().get()).toBe('{"kind":"agreement"}');

    const db = drizzle(sqlite, { schema });
    expect(freezeLegacyVerdicts(db)).toBe(1);
    expect(freezeLegacyVerdicts(db)).toBe(0);
    const verdict = JSON.parse(sqlite.prepare("select verdict from round_results").pluck().get() as string);
    expect(verdict).toMatchObject({
      outcome: "in",
      adopted: true,
      agreePercent: 50,
      disagreePercent: 0,
      grade: "none",
      participants: 2,
    });
    // Frozen now: the verdict never changes again, nor anything else of the result.
    expect(() => sqlite.prepare(`update round_results set verdict = '{}'`).run()).toThrow(/round results never change/);
    expect(() => sqlite.prepare("update round_results set adopted = 0").run()).toThrow(/round results never change/);
    expect(() => sqlite.prepare("delete from round_results").run()).toThrow(/round results never change/);
    expect(() => sqlite.prepare("update ballots set choice = 'disagree' where id = 'b1'").run()).toThrow(
      /only while its round is open/,
    );
    expect(() =>
      sqlite
        .prepare(
          "insert or replace into ballots (id, round_item_id, membership_id, choice, created_at, updated_at) values ('b1', 'item', 'm1', 'disagree', 0, 0)",
        )
        .run(),
    ).toThrow(/UNIQUE key taken by a ballot of a closed round/);
    expect(() =>
      sqlite
        .prepare(
          `insert or replace into round_results (round_item_id, eligible, tally, adopted, verdict) values ('item', 2, '{}', 0, '{}')`,
        )
        .run(),
    ).toThrow(/UNIQUE key taken by a round result/);
    sqlite.close();
  });

  test("a ballot is exactly one of a choice or a rating 1–10, and a new result needs its verdict", () => {
    const sqlite = migratedBefore("0006_scales");
    migrate(drizzle(sqlite), { migrationsFolder: "db/migrations" });
    sqlite.exec(`
      insert into users (id, email, name, password_hash, created_at) values ('u1', 'a@b.org', 'A', 'x', 0);
      insert into guidelines (id, slug, title, rule, created_at) values ('g', 'g', 'G', '{"agreeAtLeast":50}', 0);
      insert into memberships (id, guideline_id, user_id, role, created_at) values ('m1', 'g', 'u1', 'panelist', 0);
      insert into statements (id, guideline_id, position, created_at) values ('s', 'g', 1, 0);
      insert into statement_revisions (id, statement_id, revision, text, created_at) values ('r1', 's', 1, 'T', 0);
      insert into rounds (id, guideline_id, number, created_at) values ('round', 'g', 1, 0);
      insert into round_items (id, round_id, revision_id, position) values ('item', 'round', 'r1', 1);
      update rounds set status = 'open' where id = 'round';
    `);
    const ballot = (choice: string | null, rating: number | null) => () =>
      sqlite
        .prepare(
          "insert into ballots (id, round_item_id, membership_id, choice, rating, created_at, updated_at) values ('b', 'item', 'm1', ?, ?, 0, 0)",
        )
        .run(choice, rating);
    expect(ballot(null, null)).toThrow(/ballots_answer/);
    expect(ballot("agree", 7)).toThrow(/ballots_answer/);
    expect(ballot(null, 11)).toThrow(/ballots_answer/);
    expect(ballot("maybe", null)).toThrow(/ballots_choice/);
    expect(() =>
      sqlite
        .prepare(
          `insert into round_results (round_item_id, eligible, tally, adopted) values ('item', 1, '{"agree":0,"disagree":0,"abstain":0}', 0)`,
        )
        .run(),
    ).toThrow(/a result is frozen with its verdict/);
    ballot(null, 7)();
    expect(sqlite.prepare("select choice, rating from ballots").get()).toEqual({ choice: null, rating: 7 });
    sqlite.close();
  });
});

describe("analysis exports (0007)", () => {
  test("rounds closed before keep the recusals made before they closed, and their respondents get pseudonyms", () => {
    const sqlite = migratedBefore("0007_analysis_exports");
    sqlite.exec(`
      insert into users (id, email, name, password_hash, created_at) values ('u1', 'a@b.org', 'A', 'x', 0), ('u2', 'c@d.org', 'C', 'x', 0), ('u3', 'e@f.org', 'E', 'x', 0);
      insert into guidelines (id, slug, title, rule, created_at) values ('g', 'before-0007', 'Before', '{"agreeAtLeast":50}', 0);
      insert into memberships (id, guideline_id, user_id, role, created_at) values ('m1', 'g', 'u1', 'panelist', 0), ('m2', 'g', 'u2', 'panelist', 0), ('m3', 'g', 'u3', 'panelist', 0);
      insert into statements (id, guideline_id, position, status, created_at) values ('s', 'g', 1, 'adopted', 0);
      insert into statement_revisions (id, statement_id, revision, text, created_at) values ('r1', 's', 1, 'Voted', 0);
      insert into rounds (id, guideline_id, number, created_at) values ('round', 'g', 1, 0);
      insert into round_items (id, round_id, revision_id, position) values ('item', 'round', 'r1', 1);
      update rounds set status = 'open', panel_size = 3,
        panel_snapshot = '{"members":[{"membershipId":"m1","discipline":null},{"membershipId":"m2","discipline":null},{"membershipId":"m3","discipline":null}],"disciplines":{}}',
        rule_snapshot = '{"agreeAtLeast":50}' where id = 'round';
      insert into ballots (id, round_item_id, membership_id, choice, created_at, updated_at) values
        ('b1', 'item', 'm1', 'agree', 0, 0), ('b2', 'item', 'm2', 'agree', 0, 0);
      insert into recusals (membership_id, statement_id, reason, created_at) values ('m2', 's', 'before', 500), ('m3', 's', 'after', 2000);
      insert into round_results (round_item_id, eligible, tally, adopted, verdict) values ('item', 2, '{"agree":1,"disagree":0,"abstain":0}', 1, '{}');
      update rounds set status = 'closed', closed_at = 1000 where id = 'round';
    `);
    migrate(drizzle(sqlite), { migrationsFolder: "db/migrations" });
    expect(sqlite.prepare("select round_id, membership_id, statement_id from round_recusals").all()).toEqual([
      { round_id: "round", membership_id: "m2", statement_id: "s" },
    ]);
    const codes = sqlite.prepare("select membership_id, code from respondent_codes order by membership_id").all() as {
      membership_id: string;
      code: string;
    }[];
    expect(codes.map((c) => c.membership_id)).toEqual(["m1", "m2"]);
    for (const { code } of codes) expect(code).toMatch(/^R-[0-9A-F]{12}$/);
    expect(codes[0]!.code).not.toBe(codes[1]!.code);
    expect(() => sqlite.prepare("update respondent_codes set code = 'R-1'").run()).toThrow(/keeps their pseudonym/);
    expect(() => sqlite.prepare("delete from respondent_codes").run()).toThrow(/keeps their pseudonym/);
    expect(() => sqlite.prepare("insert into round_recusals values ('round', 'm3', 's')").run()).toThrow(/as it closes/);
    expect(() => sqlite.prepare("delete from round_recusals").run()).toThrow(/never changes/);
    sqlite.close();
  });
});
