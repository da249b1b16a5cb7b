import type * as RemixReact from "@remix-run/react";
import { count, eq } from "drizzle-orm";
import { createElement, type ComponentProps } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test, vi } from "vitest";
import { getDb } from "@db/client.server";
import { invitations, memberships, users } from "@db/schema";
import JoinPage, { action, loader } from "~/routes/join.$token/route";
import { getUser } from "~/server/auth.server";
import { generateSessionToken, hashToken } from "~/server/session-token";
import { createGuideline, createUser } from "../support/factories";
import { cookieFor, cookieFrom, formRequest, getRequest, respond } from "../support/requests";

// The page is rendered from its loader's data, as Remix would on the server.
const page = vi.hoisted(() => ({ loaderData: undefined as unknown }));
vi.mock("@remix-run/react", async (original) => ({
  ...(await original<typeof RemixReact>()),
  useLoaderData: () => page.loaderData,
  useActionData: () => undefined,
  useLocation: () => ({ pathname: "/join/token", search: "", hash: "", state: null, key: "default" }),
  Form: (props: ComponentProps<"form">) => createElement("form", props),
  Link: ({ to, ...props }: ComponentProps<"a"> & { to: string }) => createElement("a", { href: to, ...props }),
}));

let n = 0;

function invite(overrides: Partial<typeof invitations.$inferInsert> = {}) {
  const db = getDb();
  const guideline = createGuideline(db, { slug: `join-${++n}`, title: `Join ${n}` });
  const token = generateSessionToken();
  const invitation = db
    .insert(invitations)
    .values({
      guidelineId: guideline.id,
      email: `invitee${n}@example.org`,
      role: "panelist",
      discipline: "Pathology",
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + 86_400_000),
      ...overrides,
    })
    .returning()
    .get();
  return { guideline, token, invitation };
}

const join = (token: string, fields: Record<string, string>, cookie?: string) =>
  respond(() => action({ request: formRequest(`/join/${token}`, fields, { cookie }), params: { token }, context: {} }));
const view = async (token: string, cookie?: string) =>
  (await respond(() => loader({ request: getRequest(`/join/${token}`, { cookie }), params: { token }, context: {} }))).json();
const counts = () => {
  const db = getDb();
  return [db.select({ n: count() }).from(users).get()!.n, db.select({ n: count() }).from(memberships).get()!.n];
};

describe("joining from an invitation", () => {
  test("sets a name, password and declaration, joins the panel and is logged in", async () => {
    const { guideline, token, invitation } = invite();
    expect(await view(token)).toMatchObject({ state: "valid", email: invitation.email, role: "panelist", hasAccount: false });
    const response = await join(token, { intent: "create", name: "Dr Ada Lovelace", password: "tumour-board-2026", coi: "None" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/g/${guideline.slug}`);
    const user = await getUser(getRequest("/", { cookie: cookieFrom(response) }));
    expect(user).toMatchObject({ email: invitation.email, name: "Dr Ada Lovelace" });
    const membership = getDb().select().from(memberships).where(eq(memberships.userId, user!.id)).get()!;
    expect(membership).toMatchObject({ role: "panelist", discipline: "Pathology", coiText: "None" });
    expect(membership.coiDeclaredAt).toBeInstanceOf(Date);
    expect(getDb().select().from(invitations).where(eq(invitations.id, invitation.id)).get()!.usedAt).toBeInstanceOf(Date);

    expect(await view(token)).toMatchObject({ state: "refused", message: "This invitation link has already been used." });
    const again = await join(token, { intent: "create", name: "Someone", password: "tumour-board-2026", coi: "None" });
    expect(again.status).toBe(410);
  });

  test("a short, long or common password, a missing name and declaration: every error at once, nothing written", async () => {
    const { token } = invite();
    const before = counts();
    for (const [password, message] of [
      ["kq7#z", "A password has at least 8 characters"],
      ["x".repeat(129), "A password has at most 128 characters"],
      ["password123", "This is one of the most common passwords: choose another"],
    ] as const) {
      const response = await join(token, { intent: "create", name: "", password, coi: "" });
      expect(response.status).toBe(400);
      const body = await response.json();
      expect(body.error).toEqual({
        name: ["Enter your name"],
        password: [message],
        coi: ["Declare your conflicts of interest, or write “None”"],
      });
    }
    expect(counts()).toEqual(before);
  });

  test("expired, revoked and unknown links say so and how to get a new one", async () => {
    const expired = invite({ expiresAt: new Date(Date.now() - 1000) });
    expect(await view(expired.token)).toMatchObject({ state: "refused", message: "This invitation link has expired." });
    const revoked = invite({ revokedAt: new Date() });
    expect((await view(revoked.token)).message).toBe("This invitation was withdrawn by the guideline's secretary.");
    expect((await view("not-a-token")).message).toMatch(/not valid/);
    const before = counts();
    const response = await join(expired.token, { intent: "create", name: "Late", password: "tumour-board-2026", coi: "None" });
    expect(response.status).toBe(410);
    expect(counts()).toEqual(before);
  });

  test("an existing account accepts while logged in as the invited address, and only then", async () => {
    const db = getDb();
    const { token, invitation, guideline } = invite();
    const existing = await createUser(db, { email: invitation.email, name: "Existing" });
    const stranger = await createUser(db, { email: `stranger${n}@example.org`, name: "Stranger" });
    expect(await view(token)).toMatchObject({ hasAccount: true, signedInAs: null });

    const wrong = await join(token, { intent: "accept", coi: "None" }, await cookieFor(stranger.id));
    expect(wrong.status).toBe(403);
    const creating = await join(token, { intent: "create", name: "Dup", password: "tumour-board-2026", coi: "None" });
    expect(creating.status).toBe(409);

    const accepted = await join(
      token,
      { intent: "accept", coi: "Consulting fees from a TKI maker (2024)" },
      await cookieFor(existing.id),
    );
    expect(accepted.status).toBe(302);
    const membership = db.select().from(memberships).where(eq(memberships.guidelineId, guideline.id)).all();
    expect(membership.map((m) => [m.userId, m.coiText])).toEqual([[existing.id, "Consulting fees from a TKI maker (2024)"]]);
  });
});

describe("the invitation's role, discipline and group", () => {
  test("the membership gets the invitation's stakeholder group, discipline and affiliation", async () => {
    const { token, guideline } = invite({ stakeholderGroup: "Patients", affiliation: "Patient association" });
    expect(await view(token)).toMatchObject({ role: "panelist", discipline: "Pathology", group: "Patients" });
    const response = await join(token, { intent: "create", name: "Pat Ient", password: "tumour-board-2026", coi: "None" });
    expect(response.status).toBe(302);
    expect(getDb().select().from(memberships).where(eq(memberships.guidelineId, guideline.id)).get()).toMatchObject({
      role: "panelist",
      discipline: "Pathology",
      stakeholderGroup: "Patients",
      affiliation: "Patient association",
    });
  });

  test("a removed member who joins again takes the new invitation's group", async () => {
    const db = getDb();
    const { token, guideline, invitation } = invite({ stakeholderGroup: "Methodologists" });
    const user = await createUser(db, { email: invitation.email, name: "Returning" });
    db.insert(memberships)
      .values({
        guidelineId: guideline.id,
        userId: user.id,
        role: "panelist",
        stakeholderGroup: "Clinicians",
        removedAt: new Date(),
      })
      .run();
    const response = await join(token, { intent: "accept", coi: "None" }, await cookieFor(user.id));
    expect(response.status).toBe(302);
    expect(db.select().from(memberships).where(eq(memberships.userId, user.id)).get()).toMatchObject({
      removedAt: null,
      stakeholderGroup: "Methodologists",
    });
  });

  test("the page says what joining means for the role: only a panelist hears about votes", async () => {
    const render = async (token: string) => {
      page.loaderData = await view(token);
      return renderToStaticMarkup(createElement(JoinPage));
    };
    const panelist = await render(invite({ stakeholderGroup: "Patients" }).token);
    expect(panelist).toContain(
      "You are invited as <strong>a panelist</strong> (Pathology; stakeholder group: Patients) with the address",
    );
    expect(panelist).toContain("You vote on the statements of each round. Your votes are anonymous to the other panelists;");

    const secretary = await render(invite({ role: "secretary", discipline: null }).token);
    expect(secretary).toContain("You are invited as <strong>a secretary</strong> with the address");
    expect(secretary).toContain(
      "You run the process — the panel, the statements, the rounds and what is published — and do not vote. Your declaration of interests is seen by the other secretaries.",
    );
    const observer = await render(invite({ role: "observer", discipline: "Methods" }).token);
    expect(observer).toContain("You are invited as <strong>an observer</strong> (Methods) with the address");
    expect(observer).toContain("You read the guideline&#x27;s drafts and closed rounds; you do not vote.");
    for (const html of [secretary, observer]) expect(html).not.toMatch(/vote on|your votes/i);
  });
});
