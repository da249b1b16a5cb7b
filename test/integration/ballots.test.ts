import { and, count, eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import { auditEvents, ballots, guidelines, recusals, roundResponses } from "@db/schema";
import { action as voteAction, loader as voteLoader } from "~/routes/g.$slug.vote/route";
import { loader as resultsLoader } from "~/routes/g.$slug.results.$number/route";
import { closeRound } from "~/server/rounds.server";
import { addMember, addRevision, createRound, createUser } from "../support/factories";
import { guidelineWithPanel, openRoundWithBallots } from "../support/guideline";
import { cookieFor, formRequest, getRequest, respond } from "../support/requests";

const ballotCount = () => getDb().select({ n: count() }).from(ballots).get()!.n;

async function openGuideline(options: { anonymity?: "anonymous" | "named" } = {}) {
  const db = getDb();
  const g = await guidelineWithPanel(db, { panelSize: 3, statements: ["First statement", "Second statement"] });
  if (options.anonymity)
    db.update(guidelines).set({ anonymity: options.anonymity }).where(eq(guidelines.id, g.guideline.id)).run();
  const { round, items } = createRound(db, {
    guidelineId: g.guideline.id,
    number: 1,
    revisionIds: g.statements.map((s) => s.revision.id),
    status: "open",
  });
  const users = g.panel.map((m) => m.userId);
  return { db, g, round, items, slug: g.guideline.slug, cookies: await Promise.all(users.map(cookieFor)) };
}

const vote = (slug: string, cookie: string, fields: Record<string, string>) =>
  respond(() => voteAction({ request: formRequest(`/g/${slug}/vote`, fields, { cookie }), params: { slug }, context: {} }));
const load = (slug: string, cookie: string) =>
  respond(() => voteLoader({ request: getRequest(`/g/${slug}/vote`, { cookie }), params: { slug }, context: {} }));

describe("casting ballots", () => {
  test("round_responses counts each member's ballots in the round as they are cast, changed and withdrawn", async () => {
    const { db, g, round, items, slug, cookies } = await openGuideline();
    const counted = () =>
      db
        .select({ member: roundResponses.membershipId, ballots: roundResponses.ballots })
        .from(roundResponses)
        .where(eq(roundResponses.roundId, round.id))
        .all()
        .sort((a, b) => a.member.localeCompare(b.member));
    const [first, second] = items as [(typeof items)[0], (typeof items)[0]];
    await vote(slug, cookies[0]!, { intent: "all", [`choice.${first.id}`]: "agree", [`choice.${second.id}`]: "agree" });
    await vote(slug, cookies[1]!, { intent: "item", [`choice.${first.id}`]: "disagree" });
    await vote(slug, cookies[1]!, { intent: "item", [`choice.${first.id}`]: "abstain" });
    expect(counted()).toEqual(
      [
        { member: g.panel[0]!.id, ballots: 2 },
        { member: g.panel[1]!.id, ballots: 1 },
      ].sort((a, b) => a.member.localeCompare(b.member)),
    );
    await vote(slug, cookies[0]!, { intent: "item", withdraw: second.id });
    expect(counted().find((c) => c.member === g.panel[0]!.id)?.ballots).toBe(1);
  });

  test("saves the whole ballot, then replaces one answer in place (still one row per statement)", async () => {
    const { db, g, items, slug, cookies } = await openGuideline();
    const [first, second] = items as [(typeof items)[0], (typeof items)[0]];
    const saved = await vote(slug, cookies[0]!, {
      intent: "all",
      [`choice.${first.id}`]: "agree",
      [`comment.${first.id}`]: "  Clear and well supported.  ",
      [`choice.${second.id}`]: "abstain",
      [`comment.${second.id}`]: "",
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("Location")).toBe(`/g/${slug}/vote?saved=2&changed=2`);

    const changed = await vote(slug, cookies[0]!, {
      intent: "item",
      [`choice.${second.id}`]: "disagree",
      [`comment.${second.id}`]: "",
    });
    expect(changed.status).toBe(200);
    const rows = db
      .select({ item: ballots.roundItemId, choice: ballots.choice, comment: ballots.comment })
      .from(ballots)
      .where(eq(ballots.membershipId, g.panel[0]!.id))
      .all();
    expect(rows).toHaveLength(2);
    expect(rows).toEqual(
      expect.arrayContaining([
        { item: first.id, choice: "agree", comment: "Clear and well supported." },
        { item: second.id, choice: "disagree", comment: null },
      ]),
    );
    const audit = db.select().from(auditEvents).where(eq(auditEvents.guidelineId, g.guideline.id)).all();
    expect(audit.filter((e) => e.action.startsWith("ballot.")).map((e) => [e.action, e.details])).toEqual([
      ["ballot.cast", { round: 1, item: 1 }],
      ["ballot.cast", { round: 1, item: 2 }],
      ["ballot.changed", { round: 1, item: 2 }],
    ]);
  });

  test("the loader returns the panelist's own answers after a reload", async () => {
    const { items, slug, cookies } = await openGuideline();
    await vote(slug, cookies[1]!, { [`choice.${items[0]!.id}`]: "disagree", [`comment.${items[0]!.id}`]: "Too broad" });
    const data = await (await load(slug, cookies[1]!)).json();
    expect(data.ballot.items.map((i: { answer: string | null; comment: string | null }) => [i.answer, i.comment])).toEqual([
      ["disagree", "Too broad"],
      [null, null],
    ]);
  });

  test("bad input gets field errors for every statement at once and writes nothing", async () => {
    const { items, slug, cookies } = await openGuideline();
    const before = ballotCount();
    const response = await vote(slug, cookies[0]!, {
      [`choice.${items[0]!.id}`]: "maybe",
      [`choice.${items[1]!.id}`]: "agree",
      [`comment.${items[1]!.id}`]: "x".repeat(2001),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).fieldErrors).toEqual({
      [`choice.${items[0]!.id}`]: ["Choose agree, disagree or abstain"],
      [`comment.${items[1]!.id}`]: ["A comment has at most 2000 characters"],
    });
    const commentOnly = await vote(slug, cookies[0]!, { [`comment.${items[0]!.id}`]: "A comment but no vote" });
    expect(commentOnly.status).toBe(400);
    expect(ballotCount()).toBe(before);
  });

  test("a ballot for someone else is refused", async () => {
    const { g, items, slug, cookies } = await openGuideline();
    const before = ballotCount();
    const response = await vote(slug, cookies[0]!, { membershipId: g.panel[1]!.id, [`choice.${items[0]!.id}`]: "agree" });
    expect(response.status).toBe(400);
    expect((await response.json()).formErrors[0]).toMatch(/always cast as yourself/);
    expect(ballotCount()).toBe(before);
  });

  test("a recused statement cannot be voted on, and shows as recused", async () => {
    const { db, g, items, slug, cookies } = await openGuideline();
    db.insert(recusals).values({ membershipId: g.panel[0]!.id, statementId: g.statements[1]!.statement.id, reason: "COI" }).run();
    const before = ballotCount();
    const alone = await vote(slug, cookies[0]!, { intent: "item", [`choice.${items[1]!.id}`]: "agree" });
    expect(alone.status).toBe(403);
    expect((await alone.json()).formErrors).toEqual(["You are recused from statement 2: your vote is not collected on it."]);
    expect(ballotCount()).toBe(before);
    // In a whole-form save the other statement is still saved, and the recused one is marked.
    const whole = await vote(slug, cookies[0]!, { [`choice.${items[0]!.id}`]: "agree", [`choice.${items[1]!.id}`]: "agree" });
    expect(whole.status).toBe(400);
    expect((await whole.json()).fieldErrors).toEqual({
      [`choice.${items[1]!.id}`]: ["You are recused from statement 2: your vote is not collected on it."],
    });
    expect(ballotCount()).toBe(before + 1);
    const data = await (await load(slug, cookies[0]!)).json();
    expect(data.ballot.items.map((i: { recused: boolean }) => i.recused)).toEqual([false, true]);
  });

  test("refused in a closed round, past the deadline, with no open round, and for a late joiner", async () => {
    const { db, g, round, items, slug, cookies } = await openGuideline();
    const before = ballotCount();
    const late = await createUser(db, { email: "late@example.org", name: "Late" });
    addMember(db, { guidelineId: g.guideline.id, userId: late.id, role: "panelist" });
    const lateVote = await vote(slug, await cookieFor(late.id), { [`choice.${items[0]!.id}`]: "agree" });
    expect(lateVote.status).toBe(403);
    expect((await lateVote.json()).formErrors[0]).toMatch(/joined after round 1 opened/);

    db.$client.prepare("update rounds set closes_at = ? where id = ?").run(Date.now() - 1000, round.id);
    const overdue = await vote(slug, cookies[0]!, { [`choice.${items[0]!.id}`]: "agree" });
    expect(overdue.status).toBe(409);
    expect((await overdue.json()).formErrors[0]).toMatch(/closed at its deadline/);

    closeRound(db, { roundId: round.id, actorId: null });
    const closed = await vote(slug, cookies[0]!, { [`choice.${items[0]!.id}`]: "agree" });
    expect(closed.status).toBe(409);
    expect((await closed.json()).formErrors).toEqual(["No round of this guideline is open for voting."]);
    expect(ballotCount()).toBe(before);
    // The closed round stays on the page, read-only.
    const readOnly = await (await load(slug, cookies[0]!)).json();
    expect(readOnly.ballot.round).toMatchObject({ number: 1, status: "closed" });
  });

  test("only the guideline's panelists reach the ballot", async () => {
    const { g, slug } = await openGuideline();
    const other = await openGuideline();
    const strangerCookie = other.cookies[0]!;
    expect((await load(slug, strangerCookie)).status).toBe(403);
    expect((await vote(slug, strangerCookie, { [`choice.${other.items[0]!.id}`]: "agree" })).status).toBe(403);
    expect((await load(slug, await cookieFor(g.secretary.id))).status).toBe(403);
    const anonymous = await respond(() => voteLoader({ request: getRequest(`/g/${slug}/vote`), params: { slug }, context: {} }));
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toBe(`/login?redirectTo=%2Fg%2F${slug}%2Fvote`);
  });
});

describe("anonymity and controlled feedback", () => {
  test("while a round is open a panelist gets no counts and no one else's ballot", async () => {
    const { items, slug, cookies } = await openGuideline({ anonymity: "named" });
    await vote(slug, cookies[1]!, {
      [`choice.${items[0]!.id}`]: "disagree",
      [`comment.${items[0]!.id}`]: "SECRET-OTHER-COMMENT",
    });
    await vote(slug, cookies[2]!, { [`choice.${items[0]!.id}`]: "disagree" });
    const body = await (await load(slug, cookies[0]!)).text();
    expect(body).not.toContain("SECRET-OTHER-COMMENT");
    expect(body).not.toMatch(/"choice":"(agree|disagree|abstain)"/);
    expect(body).not.toMatch(/"(agree|abstain|eligible|participants|distribution)":\s*\d/);
  });

  test("after close panelists see the distribution, verdict and anonymous comments; the next round shows them beside the revised statement", async () => {
    const db = getDb();
    const g = await guidelineWithPanel(db, { panelSize: 5, statements: ["Biopsy always"] });
    const first = openRoundWithBallots(db, {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: [g.statements[0]!.revision.id],
      panel: g.panel,
      votes: [["agree", "agree", "disagree", "disagree", "abstain"]],
    });
    db.update(ballots).set({ comment: "Only when imaging is equivocal" }).where(eq(ballots.membershipId, g.panel[2]!.id)).run();
    const cookie = await cookieFor(g.panel[0]!.userId);
    const slug = g.guideline.slug;
    const results = (n: number) =>
      respond(() =>
        resultsLoader({
          request: getRequest(`/g/${slug}/results/${n}`, { cookie }),
          params: { slug, number: String(n) },
          context: {},
        }),
      );
    expect((await results(1)).status).toBe(403);

    closeRound(db, { roundId: first.round.id, actorId: null });
    const closed = await (await results(1)).json();
    expect(closed.items).toEqual([
      expect.objectContaining({
        tally: { agree: 2, disagree: 2, abstain: 1, eligible: 5 },
        verdict: expect.objectContaining({ adopted: false, outcome: "none", grade: "none" }),
        comments: ["Only when imaging is equivocal"],
        own: { answer: "agree", comment: null },
      }),
    ]);
    expect(JSON.stringify(closed)).not.toMatch(/membership|userId|Panelist \d/);

    const reworded = addRevision(db, {
      statementId: g.statements[0]!.statement.id,
      revision: 2,
      text: "Biopsy when imaging is equivocal",
    });
    createRound(db, { guidelineId: g.guideline.id, number: 2, revisionIds: [reworded.id], status: "open" });
    const ballot = await (await load(slug, cookie)).json();
    expect(ballot.ballot.items[0]).toMatchObject({
      number: 1,
      revision: 2,
      revised: true,
      text: "Biopsy when imaging is equivocal",
      answer: null,
      previous: {
        round: 1,
        revision: 1,
        text: "Biopsy always",
        tally: { agree: 2, disagree: 2, abstain: 1, eligible: 5 },
        comments: ["Only when imaging is equivocal"],
        own: { answer: "agree", comment: null },
      },
    });
    const others = db
      .select()
      .from(ballots)
      .where(and(eq(ballots.membershipId, g.panel[3]!.id)))
      .all();
    expect(others).toHaveLength(1);
  });
});

describe("the audit trail records only real changes", () => {
  const ballotEvents = (guidelineId: string) =>
    getDb()
      .select({ action: auditEvents.action, details: auditEvents.details })
      .from(auditEvents)
      .where(eq(auditEvents.guidelineId, guidelineId))
      .all()
      .filter((e) => e.action.startsWith("ballot."))
      .map((e) => [e.action, e.details]);

  test("saving the same choice and comment again is no event; a change is one event per statement changed", async () => {
    const { g, items, slug, cookies } = await openGuideline();
    const [first, second] = items.map((i) => i.id) as [string, string];
    await vote(slug, cookies[0]!, { intent: "item", [`choice.${first}`]: "agree", [`comment.${first}`]: "Fine." });
    const [row] = getDb().select().from(ballots).where(eq(ballots.roundItemId, first)).all();

    // The same answer again, by itself and in a whole-form save (a comment differing only in spacing is the same).
    await vote(slug, cookies[0]!, { intent: "item", [`choice.${first}`]: "agree", [`comment.${first}`]: "  Fine. " });
    const whole = await vote(slug, cookies[0]!, {
      intent: "all",
      [`choice.${first}`]: "agree",
      [`comment.${first}`]: "Fine.",
      [`choice.${second}`]: "disagree",
      [`comment.${second}`]: "",
    });
    expect(whole.status).toBe(303);
    expect(whole.headers.get("Location")).toBe(`/g/${slug}/vote?saved=2&changed=1`);
    expect(ballotEvents(g.guideline.id)).toEqual([
      ["ballot.cast", { round: 1, item: 1 }],
      ["ballot.cast", { round: 1, item: 2 }],
    ]);
    expect(getDb().select().from(ballots).where(eq(ballots.roundItemId, first)).get()!.updatedAt).toEqual(row!.updatedAt);

    // Changing only the first statement's comment is exactly one event, on that statement.
    await vote(slug, cookies[0]!, {
      intent: "all",
      [`choice.${first}`]: "agree",
      [`comment.${first}`]: "Fine, with imaging.",
      [`choice.${second}`]: "disagree",
      [`comment.${second}`]: "",
    });
    expect(ballotEvents(g.guideline.id)).toEqual([
      ["ballot.cast", { round: 1, item: 1 }],
      ["ballot.cast", { round: 1, item: 2 }],
      ["ballot.changed", { round: 1, item: 1 }],
    ]);
  });

  test("a withdrawal deletes the ballot and is audited; withdrawing nothing is refused", async () => {
    const { g, items, slug, cookies } = await openGuideline();
    const item = items[0]!.id;
    await vote(slug, cookies[0]!, { intent: "item", [`choice.${item}`]: "disagree", [`comment.${item}`]: "No." });
    const withdrawn = await vote(slug, cookies[0]!, { intent: "item", withdraw: item });
    expect(withdrawn.status).toBe(200);
    expect(await withdrawn.json()).toEqual({ ok: true, saved: 0, changed: 0, withdrawn: 1 });
    expect(getDb().select().from(ballots).where(eq(ballots.roundItemId, item)).all()).toEqual([]);
    const again = await vote(slug, cookies[0]!, { intent: "item", withdraw: item });
    expect(again.status).toBe(404);
    expect((await again.json()).formErrors).toEqual(["You have no answer on statement 1 to withdraw."]);
    expect(ballotEvents(g.guideline.id)).toEqual([
      ["ballot.cast", { round: 1, item: 1 }],
      ["ballot.withdrawn", { round: 1, item: 1 }],
    ]);
  });
});
