import type * as RemixReact from "@remix-run/react";
import { readFileSync } from "node:fs";
import { count, eq } from "drizzle-orm";
import { createElement, type ComponentProps } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test, vi } from "vitest";
import { getDb } from "@db/client.server";
import { auditEvents, guidelines, invitations, memberships, outboxMails } from "@db/schema";
import AdminPage, { action as adminAction, loader as adminLoader } from "~/routes/admin._index/route";
import AdminGuidelinesPage, { loader as guidelinesLoader } from "~/routes/admin.guidelines/route";
import SettingsPage, { action as settingsAction, loader as settingsLoader } from "~/routes/g.$slug.settings/route";
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
  NavLink: ({ to, end: _end, ...props }: ComponentProps<"a"> & { to: string; end?: boolean }) =>
    createElement("a", { href: to, ...props }),
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

function loadGuidelines(cookie?: string) {
  return respond(() => guidelinesLoader({ request: getRequest("/admin/guidelines", { cookie }), params: {}, context: {} }));
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

    const listed = await loadGuidelines(cookie);
    const { guidelines: all } = (await listed.clone().json()) as Awaited<ReturnType<typeof guidelinesLoader>>;
    expect(all.find((g) => g.slug === "lung-nodules")).toMatchObject({
      title: "Lung nodules",
      secretaries: [{ name: "Known Secretary", email: "known.secretary@example.org" }],
      invitedSecretaries: [{ id: invited[0]!.id, email: "new.secretary@example.org", state: "valid" }],
      rounds: { draft: 0, open: 0, closed: 0 },
      versions: { count: 0, latest: null },
    });
    const list = await render(AdminGuidelinesPage, listed);
    expect(list).toContain('<tr id="guideline-lung-nodules">');
    expect(list).toContain(`name="invitationId" value="${invited[0]!.id}"`);

    const overview = await loadAdmin(cookie, "?created=lung-nodules");
    const data = (await overview.clone().json()) as Awaited<ReturnType<typeof adminLoader>>;
    // Without SMTP the admin, who is not a member, is shown the link to pass on.
    expect(data.created?.unsentInvitations.map((m) => m.to)).toEqual(["new.secretary@example.org"]);
    const html = await render(AdminPage, overview);
    expect(html).toContain("Created “Lung nodules”");
    expect(html).toContain('href="/admin/guidelines#guideline-lung-nodules"');
    expect(html).toContain(`/join/${token}`);
    // The form comes back empty after a guideline was created: only its defaults are filled in.
    const form = /<form[^>]*id="new-guideline"[^>]*>([\s\S]*?)<\/form>/.exec(html)![1]!;
    expect(form).not.toContain("lung-nodules");
    expect(form).not.toContain("Lung nodules");
    expect(form).not.toContain("new.secretary@example.org");
    expect(form).toMatch(/<input[^>]*name="language"[^>]*value="en"/);
  });

  test("the descriptive fields are the settings page's: registration, source and anonymity are stored", async () => {
    const { cookie } = await admin();
    const response = await createViaAdmin(
      {
        slug: "registered",
        title: "Registered consensus",
        language: "pt-BR",
        registration: " PREPARE-2024CN902 ",
        source: "Thoracic Cancer, 2025",
        anonymity: "named",
        secretaries: "someone.else@example.org",
      },
      cookie,
    );
    expect(response.status).toBe(302);
    expect(db().select().from(guidelines).where(eq(guidelines.slug, "registered")).get()).toMatchObject({
      language: "pt-BR",
      registration: "PREPARE-2024CN902",
      source: "Thoracic Cancer, 2025",
      anonymity: "named",
      description: "",
    });
    const html = await render(AdminPage, await loadAdmin(cookie));
    for (const name of ["title", "description", "language", "registration", "source", "anonymity"]) {
      expect(html).toContain(`name="${name}"`);
    }
    expect(html).toContain('<input type="radio" name="anonymity" checked="" value="anonymous"/>');
  });

  test("a refused form keeps what was typed, with the errors", async () => {
    const { cookie } = await admin();
    const response = await createViaAdmin(
      { slug: "kept", title: "Kept title", registration: "R-1", secretaries: "not-an-address", anonymity: "sometimes" },
      cookie,
    );
    expect(response.status).toBe(400);
    expect((await response.clone().json()).error).toEqual({
      anonymity: ["Choose anonymous or named"],
      secretaries: ['"not-an-address" is not a valid e-mail address'],
    });
    const html = await render(AdminPage, await loadAdmin(cookie), response);
    expect(html).toContain('value="Kept title"');
    expect(html).toContain('value="R-1"');
    expect(html).toContain("not-an-address</textarea>");
    expect(html).toContain("Choose anonymous or named");
    expect(db().select().from(guidelines).where(eq(guidelines.slug, "kept")).get()).toBeUndefined();
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
    expect((await loadGuidelines(cookie)).status).toBe(403);
    const anonymousPost = await createViaAdmin({ slug: "sneaky", title: "Sneaky", secretaries: someone.email });
    expect(anonymousPost.status).toBe(302);
    expect(anonymousPost.headers.get("Location")).toMatch(/^\/login/);
    expect(snapshot()).toEqual(before);
  });
});

const RULE_FIELDS = {
  scaleKind: "agreement",
  family: "percent",
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

/** The COMET preset as the form spells it. */
const COMET_FIELDS = {
  scaleKind: "rating",
  points: "9",
  unable: "on",
  lowLabel: "not important",
  highLabel: "critical",
  family: "band",
  agreeLow: "7",
  agreeHigh: "9",
  opposeLow: "1",
  opposeHigh: "3",
  agreement: "atLeast",
  agreePercent: "70",
  opposition: "below",
  disagreePercent: "15",
  denominator: "participants",
};

const COMET_SCALE = { kind: "rating", points: 9, unable: true, labels: { low: "not important", high: "critical" } };
const COMET_RULE = {
  family: "band",
  agreeBand: [7, 9],
  opposeBand: [1, 3],
  agreeAtLeast: 70,
  disagreeBelow: 15,
  denominator: "participants",
};
const RAND_SCALE = {
  kind: "rating",
  points: 9,
  unable: false,
  labels: { low: "extremely inappropriate", high: "extremely appropriate" },
};

async function secretaryGuideline(panelSize = 31, input: { rule?: unknown; scale?: unknown } = {}) {
  const g = await guidelineWithPanel(db(), { panelSize, statements: ["First"], rule: input.rule });
  if (input.scale) db().update(guidelines).set({ scale: input.scale }).where(eq(guidelines.id, g.guideline.id)).run();
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
const settingsAudit = (guidelineId: string) =>
  db()
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.guidelineId, guidelineId))
    .all()
    .filter((a) => a.action === "guideline.settings_changed");

const unescape = (value: string) =>
  value
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
const attribute = (tag: string, name: string) => {
  const found = new RegExp(` ${name}="([^"]*)"`).exec(tag);
  return found ? unescape(found[1]!) : undefined;
};

/**
 * What a browser without JavaScript submits from the settings form of a page: every named input,
 * ticked checkbox and checked radio, each select's selected option and each textarea's text. No
 * button (the Save button has no name).
 */
function formFields(html: string): Record<string, string> {
  const form = /<form[^>]*id="settings"[^>]*>([\s\S]*?)<\/form>/.exec(html)![1]!;
  const fields: Record<string, string> = {};
  for (const [tag] of form.matchAll(/<input[^>]*>/g)) {
    const name = attribute(tag, "name");
    const type = attribute(tag, "type") ?? "text";
    if (!name || tag.includes(' disabled=""')) continue;
    if ((type === "radio" || type === "checkbox") && !tag.includes(' checked=""')) continue;
    fields[name] = attribute(tag, "value") ?? (type === "checkbox" ? "on" : "");
  }
  for (const [, tag, options] of form.matchAll(/(<select[^>]*>)([\s\S]*?)<\/select>/g)) {
    const selected = /<option value="([^"]*)" selected=""/.exec(options!) ?? /<option value="([^"]*)"/.exec(options!);
    fields[attribute(tag!, "name")!] = unescape(selected![1]!);
  }
  for (const [, tag, text] of form.matchAll(/(<textarea[^>]*>)([\s\S]*?)<\/textarea>/g)) {
    fields[attribute(tag!, "name")!] = unescape(text!);
  }
  return fields;
}

/** The checked value of a group of radio buttons on the page. */
const checkedValue = (html: string, name: string) =>
  [...html.matchAll(/<input[^>]*>/g)]
    .map(([tag]) => tag)
    .filter((tag) => attribute(tag, "name") === name && tag.includes(' checked=""'))
    .map((tag) => attribute(tag, "value"));
const previewOf = (html: string) => unescape(/<p aria-live="polite" id="rule-preview">([^<]*)<\/p>/.exec(html)?.[1] ?? "");
const scalePreviewOf = (html: string) => unescape(/<p id="scale-preview">Ballots: ([^<]*)<\/p>/.exec(html)?.[1] ?? "");

describe("/g/:slug/settings", () => {
  test("shows the saved scale and rule, in plain language for the current panel", async () => {
    const g = await secretaryGuideline(31);
    const response = await loadSettings(g.slug, g.cookie);
    expect(response.status).toBe(200);
    const data = await response.clone().json();
    expect(data.preview).toBe(
      "At least 50% of participants agree and under 20% disagree. With 31 participants a statement needs at least 16 agree and at most 6 disagree.",
    );
    expect(data.scalePreview).toBe("Agree, disagree or abstain.");
    expect(data.panelists).toBe(31);
    expect(data.lock).toBeNull();
    expect(data.settings).toMatchObject({
      scaleKind: "agreement",
      family: "percent",
      agreement: "atLeast",
      agreePercent: "50",
      opposition: "below",
      disagreePercent: "20",
    });
    const html = await render(SettingsPage, response);
    expect(previewOf(html)).toBe(data.preview);
    expect(scalePreviewOf(html)).toBe("Agree, disagree or abstain.");
    expect(html).toContain('name="agreePercent"');
    expect(html).not.toContain("Locked since");
    expect(html).not.toContain("Not saved yet");
    // Anonymous: no running-counts setting, and the page says why.
    expect(html).not.toContain('name="showRunningCounts"');
    expect(html).toContain("In an anonymous guideline nobody — secretaries included — sees any count before a round closes");
  });

  test.each([
    {
      family: "percent",
      rule: { agreeAbove: 60, disagreeAtMost: 10, denominator: "panel", quorum: 50 },
      scale: { kind: "agreement" },
      preview:
        "More than 60% of the eligible panel agree and at most 10% disagree. At least 50% of the eligible panel must vote. " +
        "With 20 eligible members a statement needs at least 13 agree and at most 2 disagree.",
      scalePreview: "Agree, disagree or abstain.",
      fields: { agreement: "above", agreePercent: "60", opposition: "atMost", disagreePercent: "10", quorum: "50" },
    },
    {
      family: "band",
      rule: { ...COMET_RULE, groups: { require: "every", minSize: 4 } },
      scale: COMET_SCALE,
      preview:
        "At least 70% of participants rate 7–9 and under 15% rate 1–3. It must also hold within every stakeholder group of at least 4 participants (smaller groups pooled). " +
        "With 20 participants a statement needs at least 14 rated 7–9 and at most 2 rated 1–3.",
      scalePreview: 'A rating from 1 to 9 (1 = not important, 9 = critical), or "unable to score".',
      fields: { agreeLow: "7", agreeHigh: "9", opposeLow: "1", opposeHigh: "3", groups: "on", groupMinSize: "4" },
    },
    {
      family: "rand-ucla",
      rule: { family: "rand-ucla", disagreement: "classic", stableBelow: 10 },
      scale: { kind: "rating", points: 9, unable: false },
      preview:
        "RAND/UCLA appropriateness on the 9-point scale: appropriate (adopted) when the median is 7 or more without disagreement, " +
        "inappropriate when it is 3 or less without disagreement, otherwise uncertain; disagreement by the classic table " +
        "(for 8–16 ratings, 3 to 5 ratings in each of 1–3 and 7–9).",
      scalePreview: "A rating from 1 to 9.",
      fields: { disagreement: "classic", stableBelow: "10", points: "9" },
    },
  ])(
    "a $family rule renders without JavaScript: presets, its fields filled in and its preview",
    async ({ family, rule, scale, preview, scalePreview, fields }) => {
      const g = await secretaryGuideline(20, { rule, scale });
      const response = await loadSettings(g.slug, g.cookie);
      const data = await response.clone().json();
      expect(data.preview).toBe(preview);
      const html = await render(SettingsPage, response);
      // The presets are submit buttons of the form itself, working without JavaScript.
      const presets = [
        ...html.matchAll(/<button type="submit" name="preset" value="([^"]+)" formnovalidate=""[^>]*>([^<]+)<\/button>/g),
      ];
      expect(presets.map((m) => [m[1], unescape(m[2]!)])).toEqual([
        ["imt", "The IMT consensus rule"],
        ["comet", "COMET core outcome set: 70% rate 7–9 and under 15% rate 1–3"],
        ["rand-ipras", "RAND/UCLA with IPRAS"],
        ["rand-classic", "RAND/UCLA, classic disagreement table"],
      ]);
      // Enter in a field saves: the form's first submit button is a save button, not a preset.
      expect(/<form[^>]*id="settings"[^>]*><button type="submit" class="default-submit"/.test(html)).toBe(true);
      expect(previewOf(html)).toBe(preview);
      expect(scalePreviewOf(html)).toBe(scalePreview);
      expect(checkedValue(html, "family")).toEqual([family]);
      expect(checkedValue(html, "scaleKind")).toEqual([scale.kind]);
      expect(formFields(html)).toMatchObject(fields);
      // Submitted back as it is, the page changes nothing.
      const before = guidelineRow(g.guideline.id);
      const saved = await saveSettings(g.slug, formFields(html), g.cookie);
      expect(saved.status).toBe(302);
      expect(guidelineRow(g.guideline.id)).toEqual(before);
      expect(settingsAudit(g.guideline.id)).toEqual([]);
    },
  );

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
      scale: { kind: "agreement" },
      rule: { agreeAbove: 66.67, disagreeAtMost: 10, denominator: "panel", quorum: 75 },
    });
    // A percent rule is stored without a family, exactly as before families existed.
    expect(JSON.stringify(guidelineRow(g.guideline.id).rule)).toBe(
      '{"agreeAbove":66.67,"disagreeAtMost":10,"denominator":"panel","quorum":75}',
    );
    expect(settingsAudit(g.guideline.id).at(-1)).toMatchObject({
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

  test("changing the scale and the rule together audits both, and the stored JSON is the schemas'", async () => {
    const g = await secretaryGuideline(6);
    const response = await saveSettings(
      g.slug,
      settingsFields({
        title: g.guideline.title,
        description: "",
        language: "en",
        ...COMET_FIELDS,
        quorum: "40",
        stableBelow: "12.5",
      }),
      g.cookie,
    );
    expect(response.status).toBe(302);
    const row = guidelineRow(g.guideline.id);
    expect(row.scale).toEqual(COMET_SCALE);
    expect(JSON.stringify(row.rule)).toBe(JSON.stringify({ ...COMET_RULE, quorum: 40, stableBelow: 12.5 }));
    expect(settingsAudit(g.guideline.id).at(-1)?.details).toEqual({ fields: ["scale", "rule"] });
    // Only the labels: the scale alone changed.
    const relabelled = await saveSettings(
      g.slug,
      settingsFields({
        title: g.guideline.title,
        description: "",
        language: "en",
        ...COMET_FIELDS,
        quorum: "40",
        stableBelow: "12.5",
        highLabel: "essential",
      }),
      g.cookie,
    );
    expect(relabelled.status).toBe(302);
    expect(guidelineRow(g.guideline.id).scale).toEqual({ ...COMET_SCALE, labels: { low: "not important", high: "essential" } });
    expect(settingsAudit(g.guideline.id).at(-1)?.details).toEqual({ fields: ["scale"] });
  });

  test("registration and source: the admin form's fields, saved and audited; emptied, they are stored as none", async () => {
    const g = await secretaryGuideline(3);
    const page = await render(SettingsPage, await loadSettings(g.slug, g.cookie));
    expect(formFields(page)).toMatchObject({ registration: "", source: "" });
    const saved = await saveSettings(
      g.slug,
      { ...formFields(page), registration: "PREPARE-2024CN902", source: "Thoracic Cancer, 2025\r\n16(3): e70001" },
      g.cookie,
    );
    expect(saved.status).toBe(302);
    expect(guidelineRow(g.guideline.id)).toMatchObject({
      registration: "PREPARE-2024CN902",
      source: "Thoracic Cancer, 2025\n16(3): e70001",
    });
    expect(settingsAudit(g.guideline.id).at(-1)?.details).toEqual({ fields: ["registration", "source"] });
    const filled = formFields(await render(SettingsPage, await loadSettings(g.slug, g.cookie)));
    expect(filled).toMatchObject({ registration: "PREPARE-2024CN902", source: "Thoracic Cancer, 2025\n16(3): e70001" });

    const emptied = await saveSettings(g.slug, { ...filled, registration: " ", source: "" }, g.cookie);
    expect(emptied.status).toBe(302);
    expect(guidelineRow(g.guideline.id)).toMatchObject({ registration: null, source: null });

    const before = guidelineRow(g.guideline.id);
    const refused = await saveSettings(g.slug, { ...filled, title: "Bad\u0000title", registration: "x".repeat(501) }, g.cookie);
    expect(refused.status).toBe(400);
    expect((await refused.json()).error).toEqual({
      title: ["A title contains a control character (U+0000 at character 4): only tab and line break are allowed"],
      registration: ["A registration has at most 500 characters"],
    });
    expect(guidelineRow(g.guideline.id)).toEqual(before);
  });

  test("no opposition bound and no quorum are saved as absent", async () => {
    const g = await secretaryGuideline(3);
    const response = await saveSettings(g.slug, settingsFields({ opposition: "none", disagreePercent: "" }), g.cookie);
    expect(response.status).toBe(302);
    expect(guidelineRow(g.guideline.id).rule).toStrictEqual({ agreeAtLeast: 50, denominator: "participants" });
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
    expect(previewOf(html)).toMatch(/^Not a complete rule yet: The agreement percentage must be from 0 to 100, got 150; /);
  });

  test("a missing percentage, a non-number and unknown choices are named, all at once", async () => {
    const g = await secretaryGuideline(5);
    const response = await saveSettings(g.slug, settingsFields({ agreePercent: "", disagreePercent: "lots" }), g.cookie);
    expect(response.status).toBe(400);
    expect((await response.json()).error).toEqual({
      agreePercent: ["Enter the share that must agree, from 0 to 100"],
      disagreePercent: ["The opposition percentage must be a number (a percentage from 0 to 100)"],
    });
    const missing = await saveSettings(g.slug, settingsFields({ agreePercent: "", disagreePercent: "" }), g.cookie);
    expect((await missing.json()).error).toEqual({
      agreePercent: ["Enter the share that must agree, from 0 to 100"],
      disagreePercent: ["Enter the opposition percentage, or choose no opposition bound"],
    });
    const choices = await saveSettings(
      g.slug,
      settingsFields({ denominator: "everyone", anonymity: "secret", family: "majority", scaleKind: "stars" }),
      g.cookie,
    );
    expect((await choices.json()).error).toEqual({
      anonymity: ["Choose anonymous or named"],
      scaleKind: ["Choose agree / disagree / abstain or ratings"],
      family: ["Choose a rule family: percent agreement, rating bands or RAND/UCLA"],
    });
    const denominator = await saveSettings(g.slug, settingsFields({ denominator: "everyone" }), g.cookie);
    expect((await denominator.json()).error).toEqual({ denominator: ["Choose what the percentages are of"] });
  });

  test.each<{ name: string; fields: Record<string, string>; error: Record<string, string[]> }>([
    {
      name: "percent agreement on ratings",
      fields: { ...COMET_FIELDS, family: "percent" },
      error: { family: ["The percent family counts agree and disagree: it needs the agreement scale, not ratings"] },
    },
    {
      name: "rating bands on agree / disagree / abstain",
      fields: { ...COMET_FIELDS, scaleKind: "agreement" },
      error: { family: ["The band family needs a rating scale, not agree / disagree / abstain"] },
    },
    {
      name: "RAND/UCLA on 5 points",
      fields: { ...COMET_FIELDS, points: "5", family: "rand-ucla", disagreement: "ipras" },
      error: { family: ["RAND/UCLA needs the 9-point scale, not 1–5"] },
    },
    {
      name: "RAND/UCLA on agree / disagree / abstain",
      fields: { scaleKind: "agreement", family: "rand-ucla", disagreement: "classic" },
      error: { family: ["The rand-ucla family needs a rating scale, not agree / disagree / abstain"] },
    },
    {
      name: "bands outside a 7-point scale",
      fields: { ...COMET_FIELDS, points: "7", agreeLow: "6", agreeHigh: "8", opposeLow: "0", opposeHigh: "2" },
      error: {
        opposeBand: ["The opposition band starts at 1 or more"],
        agreeBand: ["The agreement band 6–8 goes beyond the scale's 1–7"],
      },
    },
    {
      name: "overlapping bands",
      fields: { ...COMET_FIELDS, opposeHigh: "7" },
      error: { opposeBand: ["The agreement band and the opposition band must not overlap"] },
    },
    {
      name: "an opposition bound without an opposition band",
      fields: { ...COMET_FIELDS, opposeLow: "", opposeHigh: "" },
      error: { opposeBand: ["An opposition bound needs the opposition band to count"] },
    },
  ])("a rule that does not fit its scale is refused on its field, with every other error: $name", async ({ fields, error }) => {
    const g = await secretaryGuideline(5);
    const before = guidelineRow(g.guideline.id);
    const auditBefore = rows(auditEvents);
    const response = await saveSettings(g.slug, settingsFields({ title: "", ...fields }), g.cookie);
    expect(response.status).toBe(400);
    expect((await response.clone().json()).error).toEqual({ title: ["Enter a title"], ...error });
    expect(guidelineRow(g.guideline.id)).toEqual(before);
    expect(rows(auditEvents)).toBe(auditBefore);
    const html = await render(SettingsPage, await loadSettings(g.slug, g.cookie), response);
    for (const message of Object.values(error).flat()) expect(unescape(html)).toContain(message);
  });

  describe("presets, without JavaScript", () => {
    test.each([
      {
        preset: "imt",
        label: "The IMT consensus rule",
        scale: { kind: "agreement" },
        rule: { agreeAtLeast: 50, disagreeBelow: 20, denominator: "participants" },
        changed: ["title", "scale", "rule"],
        preview:
          "At least 50% of participants agree and under 20% disagree. With 12 participants a statement needs at least 6 agree and at most 2 disagree.",
      },
      {
        preset: "comet",
        label: "COMET core outcome set: 70% rate 7–9 and under 15% rate 1–3",
        scale: COMET_SCALE,
        rule: COMET_RULE,
        changed: ["title", "scale", "rule"],
        preview:
          "At least 70% of participants rate 7–9 and under 15% rate 1–3. With 12 participants a statement needs at least 9 rated 7–9 and at most 1 rated 1–3.",
      },
      {
        preset: "rand-ipras",
        label: "RAND/UCLA with IPRAS",
        scale: RAND_SCALE,
        rule: { family: "rand-ucla", disagreement: "ipras" },
        changed: ["title", "scale", "rule"],
        preview: /disagreement by IPRAS \(interpercentile range above the adjusted for symmetry threshold\)\.$/,
      },
      {
        preset: "rand-classic",
        label: "RAND/UCLA, classic disagreement table",
        scale: RAND_SCALE,
        rule: { family: "rand-ucla", disagreement: "classic" },
        changed: ["title", "scale", "rule"],
        preview: /disagreement by the classic table \(for 8–16 ratings, 3 to 5 ratings in each of 1–3 and 7–9\)\.$/,
      },
    ])("$preset: the button brings the form back filled in, not saved; saving it stores its rule and scale", async (t) => {
      // Start from a rule no preset has: a 5-point band rule with a quorum and groups.
      const g = await secretaryGuideline(12, {
        scale: { kind: "rating", points: 5, unable: false },
        rule: {
          family: "band",
          agreeBand: [4, 5],
          agreeAbove: 80,
          denominator: "panel",
          quorum: 60,
          groups: { require: "every", minSize: 3 },
        },
      });
      const before = guidelineRow(g.guideline.id);
      const auditBefore = rows(auditEvents);
      const page = await render(SettingsPage, await loadSettings(g.slug, g.cookie));
      // The secretary types a title, then presses the preset's button.
      const answer = await saveSettings(g.slug, { ...formFields(page), title: "Typed, not saved", preset: t.preset }, g.cookie);
      expect(answer.status).toBe(200);
      expect(guidelineRow(g.guideline.id)).toEqual(before);
      expect(rows(auditEvents)).toBe(auditBefore);

      const filled = await render(SettingsPage, await loadSettings(g.slug, g.cookie), answer);
      expect(unescape(filled.replace(/<[^>]+>/g, ""))).toContain(
        `Not saved yet: the ballot scale and the adoption rule are filled in from “${t.label}”. Check them, then press Save settings.`,
      );
      expect(filled).not.toContain("Settings saved.");
      expect(previewOf(filled)).toEqual(typeof t.preview === "string" ? t.preview : expect.stringMatching(t.preview));
      const fields = formFields(filled);
      expect(fields.title).toBe("Typed, not saved");
      // The preset's rule has no quorum nor groups: they are cleared, not kept from the form.
      expect(fields.quorum).toBe("");
      expect(fields.groups).toBeUndefined();

      const saved = await saveSettings(g.slug, fields, g.cookie);
      expect(saved.status).toBe(302);
      const row = guidelineRow(g.guideline.id);
      expect(row.title).toBe("Typed, not saved");
      expect(row.scale).toStrictEqual(t.scale);
      expect(JSON.stringify(row.rule)).toBe(JSON.stringify(t.rule));
      expect(settingsAudit(g.guideline.id).at(-1)?.details).toEqual({ fields: t.changed });
    });

    test("an unknown preset is a 400 and a preset once the settings are locked a 409; neither changes anything", async () => {
      const g = await secretaryGuideline(3);
      const before = guidelineRow(g.guideline.id);
      const unknown = await saveSettings(g.slug, settingsFields({ preset: "delphi-magic" }), g.cookie);
      expect(unknown.status).toBe(400);
      expect((await unknown.json()).error).toEqual({ "": ["Choose one of the presets on the page."] });
      createRound(db(), {
        guidelineId: g.guideline.id,
        number: 1,
        revisionIds: [g.statements[0]!.revision.id],
        status: "open",
        openedAt: new Date("2026-02-03T08:00:00Z"),
      });
      const locked = await saveSettings(g.slug, settingsFields({ preset: "comet" }), g.cookie);
      expect(locked.status).toBe(409);
      expect((await locked.json()).error).toEqual({
        "": ["The ballot scale, the adoption rule and anonymity are locked since round 1 opened on 3 February 2026."],
      });
      expect(guidelineRow(g.guideline.id)).toEqual(before);
      expect(settingsAudit(g.guideline.id)).toEqual([]);
    });
  });

  test("once round 1 opens, the scale, the rule and anonymity are locked (409, unchanged) while the title stays editable", async () => {
    const g = await secretaryGuideline(3);
    const openedAt = new Date("2026-02-03T08:00:00Z");
    const { round } = createRound(db(), {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: [g.statements[0]!.revision.id],
      status: "open",
      openedAt,
    });
    expect(round.scaleSnapshot).toEqual({ kind: "agreement" });
    const page = await loadSettings(g.slug, g.cookie);
    const data = await page.clone().json();
    expect(data.lock).toEqual({ number: 1, openedAt: openedAt.toISOString(), closedAt: null });
    const html = await render(SettingsPage, page);
    expect(html).toContain("Locked since round 1 opened on <time");
    expect(html).toContain("3 February 2026");
    expect(html).not.toContain('name="agreePercent" form="settings" type="number"');
    expect(html).not.toContain('name="preset"');
    expect(html).toContain("At least 50% of participants agree and under 20% disagree.");
    expect(html).toContain("<dt>Ballot scale</dt><dd>Agree, disagree or abstain.</dd>");

    const before = guidelineRow(g.guideline.id);
    const changes: Record<string, string>[] = [
      { agreePercent: "60" },
      { anonymity: "named" },
      { opposition: "none", disagreePercent: "" },
      { scaleKind: "rating", points: "9", family: "rand-ucla", disagreement: "ipras" },
    ];
    for (const change of changes) {
      const refused = await saveSettings(g.slug, settingsFields(change), g.cookie);
      expect(refused.status).toBe(409);
      expect((await refused.json()).error).toEqual({
        "": ["The ballot scale, the adoption rule and anonymity are locked since round 1 opened on 3 February 2026."],
      });
      expect(guidelineRow(g.guideline.id)).toEqual(before);
    }

    // The language of the statements is fixed with them (translations.test.ts): it is sent unchanged.
    const renamed = await saveSettings(
      g.slug,
      settingsFields({ title: "Still editable", showRunningCounts: "", language: before.language }),
      g.cookie,
    );
    expect(renamed.status).toBe(302);
    // An anonymous guideline has no running-counts setting: the field is ignored, nothing else changes.
    expect(guidelineRow(g.guideline.id)).toMatchObject({
      title: "Still editable",
      language: before.language,
      showRunningCounts: before.showRunningCounts,
      anonymity: "anonymous",
      scale: before.scale,
      rule: before.rule,
    });
    expect(settingsAudit(g.guideline.id).at(-1)?.details).toEqual({ fields: ["title", "description"] });
  });

  test("a locked rating scale cannot change: not its points, 'unable to score', labels nor kind", async () => {
    const g = await secretaryGuideline(4, { scale: COMET_SCALE, rule: COMET_RULE });
    createRound(db(), {
      guidelineId: g.guideline.id,
      number: 1,
      revisionIds: [g.statements[0]!.revision.id],
      status: "open",
      openedAt: new Date("2026-03-10T08:00:00Z"),
    });
    const page = await loadSettings(g.slug, g.cookie);
    const html = await render(SettingsPage, page);
    expect(unescape(html)).toContain(
      '<dt>Ballot scale</dt><dd>A rating from 1 to 9 (1 = not important, 9 = critical), or "unable to score".</dd>',
    );
    // The page submits its scale and rule back as they are: only the title changes.
    const fields = formFields(html);
    expect(fields).toMatchObject(COMET_FIELDS);
    const before = guidelineRow(g.guideline.id);
    const changes: Record<string, string>[] = [
      { points: "10" },
      { unable: "" },
      { lowLabel: "unimportant" },
      { highLabel: "" },
      { scaleKind: "agreement", family: "percent" },
    ];
    for (const change of changes) {
      const refused = await saveSettings(g.slug, { ...fields, ...change }, g.cookie);
      expect(refused.status, JSON.stringify(change)).toBe(409);
      expect((await refused.json()).error[""]).toEqual([
        "The ballot scale, the adoption rule and anonymity are locked since round 1 opened on 10 March 2026.",
      ]);
      expect(guidelineRow(g.guideline.id)).toEqual(before);
    }
    const renamed = await saveSettings(g.slug, { ...fields, title: "Renamed under lock" }, g.cookie);
    expect(renamed.status).toBe(302);
    expect(guidelineRow(g.guideline.id)).toEqual({ ...before, title: "Renamed under lock" });
    expect(settingsAudit(g.guideline.id).map((a) => a.details)).toEqual([{ fields: ["title"] }]);
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
    expect((await refused.json()).error[""][0]).toMatch(
      /^The ballot scale, the adoption rule and anonymity are locked since round 1 was imported/,
    );
  });

  test("the locked page submits the saved scale and rule back unchanged", async () => {
    const g = await secretaryGuideline(3);
    createRound(db(), { guidelineId: g.guideline.id, number: 1, revisionIds: [g.statements[0]!.revision.id], status: "open" });
    const html = await render(SettingsPage, await loadSettings(g.slug, g.cookie));
    const hidden = Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    expect(hidden).toMatchObject({ anonymity: "anonymous", ...RULE_FIELDS, points: "9" });
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
      expect((await saveSettings(g.slug, settingsFields({ preset: "comet" }), cookie)).status).toBe(403);
    }
    const anonymous = await loadSettings(g.slug);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent(settingsPath(g.slug))}`);
    expect((await saveSettings(g.slug, settingsFields())).headers.get("Location")).toMatch(/^\/login/);
    expect(guidelineRow(g.guideline.id)).toEqual(before);
  });
});
