import { and, eq, inArray, sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getDb, openDatabase, type DB } from "@db/client.server";
import { auditEvents, CHOICES, guidelines, memberships, roundResults, users, type Choice } from "@db/schema";
import { verifyAudit } from "~/server/audit-verify.server";
import { castBallots } from "~/server/ballots.server";
import { Refusal } from "~/server/errors.server";
import { translator } from "~/server/i18n.server";
import { closeRound } from "~/server/rounds.server";
import { ballotsOf, castVote, pairKey, votingPanel, type Panelist } from "../../scripts/faults";
import { DEMO_ACCOUNTS } from "../../scripts/seed-demo";
import { createRound } from "../support/factories";
import { guidelineWithPanel } from "../support/guideline";
import { startServer, type RunningServer } from "../support/server";

const NOT_OPEN = "No round of this guideline is open for voting.";

function refusalOf(run: () => unknown): Refusal {
  try {
    run();
  } catch (error) {
    if (error instanceof Refusal) return error;
    throw error;
  }
  throw new Error("Expected a refusal, but the ballot was accepted.");
}

type Tally = { agree: number; disagree: number; abstain: number };

function tallyOf(ballots: Map<string, Choice>, itemIds: string[]): Record<string, Tally> {
  const tallies = Object.fromEntries(itemIds.map((id) => [id, { agree: 0, disagree: 0, abstain: 0 }]));
  for (const [key, choice] of ballots) tallies[key.split(":")[1]!]![choice]++;
  return tallies;
}

function frozenResults(db: DB, itemIds: string[]): Record<string, Tally> {
  const rows = db
    .select({ id: roundResults.roundItemId, tally: roundResults.tally })
    .from(roundResults)
    .where(inArray(roundResults.roundItemId, itemIds))
    .all();
  return Object.fromEntries(rows.map(({ id, tally }) => [id, tally as Tally]));
}

/** The ballots table counted afresh, by item. */
function recount(db: DB, roundId: string): Record<string, Tally> {
  const rows = db.all<Tally & { id: string }>(sql`
    select i.id as id,
      coalesce(sum(b.choice = 'agree'), 0) as agree,
      coalesce(sum(b.choice = 'disagree'), 0) as disagree,
      coalesce(sum(b.choice = 'abstain'), 0) as abstain
    from round_items i left join ballots b on b.round_item_id = i.id
    where i.round_id = ${roundId}
    group by i.id`);
  return Object.fromEntries(rows.map(({ id, ...tally }) => [id, tally]));
}

/** The guideline's ballot audit events, and the id of its round.closed event. */
function ballotEvents(db: DB, guidelineId: string) {
  const events = db
    .select({ id: auditEvents.id, action: auditEvents.action })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.guidelineId, guidelineId),
        inArray(auditEvents.action, ["ballot.cast", "ballot.changed", "round.closed"]),
      ),
    )
    .all();
  return {
    ballots: events.filter((e) => e.action !== "round.closed"),
    closed: events.filter((e) => e.action === "round.closed"),
  };
}

describe("ballots racing the close of a round, over two connections to one file", () => {
  let second: DB;
  beforeAll(() => {
    second = openDatabase(process.env.DATABASE_PATH!);
    // This is about order, not durability (the fault test covers that): skip the fsync per commit.
    for (const connection of [getDb(), second]) connection.$client.pragma("synchronous = OFF");
  });
  afterAll(() => second.$client.close());

  test("every ballot acknowledged before the close is counted, every one after it is refused and writes nothing", async () => {
    const db = getDb();
    const op = fc.record({
      member: fc.nat({ max: 4 }),
      item: fc.nat({ max: 2 }),
      choice: fc.constantFrom(...CHOICES),
      onSecond: fc.boolean(),
    });
    const schedule = fc
      .array(op, { minLength: 1, maxLength: 40 })
      .chain((ops) => fc.record({ ops: fc.constant(ops), closeAt: fc.nat({ max: ops.length }), closeOnSecond: fc.boolean() }));

    await fc.assert(
      fc.asyncProperty(schedule, async ({ ops, closeAt, closeOnSecond }) => {
        // A guideline of its own per run, so a failed run (and shrinking) leaves no round open for the next.
        const g = await guidelineWithPanel(db, { panelSize: 5, statements: ["First", "Second", "Third"] });
        const guideline = db.select().from(guidelines).where(eq(guidelines.id, g.guideline.id)).get()!;
        const { round, items } = createRound(db, {
          guidelineId: guideline.id,
          number: 1,
          revisionIds: g.statements.map((s) => s.revision.id),
          status: "open",
        });
        const itemIds = items.map((i) => i.id);
        const close = () => closeRound(closeOnSecond ? second : db, { roundId: round.id, actorId: g.secretary.id });
        const acknowledged = new Map<string, Choice>();
        // Acknowledged ballots that changed something: a repeated choice is no audit event.
        let changes = 0;

        ops.forEach((ballot, index) => {
          if (index === closeAt) close();
          const membership = g.panel[ballot.member]!;
          const itemId = itemIds[ballot.item]!;
          const cast = () =>
            castBallots(ballot.onSecond ? second : db, {
              guideline,
              membership,
              ballots: [{ roundItemId: itemId, answer: ballot.choice, comment: null }],
            });
          if (index < closeAt) {
            expect(cast()).toMatchObject({ saved: 1, refused: [] });
            if (acknowledged.get(pairKey(membership.id, itemId)) !== ballot.choice) changes++;
            acknowledged.set(pairKey(membership.id, itemId), ballot.choice);
          } else {
            expect(refusalOf(cast)).toMatchObject({ status: 409, message: NOT_OPEN });
          }
        });
        if (closeAt === ops.length) close();

        // Read through the connection that did not close, as another process would.
        const reader = closeOnSecond ? db : second;
        expect(ballotsOf(reader, round.id)).toEqual(acknowledged);
        const frozen = frozenResults(reader, itemIds);
        expect(frozen).toEqual(tallyOf(acknowledged, itemIds));
        expect(Object.values(frozen).reduce((n, t) => n + t.agree + t.disagree + t.abstain, 0)).toBe(acknowledged.size);
        expect(recount(reader, round.id)).toEqual(frozen);
        const events = ballotEvents(reader, guideline.id);
        expect(events.ballots).toHaveLength(changes);
        expect(events.closed).toHaveLength(1);
        expect(events.ballots.every((e) => e.id < events.closed[0]!.id)).toBe(true);
        expect(verifyAudit(reader.$client, { slug: guideline.slug }).broken).toEqual([]);
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});

describe("ballots through the running server racing a close from another process", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.stop());

  type Sent = { panelist: Panelist; itemId: string; choice: Choice; sentAt: number; status: number; body: string };

  test("every 2xx is counted in the frozen results; every request sent after the close gets a 409 and writes nothing", async () => {
    const db = openDatabase(server.databasePath);
    try {
      const { guidelineId, roundId, items, panel } = await votingPanel(db);
      const secretary = db.select().from(users).where(eq(users.email, DEMO_ACCOUNTS.secretary)).get()!;
      const before = ballotsOf(db, roundId);
      const eventsBefore = ballotEvents(db, guidelineId).ballots.length;
      const sent: Sent[] = [];
      let closedAt = Infinity;
      let closeFailure: unknown = null;
      let closing: ReturnType<typeof setTimeout> | undefined;
      // Once the server is warm (20 ballots acknowledged), close at a random moment.
      const closeSoon = () => {
        if (sent.length < 20 || closing) return;
        closing = setTimeout(
          () => {
            try {
              closeRound(db, { roundId, actorId: secretary.id });
              closedAt = performance.now();
            } catch (error) {
              closeFailure = error;
            }
          },
          Math.floor(Math.random() * 300),
        );
      };

      // Each voter owns a slice of the panel and sends one request at a time, until refused twice:
      // its second refused request was sent after the close.
      const voters = 16;
      await Promise.all(
        Array.from({ length: voters }, async (_, v) => {
          const slice = panel.filter((_, i) => i % voters === v);
          for (let n = 0, refusals = 0; refusals < 2 && !closeFailure; n++) {
            const panelist = slice[n % slice.length]!;
            const itemId = items[n % items.length]!;
            const choice = CHOICES[(n + v) % CHOICES.length]!;
            const sentAt = performance.now();
            const response = await castVote(server.url, panelist, itemId, choice);
            sent.push({ panelist, itemId, choice, sentAt, status: response.status, body: await response.text() });
            if (response.ok) closeSoon();
            else refusals++;
          }
        }),
      );
      if (closeFailure) throw closeFailure;
      expect(closedAt).toBeLessThan(Infinity);

      // Each (member, item) is sent one request at a time, so `sent` holds its requests in order.
      const expected = new Map(before);
      let changes = 0;
      for (const s of sent.filter((s) => s.status === 200)) {
        const key = pairKey(s.panelist.membershipId, s.itemId);
        if (expected.get(key) !== s.choice) changes++;
        expected.set(key, s.choice);
      }
      const refused = sent.filter((s) => s.status !== 200);
      expect(refused).toHaveLength(2 * voters);
      // Each refusal in its panelist's language: the demo's expert 18 reads Chinese.
      const chinese = new Set(
        db
          .select({ id: memberships.id })
          .from(memberships)
          .innerJoin(users, eq(users.id, memberships.userId))
          .where(eq(users.locale, "zh"))
          .all()
          .map((m) => m.id),
      );
      for (const s of refused) {
        const message = chinese.has(s.panelist.membershipId) ? translator("zh", "errors")(NOT_OPEN) : NOT_OPEN;
        expect({ status: s.status, body: JSON.parse(s.body) as unknown }).toEqual({
          status: 409,
          body: { ok: false, formErrors: [message], fieldErrors: {}, drafts: { [s.itemId]: { choice: s.choice, comment: "" } } },
        });
      }
      expect(sent.filter((s) => s.sentAt > closedAt && s.status === 200)).toEqual([]);
      expect(sent.filter((s) => s.sentAt > closedAt).length).toBeGreaterThanOrEqual(voters);
      expect(sent.filter((s) => s.status === 200).length).toBeGreaterThanOrEqual(20);

      expect(ballotsOf(db, roundId)).toEqual(expected);
      const frozen = frozenResults(db, items);
      expect(frozen).toEqual(tallyOf(expected, items));
      expect(recount(db, roundId)).toEqual(frozen);
      expect(ballotEvents(db, guidelineId).ballots.length - eventsBefore).toBe(changes);
      // The server's ballots and this process's close were appended to one audit chain.
      expect(verifyAudit(db.$client).broken).toEqual([]);
    } finally {
      db.$client.close();
    }
  }, 60_000);
});
