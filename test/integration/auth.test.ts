import { count, eq } from "drizzle-orm";
import { beforeAll, describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import { sessions, users } from "@db/schema";
import { action as loginAction, loader as loginLoader } from "~/routes/login/route";
import { action as logoutAction } from "~/routes/logout/route";
import { getUser, requireUser, sessionPolicy, validateSessionToken } from "~/server/auth.server";
import { requireRole } from "~/server/permissions.server";
import { hashToken } from "~/server/session-token";
import { addMember, createGuideline, createUser } from "../support/factories";
import { cookieFrom, formRequest, getRequest, respond } from "../support/requests";

const PASSWORD = "a long enough passphrase";
const sessionCount = () => getDb().select({ n: count() }).from(sessions).get()!.n;
const logIn = (fields: Record<string, string>, cookie?: string) =>
  respond(() => loginAction({ request: formRequest("/login", fields, { cookie }), params: {}, context: {} }));

beforeAll(async () => {
  await createUser(getDb(), { email: "Ada@Example.org", name: "Ada", password: PASSWORD });
});

describe("login", () => {
  test("starts a session: an HttpOnly, SameSite=Lax cookie whose token is stored only hashed", async () => {
    const response = await logIn({ email: " ada@example.org ", password: PASSWORD, redirectTo: "/g/x" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/g/x");
    const setCookie = response.headers.get("Set-Cookie")!;
    expect(setCookie).toMatch(/^session=/);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Lax");
    expect(setCookie).toContain(`Max-Age=${sessionPolicy().absoluteMs / 1000}`);

    const user = await getUser(getRequest("/", { cookie: cookieFrom(response) }));
    expect(user?.email).toBe("ada@example.org");
    const token = JSON.parse(atob(decodeURIComponent(cookieFrom(response).split("=")[1]!))) as string;
    const stored = getDb()
      .select()
      .from(sessions)
      .all()
      .map((s) => s.id);
    expect(stored).toContain(hashToken(token));
    expect(stored).not.toContain(token);
  });

  test("an unsafe redirectTo falls back to the home page", async () => {
    const response = await logIn({ email: "ada@example.org", password: PASSWORD, redirectTo: "//evil.example/x" });
    expect(response.headers.get("Location")).toBe("/");
  });

  test("a wrong password and an unknown email get the same answer, and no session", async () => {
    const before = sessionCount();
    const wrong = await logIn({ email: "ada@example.org", password: "not the password" });
    const unknown = await logIn({ email: "nobody@example.org", password: "not the password" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const [a, b] = [await wrong.json(), await unknown.json()];
    expect(a.error).toEqual({ "": ["Email or password is incorrect."] });
    expect({ ...a, initialValue: null }).toEqual({ ...b, initialValue: null });
    expect(sessionCount()).toBe(before);
  });

  test("a deactivated account gets the wrong password's answer, with the right password too, and no session", async () => {
    const db = getDb();
    const cy = await createUser(db, { email: "cy@example.org", name: "Cy", password: PASSWORD });
    db.update(users).set({ deactivatedAt: new Date() }).where(eq(users.id, cy.id)).run();
    const before = sessionCount();
    const right = await logIn({ email: "cy@example.org", password: PASSWORD });
    const wrong = await logIn({ email: "ada@example.org", password: "not the password" });
    expect(right.status).toBe(401);
    const [a, b] = [await right.json(), await wrong.json()];
    expect(a.error).toEqual({ "": ["Email or password is incorrect."] });
    expect({ ...a, initialValue: null }).toEqual({ ...b, initialValue: null });
    expect(sessionCount()).toBe(before);
  });

  test("malformed input gets an error for every field at once and writes nothing", async () => {
    const before = sessionCount();
    const response = await logIn({ email: "not-an-email", password: "" });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error).toEqual({ email: ["Enter a valid email address"], password: ["Enter your password"] });
    expect(sessionCount()).toBe(before);
  });

  test("logging in again replaces the browser's previous session", async () => {
    const first = cookieFrom(await logIn({ email: "ada@example.org", password: PASSWORD }));
    const second = cookieFrom(await logIn({ email: "ada@example.org", password: PASSWORD }, first));
    expect(await getUser(getRequest("/", { cookie: first }))).toBeNull();
    expect(await getUser(getRequest("/", { cookie: second }))).not.toBeNull();
  });

  test("a logged-in visitor of /login goes where redirectTo says", async () => {
    const cookie = cookieFrom(await logIn({ email: "ada@example.org", password: PASSWORD }));
    const response = await respond(() =>
      loginLoader({ request: getRequest("/login?redirectTo=/g/imt", { cookie }), params: {}, context: {} }),
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/g/imt");
  });
});

describe("logout", () => {
  test("deletes the session on the server and clears the cookie", async () => {
    const cookie = cookieFrom(await logIn({ email: "ada@example.org", password: PASSWORD }));
    const before = sessionCount();
    const response = await respond(() =>
      logoutAction({ request: formRequest("/logout", {}, { cookie }), params: {}, context: {} }),
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Set-Cookie")).toMatch(/Max-Age=0/);
    expect(sessionCount()).toBe(before - 1);
    // The old cookie, replayed, no longer works.
    expect(await getUser(getRequest("/", { cookie }))).toBeNull();
  });
});

describe("sessions in the database", () => {
  test("expire when idle, and are deleted when found expired", async () => {
    const cookie = cookieFrom(await logIn({ email: "ada@example.org", password: PASSWORD }));
    const token = JSON.parse(atob(decodeURIComponent(cookie.split("=")[1]!))) as string;
    const row = getDb()
      .select()
      .from(sessions)
      .where(eq(sessions.id, hashToken(token)))
      .get()!;
    const later = new Date(row.expiresAt.getTime() - 1000);
    expect(validateSessionToken(token, later)?.email).toBe("ada@example.org");
    // That use slid the idle expiry forward.
    const renewed = getDb().select().from(sessions).where(eq(sessions.id, row.id)).get()!;
    expect(renewed.expiresAt.getTime()).toBeGreaterThan(row.expiresAt.getTime());
    expect(validateSessionToken(token, renewed.absoluteExpiresAt)).toBeNull();
    expect(getDb().select().from(sessions).where(eq(sessions.id, row.id)).get()).toBeUndefined();
  });

  test("a deactivated account's session is refused and deleted, even one left over", async () => {
    const db = getDb();
    const bea = await createUser(db, { email: "bea@example.org", name: "Bea", password: PASSWORD });
    const cookie = cookieFrom(await logIn({ email: "bea@example.org", password: PASSWORD }));
    const token = JSON.parse(atob(decodeURIComponent(cookie.split("=")[1]!))) as string;
    expect(validateSessionToken(token)?.email).toBe("bea@example.org");
    // Deactivated behind the server's back: deactivation deletes sessions, validation still refuses any.
    db.update(users).set({ deactivatedAt: new Date() }).where(eq(users.id, bea.id)).run();
    expect(await getUser(getRequest("/", { cookie }))).toBeNull();
    expect(
      db
        .select()
        .from(sessions)
        .where(eq(sessions.id, hashToken(token)))
        .get(),
    ).toBeUndefined();
  });

  test("requireUser sends a visitor without a session to /login with the way back", async () => {
    const response = await respond(() => requireUser(getRequest("/g/imt-consensus?tab=rounds")));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login?redirectTo=%2Fg%2Fimt-consensus%3Ftab%3Drounds");
  });
});

describe("requireRole", () => {
  test("grants the roles asked for, 403 otherwise, 404 for an unknown guideline", async () => {
    const db = getDb();
    const secretary = await createUser(db, { email: "sec@example.org", name: "Sec" });
    const panelist = await createUser(db, { email: "pan@example.org", name: "Pan" });
    const admin = await createUser(db, { email: "adm@example.org", name: "Adm", isAdmin: true });
    const guideline = createGuideline(db, { slug: "roles", title: "Roles" });
    addMember(db, { guidelineId: guideline.id, userId: secretary.id, role: "secretary" });
    addMember(db, { guidelineId: guideline.id, userId: panelist.id, role: "panelist" });

    expect(requireRole(secretary, "roles", "secretary").membership.role).toBe("secretary");
    expect(requireRole(panelist, "roles", ["panelist", "observer"]).guideline.slug).toBe("roles");
    for (const [user, role] of [
      [panelist, "secretary"],
      [admin, "secretary"],
      [secretary, "panelist"],
    ] as const) {
      const response = await respond(async () => requireRole(user, "roles", role));
      expect(response.status).toBe(403);
    }
    const missing = await respond(async () => requireRole(secretary, "no-such-guideline", "secretary"));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'No guideline "no-such-guideline".' });
  });
});
