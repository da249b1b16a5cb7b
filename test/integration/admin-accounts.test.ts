import type * as RemixReact from "@remix-run/react";
import { and, count, eq, isNull } from "drizzle-orm";
import { createElement, type ComponentProps } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test, vi } from "vitest";
import { getDb } from "@db/client.server";
import { auditEvents, invitations, memberships, outboxMails, passwordResets, sessions, users } from "@db/schema";
import { action as adminAction } from "~/routes/admin._index/route";
import { action as guidelinesAction } from "~/routes/admin.guidelines/route";
import UsersPage, { action as usersAction, loader as usersLoader } from "~/routes/admin.users/route";
import { loader as joinLoader } from "~/routes/join.$token/route";
import { action as loginAction } from "~/routes/login/route";
import ResetPage, { action as resetAction, loader as resetLoader } from "~/routes/reset.$token/route";
import { issuePasswordReset, USERS_PAGE_SIZE } from "~/server/accounts.server";
import { getUser, verifyPassword } from "~/server/auth.server";
import { hashToken } from "~/server/session-token";
import { addMember, createGuideline, createUser } from "../support/factories";
import { cookieFor, cookieFrom, formRequest, getRequest, respond } from "../support/requests";

// Pages are rendered from their loader's and action's data, as Remix would on the server.
const page = vi.hoisted(() => ({ loaderData: undefined as unknown, actionData: undefined as unknown }));
vi.mock("@remix-run/react", async (original) => ({
  ...(await original<typeof RemixReact>()),
  useLoaderData: () => page.loaderData,
  useActionData: () => page.actionData,
  Form: (props: ComponentProps<"form">) => createElement("form", props),
  Link: ({ to, ...props }: ComponentProps<"a"> & { to: string }) => createElement("a", { href: to, ...props }),
  NavLink: ({ to, end: _end, ...props }: ComponentProps<"a"> & { to: string; end?: boolean }) =>
    createElement("a", { href: to, ...props }),
}));

async function render(component: () => JSX.Element, loaderResponse: Response, actionResponse?: Response) {
  page.loaderData = await loaderResponse.clone().json();
  page.actionData = actionResponse ? await actionResponse.clone().json() : undefined;
  return renderToStaticMarkup(createElement(component));
}

const db = () => getDb();
const PASSWORD = "the old passphrase";
const NEW_PASSWORD = "a fresh passphrase 2026";

let n = 0;
async function person(input: { isAdmin?: boolean; name?: string } = {}) {
  const i = ++n;
  const user = await createUser(db(), {
    email: `person${i}@example.org`,
    name: input.name ?? `Person ${i}`,
    password: PASSWORD,
    isAdmin: input.isAdmin,
  });
  return { user, cookie: await cookieFor(user.id) };
}

const sessionsOf = (userId: string) => db().select({ n: count() }).from(sessions).where(eq(sessions.userId, userId)).get()!.n;
const userRow = (id: string) => db().select().from(users).where(eq(users.id, id)).get()!;
const instanceEvents = () =>
  db()
    .select()
    .from(auditEvents)
    .where(isNull(auditEvents.guidelineId))
    .all()
    .map((e) => ({ action: e.action, actorId: e.actorId, details: e.details }));

const listUsers = (cookie: string | undefined, search = "") =>
  respond(() => usersLoader({ request: getRequest(`/admin/users${search}`, { cookie }), params: {}, context: {} }));
const onUser = (cookie: string | undefined, fields: Record<string, string>) =>
  respond(() => usersAction({ request: formRequest("/admin/users", fields, { cookie }), params: {}, context: {} }));
const logIn = (email: string, password: string) =>
  respond(() => loginAction({ request: formRequest("/login", { email, password }), params: {}, context: {} }));
const viewReset = (token: string) =>
  respond(() => resetLoader({ request: getRequest(`/reset/${token}`), params: { token }, context: {} }));
const submitReset = (token: string, fields: Record<string, string>) =>
  respond(() => resetAction({ request: formRequest(`/reset/${token}`, fields), params: { token }, context: {} }));
const tokenOf = (link: string | null) => /\/reset\/([a-z0-9]+)$/.exec(link ?? "")![1]!;

describe("/admin/users: the list", () => {
  test("every account with its memberships and status; a search by name or address, a page at a time", async () => {
    const { user: admin, cookie } = await person({ isAdmin: true, name: "Aaron Admin" });
    const guideline = createGuideline(db(), { slug: "listed", title: "Listed" });
    const members: { id: string; email: string }[] = [];
    for (let i = 0; i < USERS_PAGE_SIZE + 5; i++) {
      const { user } = await person({ name: `Zoë Member ${String(i).padStart(2, "0")}` });
      members.push(user);
    }
    addMember(db(), { guidelineId: guideline.id, userId: members[0]!.id, role: "panelist" });
    const removed = addMember(db(), { guidelineId: guideline.id, userId: members[1]!.id, role: "observer" });
    db().update(memberships).set({ removedAt: new Date() }).where(eq(memberships.id, removed.id)).run();

    const first = await listUsers(cookie, "?q=zoë member");
    expect(first.status).toBe(200);
    const data = await first.clone().json();
    expect(data).toMatchObject({ q: "zoë member", total: USERS_PAGE_SIZE + 5, page: 1, pageCount: 2, me: admin.id });
    expect(data.users).toHaveLength(USERS_PAGE_SIZE);
    expect(data.users[0]).toMatchObject({
      name: "Zoë Member 00",
      email: members[0]!.email,
      isAdmin: false,
      deactivatedAt: null,
      memberships: 1,
    });
    // A removed membership no longer counts.
    expect(data.users[1]).toMatchObject({ name: "Zoë Member 01", memberships: 0 });
    const html = await render(UsersPage, first);
    expect(html).toContain(`Accounts 1–${USERS_PAGE_SIZE} of ${USERS_PAGE_SIZE + 5} matching “zoë member”.`);
    expect(html).toContain('href="/admin/users?q=zo%C3%AB+member&amp;page=2"');
    expect(html).toContain('<input id="user-search" name="q" type="search" autoComplete="off" value="zoë member"/>');

    const second = await (await listUsers(cookie, "?q=zo%C3%AB+member&page=2")).json();
    expect(second.users.map((u: { name: string }) => u.name)).toEqual(
      [50, 51, 52, 53, 54].map((i) => `Zoë Member ${String(i).padStart(2, "0")}`),
    );
    // By address, any case; a page past the last shows the last.
    const byEmail = await (await listUsers(cookie, `?q=${members[3]!.email.toUpperCase()}&page=9`)).json();
    expect(byEmail).toMatchObject({ total: 1, page: 1, users: [{ id: members[3]!.id }] });
    // LIKE's wildcards are taken literally.
    expect((await (await listUsers(cookie, "?q=%25")).json()).total).toBe(0);
    expect((await (await listUsers(cookie, "?q=_")).json()).total).toBe(0);
    // The admin's own row has no deactivate button.
    const own = await render(UsersPage, await listUsers(cookie, "?q=Aaron"));
    expect(own).toContain("Password-reset link");
    expect(own).not.toContain(">Deactivate<");
  });

  test("only admins: others get 403 and anonymous visitors go to log in, for the page and its actions", async () => {
    const { cookie } = await person();
    const { user: target } = await person();
    expect((await listUsers(cookie)).status).toBe(403);
    expect((await onUser(cookie, { intent: "deactivate", userId: target.id })).status).toBe(403);
    expect((await onUser(cookie, { intent: "reset", userId: target.id })).status).toBe(403);
    const anonymous = await listUsers(undefined, "?q=x");
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toBe("/login?redirectTo=%2Fadmin%2Fusers%3Fq%3Dx");
    expect(userRow(target.id).deactivatedAt).toBeNull();
    expect(db().select().from(passwordResets).where(eq(passwordResets.userId, target.id)).all()).toEqual([]);
  });
});

describe("/admin/users: deactivating and reactivating an account", () => {
  test("deactivating ends every session at once and refuses the login like a wrong password; reactivating lets it in again", async () => {
    const { user: admin, cookie } = await person({ isAdmin: true });
    const { user: target, cookie: targetCookie } = await person();
    await cookieFor(target.id);
    await cookieFor(target.id);
    expect(sessionsOf(target.id)).toBe(3);

    const response = await onUser(cookie, { intent: "deactivate", userId: target.id });
    expect(response.status).toBe(200);
    expect(await response.clone().json()).toEqual({ done: { intent: "deactivate", email: target.email, sessionsEnded: 3 } });
    expect(sessionsOf(target.id)).toBe(0);
    expect(userRow(target.id).deactivatedAt).toBeInstanceOf(Date);
    expect(await getUser(getRequest("/", { cookie: targetCookie }))).toBeNull();
    expect(instanceEvents().at(-1)).toEqual({
      action: "account.deactivated",
      actorId: admin.id,
      details: { userId: target.id, email: target.email, sessionsEnded: 3 },
    });
    const html = await render(UsersPage, await listUsers(cookie, `?q=${target.email}`), response);
    expect(html).toContain(`${target.email} is deactivated and can no longer log in. Its 3 sessions have ended.`);
    expect(html).toContain('value="reactivate"');

    const refused = await logIn(target.email, PASSWORD);
    const wrong = await logIn(admin.email, "not the password");
    expect(refused.status).toBe(401);
    const [a, b] = [await refused.json(), await wrong.json()];
    expect(a.error).toEqual({ "": ["Email or password is incorrect."] });
    expect({ ...a, initialValue: null }).toEqual({ ...b, initialValue: null });
    expect(sessionsOf(target.id)).toBe(0);

    const again = await onUser(cookie, { intent: "deactivate", userId: target.id });
    expect(again.status).toBe(409);
    expect((await again.json()).error).toEqual({ "": [`${target.email} is already deactivated.`] });

    const reactivated = await onUser(cookie, { intent: "reactivate", userId: target.id });
    expect(await reactivated.json()).toEqual({ done: { intent: "reactivate", email: target.email } });
    expect(userRow(target.id).deactivatedAt).toBeNull();
    expect(instanceEvents().at(-1)).toMatchObject({ action: "account.reactivated", actorId: admin.id });
    const loggedIn = await logIn(target.email, PASSWORD);
    expect(loggedIn.status).toBe(302);
    expect((await getUser(getRequest("/", { cookie: cookieFrom(loggedIn) })))?.id).toBe(target.id);
  });

  test("an admin cannot deactivate their own account; unknown accounts and intents are named", async () => {
    const { user: admin, cookie } = await person({ isAdmin: true });
    const before = instanceEvents().length;
    const self = await onUser(cookie, { intent: "deactivate", userId: admin.id });
    expect(self.status).toBe(409);
    expect((await self.json()).error).toEqual({ "": ["You cannot deactivate your own account: ask another administrator."] });
    expect(userRow(admin.id).deactivatedAt).toBeNull();
    expect(sessionsOf(admin.id)).toBe(1);

    const unknown = await onUser(cookie, { intent: "deactivate", userId: "no-such-user" });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toEqual({ "": ["No such account."] });
    const active = await onUser(cookie, { intent: "reactivate", userId: admin.id });
    expect(active.status).toBe(409);
    const nothing = await onUser(cookie, {});
    expect(nothing.status).toBe(400);
    expect((await nothing.json()).error).toEqual({
      intent: ["Choose what to do: deactivate, reactivate or send a password-reset link"],
    });
    expect(instanceEvents()).toHaveLength(before);
  });
});

describe("password-reset links", () => {
  test("the admin sees the link once and it is mailed; it sets a new password once and ends every session", async () => {
    const { user: admin, cookie } = await person({ isAdmin: true, name: "Ada Admin" });
    const { user: target } = await person({ name: "Ben Panelist" });
    await cookieFor(target.id);
    await cookieFor(target.id);
    expect(sessionsOf(target.id)).toBe(3);

    const issued = await onUser(cookie, { intent: "reset", userId: target.id });
    expect(issued.status).toBe(200);
    const { done } = await issued.clone().json();
    expect(done).toMatchObject({
      intent: "reset",
      email: target.email,
      link: expect.stringMatching(/^http:\/\/localhost\/reset\/[a-z0-9]{32}$/),
    });
    const token = tokenOf(done.link);
    const stored = db().select().from(passwordResets).where(eq(passwordResets.userId, target.id)).all();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ tokenHash: hashToken(token), createdBy: admin.id, usedAt: null });
    expect(stored[0]!.expiresAt.getTime() - stored[0]!.createdAt.getTime()).toBe(24 * 3_600_000);
    const mail = db().select().from(outboxMails).where(eq(outboxMails.kind, "password-reset")).all().at(-1)!;
    expect(mail).toMatchObject({ guidelineId: null, to: target.email, subject: "Set a new password", sentAt: null });
    expect(mail.body).toContain("Hello Ben Panelist,");
    expect(mail.body).toContain("Ada Admin, an administrator");
    expect(mail.body).toContain(`\n${done.link}\n`);
    expect(instanceEvents().at(-1)).toEqual({
      action: "account.reset_link_issued",
      actorId: admin.id,
      details: { userId: target.id, email: target.email, expiresAt: stored[0]!.expiresAt.toISOString() },
    });
    const html = await render(UsersPage, await listUsers(cookie), issued);
    expect(html).toContain(`Password-reset link for ${target.email}`);
    expect(html).toContain(`value="${done.link}"`);
    expect(html).toContain("SMTP is not configured, so no mail goes out: send it to them yourself.");
    // Shown once: the list itself never carries it.
    expect(await render(UsersPage, await listUsers(cookie))).not.toContain(token);

    const form = await viewReset(token);
    expect(form.status).toBe(200);
    expect(await form.clone().json()).toEqual({ state: "valid", email: target.email });
    expect(await render(ResetPage, form)).toContain('autoComplete="new-password"');

    const done1 = await submitReset(token, { password: NEW_PASSWORD, repeat: NEW_PASSWORD });
    expect(done1.status).toBe(302);
    expect(done1.headers.get("Location")).toBe("/login?reset=done");
    expect(await verifyPassword(userRow(target.id).passwordHash, NEW_PASSWORD)).toBe(true);
    expect(await verifyPassword(userRow(target.id).passwordHash, PASSWORD)).toBe(false);
    expect(sessionsOf(target.id)).toBe(0);
    expect(db().select().from(passwordResets).where(eq(passwordResets.userId, target.id)).get()!.usedAt).toBeInstanceOf(Date);
    // The owner hears of it, so a reset they did not ask for does not go unnoticed.
    const notice = db().select().from(outboxMails).where(eq(outboxMails.kind, "password-changed")).all();
    expect(notice.map((m) => [m.to, m.subject, m.guidelineId])).toEqual([[target.email, "Your password was changed", null]]);
    expect(instanceEvents().at(-1)).toEqual({
      action: "account.password_reset",
      actorId: target.id,
      details: { userId: target.id, email: target.email, sessionsEnded: 3 },
    });
    expect((await logIn(target.email, NEW_PASSWORD)).status).toBe(302);
    expect((await logIn(target.email, PASSWORD)).status).toBe(401);

    // A second use is refused and changes nothing.
    const hash = userRow(target.id).passwordHash;
    const used = await viewReset(token);
    expect(used.status).toBe(410);
    expect(await render(ResetPage, used)).toContain("This password-reset link has already been used.");
    const again = await submitReset(token, { password: "yet another passphrase", repeat: "yet another passphrase" });
    expect(again.status).toBe(410);
    expect((await again.json()).error).toEqual({ "": ["This password-reset link has already been used."] });
    expect(userRow(target.id).passwordHash).toBe(hash);
  });

  test("a new link ends the older one; an expired or unknown link is refused", async () => {
    const { user: admin, cookie } = await person({ isAdmin: true });
    const { user: target } = await person();
    const older = tokenOf((await (await onUser(cookie, { intent: "reset", userId: target.id })).json()).done.link);
    const newer = tokenOf((await (await onUser(cookie, { intent: "reset", userId: target.id })).json()).done.link);
    const hash = userRow(target.id).passwordHash;

    const replaced = await viewReset(older);
    expect(replaced.status).toBe(410);
    expect(await replaced.json()).toEqual({
      state: "refused",
      message: "This password-reset link has expired, or a newer one was issued.",
    });
    expect((await submitReset(older, { password: NEW_PASSWORD, repeat: NEW_PASSWORD })).status).toBe(410);
    expect(userRow(target.id).passwordHash).toBe(hash);
    expect((await viewReset(newer)).status).toBe(200);

    const day = 24 * 3_600_000;
    const { link } = issuePasswordReset(db(), {
      userId: target.id,
      admin: { id: admin.id, name: admin.name },
      origin: "http://localhost",
      now: new Date(Date.now() - day - 1000),
    });
    const expired = tokenOf(link);
    expect((await viewReset(expired)).status).toBe(410);
    expect((await submitReset(expired, { password: NEW_PASSWORD, repeat: NEW_PASSWORD })).status).toBe(410);

    const unknown = await viewReset("not-a-real-token");
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).message).toBe("This password-reset link is not valid: check that it was copied whole.");
    expect((await submitReset("not-a-real-token", { password: NEW_PASSWORD, repeat: NEW_PASSWORD })).status).toBe(404);
    expect(userRow(target.id).passwordHash).toBe(hash);
  });

  test("the password policy is joining's: every problem named at once, and the link stays usable", async () => {
    const { cookie } = await person({ isAdmin: true });
    const { user: target } = await person();
    const token = tokenOf((await (await onUser(cookie, { intent: "reset", userId: target.id })).json()).done.link);
    const hash = userRow(target.id).passwordHash;
    const short = await submitReset(token, { password: "Zq9!x", repeat: "Zq9!y" });
    expect(short.status).toBe(400);
    const body = await short.clone().json();
    expect(body.error).toEqual({ password: ["A password has at least 8 characters"], repeat: ["The two passwords differ"] });
    expect(JSON.stringify(body)).not.toContain("Zq9!");
    const common = await submitReset(token, { password: "password123", repeat: "password123" });
    expect((await common.json()).error).toEqual({ password: ["This is one of the most common passwords: choose another"] });
    const differ = await submitReset(token, { password: NEW_PASSWORD, repeat: `${NEW_PASSWORD}!` });
    expect((await differ.json()).error).toEqual({ repeat: ["The two passwords differ"] });
    expect(userRow(target.id).passwordHash).toBe(hash);
    expect((await viewReset(token)).status).toBe(200);
  });

  test("deactivating an account ends its reset links, and a deactivated account gets none", async () => {
    const { cookie } = await person({ isAdmin: true });
    const { user: target } = await person();
    const token = tokenOf((await (await onUser(cookie, { intent: "reset", userId: target.id })).json()).done.link);
    await onUser(cookie, { intent: "deactivate", userId: target.id });
    expect((await viewReset(token)).status).toBe(410);
    const refused = await onUser(cookie, { intent: "reset", userId: target.id });
    expect(refused.status).toBe(409);
    expect((await refused.json()).error).toEqual({ "": [`${target.email} is deactivated: reactivate the account first.`] });
    await onUser(cookie, { intent: "reactivate", userId: target.id });
    expect((await viewReset(token)).status).toBe(410);
  });
});

describe("/admin/guidelines: resending a secretary's invitation", () => {
  test("the admin, no member, gets a new link: the old one stops working, the mail is queued", async () => {
    const { user: admin, cookie } = await person({ isAdmin: true, name: "Ida Admin" });
    const created = await respond(() =>
      adminAction({
        request: formRequest(
          "/admin",
          { slug: "resent", title: "Resent", secretaries: "future.secretary@example.org" },
          { cookie },
        ),
        params: {},
        context: {},
      }),
    );
    expect(created.status).toBe(302);
    const invitation = db().select().from(invitations).where(eq(invitations.email, "future.secretary@example.org")).get()!;
    const firstMail = db().select().from(outboxMails).where(eq(outboxMails.to, "future.secretary@example.org")).get()!;
    const oldToken = /\/join\/([a-z0-9]+)/.exec(firstMail.body)![1]!;
    expect(hashToken(oldToken)).toBe(invitation.tokenHash);

    const resend = (invitationId: string, as = cookie) =>
      respond(() =>
        guidelinesAction({
          request: formRequest("/admin/guidelines", { intent: "resend", invitationId }, { cookie: as }),
          params: {},
          context: {},
        }),
      );
    const response = await resend(invitation.id);
    expect(response.status).toBe(200);
    const { resent } = await response.json();
    expect(resent).toEqual({
      email: "future.secretary@example.org",
      guideline: "Resent",
      link: expect.stringMatching(/^http:\/\/localhost\/join\/[a-z0-9]{32}$/),
    });
    const newToken = /\/join\/([a-z0-9]+)$/.exec(resent.link)![1]!;
    const renewed = db().select().from(invitations).where(eq(invitations.id, invitation.id)).get()!;
    expect(renewed.tokenHash).toBe(hashToken(newToken));
    expect(renewed.tokenHash).not.toBe(invitation.tokenHash);
    const viewJoin = async (token: string) =>
      (await respond(() => joinLoader({ request: getRequest(`/join/${token}`), params: { token }, context: {} }))).json();
    expect(await viewJoin(oldToken)).toMatchObject({ state: "refused" });
    expect(await viewJoin(newToken)).toMatchObject({ state: "valid", email: "future.secretary@example.org", role: "secretary" });
    const mails = db().select().from(outboxMails).where(eq(outboxMails.to, "future.secretary@example.org")).all();
    expect(mails).toHaveLength(2);
    expect(mails[1]!.body).toContain(resent.link);
    expect(mails[1]!.body).toContain("Ida Admin invited you");
    const event = db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.guidelineId, invitation.guidelineId), eq(auditEvents.action, "invitation.resent")))
      .get()!;
    expect(event).toMatchObject({ actorId: admin.id, details: { invitationId: invitation.id, email: invitation.email } });

    // Only secretaries' invitations, and only admins.
    const other = createGuideline(db(), { slug: "panel-only", title: "Panel only" });
    const panelist = db()
      .insert(invitations)
      .values({
        guidelineId: other.id,
        email: "panelist@example.org",
        role: "panelist",
        tokenHash: hashToken("panelist-token"),
        expiresAt: new Date(Date.now() + 86_400_000),
      })
      .returning()
      .get();
    const notSecretary = await resend(panelist.id);
    expect(notSecretary.status).toBe(404);
    expect((await notSecretary.json()).error).toEqual({ "": ["No such secretary invitation."] });
    const { cookie: someone } = await person();
    expect((await resend(invitation.id, someone)).status).toBe(403);
    expect(db().select().from(invitations).where(eq(invitations.id, invitation.id)).get()!.tokenHash).toBe(renewed.tokenHash);
  });
});
