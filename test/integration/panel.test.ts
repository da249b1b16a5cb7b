import type * as RemixReact from "@remix-run/react";
import { and, count, eq } from "drizzle-orm";
import { createElement, type ComponentProps } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test, vi } from "vitest";
import { getDb } from "@db/client.server";
import { auditEvents, invitations, memberships, outboxMails, recusals, rounds } from "@db/schema";
import OutboxPage, { loader as outboxLoader } from "~/routes/g.$slug.outbox/route";
import PanelPage, { action as panelAction, loader as panelLoader } from "~/routes/g.$slug.panel/route";
import { describeEvent } from "~/server/audit-log.server";
import { findInvitationByToken, INVITATION_DAYS, removeMember, setStakeholderGroup } from "~/server/panel.server";
import { closeRound } from "~/server/rounds.server";
import { Refusal } from "~/server/errors";
import { hashToken } from "~/server/session-token";
import { addMember, createRound, createUser } from "../support/factories";
import { guidelineWithPanel } from "../support/guideline";
import { cookieFor, formRequest, getRequest, respond } from "../support/requests";

// Pages are rendered from their loader's and action's data, as Remix would on the server.
const page = vi.hoisted(() => ({ loaderData: undefined as unknown, actionData: undefined as unknown, search: "" }));
vi.mock("@remix-run/react", async (original) => ({
  ...(await original<typeof RemixReact>()),
  useLoaderData: () => page.loaderData,
  useActionData: () => page.actionData,
  useSearchParams: () => [new URLSearchParams(page.search)],
  Form: (props: ComponentProps<"form">) => createElement("form", props),
  Link: ({ to, ...props }: ComponentProps<"a"> & { to: string }) => createElement("a", { href: to, ...props }),
}));

async function render(component: () => JSX.Element, loaderResponse: Response, actionResponse?: Response, search = "") {
  page.loaderData = await loaderResponse.json();
  page.actionData = actionResponse ? await actionResponse.json() : undefined;
  page.search = search;
  return renderToStaticMarkup(createElement(component));
}

const db = () => getDb();
const DAY_MS = 86_400_000;

async function workspace(panelSize = 2) {
  const g = await guidelineWithPanel(db(), { panelSize, statements: ["Imaging first", "Biopsy always"] });
  return { ...g, slug: g.guideline.slug, cookie: await cookieFor(g.secretary.id) };
}

const panelPath = (slug: string, search = "") => `/g/${slug}/panel${search}`;

function loadPanel(slug: string, cookie?: string, search = "") {
  return respond(() => panelLoader({ request: getRequest(panelPath(slug, search), { cookie }), params: { slug }, context: {} }));
}

function act(slug: string, fields: Record<string, string>, cookie?: string) {
  return respond(() => panelAction({ request: formRequest(panelPath(slug), fields, { cookie }), params: { slug }, context: {} }));
}

function loadOutbox(slug: string, cookie?: string) {
  return respond(() => outboxLoader({ request: getRequest(`/g/${slug}/outbox`, { cookie }), params: { slug }, context: {} }));
}

/** Rows in the tables the panel page writes, for "nothing was written". */
function written(guidelineId: string) {
  const n = <T extends typeof invitations | typeof outboxMails | typeof auditEvents>(table: T) =>
    db().select({ n: count() }).from(table).where(eq(table.guidelineId, guidelineId)).get()!.n;
  return {
    invitations: n(invitations),
    mails: n(outboxMails),
    audit: n(auditEvents),
    removed: db()
      .select()
      .from(memberships)
      .where(eq(memberships.guidelineId, guidelineId))
      .all()
      .filter((m) => m.removedAt).length,
    recusals: db().select({ n: count() }).from(recusals).get()!.n,
    groups: db()
      .select({ id: memberships.id, group: memberships.stakeholderGroup })
      .from(memberships)
      .where(eq(memberships.guidelineId, guidelineId))
      .all()
      .filter((m) => m.group !== null),
  };
}

const mailsTo = (guidelineId: string, to: string) =>
  db()
    .select()
    .from(outboxMails)
    .where(and(eq(outboxMails.guidelineId, guidelineId), eq(outboxMails.to, to)))
    .all();

const linkToken = (body: string) => /http:\/\/localhost\/join\/([a-z0-9]+)$/m.exec(body)![1]!;

const invite = (fields: Record<string, string> = {}) => ({
  intent: "invite",
  email: "New.Expert@Example.org",
  role: "panelist",
  discipline: "Pathology",
  affiliation: "University Hospital",
  ...fields,
});

describe("inviting", () => {
  test("writes an invitation valid 14 days and a mail whose link token hashes to it", async () => {
    const g = await workspace();
    const before = Date.now();
    const response = await act(g.slug, invite(), g.cookie);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/g/${g.slug}/panel?done=invite`);

    const invitation = db().select().from(invitations).where(eq(invitations.guidelineId, g.guideline.id)).get()!;
    expect(invitation).toMatchObject({
      email: "new.expert@example.org",
      role: "panelist",
      discipline: "Pathology",
      affiliation: "University Hospital",
      invitedBy: g.secretary.id,
      usedAt: null,
      revokedAt: null,
    });
    const lifetime = invitation.expiresAt.getTime() - invitation.createdAt.getTime();
    expect(lifetime).toBe(INVITATION_DAYS * DAY_MS);
    expect(invitation.createdAt.getTime()).toBeGreaterThanOrEqual(before);

    const [mail] = mailsTo(g.guideline.id, "new.expert@example.org");
    expect(mail).toMatchObject({ kind: "invitation", subject: `Invitation to "${g.guideline.title}"`, sentAt: null });
    expect(mail!.body).toContain(
      `${g.secretary.name} invited you to join the guideline "${g.guideline.title}" as a panelist (Pathology).`,
    );
    const token = linkToken(mail!.body);
    expect(hashToken(token)).toBe(invitation.tokenHash);
    expect(invitation.tokenHash).not.toContain(token);
    expect(findInvitationByToken(db(), token)).toMatchObject({
      state: "valid",
      invitation: { id: invitation.id },
      guideline: { slug: g.slug },
    });

    const audit = db().select().from(auditEvents).where(eq(auditEvents.action, "member.invited")).all().at(-1)!;
    expect(audit).toMatchObject({
      guidelineId: g.guideline.id,
      actorId: g.secretary.id,
      details: { invitationId: invitation.id, email: "new.expert@example.org", role: "panelist" },
    });

    const html = await render(PanelPage, await loadPanel(g.slug, g.cookie, "?done=invite"), undefined, "?done=invite");
    expect(html).toContain("Invitation created. SMTP is not configured: copy the link from the");
    expect(html).toContain("new.expert@example.org");
    expect(html).toContain(">pending<");
  });

  test("a malformed address, a current member or a pending invitation is a field error on the e-mail; nothing is written", async () => {
    const g = await workspace();
    const memberEmail = `p${g.guideline.slug.split("-")[1]}-0@example.org`;
    await act(g.slug, invite({ email: "pending@example.org" }), g.cookie);
    const before = written(g.guideline.id);

    const cases: [Record<string, string>, Record<string, string[]>][] = [
      [invite({ email: "not an address" }), { email: ["Enter a valid e-mail address, such as name@example.org"] }],
      [invite({ email: "" }), { email: ["Enter the e-mail address to invite"] }],
      [invite({ email: memberEmail.toUpperCase() }), { email: [`${memberEmail} is already on this guideline as a panelist.`] }],
      [
        invite({ email: "pending@example.org" }),
        { email: ["pending@example.org already has a pending invitation: resend it instead."] },
      ],
      [invite({ role: "admin", email: "x@example.org" }), { role: ["Choose panelist, observer or secretary"] }],
    ];
    for (const [fields, errors] of cases) {
      const response = await act(g.slug, fields, g.cookie);
      expect(response.status).toBe(400);
      expect((await response.json()).error).toEqual(errors);
    }
    expect(written(g.guideline.id)).toEqual(before);

    const refused = await act(g.slug, invite({ email: "not an address" }), g.cookie);
    const html = await render(PanelPage, await loadPanel(g.slug, g.cookie), refused);
    expect(html).toContain("Enter a valid e-mail address, such as name@example.org");
  });

  test("an expired, revoked or used invitation does not stop a new one, nor does a removed membership", async () => {
    const g = await workspace();
    await act(g.slug, invite({ email: "again@example.org" }), g.cookie);
    db()
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invitations.email, "again@example.org"))
      .run();
    expect((await act(g.slug, invite({ email: "again@example.org" }), g.cookie)).status).toBe(302);

    db().update(memberships).set({ removedAt: new Date() }).where(eq(memberships.id, g.panel[0]!.id)).run();
    const removedEmail = `p${g.guideline.slug.split("-")[1]}-0@example.org`;
    expect((await act(g.slug, invite({ email: removedEmail }), g.cookie)).status).toBe(302);
  });

  test("resend gives a new token and expiry, kills the old link and queues a second mail", async () => {
    const g = await workspace();
    await act(g.slug, invite({ email: "resend@example.org" }), g.cookie);
    const first = db().select().from(invitations).where(eq(invitations.email, "resend@example.org")).get()!;
    const oldToken = linkToken(mailsTo(g.guideline.id, "resend@example.org")[0]!.body);
    // Pretend it went out a week ago, so the new expiry is visibly later.
    const weekAgo = new Date(Date.now() - 7 * DAY_MS);
    db()
      .update(invitations)
      .set({ expiresAt: new Date(weekAgo.getTime() + INVITATION_DAYS * DAY_MS) })
      .where(eq(invitations.id, first.id))
      .run();

    const response = await act(g.slug, { intent: "resend", invitationId: first.id }, g.cookie);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/g/${g.slug}/panel?done=resend`);
    const renewed = db().select().from(invitations).where(eq(invitations.id, first.id)).get()!;
    expect(renewed.tokenHash).not.toBe(first.tokenHash);
    expect(renewed.expiresAt.getTime()).toBeGreaterThan(weekAgo.getTime() + INVITATION_DAYS * DAY_MS);
    const mails = mailsTo(g.guideline.id, "resend@example.org");
    expect(mails).toHaveLength(2);
    const newToken = linkToken(mails.find((m) => !m.body.includes(oldToken))!.body);
    expect(hashToken(newToken)).toBe(renewed.tokenHash);
    expect(findInvitationByToken(db(), oldToken)).toBeNull();
    expect(findInvitationByToken(db(), newToken)?.state).toBe("valid");
    expect(db().select().from(auditEvents).where(eq(auditEvents.action, "invitation.resent")).all().at(-1)).toMatchObject({
      guidelineId: g.guideline.id,
      details: { invitationId: first.id, email: "resend@example.org" },
    });
  });

  test("revoke kills the link; a revoked or used invitation cannot be resent or revoked again", async () => {
    const g = await workspace();
    await act(g.slug, invite({ email: "revoke@example.org" }), g.cookie);
    const invitation = db().select().from(invitations).where(eq(invitations.email, "revoke@example.org")).get()!;
    const token = linkToken(mailsTo(g.guideline.id, "revoke@example.org")[0]!.body);

    const response = await act(g.slug, { intent: "revoke", invitationId: invitation.id }, g.cookie);
    expect(response.status).toBe(302);
    expect(db().select().from(invitations).where(eq(invitations.id, invitation.id)).get()!.revokedAt).toBeInstanceOf(Date);
    expect(findInvitationByToken(db(), token)?.state).toBe("revoked");
    expect(db().select().from(auditEvents).where(eq(auditEvents.action, "invitation.revoked")).all().at(-1)?.details).toEqual({
      invitationId: invitation.id,
      email: "revoke@example.org",
    });

    const before = written(g.guideline.id);
    const again = await act(g.slug, { intent: "revoke", invitationId: invitation.id }, g.cookie);
    expect(again.status).toBe(409);
    expect((await again.json()).error).toEqual({ "": ["The invitation to revoke@example.org is already revoked."] });
    const resend = await act(g.slug, { intent: "resend", invitationId: invitation.id }, g.cookie);
    expect(resend.status).toBe(409);
    expect((await resend.json()).error).toEqual({ "": ["The invitation to revoke@example.org was revoked: invite them again."] });

    db().update(invitations).set({ usedAt: new Date(), revokedAt: null }).where(eq(invitations.id, invitation.id)).run();
    const used = await act(g.slug, { intent: "resend", invitationId: invitation.id }, g.cookie);
    expect(used.status).toBe(409);
    expect((await used.json()).error).toEqual({ "": ["revoke@example.org has already accepted this invitation."] });
    expect(written(g.guideline.id)).toEqual(before);
  });

  test("another guideline's invitation is not found here", async () => {
    const g = await workspace();
    const other = await workspace();
    await act(other.slug, invite({ email: "theirs@example.org" }), other.cookie);
    const theirs = db().select().from(invitations).where(eq(invitations.email, "theirs@example.org")).get()!;
    const response = await act(g.slug, { intent: "revoke", invitationId: theirs.id }, g.cookie);
    expect(response.status).toBe(404);
    expect(db().select().from(invitations).where(eq(invitations.id, theirs.id)).get()!.revokedAt).toBeNull();
  });
});

describe("findInvitationByToken", () => {
  test("tells valid, expired, used and revoked apart, at a given moment", async () => {
    const g = await workspace();
    await act(g.slug, invite({ email: "states@example.org" }), g.cookie);
    const invitation = db().select().from(invitations).where(eq(invitations.email, "states@example.org")).get()!;
    const token = linkToken(mailsTo(g.guideline.id, "states@example.org")[0]!.body);
    const justBefore = new Date(invitation.expiresAt.getTime() - 1);
    expect(findInvitationByToken(db(), token, justBefore)).toMatchObject({
      state: "valid",
      invitation: { email: "states@example.org", role: "panelist" },
      guideline: { id: g.guideline.id, slug: g.slug, title: g.guideline.title },
    });
    expect(findInvitationByToken(db(), token, invitation.expiresAt)?.state).toBe("expired");
    db().update(invitations).set({ usedAt: new Date() }).where(eq(invitations.id, invitation.id)).run();
    expect(findInvitationByToken(db(), token, justBefore)?.state).toBe("used");
    db().update(invitations).set({ usedAt: null, revokedAt: new Date() }).where(eq(invitations.id, invitation.id)).run();
    expect(findInvitationByToken(db(), token, justBefore)?.state).toBe("revoked");
    expect(findInvitationByToken(db(), "no-such-token")).toBeNull();
  });

  test("the panel page shows an expired invitation as expired, with resend but no revoke", async () => {
    const g = await workspace();
    await act(g.slug, invite({ email: "late@example.org" }), g.cookie);
    db()
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invitations.email, "late@example.org"))
      .run();
    const data = await (await loadPanel(g.slug, g.cookie)).json();
    expect(data.invitations.map((i: { email: string; state: string }) => [i.email, i.state])).toEqual([
      ["late@example.org", "expired"],
    ]);
    const html = await render(PanelPage, await loadPanel(g.slug, g.cookie));
    expect(html).toContain("Resend the invitation to late@example.org");
    expect(html).not.toContain("Revoke the invitation to late@example.org");
  });
});

describe("members", () => {
  test("the panel lists members with role, discipline, affiliation and COI declaration or 'not declared yet'", async () => {
    const g = await workspace(2);
    db()
      .update(memberships)
      .set({ coiText: "Consulting fees from Acme Imaging", coiDeclaredAt: new Date("2026-01-05T10:00:00Z"), affiliation: "Lyon" })
      .where(eq(memberships.id, g.panel[0]!.id))
      .run();
    const response = await loadPanel(g.slug, g.cookie);
    const data = await response.clone().json();
    expect(data.members.map((m: { role: string; name: string }) => [m.role, m.name])).toEqual([
      ["secretary", g.secretary.name],
      ["panelist", "Panelist 0"],
      ["panelist", "Panelist 1"],
    ]);
    expect(data.statements.map((s: { position: number; text: string }) => [s.position, s.text])).toEqual([
      [1, "Imaging first"],
      [2, "Biopsy always"],
    ]);
    const html = await render(PanelPage, response);
    expect(html).toContain("Consulting fees from Acme Imaging");
    expect(html).toContain("5 January 2026");
    expect(html).toContain("not declared yet");
    expect(html).toContain("Lyon");
    expect(html).toContain("Radiology");
  });

  test("remove needs the confirmation box, then marks the member removed and audits it", async () => {
    const g = await workspace(2);
    const target = g.panel[1]!;
    const before = written(g.guideline.id);
    const unconfirmed = await act(g.slug, { intent: "remove", membershipId: target.id }, g.cookie);
    expect(unconfirmed.status).toBe(400);
    expect((await unconfirmed.clone().json()).error).toEqual({ confirm: ["Tick the box to confirm the removal."] });
    expect(written(g.guideline.id)).toEqual(before);
    const html = await render(PanelPage, await loadPanel(g.slug, g.cookie), unconfirmed);
    expect(html).toContain("Tick the box to confirm the removal.");

    const response = await act(g.slug, { intent: "remove", membershipId: target.id, confirm: "on" }, g.cookie);
    expect(response.status).toBe(302);
    expect(db().select().from(memberships).where(eq(memberships.id, target.id)).get()!.removedAt).toBeInstanceOf(Date);
    expect(db().select().from(auditEvents).where(eq(auditEvents.action, "member.removed")).all().at(-1)).toMatchObject({
      guidelineId: g.guideline.id,
      actorId: g.secretary.id,
      details: { membershipId: target.id, role: "panelist" },
    });
    const data = await (await loadPanel(g.slug, g.cookie)).json();
    expect(data.members.map((m: { id: string }) => m.id)).not.toContain(target.id);
    const again = await act(g.slug, { intent: "remove", membershipId: target.id, confirm: "on" }, g.cookie);
    expect(again.status).toBe(404);
  });

  test("the last secretary cannot be removed, and a secretary cannot remove themselves", async () => {
    const g = await workspace(1);
    const mine = db()
      .select()
      .from(memberships)
      .where(and(eq(memberships.guidelineId, g.guideline.id), eq(memberships.userId, g.secretary.id)))
      .get()!;
    const before = written(g.guideline.id);
    const last = await act(g.slug, { intent: "remove", membershipId: mine.id, confirm: "on" }, g.cookie);
    expect(last.status).toBe(409);
    expect((await last.json()).error).toEqual({
      "": [`${g.secretary.email} is the last secretary of this guideline and cannot be removed.`],
    });
    expect(() => removeMember(db(), { guidelineId: g.guideline.id, membershipId: mine.id, actorId: null })).toThrow(Refusal);

    const second = await createUser(db(), { email: `second.${g.slug}@example.org`, name: "Second Secretary" });
    addMember(db(), { guidelineId: g.guideline.id, userId: second.id, role: "secretary" });
    const self = await act(g.slug, { intent: "remove", membershipId: mine.id, confirm: "on" }, g.cookie);
    expect(self.status).toBe(409);
    expect((await self.json()).error).toEqual({ "": ["You cannot remove yourself: ask another secretary."] });
    expect(written(g.guideline.id)).toEqual(before);
  });

  test("recuse and unrecuse a panelist from a statement", async () => {
    const g = await workspace(2);
    const panelist = g.panel[0]!;
    const statement = g.statements[1]!.statement;
    const fields = { intent: "recuse", membershipId: panelist.id, statementId: statement.id, reason: "Declared fees from Acme" };
    const response = await act(g.slug, fields, g.cookie);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/g/${g.slug}/panel?done=recuse`);
    expect(db().select().from(recusals).where(eq(recusals.membershipId, panelist.id)).all()).toMatchObject([
      { statementId: statement.id, reason: "Declared fees from Acme" },
    ]);
    expect(db().select().from(auditEvents).where(eq(auditEvents.action, "member.recused")).all().at(-1)?.details).toMatchObject({
      membershipId: panelist.id,
      statementId: statement.id,
      reason: "Declared fees from Acme",
    });
    const html = await render(PanelPage, await loadPanel(g.slug, g.cookie));
    expect(html).toContain("Statement 2: Declared fees from Acme");

    const before = written(g.guideline.id);
    const twice = await act(g.slug, fields, g.cookie);
    expect(twice.status).toBe(409);
    expect((await twice.json()).error).toEqual({
      "": [`p${g.slug.split("-")[1]}-0@example.org is already recused from statement 2.`],
    });
    const noReason = await act(g.slug, { ...fields, reason: "" }, g.cookie);
    expect(noReason.status).toBe(400);
    expect((await noReason.json()).error).toEqual({ reason: ["Say why, e.g. the conflict of interest they declared"] });
    const secretaryMembership = db()
      .select()
      .from(memberships)
      .where(and(eq(memberships.guidelineId, g.guideline.id), eq(memberships.role, "secretary")))
      .get()!;
    const notPanelist = await act(g.slug, { ...fields, membershipId: secretaryMembership.id }, g.cookie);
    expect(notPanelist.status).toBe(422);
    const other = await workspace(1);
    const foreign = await act(g.slug, { ...fields, statementId: other.statements[0]!.statement.id }, g.cookie);
    expect(foreign.status).toBe(404);
    expect(written(g.guideline.id)).toEqual(before);

    const withdrawn = await act(g.slug, { intent: "unrecuse", membershipId: panelist.id, statementId: statement.id }, g.cookie);
    expect(withdrawn.status).toBe(302);
    expect(db().select().from(recusals).where(eq(recusals.membershipId, panelist.id)).all()).toEqual([]);
    expect(db().select().from(auditEvents).where(eq(auditEvents.action, "member.unrecused")).all().at(-1)?.details).toMatchObject(
      {
        membershipId: panelist.id,
        statementId: statement.id,
      },
    );
    const notRecused = await act(g.slug, { intent: "unrecuse", membershipId: panelist.id, statementId: statement.id }, g.cookie);
    expect(notRecused.status).toBe(404);
  });
});

describe("stakeholder groups", () => {
  const groupChanges = (guidelineId: string) =>
    db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.guidelineId, guidelineId), eq(auditEvents.action, "member.group_changed")))
      .all();
  const groupOf = (membershipId: string) =>
    db().select({ group: memberships.stakeholderGroup }).from(memberships).where(eq(memberships.id, membershipId)).get()!.group;
  const snapshotGroups = (roundId: string) =>
    db()
      .select({ snapshot: rounds.panelSnapshot })
      .from(rounds)
      .where(eq(rounds.id, roundId))
      .get()!
      .snapshot!.members.map((m) => [m.membershipId, m.group]);

  test("a secretary sets a panelist's group: saved, shown in the member list and audited; empty is their discipline again", async () => {
    const g = await workspace(2);
    const radiologist = g.panel[0]!;
    const pathologist = g.panel[1]!;
    const email = `p${g.slug.split("-")[1]}-0@example.org`;
    const page = await render(PanelPage, await loadPanel(g.slug, g.cookie));
    // Before: each panelist is in their discipline's group, and the page says when a change applies.
    expect(page).toContain('<p class="member-group">Radiology <span class="muted">(discipline)</span></p>');
    expect(page).toContain('<p class="member-group">Pathology <span class="muted">(discipline)</span></p>');
    expect(page).toContain(
      `<label for="group-${radiologist.id}" class="group-label">New group<span class="group-label-name"> for Panelist 0</span></label>`,
    );
    expect(page).toContain("Empty: their discipline. A change applies from the next round that opens.");
    // Only panelists vote, so only they have a group to set.
    expect(page.match(/name="group"/g)).toHaveLength(2);

    const response = await act(g.slug, { intent: "group", membershipId: radiologist.id, group: "  Patients " }, g.cookie);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/g/${g.slug}/panel?done=group`);
    expect(groupOf(radiologist.id)).toBe("Patients");
    expect(groupOf(pathologist.id)).toBeNull();
    const [event] = groupChanges(g.guideline.id);
    expect(event).toMatchObject({
      actorId: g.secretary.id,
      details: { membershipId: radiologist.id, email, from: null, to: "Patients", discipline: "Radiology" },
    });
    expect(describeEvent(event!.action, event!.details as Record<string, unknown>)).toBe(
      `changed the stakeholder group of ${email} from their discipline (Radiology) to “Patients”`,
    );
    const loaded = await loadPanel(g.slug, g.cookie, "?done=group");
    const data = await loaded.clone().json();
    expect(data.members.find((m: { id: string }) => m.id === radiologist.id).stakeholderGroup).toBe("Patients");
    const html = await render(PanelPage, loaded, undefined, "?done=group");
    expect(html).toContain("Stakeholder group saved: it applies from the next round that opens.");
    expect(html).toContain('<p class="member-group">Patients</p>');
    expect(html).toMatch(
      new RegExp(
        `<input id="group-${radiologist.id}" name="group" type="text" placeholder="Radiology" maxLength="100" aria-describedby="group-help-${radiologist.id}" value="Patients"/>`,
      ),
    );

    // The same group again changes nothing, so it is no event.
    expect((await act(g.slug, { intent: "group", membershipId: radiologist.id, group: "Patients" }, g.cookie)).status).toBe(302);
    expect(groupChanges(g.guideline.id)).toHaveLength(1);

    const cleared = await act(g.slug, { intent: "group", membershipId: radiologist.id, group: " " }, g.cookie);
    expect(cleared.status).toBe(302);
    expect(groupOf(radiologist.id)).toBeNull();
    const last = groupChanges(g.guideline.id).at(-1)!;
    expect(last.details).toMatchObject({ from: "Patients", to: null });
    expect(describeEvent(last.action, last.details as Record<string, unknown>)).toBe(
      `changed the stakeholder group of ${email} from “Patients” to their discipline (Radiology)`,
    );
  });

  test("the next round that opens takes the new group; the open round keeps the groups it opened with", async () => {
    const g = await workspace(3);
    const [first, second, third] = [g.panel[0]!, g.panel[1]!, g.panel[2]!];
    const { round: round1 } = createRound(db(), {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: [g.statements[0]!.revision.id],
      status: "open",
    });
    const opened = [
      [first.id, "Radiology"],
      [second.id, "Pathology"],
      [third.id, "Radiology"],
    ];
    expect(snapshotGroups(round1.id)).toEqual(opened);
    const page = await render(PanelPage, await loadPanel(g.slug, g.cookie));
    expect(page).toContain(
      "Empty: their discipline. Round 1 keeps the groups it opened with; a change applies from the next round that opens.",
    );

    expect((await act(g.slug, { intent: "group", membershipId: first.id, group: "Patients" }, g.cookie)).status).toBe(302);
    expect((await act(g.slug, { intent: "group", membershipId: second.id, group: "Methodologists" }, g.cookie)).status).toBe(302);
    expect(snapshotGroups(round1.id)).toEqual(opened);

    closeRound(db(), { roundId: round1.id, actorId: g.secretary.id });
    expect(snapshotGroups(round1.id)).toEqual(opened);
    const { round: round2 } = createRound(db(), {
      guidelineId: g.guideline.id,
      number: 2,
      revisionIds: [g.statements[1]!.revision.id],
      status: "open",
    });
    expect(snapshotGroups(round2.id)).toEqual([
      [first.id, "Patients"],
      [second.id, "Methodologists"],
      [third.id, "Radiology"],
    ]);
  });

  test("only a current panelist of this guideline has a group, of at most 100 characters; a refusal writes nothing", async () => {
    const g = await workspace(1);
    const other = await workspace(1);
    const observer = await createUser(db(), { email: `group.observer.${g.slug}@example.org`, name: "Observer" });
    const observing = addMember(db(), { guidelineId: g.guideline.id, userId: observer.id, role: "observer" });
    const before = written(g.guideline.id);
    const notPanelist = await act(g.slug, { intent: "group", membershipId: observing.id, group: "Patients" }, g.cookie);
    expect(notPanelist.status).toBe(422);
    expect((await notPanelist.json()).error).toEqual({
      "": ["Only panelists vote, so only panelists belong to a stakeholder group."],
    });
    const foreign = await act(g.slug, { intent: "group", membershipId: other.panel[0]!.id, group: "Patients" }, g.cookie);
    expect(foreign.status).toBe(404);
    const long = await act(g.slug, { intent: "group", membershipId: g.panel[0]!.id, group: "x".repeat(101) }, g.cookie);
    expect(long.status).toBe(400);
    expect((await long.clone().json()).error).toEqual({ group: ["A stakeholder group has at most 100 characters"] });
    const html = await render(PanelPage, await loadPanel(g.slug, g.cookie), long);
    expect(html).toContain("A stakeholder group has at most 100 characters");
    expect(html).toContain(`value="${"x".repeat(101)}"`);
    db().update(memberships).set({ removedAt: new Date() }).where(eq(memberships.id, g.panel[0]!.id)).run();
    expect(() =>
      setStakeholderGroup(db(), { guidelineId: g.guideline.id, membershipId: g.panel[0]!.id, group: "Patients", actorId: null }),
    ).toThrow(Refusal);
    expect(written(g.guideline.id)).toEqual({ ...before, removed: 1 });
    expect(written(other.guideline.id).groups).toEqual([]);
  });
});

describe("/g/:slug/outbox", () => {
  test("lists the guideline's mails newest first with their text, kept here without SMTP", async () => {
    const g = await workspace();
    const other = await workspace();
    await act(g.slug, invite({ email: "first@example.org" }), g.cookie);
    await act(g.slug, invite({ email: "second@example.org", role: "observer", discipline: "" }), g.cookie);
    await act(other.slug, invite({ email: "elsewhere@example.org" }), other.cookie);
    const response = await loadOutbox(g.slug, g.cookie);
    expect(response.status).toBe(200);
    const data = await response.clone().json();
    expect(data.smtpConfigured).toBe(false);
    expect(data.mails.map((m: { to: string; kind: string }) => [m.to, m.kind])).toEqual([
      ["second@example.org", "invitation"],
      ["first@example.org", "invitation"],
    ]);
    expect(data.mails[0].body).toContain("as an observer.");
    const html = await render(OutboxPage, response);
    expect(html).toContain("SMTP is not configured: mails are kept here.");
    expect(html).toContain("kept here — SMTP is not configured");
    expect(html).toMatch(
      /<label for="mail-[a-z0-9]+">Text of the mail to second@example.org<\/label><textarea id="mail-[a-z0-9]+" readonly=""/,
    );
    expect(html).toContain(`/join/${linkToken(data.mails[0].body)}`);
    expect(html).not.toContain("elsewhere@example.org");
  });

  test("a sent mail says when", async () => {
    const g = await workspace();
    await act(g.slug, invite({ email: "sent@example.org" }), g.cookie);
    db()
      .update(outboxMails)
      .set({ sentAt: new Date("2026-03-01T09:30:00Z") })
      .where(eq(outboxMails.to, "sent@example.org"))
      .run();
    const html = await render(OutboxPage, await loadOutbox(g.slug, g.cookie));
    expect(html).toContain("sent <time");
    expect(html).toContain("1 Mar 2026, 09:30 UTC");
  });
});

describe("permissions", () => {
  test("another guideline's secretary, a panelist and an observer get 403 everywhere; nothing is written", async () => {
    const g = await workspace(1);
    const other = await workspace(1);
    await act(g.slug, invite({ email: "target@example.org" }), g.cookie);
    const invitation = db().select().from(invitations).where(eq(invitations.email, "target@example.org")).get()!;
    const observer = await createUser(db(), { email: `observer.${g.slug}@example.org`, name: "Observer" });
    addMember(db(), { guidelineId: g.guideline.id, userId: observer.id, role: "observer" });
    const panelistUserId = db().select().from(memberships).where(eq(memberships.id, g.panel[0]!.id)).get()!.userId;
    const actions: Record<string, string>[] = [
      invite({ email: "intruder@example.org" }),
      { intent: "resend", invitationId: invitation.id },
      { intent: "revoke", invitationId: invitation.id },
      { intent: "remove", membershipId: g.panel[0]!.id, confirm: "on" },
      { intent: "recuse", membershipId: g.panel[0]!.id, statementId: g.statements[0]!.statement.id, reason: "x" },
      { intent: "unrecuse", membershipId: g.panel[0]!.id, statementId: g.statements[0]!.statement.id },
      { intent: "group", membershipId: g.panel[0]!.id, group: "Patients" },
    ];
    const before = written(g.guideline.id);
    for (const userId of [other.secretary.id, panelistUserId, observer.id]) {
      const cookie = await cookieFor(userId);
      expect((await loadPanel(g.slug, cookie)).status).toBe(403);
      expect((await loadOutbox(g.slug, cookie)).status).toBe(403);
      for (const fields of actions) expect((await act(g.slug, fields, cookie)).status).toBe(403);
    }
    expect(written(g.guideline.id)).toEqual(before);
  });

  test("anonymous visitors are sent to log in", async () => {
    const g = await workspace(1);
    const panel = await loadPanel(g.slug);
    expect(panel.status).toBe(302);
    expect(panel.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent(panelPath(g.slug))}`);
    const outbox = await loadOutbox(g.slug);
    expect(outbox.status).toBe(302);
    expect(outbox.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent(`/g/${g.slug}/outbox`)}`);
    const before = written(g.guideline.id);
    const post = await act(g.slug, invite());
    expect(post.status).toBe(302);
    expect(post.headers.get("Location")).toMatch(/^\/login/);
    expect(written(g.guideline.id)).toEqual(before);
  });
});
