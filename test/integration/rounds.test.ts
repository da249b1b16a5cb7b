import { eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import { ballots, recusals, roundItems, roundResults, rounds, statementRevisions, statements, users } from "@db/schema";
import { Refusal } from "~/server/errors.server";
import { closeRound, openRound } from "~/server/rounds.server";
import { addRevision, castBallot, createRound } from "../support/factories";
import { guidelineWithPanel, openRoundWithBallots, votes } from "../support/guideline";

describe("closing a round", () => {
  test("counts the ballots in SQL and freezes each item's tally and verdict under the rule snapshot", async () => {
    const db = getDb();
    const g = await guidelineWithPanel(db, { panelSize: 5, statements: ["Adopted", "Opposed", "Too few agree"] });
    const { round, items } = openRoundWithBallots(db, {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: g.statements.map((s) => s.revision.id),
      panel: g.panel,
      votes: [votes(5, 4, 0, 1), votes(5, 4, 1), votes(5, 1, 0, 2)],
    });
    const { verdicts } = closeRound(db, { roundId: round.id, actorId: g.secretary.id });
    expect(verdicts.map((v) => [v.verdict.adopted, v.verdict.reasons])).toEqual([
      [true, []],
      // 1 of 5 is exactly 20%: fails "under 20%".
      [false, ["opposition"]],
      [false, ["agreement"]],
    ]);
    const stored = db.select().from(roundResults).all();
    expect(stored.find((r) => r.roundItemId === items[1]!.id)).toMatchObject({
      tally: { agree: 4, disagree: 1, abstain: 0 },
      eligible: 5,
      adopted: false,
      verdict: { outcome: "none", reasons: ["opposition"], agreePercent: 80, disagreePercent: 20, grade: "consensus" },
    });
    expect(stored.find((r) => r.roundItemId === items[2]!.id)).toMatchObject({
      tally: { agree: 1, abstain: 2 },
      verdict: { agreePercent: 33.3 },
    });
    const closed = db.select().from(rounds).where(eq(rounds.id, round.id)).get()!;
    expect(closed.status).toBe("closed");
    expect(closed.closedAt).toBeInstanceOf(Date);
    const statuses = db
      .select({ status: statements.status })
      .from(statements)
      .where(eq(statements.guidelineId, g.guideline.id))
      .all();
    expect(statuses.map((s) => s.status)).toEqual(["adopted", "not_adopted", "not_adopted"]);
  });

  test("a recused member's ballot is not counted and the member is not eligible for that statement", async () => {
    const db = getDb();
    const g = await guidelineWithPanel(db, {
      panelSize: 4,
      statements: ["Recusal"],
      rule: { agreeAtLeast: 75, denominator: "panel" },
    });
    const { round } = openRoundWithBallots(db, {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: [g.statements[0]!.revision.id],
      panel: g.panel,
      votes: [["agree", "agree", "agree", "disagree"]],
    });
    db.insert(recusals).values({ membershipId: g.panel[3]!.id, statementId: g.statements[0]!.statement.id, reason: "COI" }).run();
    closeRound(db, { roundId: round.id, actorId: null });
    const result = db.select().from(roundResults).all().at(-1)!;
    expect(result).toMatchObject({
      tally: { agree: 3, disagree: 0 },
      eligible: 3,
      adopted: true,
      verdict: { agreePercent: 100 },
    });
  });

  test("refuses to close a closed round or a draft, and changes nothing", async () => {
    const db = getDb();
    const g = await guidelineWithPanel(db, { panelSize: 2, statements: ["One", "Two"] });
    const { round } = openRoundWithBallots(db, {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: [g.statements[0]!.revision.id],
      panel: g.panel,
      votes: [votes(2, 2)],
    });
    const { round: closed } = closeRound(db, { roundId: round.id, actorId: null });
    expect(() => closeRound(db, { roundId: round.id, actorId: null })).toThrow(
      new Refusal("Round {{number}} is already closed.", 409, { number: 1 }),
    );
    expect(db.select().from(rounds).where(eq(rounds.id, round.id)).get()).toEqual(closed);

    const { round: draft } = createRound(db, {
      guidelineId: g.guideline.id,
      number: 2,
      revisionIds: [g.statements[1]!.revision.id],
    });
    expect(() => closeRound(db, { roundId: draft.id, actorId: null })).toThrow(/has not been opened/);
    expect(db.select().from(rounds).where(eq(rounds.id, draft.id)).get()!.status).toBe("draft");
  });

  test("opening snapshots the panel and the rule, and refuses an empty round", async () => {
    const db = getDb();
    const g = await guidelineWithPanel(db, { panelSize: 3, statements: ["One"] });
    const { round: empty } = createRound(db, { guidelineId: g.guideline.id, number: 1, revisionIds: [] });
    expect(() => openRound(db, { roundId: empty.id, actorId: null })).toThrow(/has no statements/);
    expect(db.select().from(rounds).where(eq(rounds.id, empty.id)).get()!.status).toBe("draft");

    const { round } = createRound(db, { guidelineId: g.guideline.id, number: 2, revisionIds: [g.statements[0]!.revision.id] });
    const opened = openRound(db, { roundId: round.id, actorId: null });
    expect(opened.panelSize).toBe(3);
    expect(opened.panelSnapshot?.disciplines).toEqual({ Radiology: 2, Pathology: 1 });
    expect(opened.ruleSnapshot).toEqual({ agreeAtLeast: 50, disagreeBelow: 20, denominator: "participants" });
  });
});

describe("the database keeps closed rounds and voted revisions as they were", () => {
  async function closedRound() {
    const db = getDb();
    const g = await guidelineWithPanel(db, { panelSize: 2, statements: ["Frozen"] });
    const { round, items } = openRoundWithBallots(db, {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: [g.statements[0]!.revision.id],
      panel: g.panel,
      votes: [["agree", null]],
    });
    closeRound(db, { roundId: round.id, actorId: null });
    return { db, g, round, item: items[0]! };
  }

  test("refuses every change to a closed round, its ballots and its results", async () => {
    const { db, g, round, item } = await closedRound();
    const sqlite = db.$client;
    const refusals: [string, unknown[]][] = [
      ["update rounds set closes_at = 1 where id = ?", [round.id]],
      ["update rounds set status = 'open' where id = ?", [round.id]],
      ["delete from rounds where id = ?", [round.id]],
      ["update ballots set choice = 'disagree' where round_item_id = ?", [item.id]],
      ["delete from ballots where round_item_id = ?", [item.id]],
      ["update round_results set tally = '{}' where round_item_id = ?", [item.id]],
      ["delete from round_results where round_item_id = ?", [item.id]],
      ["update round_items set position = 5 where id = ?", [item.id]],
      ["delete from round_items where id = ?", [item.id]],
      ["update statement_revisions set text = 'Edited' where id = ?", [g.statements[0]!.revision.id]],
    ];
    for (const [statement, params] of refusals) {
      expect(() => sqlite.prepare(statement).run(...params), statement).toThrow();
    }
    expect(() => castBallot(db, { roundItemId: item.id, membershipId: g.panel[1]!.id, choice: "agree" })).toThrow(
      /ballots are cast only while their round is open/,
    );
    expect(db.select().from(ballots).where(eq(ballots.roundItemId, item.id)).all()).toHaveLength(1);
    expect(db.select().from(roundResults).where(eq(roundResults.roundItemId, item.id)).get()).toMatchObject({
      tally: { agree: 1 },
    });
    expect(db.select().from(statementRevisions).where(eq(statementRevisions.id, g.statements[0]!.revision.id)).get()!.text).toBe(
      "Frozen",
    );
    // A new revision is the way to change a voted statement.
    expect(addRevision(db, { statementId: g.statements[0]!.statement.id, revision: 2, text: "Re-worded" }).revision).toBe(2);
  });

  test("items are locked once a round opens, and a round cannot skip or reverse a status", async () => {
    const db = getDb();
    const g = await guidelineWithPanel(db, { panelSize: 1, statements: ["A", "B"] });
    const { round } = createRound(db, {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: [g.statements[0]!.revision.id],
      status: "open",
    });
    expect(() =>
      db.insert(roundItems).values({ roundId: round.id, revisionId: g.statements[1]!.revision.id, position: 2 }).run(),
    ).toThrow(/items change only while their round is a draft/);
    expect(() => db.$client.prepare("update rounds set status = 'draft' where id = ?").run(round.id)).toThrow(
      /draft -> open -> closed/,
    );
    expect(() => db.$client.prepare("update rounds set status = 'closed' where id = ?").run(round.id)).toThrow(
      /a frozen result for every item/,
    );
    expect(() =>
      db.$client
        .prepare(
          "insert into rounds (id, guideline_id, number, status, origin, created_at) values ('r', ?, 9, 'closed', 'online', 0)",
        )
        .run(g.guideline.id),
    ).toThrow(/a round starts as a draft/);
  });
});

describe("opening a round", () => {
  test("fixes a panel of the panelists who can vote: a deactivated account is not asked", async () => {
    const db = getDb();
    const g = await guidelineWithPanel(db, { panelSize: 3, statements: ["Imaging first"] });
    db.update(users).set({ deactivatedAt: new Date() }).where(eq(users.id, g.panel[0]!.userId)).run();
    const { round } = createRound(db, { guidelineId: g.guideline.id, number: 1, revisionIds: [g.statements[0]!.revision.id] });
    openRound(db, { roundId: round.id, actorId: g.secretary.id });
    const opened = db.select().from(rounds).where(eq(rounds.id, round.id)).get()!;
    expect(opened.panelSnapshot!.members.map((m) => m.membershipId).sort()).toEqual([g.panel[1]!.id, g.panel[2]!.id].sort());
  });
});
