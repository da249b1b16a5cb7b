import type * as RemixReact from "@remix-run/react";
import { and, count, eq } from "drizzle-orm";
import { createElement, type ComponentProps } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test, vi } from "vitest";
import { getDb } from "@db/client.server";
import { auditEvents, memberships, outboxMails, reminderSchedules, rounds, users } from "@db/schema";
import OutboxPage, { loader as outboxLoader } from "~/routes/g.$slug.outbox/route";
import RoundPage, { action as roundAction, loader as roundLoader } from "~/routes/g.$slug.rounds.$number/route";
import { queueMail } from "~/server/mail.server";
import { remindNonResponders, sendDueReminders } from "~/server/reminders.server";
import { announceOpening } from "~/server/round-mail.server";
import { closeRound, setRoundDeadline } from "~/server/rounds.server";
import { addMember, castBallot, createRound, createUser } from "../support/factories";
import { guidelineWithPanel } from "../support/guideline";
import { cookieFor, getRequest, respond } from "../support/requests";

// Pages are rendered from their loader's and action's data, as Remix would on the server.
const page = vi.hoisted(() => ({ loaderData: undefined as unknown, actionData: undefined as unknown }));
vi.mock("@remix-run/react", async (original) => ({
  ...(await original<typeof RemixReact>()),
  useLoaderData: () => page.loaderData,
  useActionData: () => page.actionData,
  Form: (props: ComponentProps<"form">) => createElement("form", props),
  Link: ({ to, ...props }: ComponentProps<"a"> & { to: string }) => createElement("a", { href: to, ...props }),
}));

async function render(component: () => JSX.Element, loaderResponse: Response, actionResponse?: Response): Promise<string> {
  page.loaderData = await loaderResponse.json();
  page.actionData = actionResponse ? await actionResponse.json() : undefined;
  return renderToStaticMarkup(createElement(component));
}

const ORIGIN = "http://localhost";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function post(path: string, fields: [string, string][], cookie: string): Request {
  return new Request(ORIGIN + path, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie },
    body: new URLSearchParams(fields),
  });
}

/**
 * An open round 1 of two statements, opened now with its deadline five days away, on a panel of
 * four: member 0 has answered everything, member 1 one statement, members 2 and 3 nothing.
 */
async function openRound(input: { closesIn?: number } = {}) {
  const db = getDb();
  const g = await guidelineWithPanel(db, { panelSize: 4, statements: ["Imaging first", "Biopsy always"] });
  const openedAt = new Date();
  const { round, items } = createRound(db, {
    guidelineId: g.guideline.id,
    number: 1,
    revisionIds: g.statements.map((s) => s.revision.id),
    status: "open",
    openedAt,
    closesAt: new Date(openedAt.getTime() + (input.closesIn ?? 5 * DAY)),
  });
  castBallot(db, { roundItemId: items[0]!.id, membershipId: g.panel[0]!.id, choice: "agree" });
  castBallot(db, { roundItemId: items[1]!.id, membershipId: g.panel[0]!.id, choice: "agree" });
  castBallot(db, { roundItemId: items[0]!.id, membershipId: g.panel[1]!.id, choice: "disagree" });
  const slug = g.guideline.slug;
  const secretaryCookie = await cookieFor(g.secretary.id);
  const path = `/g/${slug}/rounds/1`;
  const emailOf = (i: number) =>
    db.select({ email: users.email }).from(users).where(eq(users.id, g.panel[i]!.userId)).get()!.email;
  return {
    db,
    ...g,
    round,
    items,
    openedAt,
    slug,
    secretaryCookie,
    /** Members 1, 2 and 3: who has not answered everything. */
    waiting: [1, 2, 3].map(emailOf).sort(),
    act: (fields: [string, string][]) =>
      respond(() => roundAction({ request: post(path, fields, secretaryCookie), params: { slug, number: "1" }, context: {} })),
    load: () =>
      respond(() =>
        roundLoader({ request: getRequest(path, { cookie: secretaryCookie }), params: { slug, number: "1" }, context: {} }),
      ),
    reminders: () =>
      db
        .select({ to: outboxMails.to, body: outboxMails.body, createdAt: outboxMails.createdAt })
        .from(outboxMails)
        .where(and(eq(outboxMails.guidelineId, g.guideline.id), eq(outboxMails.kind, "reminder")))
        .all(),
    events: () =>
      db
        .select({ action: auditEvents.action, details: auditEvents.details, actorId: auditEvents.actorId })
        .from(auditEvents)
        .where(eq(auditEvents.guidelineId, g.guideline.id))
        .all()
        .filter((e) => e.action.startsWith("round.remind")),
    schedules: () => db.select().from(reminderSchedules).where(eq(reminderSchedules.roundId, round.id)).all(),
  };
}

type World = Awaited<ReturnType<typeof openRound>>;

async function formErrors(response: Response) {
  return ((await response.clone().json()) as { error: Record<string, string[]> }).error;
}

const schedule = (w: World, hoursBefore: string) =>
  w.act([
    ["intent", "schedule-reminder"],
    ["hoursBefore", hoursBefore],
  ]);

describe("reminding non-responders by hand", () => {
  test("refuses a second reminder within 12 hours unless confirmed, sending nothing", async () => {
    const w = await openRound();
    const first = await w.act([["intent", "remind"]]);
    expect(first.status).toBe(302);
    expect(first.headers.get("Location")).toBe(`/g/${w.slug}/rounds/1?reminded=3`);
    expect(
      w
        .reminders()
        .map((m) => m.to)
        .sort(),
    ).toEqual(w.waiting);

    const again = await w.act([["intent", "remind"]]);
    expect(again.status).toBe(409);
    const [reason] = (await formErrors(again))[""]!;
    expect(reason).toMatch(
      /^The last reminder went out on \d+ \w+ \d{4}, \d\d:\d\d UTC to 3 members, less than 12 hours ago: tick the box to send another one anyway\.$/,
    );
    expect(w.reminders()).toHaveLength(3);
    expect(w.events()).toHaveLength(1);
    // The page says why, and offers the second confirmation.
    const refusedPage = await render(RoundPage, await w.load(), again);
    expect(refusedPage).toContain(reason!);
    expect(refusedPage).toContain('<input type="checkbox" name="again" required="" value="yes"/>');

    const confirmed = await w.act([
      ["intent", "remind"],
      ["again", "yes"],
    ]);
    expect(confirmed.status).toBe(302);
    expect(w.reminders()).toHaveLength(6);
    expect(w.events().map((e) => [e.action, e.details, e.actorId])).toEqual([
      ["round.reminded", { round: 1, count: 3 }, w.secretary.id],
      ["round.reminded", { round: 1, count: 3 }, w.secretary.id],
    ]);
  });

  test("goes only to members who can still vote: not to one made an observer, nor to a deactivated account", async () => {
    const w = await openRound();
    w.db.update(memberships).set({ role: "observer" }).where(eq(memberships.id, w.panel[2]!.id)).run();
    w.db.update(users).set({ deactivatedAt: new Date() }).where(eq(users.id, w.panel[3]!.userId)).run();
    const reminded = remindNonResponders(w.db, {
      guideline: w.guideline,
      number: 1,
      voteUrl: `${ORIGIN}/g/${w.slug}/vote`,
      actorId: w.secretary.id,
    });
    expect(reminded).toBe(1);
    const member1 = w.db.select({ email: users.email }).from(users).where(eq(users.id, w.panel[1]!.userId)).get()!.email;
    expect(w.reminders().map((m) => m.to)).toEqual([member1]);
  });

  test("needs no confirmation once 12 hours have passed", async () => {
    const w = await openRound();
    const voteUrl = `${ORIGIN}/g/${w.slug}/vote`;
    remindNonResponders(w.db, {
      guideline: w.guideline,
      number: 1,
      voteUrl,
      actorId: w.secretary.id,
      now: new Date(Date.now() - 13 * HOUR),
    });
    expect((await w.act([["intent", "remind"]])).status).toBe(302);
    expect(w.reminders()).toHaveLength(6);
  });

  test("shows the history: when each reminder went out, to how many, and who sent it", async () => {
    const w = await openRound();
    const earlier = new Date(Date.now() - 2 * DAY);
    remindNonResponders(w.db, {
      guideline: w.guideline,
      number: 1,
      voteUrl: `${ORIGIN}/g/${w.slug}/vote`,
      actorId: w.secretary.id,
      now: earlier,
    });
    // Member 1 completes; the next reminder goes to the two who have answered nothing.
    castBallot(w.db, { roundItemId: w.items[1]!.id, membershipId: w.panel[1]!.id, choice: "agree" });
    expect((await w.act([["intent", "remind"]])).status).toBe(302);
    const latest = w.reminders().at(-1)!.createdAt;

    const response = await w.load();
    const { reminders } = (await response.clone().json()) as { reminders: { history: unknown[] } };
    expect(reminders.history).toEqual([
      { at: latest.toISOString(), count: 2, by: w.secretary.name, hoursBefore: null },
      { at: earlier.toISOString(), count: 3, by: w.secretary.name, hoursBefore: null },
    ]);
    const html = await render(RoundPage, response);
    const list = html.slice(html.indexOf("<h4>Sent</h4>"), html.indexOf("<h4>Scheduled before the deadline</h4>"));
    expect(list).toContain(`<time dateTime="${latest.toISOString()}">`);
    expect(list).toContain(`</time> — to 2 members, sent by ${w.secretary.name}</li>`);
    expect(list).toContain(`<time dateTime="${earlier.toISOString()}">`);
    expect(list).toContain(`</time> — to 3 members, sent by ${w.secretary.name}</li>`);
    expect(list.indexOf(latest.toISOString())).toBeLessThan(list.indexOf(earlier.toISOString()));

    // Observers read the history without who sent each reminder.
    const observer = await createUser(w.db, { email: `observer-${w.slug}@example.org`, name: "Olive Observer" });
    addMember(w.db, { guidelineId: w.guideline.id, userId: observer.id, role: "observer" });
    const observerCookie = await cookieFor(observer.id);
    const observed = await respond(() =>
      roundLoader({
        request: getRequest(`/g/${w.slug}/rounds/1`, { cookie: observerCookie }),
        params: { slug: w.slug, number: "1" },
        context: {},
      }),
    );
    const seen = (await observed.json()) as { reminders: { history: { count: number; by: string | null }[] } };
    expect(seen.reminders.history.map((sent) => [sent.count, sent.by])).toEqual([
      [2, null],
      [3, null],
    ]);
  });
});

describe("scheduled reminders", () => {
  test("a secretary schedules and removes them; a bad choice is refused and writes nothing", async () => {
    const w = await openRound();
    const added = await schedule(w, "72");
    expect(added.status).toBe(302);
    expect(added.headers.get("Location")).toBe(`/g/${w.slug}/rounds/1#reminders-title`);
    expect(w.schedules()).toEqual([
      expect.objectContaining({ hoursBefore: 72, sentAt: null, recipients: null, createdBy: w.secretary.id }),
    ]);

    const twice = await schedule(w, "72");
    expect(twice.status).toBe(409);
    expect(await formErrors(twice)).toEqual({ "": ["A reminder 3 days before the deadline is already scheduled for round 1."] });
    for (const [hours, error] of [
      ["721", "At most 30 days before the deadline"],
      ["0", "At least 1 hour before the deadline"],
      ["1.5", "Choose a whole number of hours"],
      ["soon", "Choose how long before the deadline"],
    ]) {
      const refused = await schedule(w, hours!);
      expect(refused.status).toBe(400);
      expect(await formErrors(refused)).toEqual({ hoursBefore: [error] });
    }
    const past = await schedule(w, "168");
    expect(past.status).toBe(422);
    expect((await formErrors(past))[""]![0]).toMatch(
      /^7 days before the deadline was .+ UTC, already past: send a reminder now instead\.$/,
    );
    expect(w.schedules()).toHaveLength(1);

    const id = w.schedules()[0]!.id;
    const dueAt = new Date(w.round.closesAt!.getTime() - 72 * HOUR).toISOString();
    const html = await render(RoundPage, await w.load());
    expect(html).toContain(`<strong>3 days before</strong>: goes out <time dateTime="${dueAt}">`);
    expect(html).toContain(`<input type="hidden" name="scheduleId" value="${id}"/>`);
    expect(html).toContain("Remove the reminder 3 days before");

    const removed = await w.act([
      ["intent", "unschedule-reminder"],
      ["scheduleId", id],
    ]);
    expect(removed.status).toBe(302);
    expect(w.schedules()).toEqual([]);
    const unknown = await w.act([
      ["intent", "unschedule-reminder"],
      ["scheduleId", id],
    ]);
    expect(unknown.status).toBe(404);
    expect(w.events().map((e) => [e.action, e.details, e.actorId])).toEqual([
      ["round.reminder_scheduled", { round: 1, hoursBefore: 72 }, w.secretary.id],
      ["round.reminder_unscheduled", { round: 1, hoursBefore: 72 }, w.secretary.id],
    ]);
  });

  test("a due one waits while the last reminder is under 12 hours old, then goes out", async () => {
    const w = await openRound();
    await schedule(w, "72");
    const due = new Date(w.round.closesAt!.getTime() - 72 * HOUR);
    const manual = new Date(due.getTime() - HOUR);
    const voteUrl = `${ORIGIN}/g/${w.slug}/vote`;
    remindNonResponders(w.db, { guideline: w.guideline, number: 1, voteUrl, actorId: w.secretary.id, now: manual });
    expect(w.reminders()).toHaveLength(3);

    expect(sendDueReminders(w.db, new Date(due.getTime() + 60_000), ORIGIN)).toEqual([]);
    expect(sendDueReminders(w.db, new Date(manual.getTime() + 12 * HOUR - 60_000), ORIGIN)).toEqual([]);
    expect(w.reminders()).toHaveLength(3);
    const later = new Date(manual.getTime() + 12 * HOUR + 60_000);
    expect(sendDueReminders(w.db, later, ORIGIN)).toEqual([{ roundId: w.round.id, round: 1, hoursBefore: 72, recipients: 3 }]);
    expect(w.reminders()).toHaveLength(6);
  });

  test("the tick sends a due one exactly once, to those who have not answered everything", async () => {
    const w = await openRound();
    await schedule(w, "72");
    const due = new Date(w.round.closesAt!.getTime() - 72 * HOUR);
    const origin = "https://delphi.example";

    expect(sendDueReminders(w.db, new Date(due.getTime() - HOUR), origin)).toEqual([]);
    expect(w.reminders()).toEqual([]);

    const at = new Date(due.getTime() + 60_000);
    expect(sendDueReminders(w.db, at, origin)).toEqual([{ roundId: w.round.id, round: 1, hoursBefore: 72, recipients: 3 }]);
    const mails = w.reminders();
    expect(mails.map((m) => m.to).sort()).toEqual(w.waiting);
    for (const mail of mails) expect(mail.body).toContain(`Vote here: ${origin}/g/${w.slug}/vote`);
    expect(w.schedules()).toEqual([expect.objectContaining({ hoursBefore: 72, sentAt: at, recipients: 3 })]);
    expect(w.events().map((e) => [e.action, e.details, e.actorId])).toEqual([
      ["round.reminder_scheduled", { round: 1, hoursBefore: 72 }, w.secretary.id],
      ["round.reminded", { round: 1, count: 3, hoursBefore: 72 }, null],
    ]);

    // A second tick, at once or later, sends nothing more.
    expect(sendDueReminders(w.db, at, origin)).toEqual([]);
    expect(sendDueReminders(w.db, new Date(at.getTime() + DAY), origin)).toEqual([]);
    expect(w.reminders()).toHaveLength(3);

    const html = await render(RoundPage, await w.load());
    expect(html).toContain(`<time dateTime="${at.toISOString()}">`);
    expect(html).toContain("</time> — to 3 members, scheduled 3 days before the deadline</li>");
    expect(html).toContain("<strong>3 days before</strong>: went out <time");
    expect(html).toContain("</time> to 3 members</span>");
    expect(html).not.toContain("Remove the reminder 3 days before");
  });

  test("moves with an extended deadline, and never goes out once the round closed", async () => {
    const moved = await openRound();
    await schedule(moved, "24");
    const later = new Date(moved.openedAt.getTime() + 7 * DAY);
    setRoundDeadline(moved.db, { roundId: moved.round.id, closesAt: later, actorId: moved.secretary.id });
    const oldDue = new Date(moved.round.closesAt!.getTime() - 24 * HOUR);
    expect(sendDueReminders(moved.db, new Date(oldDue.getTime() + 60_000))).toEqual([]);
    const newDue = new Date(later.getTime() - 24 * HOUR);
    expect(sendDueReminders(moved.db, new Date(newDue.getTime() + 60_000))).toEqual([
      { roundId: moved.round.id, round: 1, hoursBefore: 24, recipients: 3 },
    ]);

    const closed = await openRound();
    await schedule(closed, "24");
    closeRound(closed.db, { roundId: closed.round.id, actorId: closed.secretary.id });
    const due = new Date(closed.round.closesAt!.getTime() - 24 * HOUR);
    expect(sendDueReminders(closed.db, new Date(due.getTime() + 60_000))).toEqual([]);
    expect(closed.reminders()).toEqual([]);
    expect(closed.schedules()).toEqual([expect.objectContaining({ hoursBefore: 24, sentAt: null, recipients: null })]);
    const html = await render(RoundPage, await closed.load());
    expect(html).not.toContain("Schedule reminder");
    const refused = await schedule(closed, "12");
    expect(refused.status).toBe(409);
    expect(await formErrors(refused)).toEqual({ "": ["Round 1 is closed: it sends no more reminders."] });
  });

  test("a draft round's: need a deadline, wait for the round to open, and go with a deleted draft", async () => {
    const db = getDb();
    const g = await guidelineWithPanel(db, { panelSize: 2, statements: ["Imaging first"] });
    const { round } = createRound(db, { guidelineId: g.guideline.id, number: 1, revisionIds: [g.statements[0]!.revision.id] });
    const cookie = await cookieFor(g.secretary.id);
    const path = `/g/${g.guideline.slug}/rounds/1`;
    const act = (fields: [string, string][]) =>
      respond(() =>
        roundAction({ request: post(path, fields, cookie), params: { slug: g.guideline.slug, number: "1" }, context: {} }),
      );
    const scheduled = () => db.select().from(reminderSchedules).where(eq(reminderSchedules.roundId, round.id)).all();

    const noDeadline = await act([
      ["intent", "schedule-reminder"],
      ["hoursBefore", "24"],
    ]);
    expect(noDeadline.status).toBe(422);
    expect(await formErrors(noDeadline)).toEqual({ "": ["Set a deadline first: reminders are scheduled before it."] });
    expect(scheduled()).toEqual([]);

    const closesAt = new Date(Date.now() + 10 * DAY);
    setRoundDeadline(db, { roundId: round.id, closesAt, actorId: g.secretary.id });
    expect(
      (
        await act([
          ["intent", "schedule-reminder"],
          ["hoursBefore", "24"],
        ])
      ).status,
    ).toBe(302);
    const html = await render(
      RoundPage,
      await respond(() =>
        roundLoader({
          request: getRequest(path, { cookie }),
          params: { slug: g.guideline.slug, number: "1" },
          context: {},
        }),
      ),
    );
    expect(html).toContain(
      `<strong>1 day before</strong>: goes out <time dateTime="${new Date(closesAt.getTime() - DAY).toISOString()}">`,
    );
    expect(html).toContain("if the round is open by then");
    // Not open: nothing goes out, even at its moment.
    expect(sendDueReminders(db, new Date(closesAt.getTime() - DAY + 60_000))).toEqual([]);

    const deleted = await act([
      ["intent", "delete"],
      ["confirm", "on"],
    ]);
    expect(deleted.status).toBe(302);
    expect(scheduled()).toEqual([]);
    expect(db.select({ n: count() }).from(rounds).where(eq(rounds.id, round.id)).get()!.n).toBe(0);
  });
});

describe("the outbox", () => {
  test("puts every pending mail's recipient and link in one text box to copy, and leaves sent ones out", async () => {
    const w = await openRound();
    // The round's opening mails are pending; one of them has been sent since.
    announceOpening(w.db, { round: w.round, voteUrl: `${ORIGIN}/g/${w.slug}/vote` });
    expect((await w.act([["intent", "remind"]])).status).toBe(302);
    queueMail(w.db, {
      guidelineId: w.guideline.id,
      kind: "invitation",
      to: "new.member@example.org",
      subject: "Invitation",
      body: "Hello,\n\nTo accept, open this link:\nhttp://localhost/join/tok3n-123\n",
    });
    const all = w.db
      .select()
      .from(outboxMails)
      .where(eq(outboxMails.guidelineId, w.guideline.id))
      .orderBy(outboxMails.createdAt)
      .all();
    expect(all).toHaveLength(8);
    const sent = all.find((mail) => mail.kind === "round-opened")!;
    w.db.update(outboxMails).set({ sentAt: new Date() }).where(eq(outboxMails.id, sent.id)).run();

    const response = await respond(() =>
      outboxLoader({
        request: getRequest(`/g/${w.slug}/outbox`, { cookie: w.secretaryCookie }),
        params: { slug: w.slug },
        context: {},
      }),
    );
    const html = await render(OutboxPage, response);
    const box = /<textarea id="copy-links" readonly="" rows="\d+">([^<]*)<\/textarea>/.exec(html);
    expect(box).not.toBeNull();
    const lines = box![1]!.split("\n");
    const pending = all.filter((mail) => mail.id !== sent.id);
    expect(lines.sort()).toEqual(
      pending
        .map((mail) =>
          mail.kind === "invitation" ? `${mail.to} ${ORIGIN}/join/tok3n-123` : `${mail.to} ${ORIGIN}/g/${w.slug}/vote`,
        )
        .sort(),
    );
    expect(html).toContain("All links not sent yet (7 mails)");
    // Without JavaScript there is no copy button: the text box is the way.
    expect(html).not.toContain("Copy all links</button>");
  });
});
