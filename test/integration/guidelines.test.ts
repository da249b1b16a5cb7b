import type * as RemixReact from "@remix-run/react";
import { readFileSync } from "node:fs";
import { count, eq } from "drizzle-orm";
import { createElement, type ComponentProps } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test, vi } from "vitest";
import { getDb } from "@db/client.server";
import { auditEvents, guidelines, invitations, memberships, outboxMails } from "@db/schema";
import AdminPage, { action as adminAction, loader as adminLoader } from "~/routes/admin._index";
import SettingsPage, { action as settingsAction, loader as settingsLoader } from "~/routes/g.$slug.settings";
import { importRecord } from "~/server/imports.server";
import { hashToken } from "~/server/session-token";
import { addMember, createGuideline, createRound, createUser } from "../support/factories";
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
const rows = (table: typeof guidelines | typeof memberships | typeof invitations | typeof outboxMails | typeof auditEvents) =>
  db().select({ n: count() }).from(table).get()!.n;
const snapshot = () => [rows(guidelines), rows(memberships), rows(invitations), rows(outboxMails), rows(auditEvents)];

let adminCounter = 0;
async function admin() {
  const n = ++adminCounter;
  const user = await createUser(db(), { email: `admin${n}@example.org`, name: `Admin ${n}`, isAdmin: true });
  return { user, cookie: await cookieFor(user.id) };
}

function loadAdmin(cookie?: string, search = "") {
  return respond(() => adminLoader({ request: getRequest(`/admin${search}`, { cookie }), params: {}, context: {} }));
}

function createViaAdmin(fields: Record<string, string>, cookie?: string) {
  return respond(() => adminAction({ request: formRequest("/admin", fields, { cookie }), params: {}, context: {} }));
}

describe("/admin: creating a guideline", () => {
  test("an existing account becomes secretary at once, a new address is invited, with the default rule", async () => {
    const { user, cookie } = await admin();
    const known = await createUser(db(), { email: "known.secretary@example.org", name: "Known Secretary" });
    const response = await createViaAdmin(
      {
        slug: "lung-nodules",
        title: "Lung nodules",
        description: "Follow-up of incidental nodules",
        language: "en",
        secretaries: "Known.Secretary@example.org,\nnew.secretary@example.org",
      },
      cookie,
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/admin?created=lung-nodules");

    const guideline = db().select().from(guidelines).where(eq(guidelines.slug, "lung-nodules")).get()!;
    expect(guideline).toMatchObject({
      title: "Lung nodules",
      description: "Follow-up of incidental nodules",
      language: "en",
      anonymity: "anonymous",
      rule: { agreeAtLeast: 50, disagreeBelow: 20, denominator: "participants" },
      createdBy: user.id,
    });
    const members = db().select().from(memberships).where(eq(memberships.guidelineId, guideline.id)).all();
    expect(members.map((m) => [m.userId, m.role])).toEqual([[known.id, "secretary"]]);
    const invited = db().select().from(invitations).where(eq(invitations.guidelineId, guideline.id)).all();
    expect(invited.map((i) => [i.email, i.role, i.invitedBy])).toEqual([["new.secretary@example.org", "secretary", user.id]]);
    const mail = db().select().from(outboxMails).where(eq(outboxMails.guidelineId, guideline.id)).get()!;
    expect(mail).toMatchObject({ kind: "invitation", to: "new.secretary@example.org", subject: 'Invitation to "Lung nodules"' });
    const token = /http:\/\/localhost\/join\/([a-z0-9]+)/.exec(mail.body)![1]!;
    expect(hashToken(token)).toBe(invited[0]!.tokenHash);
    const audit = db().select().from(auditEvents).where(eq(auditEvents.guidelineId, guideline.id)).all();
    expect(audit.map((a) => a.action).sort()).toEqual(["guideline.created", "member.invited"]);
    expect(audit.find((a) => a.action === "guideline.created")!.details).toEqual({
      slug: "lung-nodules",
      title: "Lung nodules",
      secretaries: ["known.secretary@example.org"],
      invitedSecretaries: ["new.secretary@example.org"],
    });

    const listed = await loadAdmin(cookie, "?created=lung-nodules");
    const data = (await listed.clone().json()) as Awaited<ReturnType<typeof adminLoader>>;
    expect(data.guidelines.find((g) => g.slug === "lung-nodules")).toMatchObject({
      title: "Lung nodules",
      secretaries: [{ name: "Known Secretary", email: "known.secretary@example.org" }],
      invitedSecretaries: [{ email: "new.secretary@example.org", state: "valid" }],
    });
    // Without SMTP the admin, who is not a member, is shown the link to pass on.
    expect(data.created?.unsentInvitations.map((m) => m.to)).toEqual(["new.secretary@example.org"]);
    const html = await render(AdminPage, listed);
    expect(html).toContain("Created “Lung nodules”");
    expect(html).toContain(`/join/${token}`);
  });

  test("an admin who names themselves secretary goes on to the new guideline's settings", async () => {
    const { user, cookie } = await admin();
    const response = await createViaAdmin({ slug: "self-run", title: "Self run", secretaries: user.email }, cookie);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/g/self-run/settings");
    const guideline = db().select().from(guidelines).where(eq(guidelines.slug, "self-run")).get()!;
    expect(guideline.language).toBe("en");
  });

  test("a slug in use is a field error on the slug, with every other error, and nothing is written", async () => {
    const { cookie } = await admin();
    createGuideline(db(), { slug: "taken", title: "Taken" });
    const before = snapshot();
    const response = await createViaAdmin({ slug: "taken", title: "", secretaries: "someone@example.org" }, cookie);
    expect(response.status).toBe(400);
    const result = await response.clone().json();
    expect(result.error).toEqual({ slug: ['The slug "taken" is already in use'], title: ["Enter a title"] });
    expect(snapshot()).toEqual(before);
    expect(await render(AdminPage, await loadAdmin(cookie), response)).toContain("The slug &quot;taken&quot; is already in use");
  });

  test("a malformed slug and a bad address in the list are named", async () => {
    const { cookie } = await admin();
    const before = snapshot();
    const response = await createViaAdmin(
      { slug: "-Bad Slug", title: "Fine", secretaries: "good@example.org, not-an-address\nalso@bad" },
      cookie,
    );
    expect(response.status).toBe(400);
    expect((await response.json()).error).toEqual({
      slug: ["Use lowercase letters, digits and hyphens, starting with a letter or digit"],
      secretaries: ['These are not valid e-mail addresses: "not-an-address", "also@bad"'],
    });
    const one = await createViaAdmin({ slug: "fine", title: "Fine", secretaries: "x@" }, cookie);
    expect((await one.json()).error).toEqual({ secretaries: ['"x@" is not a valid e-mail address'] });
    const none = await createViaAdmin({ slug: "fine", title: "Fine", secretaries: " , " }, cookie);
    expect((await none.json()).error).toEqual({ secretaries: ["Enter at least one secretary's e-mail address"] });
    const long = await createViaAdmin({ slug: "a".repeat(101), title: "Fine", secretaries: "a@example.org" }, cookie);
    expect((await long.json()).error).toEqual({ slug: ["A slug has at most 100 characters"] });
    expect(snapshot()).toEqual(before);
  });

  test("only instance admins: others get 403, anonymous visitors go to log in", async () => {
    const someone = await createUser(db(), { email: "not.admin@example.org", name: "Not Admin" });
    const cookie = await cookieFor(someone.id);
    const before = snapshot();
    const page = await loadAdmin(cookie);
    expect(page.status).toBe(403);
    expect(await page.json()).toEqual({ error: "Only instance administrators can open this page." });
    expect((await createViaAdmin({ slug: "sneaky", title: "Sneaky", secretaries: someone.email }, cookie)).status).toBe(403);
    const anonymous = await loadAdmin();
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toBe("/login?redirectTo=%2Fadmin");
    const anonymousPost = await createViaAdmin({ slug: "sneaky", title: "Sneaky", secretaries: someone.email });
    expect(anonymousPost.status).toBe(302);
    expect(anonymousPost.headers.get("Location")).toMatch(/^\/login/);
    expect(snapshot()).toEqual(before);
  });
});

const RULE_FIELDS = {
  agreement: "atLeast",
  agreePercent: "50",
  opposition: "below",
  disagreePercent: "20",
  denominator: "participants",
  quorum: "",
};

function settingsFields(overrides: Record<string, string> = {}) {
  return {
    title: "Renamed guideline",
    description: "What it covers",
    language: "fr",
    anonymity: "anonymous",
    showRunningCounts: "on",
    ...RULE_FIELDS,
    ...overrides,
  };
}

async function secretaryGuideline(panelSize = 31) {
  const g = await guidelineWithPanel(db(), { panelSize, statements: ["First"] });
  return { ...g, slug: g.guideline.slug, cookie: await cookieFor(g.secretary.id) };
}

const settingsPath = (slug: string, search = "") => `/g/${slug}/settings${search}`;

function loadSettings(slug: string, cookie?: string, search = "") {
  return respond(() =>
    settingsLoader({ request: getRequest(settingsPath(slug, search), { cookie }), params: { slug }, context: {} }),
  );
}

function saveSettings(slug: string, fields: Record<string, string>, cookie?: string) {
  return respond(() =>
    settingsAction({ request: formRequest(settingsPath(slug), fields, { cookie }), params: { slug }, context: {} }),
  );
}

const guidelineRow = (id: string) => db().select().from(guidelines).where(eq(guidelines.id, id)).get()!;

describe("/g/:slug/settings", () => {
  test("shows the saved rule in plain language for the current panel", async () => {
    const g = await secretaryGuideline(31);
    const response = await loadSettings(g.slug, g.cookie);
    expect(response.status).toBe(200);
    const data = await response.clone().json();
    expect(data.preview).toBe(
      "At least 50% of participants agree and under 20% disagree. With 31 participants a statement needs at least 16 agree and at most 6 disagree.",
    );
    expect(data.panelists).toBe(31);
    expect(data.lock).toBeNull();
    expect(data.settings).toMatchObject({ agreement: "atLeast", agreePercent: 50, opposition: "below", disagreePercent: 20 });
    const html = await render(SettingsPage, response);
    expect(html).toContain("With 31 participants a statement needs at least 16 agree and at most 6 disagree.");
    expect(html).toContain('name="agreePercent"');
    expect(html).not.toContain("Locked since");
    // Anonymous: no running-counts setting, and the page says why.
    expect(html).not.toContain('name="showRunningCounts"');
    expect(html).toContain("In an anonymous guideline nobody — secretaries included — sees any count before a round closes");
  });

  test("a named guideline offers running counts for its secretaries", async () => {
    const g = await secretaryGuideline(5);
    db().update(guidelines).set({ anonymity: "named" }).where(eq(guidelines.id, g.guideline.id)).run();
    const html = await render(SettingsPage, await loadSettings(g.slug, g.cookie));
    expect(html).toContain('name="showRunningCounts"');
    expect(html).toContain("Secretaries see running counts while a round is open");
  });

  test("removed panelists do not count in the preview", async () => {
    const g = await secretaryGuideline(4);
    db().update(memberships).set({ removedAt: new Date() }).where(eq(memberships.id, g.panel[0]!.id)).run();
    const data = await (await loadSettings(g.slug, g.cookie)).json();
    expect(data.panelists).toBe(3);
    expect(data.preview).toContain("With 3 participants");
  });

  test("saving changes every setting and the rule, and audits which fields changed", async () => {
    const g = await secretaryGuideline(10);
    const response = await saveSettings(
      g.slug,
      settingsFields({
        anonymity: "named",
        showRunningCounts: "",
        agreement: "above",
        agreePercent: "66.67",
        opposition: "atMost",
        disagreePercent: "10",
        denominator: "panel",
        quorum: "75",
      }),
      g.cookie,
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/g/${g.slug}/settings?saved=1`);
    expect(guidelineRow(g.guideline.id)).toMatchObject({
      title: "Renamed guideline",
      description: "What it covers",
      language: "fr",
      anonymity: "named",
      showRunningCounts: false,
      rule: { agreeAbove: 66.67, disagreeAtMost: 10, denominator: "panel", quorum: 75 },
    });
    const audit = db().select().from(auditEvents).where(eq(auditEvents.action, "guideline.settings_changed")).all();
    expect(audit.at(-1)).toMatchObject({
      guidelineId: g.guideline.id,
      actorId: g.secretary.id,
      details: { fields: ["title", "description", "language", "anonymity", "showRunningCounts", "rule"] },
    });
    const saved = await loadSettings(g.slug, g.cookie, "?saved=1");
    const data = await saved.clone().json();
    expect(data.preview).toBe(
      "More than 66.67% of the eligible panel agree and at most 10% disagree. At least 75% of the eligible panel must vote. " +
        "With 10 eligible members a statement needs at least 7 agree and at most 1 disagree.",
    );
    expect(await render(SettingsPage, saved, undefined, "?saved=1")).toContain("Settings saved.");
  });

  test("no opposition bound and no quorum are saved as absent", async () => {
    const g = await secretaryGuideline(3);
    const response = await saveSettings(g.slug, settingsFields({ opposition: "none", disagreePercent: "" }), g.cookie);
    expect(response.status).toBe(302);
    expect(guidelineRow(g.guideline.id).rule).toEqual({ agreeAtLeast: 50, denominator: "participants" });
  });

  test("rule errors come back on the form field that holds them, with every other error, and nothing is saved", async () => {
    const g = await secretaryGuideline(5);
    const before = guidelineRow(g.guideline.id);
    const auditBefore = rows(auditEvents);
    const response = await saveSettings(
      g.slug,
      settingsFields({ title: " ", agreePercent: "150", disagreePercent: "20.125", quorum: "-1", language: "english please" }),
      g.cookie,
    );
    expect(response.status).toBe(400);
    const result = await response.clone().json();
    expect(result.error).toEqual({
      title: ["Enter a title"],
      language: ["Use a language tag such as en, fr or pt-BR"],
      agreePercent: ["The agreement percentage must be from 0 to 100, got 150"],
      disagreePercent: ["The opposition percentage must have at most two decimals, got 20.125"],
      quorum: ["The quorum must be from 0 to 100, got -1"],
    });
    expect(guidelineRow(g.guideline.id)).toEqual(before);
    expect(rows(auditEvents)).toBe(auditBefore);
    const html = await render(SettingsPage, await loadSettings(g.slug, g.cookie), response);
    expect(html).toContain("The agreement percentage must be from 0 to 100, got 150");
    // The preview follows what was submitted, not the saved rule.
    expect(html).toContain("Not a complete rule yet");
  });

  test("a missing percentage and a non-number are named", async () => {
    const g = await secretaryGuideline(5);
    const response = await saveSettings(g.slug, settingsFields({ agreePercent: "", disagreePercent: "lots" }), g.cookie);
    expect(response.status).toBe(400);
    expect((await response.json()).error).toEqual({ disagreePercent: ["Enter the opposition percentage as a number"] });
    const missing = await saveSettings(g.slug, settingsFields({ agreePercent: "", disagreePercent: "" }), g.cookie);
    expect((await missing.json()).error).toEqual({
      agreePercent: ["Enter the share that must agree, from 0 to 100"],
      disagreePercent: ["Enter the opposition percentage, or choose no opposition bound"],
    });
    const denominator = await saveSettings(g.slug, settingsFields({ denominator: "everyone", anonymity: "secret" }), g.cookie);
    expect((await denominator.json()).error).toEqual({
      anonymity: ["Choose anonymous or named"],
      denominator: ["Choose what the percentages are of"],
    });
  });

  test("once round 1 opens, the rule and anonymity are locked (409, unchanged) while the title stays editable", async () => {
    const g = await secretaryGuideline(3);
    const openedAt = new Date("2026-02-03T08:00:00Z");
    createRound(db(), {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: [g.statements[0]!.revision.id],
      status: "open",
      openedAt,
    });
    const page = await loadSettings(g.slug, g.cookie);
    const data = await page.clone().json();
    expect(data.lock).toEqual({ number: 1, openedAt: openedAt.toISOString(), closedAt: null });
    const html = await render(SettingsPage, page);
    expect(html).toContain("Locked since round 1 opened on <time");
    expect(html).toContain("3 February 2026");
    expect(html).not.toContain('name="agreePercent" type="number"');
    expect(html).toContain("At least 50% of participants agree and under 20% disagree.");

    const before = guidelineRow(g.guideline.id);
    const changes: Record<string, string>[] = [
      { agreePercent: "60" },
      { anonymity: "named" },
      { opposition: "none", disagreePercent: "" },
    ];
    for (const change of changes) {
      const refused = await saveSettings(g.slug, settingsFields(change), g.cookie);
      expect(refused.status).toBe(409);
      expect((await refused.json()).error).toEqual({
        "": ["The adoption rule and anonymity are locked since round 1 opened on 3 February 2026."],
      });
      expect(guidelineRow(g.guideline.id)).toEqual(before);
    }

    const renamed = await saveSettings(g.slug, settingsFields({ title: "Still editable", showRunningCounts: "" }), g.cookie);
    expect(renamed.status).toBe(302);
    // An anonymous guideline has no running-counts setting: the field is ignored, nothing else changes.
    expect(guidelineRow(g.guideline.id)).toMatchObject({
      title: "Still editable",
      language: "fr",
      showRunningCounts: before.showRunningCounts,
      anonymity: "anonymous",
      rule: before.rule,
    });
    const audit = db().select().from(auditEvents).where(eq(auditEvents.action, "guideline.settings_changed")).all();
    expect(audit.at(-1)?.details).toEqual({ fields: ["title", "description", "language"] });
  });

  test("an imported guideline is locked since its first round was imported", async () => {
    const { slug } = importRecord(db(), { text: readFileSync("fixtures/imt-2025-table1.json", "utf8"), actorId: null });
    const guideline = db().select().from(guidelines).where(eq(guidelines.slug, slug)).get()!;
    const secretary = await createUser(db(), { email: "imt.secretary@example.org", name: "IMT Secretary" });
    addMember(db(), { guidelineId: guideline.id, userId: secretary.id, role: "secretary" });
    const cookie = await cookieFor(secretary.id);
    const page = await loadSettings(slug, cookie);
    expect((await page.clone().json()).lock).toMatchObject({ number: 1, openedAt: null });
    expect(await render(SettingsPage, page)).toContain("Locked since round 1 was imported");
    const refused = await saveSettings(slug, settingsFields({ title: guideline.title, agreePercent: "60" }), cookie);
    expect(refused.status).toBe(409);
    expect((await refused.json()).error[""][0]).toMatch(/^The adoption rule and anonymity are locked since round 1 was imported/);
  });

  test("the locked page submits the saved rule back unchanged", async () => {
    const g = await secretaryGuideline(3);
    createRound(db(), { guidelineId: g.guideline.id, number: 1, revisionIds: [g.statements[0]!.revision.id], status: "open" });
    const html = await render(SettingsPage, await loadSettings(g.slug, g.cookie));
    const hidden = Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    expect(hidden).toEqual({ anonymity: "anonymous", ...RULE_FIELDS });
    const response = await saveSettings(g.slug, { title: "New title", language: "en", ...hidden }, g.cookie);
    expect(response.status).toBe(302);
    expect(guidelineRow(g.guideline.id).title).toBe("New title");
  });

  test("permissions: another guideline's secretary, a panelist and an observer get 403; anonymous goes to log in", async () => {
    const g = await secretaryGuideline(2);
    const other = await secretaryGuideline(1);
    const observer = await createUser(db(), { email: "settings.observer@example.org", name: "Observer" });
    addMember(db(), { guidelineId: g.guideline.id, userId: observer.id, role: "observer" });
    const panelistUser = db().select().from(memberships).where(eq(memberships.id, g.panel[0]!.id)).get()!.userId;
    const before = guidelineRow(g.guideline.id);
    for (const userId of [other.secretary.id, panelistUser, observer.id]) {
      const cookie = await cookieFor(userId);
      expect((await loadSettings(g.slug, cookie)).status).toBe(403);
      expect((await saveSettings(g.slug, settingsFields(), cookie)).status).toBe(403);
    }
    const anonymous = await loadSettings(g.slug);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent(settingsPath(g.slug))}`);
    expect((await saveSettings(g.slug, settingsFields())).headers.get("Location")).toMatch(/^\/login/);
    expect(guidelineRow(g.guideline.id)).toEqual(before);
  });
});
