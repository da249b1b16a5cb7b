import { eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import { auditEvents, roundResults, rounds } from "@db/schema";
import { loader as overviewLoader } from "~/routes/g.$slug._index/route";
import { closeOverdueRounds } from "~/server/rounds.server";
import { createRound } from "../support/factories";
import { digest } from "../support/matrix";
import { guidelineWithPanel } from "../support/guideline";
import { cookieFor, getRequest, respond } from "../support/requests";

const HOUR = 3_600_000;
const opened = new Date("2026-03-01T09:00:00Z");

/** A guideline whose round 1 opened at `opened` and closes `hours` later. */
async function openRound(hours: number) {
  const db = getDb();
  const g = await guidelineWithPanel(db, { panelSize: 2, statements: ["One"] });
  const { round } = createRound(db, {
    guidelineId: g.guideline.id,
    number: 1,
    revisionIds: [g.statements[0]!.revision.id],
    status: "open",
    openedAt: opened,
    closesAt: new Date(opened.getTime() + hours * HOUR),
  });
  return { db, ...g, round };
}

const statusOf = (id: string) => getDb().select({ status: rounds.status }).from(rounds).where(eq(rounds.id, id)).get()!.status;

describe("rounds close themselves at their deadline", () => {
  test("closes every open round whose deadline has passed, freezing its results, and leaves the others", async () => {
    const overdue = await openRound(24);
    const exactlyDue = await openRound(48);
    const future = await openRound(72);
    const now = new Date(opened.getTime() + 48 * HOUR);

    const closed = closeOverdueRounds(getDb(), now);
    expect(closed).toEqual(expect.arrayContaining([overdue.round.id, exactlyDue.round.id]));
    expect(closed).not.toContain(future.round.id);
    expect(statusOf(overdue.round.id)).toBe("closed");
    expect(statusOf(future.round.id)).toBe("open");

    const round = getDb().select().from(rounds).where(eq(rounds.id, overdue.round.id)).get()!;
    expect(round.closedAt).toEqual(now);
    expect(
      getDb()
        .select()
        .from(roundResults)
        .all()
        .some((r) => r.eligible === 2),
    ).toBe(true);
    const event = getDb()
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.guidelineId, overdue.guideline.id))
      .all()
      .find((e) => e.action === "round.closed")!;
    expect(event).toMatchObject({ actorId: null, details: { round: 1, items: 1, adopted: 0, auto: true }, createdAt: now });

    // Nothing is left to close: a second run does nothing.
    expect(closeOverdueRounds(getDb(), now)).toEqual([]);
  });

  test("can be limited to one guideline", async () => {
    const mine = await openRound(1);
    const theirs = await openRound(1);
    const later = new Date(opened.getTime() + 2 * HOUR);
    expect(closeOverdueRounds(getDb(), later, { guidelineId: mine.guideline.id })).toEqual([mine.round.id]);
    expect(statusOf(theirs.round.id)).toBe("open");
    closeOverdueRounds(getDb(), later);
    expect(statusOf(theirs.round.id)).toBe("closed");
  });

  test("leaves draft rounds and rounds without a deadline alone", async () => {
    const db = getDb();
    const g = await guidelineWithPanel(db, { panelSize: 1, statements: ["Open, no deadline", "Draft"] });
    const { round: open } = createRound(db, {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: [g.statements[0]!.revision.id],
      status: "open",
    });
    const { round: draft } = createRound(db, {
      guidelineId: g.guideline.id,
      number: 2,
      revisionIds: [g.statements[1]!.revision.id],
    });
    db.update(rounds)
      .set({ closesAt: new Date("2000-01-01T00:00:00Z") })
      .where(eq(rounds.id, draft.id))
      .run();
    expect(closeOverdueRounds(db, new Date("2100-01-01T00:00:00Z"), { guidelineId: g.guideline.id })).toEqual([]);
    expect(statusOf(open.id)).toBe("open");
    expect(statusOf(draft.id)).toBe("draft");
  });

  test("a page never writes: an overdue round stays for the server's tick or the next action to close", async () => {
    const w = await openRound(1);
    const cookie = await cookieFor(w.secretary.id);
    const before = digest(getDb());
    const response = await respond(() =>
      overviewLoader({
        request: getRequest(`/g/${w.guideline.slug}`, { cookie }),
        params: { slug: w.guideline.slug },
        context: {},
      }),
    );
    expect(response.status).toBe(200);
    expect(statusOf(w.round.id)).toBe("open");
    expect(digest(getDb())).toEqual(before);
  });
});
