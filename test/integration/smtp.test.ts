import type * as RemixReact from "@remix-run/react";
import { and, eq } from "drizzle-orm";
import { createElement, type ComponentProps } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { getDb } from "@db/client.server";
import { auditEvents, outboxMails } from "@db/schema";
import OutboxPage, { action as outboxAction, loader as outboxLoader } from "~/routes/g.$slug.outbox/route";
import { deliverOutbox, failInterruptedDeliveries, INTERRUPTED, MAX_ATTEMPTS, queueMail, retryDelay } from "~/server/mail.server";
import { inviteMember } from "~/server/panel.server";
import { remindNonResponders } from "~/server/reminders.server";
import { announceOpening } from "~/server/round-mail.server";
import { createRound } from "../support/factories";
import { guidelineWithPanel } from "../support/guideline";
import { cookieFor, formRequest, getRequest, respond } from "../support/requests";
import { freePort } from "../support/server";
import { partTypes, startSmtp, type SmtpServer } from "../support/smtp";

// One SMTP port for the file, read by env() on the first delivery: a server is started on it
// (or not, for "down") by each test.
const port = await freePort();
process.env.SMTP_URL = `smtp://127.0.0.1:${port}`;

const page = vi.hoisted(() => ({ loaderData: undefined as unknown, actionData: undefined as unknown }));
vi.mock("@remix-run/react", async (original) => ({
  ...(await original<typeof RemixReact>()),
  useLoaderData: () => page.loaderData,
  useActionData: () => page.actionData,
  Form: (props: ComponentProps<"form">) => createElement("form", props),
  Link: ({ to, ...props }: ComponentProps<"a"> & { to: string }) => createElement("a", { href: to, ...props }),
}));

const db = () => getDb();
const ORIGIN = "https://delphi.example";
const MINUTE = 60_000;

let smtp: SmtpServer | undefined;
beforeEach(() => {
  // Each test sees only its own mails.
  db().delete(outboxMails).run();
});
afterEach(async () => {
  await smtp?.stop();
  smtp = undefined;
});

async function workspace() {
  const g = await guidelineWithPanel(db(), { panelSize: 2, statements: ["Imaging first"] });
  return { ...g, slug: g.guideline.slug, cookie: await cookieFor(g.secretary.id) };
}

function note(guidelineId: string, to: string, body = `Vote here: ${ORIGIN}/g/x/vote\n`) {
  return queueMail(db(), { guidelineId, kind: "reminder", to, subject: `For ${to}`, body });
}

const row = (id: string) => db().select().from(outboxMails).where(eq(outboxMails.id, id)).get()!;
const later = (from: Date, ms: number) => new Date(from.getTime() + ms);

async function outboxPage(slug: string, cookie: string, search = "") {
  const response = await respond(() =>
    outboxLoader({ request: getRequest(`/g/${slug}/outbox${search}`, { cookie }), params: { slug }, context: {} }),
  );
  page.loaderData = await response.json();
  page.actionData = undefined;
  return {
    data: page.loaderData as { failed: number; mails: { id: string; failedAt: string | null }[] },
    html: renderToStaticMarkup(createElement(OutboxPage)),
  };
}

function sendAgain(slug: string, mailId: string, cookie: string) {
  return respond(() =>
    outboxAction({ request: formRequest(`/g/${slug}/outbox`, { mailId }, { cookie }), params: { slug }, context: {} }),
  );
}

describe("delivery", () => {
  test("an invitation, a round-opened mail and a reminder arrive with their recipient, subject, link, and text and HTML parts", async () => {
    smtp = await startSmtp({ port });
    const g = await workspace();
    inviteMember(db(), {
      guidelineId: g.guideline.id,
      invitee: { email: "new.expert@example.org", role: "panelist", discipline: null, affiliation: null },
      inviter: { id: g.secretary.id, name: g.secretary.name },
      origin: ORIGIN,
    });
    const { round } = createRound(db(), {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: g.statements.map((s) => s.revision.id),
      status: "open",
      openedAt: new Date(),
      closesAt: later(new Date(), 5 * 24 * 60 * MINUTE),
    });
    const voteUrl = `${ORIGIN}/g/${g.slug}/vote`;
    announceOpening(db(), { round, voteUrl });
    expect(remindNonResponders(db(), { guideline: g.guideline, number: 1, voteUrl, actorId: g.secretary.id })).toBe(2);
    const queued = db().select().from(outboxMails).all();
    expect(queued.map((m) => m.kind).sort()).toEqual(["invitation", "reminder", "reminder", "round-opened", "round-opened"]);

    expect(await deliverOutbox()).toEqual({ sent: 5, failed: 0 });
    expect(smtp.received).toHaveLength(5);
    for (const mail of queued) {
      const got = smtp.received.filter((r) => r.to.join() === mail.to && r.mail.subject === mail.subject);
      expect(got, `${mail.kind} to ${mail.to}`).toHaveLength(1);
      const { raw, mail: parsed } = got[0]!;
      const link = /https:\/\/\S+/.exec(mail.body)![0];
      expect(link).toMatch(mail.kind === "invitation" ? /\/join\/[a-z0-9]+$/ : /\/vote$/);
      expect(parsed.to).toMatchObject({ text: mail.to });
      expect(parsed.from?.value).toEqual([{ name: "Delphi consensus", address: "no-reply@localhost" }]);
      expect(partTypes(raw)).toEqual(["text/plain", "text/html"]);
      expect(parsed.text?.trim()).toBe(mail.body.trim());
      expect(parsed.html).toContain(`<a href="${link}">${link}</a>`);
      expect(row(mail.id)).toMatchObject({ attempts: 1, sendingAt: null, failedAt: null, lastError: null });
      expect(row(mail.id).sentAt).toBeInstanceOf(Date);
    }
    // Sent is sent: another delivery finds nothing.
    expect(await deliverOutbox()).toEqual({ sent: 0, failed: 0 });
    expect(smtp.received).toHaveLength(5);
  });

  test("with the server down the mail waits with its error and next attempt, then goes out once when it is due", async () => {
    const g = await workspace();
    const id = note(g.guideline.id, "down@example.org");
    const t0 = new Date();
    expect(await deliverOutbox({ now: t0 })).toEqual({ sent: 0, failed: 1 });
    const waiting = row(id);
    expect(waiting).toMatchObject({ attempts: 1, sentAt: null, failedAt: null, sendingAt: null });
    expect(waiting.lastError).toContain("ECONNREFUSED");
    expect(waiting.nextAttemptAt).toEqual(later(t0, MINUTE));

    smtp = await startSmtp({ port });
    // Up again, but the next attempt has not come: nothing is sent.
    expect(await deliverOutbox({ now: later(t0, 30_000) })).toEqual({ sent: 0, failed: 0 });
    expect(smtp.received).toHaveLength(0);
    expect(await deliverOutbox({ now: later(t0, MINUTE) })).toEqual({ sent: 1, failed: 0 });
    expect(await deliverOutbox({ now: later(t0, 10 * MINUTE) })).toEqual({ sent: 0, failed: 0 });
    expect(smtp.received.map((r) => r.to)).toEqual([["down@example.org"]]);
    expect(row(id)).toMatchObject({ attempts: 2, sentAt: later(t0, MINUTE), nextAttemptAt: null, lastError: null });

    const { html } = await outboxPage(g.slug, g.cookie);
    expect(html).toContain("sent <time");
  });

  test("a 451 is retried after the backoff and the mail is delivered once", async () => {
    smtp = await startSmtp({
      port,
      refuse: (n) => (n === 1 ? { code: 451, message: "4.7.1 Greylisted, try again later" } : undefined),
    });
    const g = await workspace();
    const id = note(g.guideline.id, "greylisted@example.org");
    const t0 = new Date();
    expect(await deliverOutbox({ now: t0 })).toEqual({ sent: 0, failed: 1 });
    expect(row(id)).toMatchObject({ attempts: 1, failedAt: null, nextAttemptAt: later(t0, MINUTE) });
    expect(row(id).lastError).toContain("451 4.7.1 Greylisted");

    const { html } = await outboxPage(g.slug, g.cookie);
    expect(html).toContain("waiting: attempt 1 failed, next try <time");
    expect(html).toContain("Last error: ");
    expect(html).toContain("451 4.7.1 Greylisted");
    expect(html).not.toContain("Send again");

    expect(await deliverOutbox({ now: later(t0, MINUTE - 1) })).toEqual({ sent: 0, failed: 0 });
    expect(await deliverOutbox({ now: later(t0, MINUTE) })).toEqual({ sent: 1, failed: 0 });
    expect(await deliverOutbox({ now: later(t0, 60 * MINUTE) })).toEqual({ sent: 0, failed: 0 });
    expect(smtp.attempts()).toBe(2);
    expect(smtp.received).toHaveLength(1);
    expect(row(id)).toMatchObject({ attempts: 2, sentAt: later(t0, MINUTE) });
  });

  test("the wait doubles from a minute up to four hours, and after the last attempt the mail is failed", async () => {
    expect([1, 2, 3, 8, 9, 10].map(retryDelay)).toEqual([1, 2, 4, 128, 240, 240].map((m) => m * MINUTE));
    const g = await workspace();
    const id = note(g.guideline.id, "never@example.org");
    let now = new Date();
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      expect(await deliverOutbox({ now })).toEqual({ sent: 0, failed: 1 });
      expect(row(id).attempts).toBe(attempt);
      if (attempt < MAX_ATTEMPTS) {
        expect(row(id).nextAttemptAt).toEqual(later(now, retryDelay(attempt)));
        now = row(id).nextAttemptAt!;
      }
    }
    expect(row(id)).toMatchObject({ failedAt: now, nextAttemptAt: null });
    expect(row(id).lastError).toMatch(/^gave up after 10 attempts: .*ECONNREFUSED/);
    expect(await deliverOutbox({ now: later(now, 24 * 60 * MINUTE) })).toEqual({ sent: 0, failed: 0 });
  });
});

describe("a permanent refusal", () => {
  test("a 550 fails the mail for good; the secretary sees why and sends it again", async () => {
    smtp = await startSmtp({ port, refuse: () => ({ code: 550, message: "5.1.1 No such user here" }) });
    const g = await workspace();
    const failing = note(g.guideline.id, "nobody@example.org");
    const t0 = new Date();
    expect(await deliverOutbox({ now: t0 })).toEqual({ sent: 0, failed: 1 });
    expect(row(failing)).toMatchObject({ attempts: 1, failedAt: t0, nextAttemptAt: null, sentAt: null });
    expect(row(failing).lastError).toContain("550 5.1.1 No such user here");
    // Never retried, however long one waits.
    expect(await deliverOutbox({ now: later(t0, 24 * 60 * MINUTE) })).toEqual({ sent: 0, failed: 0 });
    expect(smtp.attempts()).toBe(1);

    const { data, html } = await outboxPage(g.slug, g.cookie);
    expect(data.failed).toBe(1);
    expect(html).toContain(
      '<p class="notice notice-failed" role="status">1 mail could not be delivered: it is marked failed below.',
    );
    expect(html).toContain('<li class="card outbox-failed">');
    expect(html).toContain("failed <time");
    expect(html).toContain("Last error: ");
    expect(html).toContain("550 5.1.1 No such user here");
    expect(html).toMatch(new RegExp(`<form method="post" class="row"><input type="hidden" name="mailId" value="${failing}"/>`));
    expect(html).toContain("Send again");

    // Only a failed mail can be sent again, and only from its own guideline.
    const other = await workspace();
    expect((await sendAgain(other.slug, failing, other.cookie)).status).toBe(404);
    const response = await sendAgain(g.slug, failing, g.cookie);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/g/${g.slug}/outbox?done=resend`);
    expect(row(failing)).toMatchObject({ attempts: 0, failedAt: null, lastError: null, nextAttemptAt: null, sentAt: null });
    const audit = db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.guidelineId, g.guideline.id), eq(auditEvents.action, "mail.resent")))
      .all();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actorId: g.secretary.id,
      details: { mailId: failing, kind: "reminder", email: "nobody@example.org" },
    });
    // The action set off a delivery: the server refuses the mail once more.
    await vi.waitFor(() => expect(row(failing).sendingAt).toBeNull());
    expect(smtp.attempts()).toBe(2);
    expect(row(failing)).toMatchObject({ attempts: 1 });
    expect(row(failing).failedAt).toBeInstanceOf(Date);
    expect(smtp.received).toHaveLength(0);
    expect((await sendAgain(g.slug, failing, g.cookie)).status).toBe(302);
    await vi.waitFor(() => expect(row(failing).sendingAt).toBeNull());
    db().update(outboxMails).set({ sentAt: new Date(), failedAt: null }).where(eq(outboxMails.id, failing)).run();
    expect((await sendAgain(g.slug, failing, g.cookie)).status).toBe(409);

    const after = await outboxPage(g.slug, g.cookie, "?done=resend");
    expect(after.data.failed).toBe(0);
    expect(after.html).toContain('<p class="notice" role="status">The mail is waiting to be sent again.</p>');
  });
});

describe("at most once", () => {
  test("two deliveries at the same time send each mail once", async () => {
    smtp = await startSmtp({ port });
    const g = await workspace();
    const ids = Array.from({ length: 6 }, (_, i) => note(g.guideline.id, `twice${i}@example.org`));
    const [a, b] = await Promise.all([deliverOutbox(), deliverOutbox()]);
    expect(a!.sent + b!.sent).toBe(6);
    expect(a!.failed + b!.failed).toBe(0);
    expect(smtp.received.map((r) => r.to[0]).sort()).toEqual(ids.map((_, i) => `twice${i}@example.org`).sort());
    expect(smtp.attempts()).toBe(6);
  });

  test("a mail claimed when the process stopped is not resent: it is failed with the explanation", async () => {
    smtp = await startSmtp({ port });
    const g = await workspace();
    const claimed = note(g.guideline.id, "maybe@example.org");
    const pending = note(g.guideline.id, "pending@example.org");
    // The last process claimed it and stopped before recording the outcome.
    db().update(outboxMails).set({ sendingAt: new Date(), attempts: 0 }).where(eq(outboxMails.id, claimed)).run();
    const restart = new Date();
    expect(failInterruptedDeliveries(db(), restart)).toBe(1);
    expect(row(claimed)).toMatchObject({ failedAt: restart, sendingAt: null, lastError: INTERRUPTED, sentAt: null });
    expect(row(pending)).toMatchObject({ failedAt: null, sendingAt: null });

    expect(await deliverOutbox()).toEqual({ sent: 1, failed: 0 });
    expect(smtp.received.map((r) => r.to)).toEqual([["pending@example.org"]]);

    const { html } = await outboxPage(g.slug, g.cookie);
    expect(html).toContain("The server restarted while sending this mail, so whether it arrived is unknown.");
    expect(html).not.toContain(INTERRUPTED);
    expect(html).toContain("Send again");
  });
});
