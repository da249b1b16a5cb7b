import { eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import { ballots } from "@db/schema";
import { addMember, castBallot, createGuideline, createRound, createStatement, createUser } from "../support/factories";

describe("the database", () => {
  test("is migrated, durable and checks its foreign keys", () => {
    const sqlite = getDb().$client;
    const tables = sqlite
      .prepare("select name from sqlite_master where type = 'table' and name not like '\\_\\_%' escape '\\' and name not like 'sqlite%' order by name")
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
      "recommendation_sets",
      "recusals",
      "round_items",
      "round_results",
      "rounds",
      "sessions",
      "statement_revisions",
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
        .prepare("insert into ballots (id, round_item_id, membership_id, choice, created_at, updated_at) values ('x', ?, ?, 'maybe', 0, 0)")
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
