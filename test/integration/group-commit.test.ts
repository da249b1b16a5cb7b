import { AsyncLocalStorage } from "node:async_hooks";
import { count, eq } from "drizzle-orm";
import { afterEach, describe, expect, test } from "vitest";
import { getDb, openDatabase } from "@db/client.server";
import { auditEvents, ballots, statements } from "@db/schema";
import { action as voteAction } from "~/routes/g.$slug.vote/route";
import { commitTogether } from "~/server/group-commit.server";
import { createRound } from "../support/factories";
import { guidelineWithPanel } from "../support/guideline";
import { cookieFor, formRequest, respond } from "../support/requests";

const positionOf = (id: string) =>
  getDb().select({ position: statements.position }).from(statements).where(eq(statements.id, id)).get()!.position;

describe("group commit", () => {
  const db = getDb();
  const sqlite = db.$client;
  let other: ReturnType<typeof openDatabase> | undefined;
  afterEach(() => {
    other?.$client.close();
    other = undefined;
    sqlite.pragma("busy_timeout = 5000");
  });

  test("changes of one turn run in one transaction and settle only after its commit", async () => {
    const g = await guidelineWithPanel(db, { panelSize: 1, statements: ["A", "B", "C"] });
    other = openDatabase(process.env.DATABASE_PATH!);
    const seenByOthers: number[] = [];
    const positions = g.statements.map((s, i) =>
      commitTogether(db, () => {
        expect(sqlite.inTransaction).toBe(true);
        db.update(statements)
          .set({ position: 500 + i })
          .where(eq(statements.id, s.statement.id))
          .run();
        // Another connection sees none of the group before its commit.
        seenByOthers.push(other!.select({ n: count() }).from(statements).where(eq(statements.position, 500)).get()!.n);
        return 500 + i;
      }),
    );
    expect(await Promise.all(positions)).toEqual([500, 501, 502]);
    expect(seenByOthers).toEqual([0, 0, 0]);
    expect(g.statements.map((s) => positionOf(s.statement.id))).toEqual([500, 501, 502]);
  });

  test("a change that throws is rolled back alone and rejects alone", async () => {
    const g = await guidelineWithPanel(db, { panelSize: 1, statements: ["A", "B"] });
    const [a, b] = g.statements as [(typeof g.statements)[0], (typeof g.statements)[0]];
    const before = positionOf(b.statement.id);
    const results = await Promise.allSettled([
      commitTogether(db, () => db.update(statements).set({ position: 700 }).where(eq(statements.id, a.statement.id)).run()),
      commitTogether(db, () => {
        db.update(statements).set({ position: 701 }).where(eq(statements.id, b.statement.id)).run();
        throw new Error("refused");
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected"]);
    expect(positionOf(a.statement.id)).toBe(700);
    expect(positionOf(b.statement.id)).toBe(before);
  });

  test("when the group cannot commit, every change rejects and none is saved", async () => {
    const g = await guidelineWithPanel(db, { panelSize: 1, statements: ["A"] });
    const before = positionOf(g.statements[0]!.statement.id);
    other = openDatabase(process.env.DATABASE_PATH!);
    other.$client.exec("begin immediate");
    sqlite.pragma("busy_timeout = 20");
    const results = await Promise.allSettled(
      [1, 2].map((n) =>
        commitTogether(db, () =>
          db
            .update(statements)
            .set({ position: 800 + n })
            .where(eq(statements.id, g.statements[0]!.statement.id))
            .run(),
        ),
      ),
    );
    other.$client.exec("rollback");
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/locked|busy/i);
    expect(positionOf(g.statements[0]!.statement.id)).toBe(before);
  });

  test("each change runs in its caller's async context", async () => {
    const context = new AsyncLocalStorage<string>();
    const seen = await Promise.all(
      ["first", "second"].map((name) => context.run(name, () => commitTogether(db, () => context.getStore()))),
    );
    expect(seen).toEqual(["first", "second"]);
  });

  test("ballots sent together through the vote action: each answered for itself, all saved, one refused alone", async () => {
    const g = await guidelineWithPanel(db, { panelSize: 4, statements: ["One", "Two"] });
    const { items } = createRound(db, {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: g.statements.map((s) => s.revision.id),
      status: "open",
    });
    const slug = g.guideline.slug;
    const cookies = await Promise.all(g.panel.map((m) => cookieFor(m.userId)));
    const vote = (cookie: string, fields: Record<string, string>) =>
      respond(() => voteAction({ request: formRequest(`/g/${slug}/vote`, fields, { cookie }), params: { slug }, context: {} }));
    const answers = await Promise.all([
      vote(cookies[0]!, { intent: "item", [`choice.${items[0]!.id}`]: "agree" }),
      vote(cookies[1]!, { intent: "item", [`choice.${items[0]!.id}`]: "disagree" }),
      vote(cookies[2]!, { intent: "item", [`choice.${"nosuchitem"}`]: "agree" }),
      vote(cookies[3]!, { intent: "item", [`choice.${items[1]!.id}`]: "abstain" }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 404, 200]);
    const saved = db
      .select({ member: ballots.membershipId, item: ballots.roundItemId, choice: ballots.choice })
      .from(ballots)
      .all();
    expect(saved).toHaveLength(3);
    expect(new Set(saved.map((s) => `${s.member}:${s.item}:${s.choice}`))).toEqual(
      new Set([
        `${g.panel[0]!.id}:${items[0]!.id}:agree`,
        `${g.panel[1]!.id}:${items[0]!.id}:disagree`,
        `${g.panel[3]!.id}:${items[1]!.id}:abstain`,
      ]),
    );
    const ballotEvents = db
      .select({ action: auditEvents.action })
      .from(auditEvents)
      .where(eq(auditEvents.guidelineId, g.guideline.id))
      .all()
      .filter((e) => e.action.startsWith("ballot."));
    expect(ballotEvents).toHaveLength(3);
  });
});
