import { readFileSync } from "node:fs";
import { join } from "node:path";
import type * as RemixReact from "@remix-run/react";
import { and, count, eq } from "drizzle-orm";
import { createElement, type ComponentProps } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test, vi } from "vitest";
import { getDb } from "@db/client.server";
import { auditEvents, invitations, memberships, outboxMails, recusals, rounds } from "@db/schema";
import OutboxPage, { loader as outboxLoader } from "~/routes/g.$slug.outbox/route";
import PanelPage, { action as panelAction, loader as panelLoader } from "~/routes/g.$slug.panel/route";
import { CONFIRM_REMOVAL } from "~/routes/g.$slug.panel/schemas";
import { describeEvent } from "~/server/audit-log.server";
import { findInvitationByToken, INVITATION_DAYS, removeMember, updateMember } from "~/server/panel.server";
import { closeRound } from "~/server/rounds.server";
import { Refusal } from "~/server/errors.server";
import { hashToken } from "~/server/session-token";
import { formatUtc } from "~/time";
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
  useSubmit: () => () => undefined,
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

/** A form posted from the panel page; `search` is the page's own query (a form posts back to it). */
function act(slug: string, fields: Record<string, string>, cookie?: string, search = "") {
  return respond(() =>
    panelAction({ request: formRequest(panelPath(slug, search), fields, { cookie }), params: { slug }, context: {} }),
  );
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
    expect(mail!.body).toContain(`To accept, open this link (it works once, until ${formatUtc(invitation.expiresAt)}):`);
    expect(mail!.body).toMatch(/until \d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC\):/);
    expect(mail!.body).not.toContain("UTC UTC");
    expect(mail!.body.startsWith("Hello,\n")).toBe(true);
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

  test("a panelist's invitation may name their stakeholder group; another role's may not", async () => {
    const g = await workspace();
    const response = await act(g.slug, invite({ email: "patient@example.org", group: " Patients " }), g.cookie);
    expect(response.status).toBe(302);
    expect(db().select().from(invitations).where(eq(invitations.email, "patient@example.org")).get()).toMatchObject({
      role: "panelist",
      stakeholderGroup: "Patients",
    });
    const before = written(g.guideline.id);
    const observer = await act(g.slug, invite({ email: "watch@example.org", role: "observer", group: "Patients" }), g.cookie);
    expect(observer.status).toBe(400);
    expect((await observer.json()).error).toEqual({
      group: ["Only panelists belong to a stakeholder group: leave it empty for a secretary or observer."],
    });
    expect(written(g.guideline.id)).toEqual(before);
    const html = await render(PanelPage, await loadPanel(g.slug, g.cookie));
    expect(html).toContain('<td data-label="Group">Patients</td>');
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

describe("the panel's list", () => {
  /** The people the page lists for a search, as [status, name or e-mail]. */
  async function listed(slug: string, cookie: string, search = "") {
    const data = await (await loadPanel(slug, cookie, search)).json();
    return data.people.map((p: { status: string; name: string | null; email: string }) => [p.status, p.name ?? p.email]);
  }

  test("members, invitations not taken up and removed members, one row each, with their status", async () => {
    const g = await workspace(3);
    await act(g.slug, invite({ email: "pending@example.org" }), g.cookie);
    await act(g.slug, invite({ email: "late@example.org", role: "observer", discipline: "" }), g.cookie);
    db()
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - DAY_MS) })
      .where(eq(invitations.email, "late@example.org"))
      .run();
    await act(g.slug, invite({ email: "revoked@example.org" }), g.cookie);
    const revoked = db().select().from(invitations).where(eq(invitations.email, "revoked@example.org")).get()!;
    await act(g.slug, { intent: "revoke", invitationId: revoked.id }, g.cookie);
    db().update(memberships).set({ removedAt: new Date() }).where(eq(memberships.id, g.panel[2]!.id)).run();

    expect(await listed(g.slug, g.cookie)).toEqual([
      ["joined", g.secretary.name],
      ["joined", "Panelist 0"],
      ["joined", "Panelist 1"],
      ["invited", "pending@example.org"],
      ["expired", "late@example.org"],
      ["removed", "Panelist 2"],
    ]);
    const response = await loadPanel(g.slug, g.cookie);
    const data = await response.clone().json();
    expect(data.statusCounts).toEqual({ joined: 3, invited: 1, expired: 1, removed: 1 });
    expect(data.peopleTotal).toBe(6);
    const html = await render(PanelPage, response);
    expect(html).toContain('<h3 id="members-heading">Members (3)</h3>');
    expect(html).toContain("6 on the list: 3 joined, 1 invited, 1 invitation expired, 1 removed.");
    expect(html).toContain('<span class="badge status-expired">invitation expired</span>');
    // Real table semantics: a caption, column headers and each person's name as the row's header.
    expect(html).toContain('<caption class="visually-hidden">Members, invitations not taken up and removed members</caption>');
    expect(html).toContain('<th scope="col">Discipline / group</th>');
    expect(html).toContain('<th scope="row" class="person-name">Panelist 0');
    expect(html).toContain('<td data-label="E-mail" class="member-email">pending@example.org</td>');
    // Each row's actions are behind a menu named for its person; resend and revoke for an invitation.
    expect(html).toContain('<summary>Actions<span class="visually-hidden"> for Panelist 1</span></summary>');
    expect(html).toContain("Revoke the invitation to pending@example.org");
    expect(html).not.toContain("Revoke the invitation to late@example.org");
    expect(html).not.toContain('Actions<span class="visually-hidden"> for Panelist 2</span>');
  });

  test("the search finds members by name, e-mail, discipline, group and affiliation, accents aside; the status filter narrows it", async () => {
    const g = await workspace(4);
    const set = (i: number, fields: Partial<typeof memberships.$inferInsert>) =>
      db().update(memberships).set(fields).where(eq(memberships.id, g.panel[i]!.id)).run();
    set(0, { affiliation: "Hôpital Édouard Herriot, Lyon" });
    set(1, { stakeholderGroup: "Patients" });
    await act(g.slug, invite({ email: "radiology.fellow@example.org", discipline: "Nuclear medicine" }), g.cookie);
    const email = `p${g.slug.split("-")[1]}-3@example.org`;

    expect(await listed(g.slug, g.cookie, "?q=herriot")).toEqual([["joined", "Panelist 0"]]);
    expect(await listed(g.slug, g.cookie, "?q=hopital+edouard")).toEqual([["joined", "Panelist 0"]]);
    expect(await listed(g.slug, g.cookie, "?q=PATIENTS")).toEqual([["joined", "Panelist 1"]]);
    expect(await listed(g.slug, g.cookie, `?q=${encodeURIComponent(email)}`)).toEqual([["joined", "Panelist 3"]]);
    expect(await listed(g.slug, g.cookie, "?q=pathology")).toEqual([
      ["joined", "Panelist 1"],
      ["joined", "Panelist 3"],
    ]);
    // Every word must match: the discipline and the invited address.
    expect(await listed(g.slug, g.cookie, "?q=radiology")).toEqual([
      ["joined", "Panelist 0"],
      ["joined", "Panelist 2"],
      ["invited", "radiology.fellow@example.org"],
    ]);
    expect(await listed(g.slug, g.cookie, "?q=radiology+nuclear")).toEqual([["invited", "radiology.fellow@example.org"]]);
    expect(await listed(g.slug, g.cookie, "?q=radiology&status=invited")).toEqual([["invited", "radiology.fellow@example.org"]]);
    expect(await listed(g.slug, g.cookie, "?status=joined")).toHaveLength(5);
    expect(await listed(g.slug, g.cookie, "?q=nobody")).toEqual([]);
    // A status that makes no sense shows everyone.
    expect(await listed(g.slug, g.cookie, "?status=bogus")).toHaveLength(6);

    const response = await loadPanel(g.slug, g.cookie, "?q=radiology&status=joined");
    const html = await render(PanelPage, response, undefined, "?q=radiology&status=joined");
    // A GET form, so the filter works without JavaScript; the rows' links keep it.
    expect(html).toMatch(/<form method="get" role="search" aria-label="The panel&#x27;s list" class="people-filter">/);
    expect(html).toContain('<input id="people-q" name="q" type="search" maxLength="200" value="radiology"/>');
    expect(html).toContain('<option value="joined" selected="">joined (5)</option>');
    expect(html).toContain("Showing 2 of 6: 5 joined, 1 invited, 0 invitation expired, 0 removed.");
    expect(html).toContain(
      `href="/g/${g.slug}/panel?q=radiology&amp;status=joined&amp;edit=${g.panel[0]!.id}#edit-${g.panel[0]!.id}"`,
    );
    expect(html).toContain(`<a href="/g/${g.slug}/panel">Show everyone</a>`);
    const none = await render(PanelPage, await loadPanel(g.slug, g.cookie, "?q=nobody"), undefined, "?q=nobody");
    expect(none).toContain("No one on the list matches.");
  });

  test("the panel shows each member's role, discipline, affiliation, group and COI declaration or 'not declared yet'", async () => {
    const g = await workspace(2);
    db()
      .update(memberships)
      .set({
        coiText: "Consulting fees from Acme Imaging",
        coiDeclaredAt: new Date("2026-01-05T10:00:00Z"),
        affiliation: "Lyon",
        stakeholderGroup: "Clinicians",
      })
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
    expect(html).toContain(
      '<details class="coi"><summary>Declared <time dateTime="2026-01-05T10:00:00.000Z">5 January 2026</time><span class="visually-hidden">: Panelist 0&#x27;s declaration</span></summary><p class="coi-text">Consulting fees from Acme Imaging</p></details>',
    );
    expect(html).toContain("not declared yet");
    expect(html).toContain('<span class="muted person-affiliation">Lyon</span>');
    expect(html).toContain('Radiology<span class="person-group">group: Clinicians</span>');
    expect(html).toContain('<td data-label="Role">Panelist</td>');
  });

  test("a phone gets the table as cards: each cell names its column, and the table never scrolls sideways", async () => {
    const css = readFileSync(join(process.cwd(), "app/styles/panel.css"), "utf8");
    expect(css).toContain(".panel-page :is(td, th)[data-label]::before");
    expect(css).toMatch(/\.member-email \{\s+overflow-wrap: anywhere;/);
    const g = await workspace(1);
    const html = await render(PanelPage, await loadPanel(g.slug, g.cookie));
    expect(html).not.toContain("table-scroll");
    expect(html).toContain('<table class="data-table people-table">');
  });
});

describe("removing a member", () => {
  test("needs its confirmation step; the confirmed removal marks the member removed and audits it", async () => {
    const g = await workspace(2);
    const target = g.panel[1]!;
    const before = written(g.guideline.id);
    const unconfirmed = await act(g.slug, { intent: "remove", membershipId: target.id }, g.cookie);
    expect(unconfirmed.status).toBe(400);
    expect((await unconfirmed.clone().json()).error).toEqual({ confirm: [CONFIRM_REMOVAL] });
    expect(written(g.guideline.id)).toEqual(before);
    const html = await render(PanelPage, await loadPanel(g.slug, g.cookie), unconfirmed);
    expect(html).toContain(CONFIRM_REMOVAL);

    // The menu links to the confirmation; the list alone offers no button that removes.
    const list = await render(PanelPage, await loadPanel(g.slug, g.cookie));
    expect(list).toContain(`href="/g/${g.slug}/panel?remove=${target.id}#remove-${target.id}"`);
    expect(list).not.toContain('name="confirm"');
    const confirming = await render(
      PanelPage,
      await loadPanel(g.slug, g.cookie, `?remove=${target.id}`),
      undefined,
      `?remove=${target.id}`,
    );
    expect(confirming).toContain(
      "<strong>Remove Panelist 1?</strong> Their past ballots still count. They will no longer see this guideline; you can invite them again later.",
    );
    expect(confirming).toContain(
      '<button type="submit" name="confirm" value="on" class="button button-danger">Remove Panelist 1</button>',
    );
    expect(written(g.guideline.id)).toEqual(before);

    const response = await act(
      g.slug,
      { intent: "remove", membershipId: target.id, confirm: "on" },
      g.cookie,
      "?remove=" + target.id,
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/g/${g.slug}/panel?done=remove`);
    expect(db().select().from(memberships).where(eq(memberships.id, target.id)).get()!.removedAt).toBeInstanceOf(Date);
    expect(db().select().from(auditEvents).where(eq(auditEvents.action, "member.removed")).all().at(-1)).toMatchObject({
      guidelineId: g.guideline.id,
      actorId: g.secretary.id,
      details: { membershipId: target.id, role: "panelist" },
    });
    const data = await (await loadPanel(g.slug, g.cookie)).json();
    expect(data.members.map((m: { id: string }) => m.id)).not.toContain(target.id);
    expect(data.people.find((p: { membershipId: string }) => p.membershipId === target.id).status).toBe("removed");
    const again = await act(g.slug, { intent: "remove", membershipId: target.id, confirm: "on" }, g.cookie);
    expect(again.status).toBe(404);
  });

  test("while a round is open the confirmation says its ballots still count", async () => {
    const g = await workspace(2);
    createRound(db(), { guidelineId: g.guideline.id, number: 1, revisionIds: [g.statements[0]!.revision.id], status: "open" });
    const target = g.panel[0]!;
    const html = await render(
      PanelPage,
      await loadPanel(g.slug, g.cookie, `?remove=${target.id}`),
      undefined,
      `?remove=${target.id}`,
    );
    expect(html).toContain(
      "<strong>Remove Panelist 0?</strong> Their past ballots still count, and so do those they cast in round 1, which is open.",
    );
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
    // One's own row offers no removal, even asked for.
    const html = await render(
      PanelPage,
      await loadPanel(g.slug, g.cookie, `?remove=${mine.id}`),
      undefined,
      `?remove=${mine.id}`,
    );
    expect(html).not.toContain(`remove=${mine.id}#`);
    expect(html).not.toContain('name="confirm"');
  });
});

describe("recusals", () => {
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
    expect(html).toContain("Recused from statement 2: Declared fees from Acme");
    expect(html).toContain("Withdraw Panelist 0&#x27;s recusal from statement 2");

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

describe("editing a member", () => {
  const updates = (guidelineId: string) =>
    db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.guidelineId, guidelineId), eq(auditEvents.action, "member.updated")))
      .all();
  const membership = (membershipId: string) => db().select().from(memberships).where(eq(memberships.id, membershipId)).get()!;
  const snapshotMembers = (roundId: string) =>
    db()
      .select({ snapshot: rounds.panelSnapshot })
      .from(rounds)
      .where(eq(rounds.id, roundId))
      .get()!
      .snapshot!.members.map((m) => [m.membershipId, m.discipline, m.group])
      // Members who joined in the same millisecond follow their random ids: compare as a set.
      .sort(([a], [b]) => (a! < b! ? -1 : 1));
  const edit = (membershipId: string, fields: Record<string, string> = {}) => ({
    intent: "edit",
    membershipId,
    role: "panelist",
    discipline: "Radiology",
    affiliation: "",
    group: "",
    ...fields,
  });

  test("changes the discipline, affiliation, group and role, audited as one event; the same values again are no event", async () => {
    const g = await workspace(2);
    const radiologist = g.panel[0]!;
    const email = `p${g.slug.split("-")[1]}-0@example.org`;
    const form = await render(
      PanelPage,
      await loadPanel(g.slug, g.cookie, `?edit=${radiologist.id}`),
      undefined,
      `?edit=${radiologist.id}`,
    );
    expect(form).toContain(`<tr id="edit-${radiologist.id}" class="person-form-row"><td colSpan="7">`);
    expect(form).toContain("<legend>Change Panelist 0</legend>");
    expect(form).toContain("A new role, discipline or group applies from the next round that opens.");
    expect(form).toContain(
      `<select required="" id="edit-form-${radiologist.id}-role" name="role" form="edit-form-${radiologist.id}"><option value="panelist" selected="">Panelist (votes)</option>`,
    );
    expect(form.match(new RegExp(`id="edit-${radiologist.id}"`, "g"))).toHaveLength(1);
    expect(form).toContain('placeholder="Radiology"');

    const response = await act(
      g.slug,
      edit(radiologist.id, { discipline: " Nuclear medicine ", affiliation: "Lyon", group: "  Patients " }),
      g.cookie,
      `?q=lyon&edit=${radiologist.id}`,
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/g/${g.slug}/panel?q=lyon&done=edit`);
    expect(membership(radiologist.id)).toMatchObject({
      role: "panelist",
      discipline: "Nuclear medicine",
      affiliation: "Lyon",
      stakeholderGroup: "Patients",
    });
    const [event] = updates(g.guideline.id);
    expect(event).toMatchObject({
      actorId: g.secretary.id,
      details: {
        membershipId: radiologist.id,
        email,
        changes: {
          discipline: { from: "Radiology", to: "Nuclear medicine" },
          affiliation: { from: null, to: "Lyon" },
          group: { from: null, to: "Patients" },
        },
      },
    });
    expect(describeEvent(event!.action, event!.details as Record<string, unknown>)).toBe(
      `changed ${email}: discipline from “Radiology” to “Nuclear medicine”, affiliation from none to “Lyon”, group from their discipline to “Patients”`,
    );
    const html = await render(PanelPage, await loadPanel(g.slug, g.cookie, "?done=edit"), undefined, "?done=edit");
    expect(html).toContain("Member saved. A new role, discipline or group applies from the next round that opens.");
    expect(html).toContain('Nuclear medicine<span class="person-group">group: Patients</span>');

    const again = edit(radiologist.id, { discipline: "Nuclear medicine", affiliation: "Lyon", group: "Patients" });
    expect((await act(g.slug, again, g.cookie)).status).toBe(302);
    expect(updates(g.guideline.id)).toHaveLength(1);

    // Empty fields clear; a panelist becomes an observer (and leaves their group).
    expect((await act(g.slug, edit(radiologist.id, { role: "observer", discipline: "" }), g.cookie)).status).toBe(302);
    expect(membership(radiologist.id)).toMatchObject({
      role: "observer",
      discipline: null,
      affiliation: null,
      stakeholderGroup: null,
    });
    expect(updates(g.guideline.id).at(-1)!.details).toMatchObject({
      changes: {
        role: { from: "panelist", to: "observer" },
        discipline: { from: "Nuclear medicine", to: null },
        affiliation: { from: "Lyon", to: null },
        group: { from: "Patients", to: null },
      },
    });
  });

  test("a change while a round is open leaves that round's panel snapshot as it opened; the next round takes it", async () => {
    const g = await workspace(3);
    const [first, second, third] = [g.panel[0]!, g.panel[1]!, g.panel[2]!];
    const { round: round1 } = createRound(db(), {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: [g.statements[0]!.revision.id],
      status: "open",
    });
    const opened = [
      [first.id, "Radiology", "Radiology"],
      [second.id, "Pathology", "Pathology"],
      [third.id, "Radiology", "Radiology"],
    ].sort(([a], [b]) => (a! < b! ? -1 : 1));
    expect(snapshotMembers(round1.id)).toEqual(opened);
    const form = await render(PanelPage, await loadPanel(g.slug, g.cookie, `?edit=${first.id}`), undefined, `?edit=${first.id}`);
    expect(form).toContain(
      "Round 1 keeps the panel it opened with: a new role, discipline or group applies from the next round that opens. If Panelist 0 stops being a panelist, the ballots they cast in round 1 still count, but they can no longer change them.",
    );

    expect((await act(g.slug, edit(first.id, { group: "Patients" }), g.cookie)).status).toBe(302);
    expect((await act(g.slug, edit(second.id, { discipline: "Surgery", group: "Methodologists" }), g.cookie)).status).toBe(302);
    expect((await act(g.slug, edit(third.id, { role: "observer" }), g.cookie)).status).toBe(302);
    expect(snapshotMembers(round1.id)).toEqual(opened);
    const done = await render(PanelPage, await loadPanel(g.slug, g.cookie, "?done=edit"), undefined, "?done=edit");
    expect(done).toContain(
      "Member saved. Round 1 keeps the panel it opened with: a new role, discipline or group applies from the next round that opens.",
    );

    closeRound(db(), { roundId: round1.id, actorId: g.secretary.id });
    expect(snapshotMembers(round1.id)).toEqual(opened);
    const { round: round2 } = createRound(db(), {
      guidelineId: g.guideline.id,
      number: 2,
      revisionIds: [g.statements[1]!.revision.id],
      status: "open",
    });
    expect(snapshotMembers(round2.id)).toEqual(
      [
        [first.id, "Radiology", "Patients"],
        [second.id, "Surgery", "Methodologists"],
      ].sort(([a], [b]) => (a! < b! ? -1 : 1)),
    );
  });

  test("the last secretary cannot be demoted, nor can secretaries change their own role: 409, nothing changed", async () => {
    const g = await workspace(1);
    const mine = db()
      .select()
      .from(memberships)
      .where(and(eq(memberships.guidelineId, g.guideline.id), eq(memberships.userId, g.secretary.id)))
      .get()!;
    const before = written(g.guideline.id);
    const demoted = await act(g.slug, edit(mine.id, { role: "panelist", discipline: "" }), g.cookie, `?edit=${mine.id}`);
    expect(demoted.status).toBe(409);
    expect((await demoted.clone().json()).error).toEqual({
      "": [`${g.secretary.email} is the last secretary of this guideline: make another member secretary first.`],
    });
    expect(membership(mine.id).role).toBe("secretary");
    expect(written(g.guideline.id)).toEqual(before);
    expect(updates(g.guideline.id)).toEqual([]);
    const html = await render(PanelPage, await loadPanel(g.slug, g.cookie, `?edit=${mine.id}`), demoted, `?edit=${mine.id}`);
    expect(html).toContain("is the last secretary of this guideline: make another member secretary first.");
    expect(() =>
      updateMember(db(), {
        guidelineId: g.guideline.id,
        membershipId: mine.id,
        changes: { role: "observer", discipline: null, affiliation: null, group: null },
        actorId: null,
      }),
    ).toThrow(Refusal);

    // With a second secretary, the demotion is still refused to oneself, and allowed to the other.
    const other = await createUser(db(), { email: `second.${g.slug}@example.org`, name: "Second Secretary" });
    const theirs = addMember(db(), { guidelineId: g.guideline.id, userId: other.id, role: "secretary" });
    const self = await act(g.slug, edit(mine.id, { role: "observer", discipline: "" }), g.cookie);
    expect(self.status).toBe(409);
    expect((await self.json()).error).toEqual({ "": ["You cannot change your own role: ask another secretary."] });
    expect(membership(mine.id).role).toBe("secretary");
    // One's own discipline is fine.
    expect((await act(g.slug, edit(mine.id, { role: "secretary", discipline: "Methods" }), g.cookie)).status).toBe(302);
    expect(membership(mine.id)).toMatchObject({ role: "secretary", discipline: "Methods" });
    expect((await act(g.slug, edit(theirs.id, { role: "observer", discipline: "" }), g.cookie)).status).toBe(302);
    expect(membership(theirs.id).role).toBe("observer");
  });

  test("bad input is a field error naming the field; another guideline's or a removed member is not found; nothing changes", async () => {
    const g = await workspace(1);
    const other = await workspace(1);
    const target = g.panel[0]!;
    const before = written(g.guideline.id);
    const cases: [Record<string, string>, Record<string, string[]>][] = [
      [edit(target.id, { role: "admin" }), { role: ["Choose panelist, observer or secretary"] }],
      [edit(target.id, { discipline: "x".repeat(101) }), { discipline: ["A discipline has at most 100 characters"] }],
      [edit(target.id, { affiliation: "x".repeat(201) }), { affiliation: ["An affiliation has at most 200 characters"] }],
      [edit(target.id, { group: "x".repeat(101) }), { group: ["A stakeholder group has at most 100 characters"] }],
      [
        edit(target.id, { role: "observer", group: "Patients" }),
        { group: ["Only panelists belong to a stakeholder group: leave it empty for a secretary or observer."] },
      ],
    ];
    for (const [fields, errors] of cases) {
      const response = await act(g.slug, fields, g.cookie);
      expect(response.status).toBe(400);
      expect((await response.json()).error).toEqual(errors);
    }
    const long = await act(g.slug, edit(target.id, { group: "x".repeat(101) }), g.cookie, `?edit=${target.id}`);
    const html = await render(PanelPage, await loadPanel(g.slug, g.cookie, `?edit=${target.id}`), long, `?edit=${target.id}`);
    expect(html).toContain("A stakeholder group has at most 100 characters");
    expect(html).toContain(`value="${"x".repeat(101)}"`);

    expect((await act(g.slug, edit(other.panel[0]!.id), g.cookie)).status).toBe(404);
    db().update(memberships).set({ removedAt: new Date() }).where(eq(memberships.id, target.id)).run();
    expect((await act(g.slug, edit(target.id, { group: "Patients" }), g.cookie)).status).toBe(404);
    expect(written(g.guideline.id)).toEqual({ ...before, removed: 1 });
    expect(updates(g.guideline.id)).toEqual([]);
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
      { intent: "edit", membershipId: g.panel[0]!.id, role: "panelist", group: "Patients" },
      { intent: "bulk-preview", csv: "name,email\nAda,ada@example.org" },
      { intent: "bulk-send", csv: "name,email\nAda,ada@example.org", expected: "1" },
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
