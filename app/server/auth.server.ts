import { hash, verify } from "@node-rs/argon2";
import { createCookie, redirect } from "@remix-run/node";
import { eq, sql } from "drizzle-orm";
import { getDb, prepared, type Queryable } from "@db/client.server";
import { sessions, users } from "@db/schema";
import { env, servedOverHttps } from "./env.server";
import { tr } from "./i18n.server";
import { noteUser } from "./log.server";
import { checkSession, generateSessionToken, hashToken, newSessionTimes, type SessionPolicy } from "./session-token";

/** OWASP's argon2id parameters (Password Storage Cheat Sheet): 19 MiB, 2 passes, 1 lane. */
const ARGON2ID = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2ID);
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password).catch(() => false);
}

let dummyHash: Promise<string> | undefined;

export type User = { id: string; email: string; name: string; isAdmin: boolean };

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Checks credentials. An unknown email costs the same argon2 verification as a wrong password,
 * and a deactivated account is refused only after its password was checked: neither the answer
 * nor its timing tells whether an account exists or is deactivated.
 */
export async function verifyLogin(email: string, password: string): Promise<User | null> {
  const row = getDb()
    .select()
    .from(users)
    .where(eq(users.email, normalizeEmail(email)))
    .get();
  if (!row) {
    dummyHash ??= hashPassword("not a real password, only spends the same time");
    await verifyPassword(await dummyHash, password);
    return null;
  }
  if (!(await verifyPassword(row.passwordHash, password)) || row.deactivatedAt) return null;
  return { id: row.id, email: row.email, name: row.name, isAdmin: row.isAdmin };
}

export function sessionPolicy(): SessionPolicy {
  const { SESSION_IDLE_HOURS, SESSION_MAX_DAYS } = env();
  return { idleMs: SESSION_IDLE_HOURS * 3_600_000, absoluteMs: SESSION_MAX_DAYS * 86_400_000 };
}

let cookie: ReturnType<typeof createCookie> | undefined;

/**
 * The cookie lives until the session's absolute expiry; the idle expiry slides in the database,
 * so renewing a session never needs a new Set-Cookie.
 */
export function sessionCookie() {
  const https = servedOverHttps(env());
  cookie ??= createCookie(https ? "__Host-session" : "session", {
    httpOnly: true,
    sameSite: "lax",
    secure: https,
    path: "/",
    maxAge: Math.floor(sessionPolicy().absoluteMs / 1000),
  });
  return cookie;
}

export function createSession(userId: string, now = new Date()): { token: string; expiresAt: Date } {
  const token = generateSessionToken();
  const times = newSessionTimes(now, sessionPolicy());
  getDb()
    .insert(sessions)
    .values({ id: hashToken(token), userId, createdAt: now, ...times })
    .run();
  return { token, expiresAt: times.expiresAt };
}

/**
 * The user behind a token, renewing the session's idle expiry; null when absent or expired, or
 * when the account was deactivated (its sessions were deleted then: this one is deleted too).
 */
const sessionById = prepared((db) =>
  db
    .select({
      session: sessions,
      user: { id: users.id, email: users.email, name: users.name, isAdmin: users.isAdmin },
      deactivatedAt: users.deactivatedAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, sql.placeholder("id")))
    .prepare(),
);

const renewSession = prepared((db) =>
  db
    .update(sessions)
    // Milliseconds, as the column stores them: a placeholder in \`set\` bypasses the column's mapping.
    .set({ expiresAt: sql<Date>`${sql.placeholder("expiresAt")}` })
    .where(eq(sessions.id, sql.placeholder("id")))
    .prepare(),
);

export function validateSessionToken(token: string, now = new Date()): User | null {
  const db = getDb();
  const id = hashToken(token);
  const row = sessionById(db).get({ id });
  if (!row) return null;
  const check = checkSession(row.session, now, sessionPolicy());
  if (check.state === "expired" || row.deactivatedAt) {
    db.delete(sessions).where(eq(sessions.id, id)).run();
    return null;
  }
  if (check.renewedExpiresAt) renewSession(db).run({ id, expiresAt: check.renewedExpiresAt.getTime() });
  noteUser(row.user.id);
  return row.user;
}

/** Ends every session of a user at once (deactivation, a new password); returns how many there were. */
export function deleteSessionsOf(db: Queryable, userId: string): number {
  return db.delete(sessions).where(eq(sessions.userId, userId)).run().changes;
}

export function invalidateSession(token: string): void {
  getDb()
    .delete(sessions)
    .where(eq(sessions.id, hashToken(token)))
    .run();
}

async function tokenFrom(request: Request): Promise<string | null> {
  const value: unknown = await sessionCookie().parse(request.headers.get("Cookie"));
  return typeof value === "string" && value.length > 0 ? value : null;
}

export async function getUser(request: Request): Promise<User | null> {
  const token = await tokenFrom(request);
  return token ? validateSessionToken(token) : null;
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_OR_BACKSLASH = /[\u0000-\u001f\u007f\\]/;

/**
 * A path on this site to go to after login, or `fallback`. Refused, as written and once
 * percent-decoded: anything not starting with one "/", a second "/" or "\\" after it (another
 * host to a browser), a backslash anywhere, and control characters (browsers drop tabs and
 * newlines from URLs, so "/\t/evil.example" becomes "//evil.example"; CR/LF would split the
 * header). What is kept comes back re-serialized by URL, so anything outside ASCII is
 * percent-encoded and the Location header is always valid.
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof to !== "string" || to.length > 2048) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(to);
  } catch {
    return fallback;
  }
  for (const form of [to, decoded]) {
    if (!form.startsWith("/") || form.startsWith("//") || CONTROL_OR_BACKSLASH.test(form)) return fallback;
  }
  const url = new URL(to, "http://localhost");
  if (url.origin !== "http://localhost") return fallback;
  return url.pathname + url.search + url.hash;
}

export async function requireUser(request: Request): Promise<User> {
  const user = await getUser(request);
  if (user) return user;
  const url = new URL(request.url);
  const here = url.pathname + url.search;
  throw redirect(here === "/" ? "/login" : `/login?${new URLSearchParams({ redirectTo: here })}`);
}

/** The signed-in instance administrator: anonymous visitors go to log in, anyone else gets a 403. */
export async function requireAdmin(request: Request): Promise<User> {
  const user = await requireUser(request);
  if (!user.isAdmin) throw Response.json({ error: tr("Only instance administrators can open this page.") }, { status: 403 });
  return user;
}

/** Starts a session for a user who just proved who they are, replacing any session this browser had. */
export async function login(request: Request, userId: string, redirectTo: string): Promise<Response> {
  const location = safeRedirect(redirectTo);
  const previous = await tokenFrom(request);
  if (previous) invalidateSession(previous);
  const { token } = createSession(userId);
  return redirect(location, {
    headers: { "Set-Cookie": await sessionCookie().serialize(token) },
  });
}

export async function logout(request: Request): Promise<Response> {
  const token = await tokenFrom(request);
  if (token) invalidateSession(token);
  return redirect("/", {
    headers: { "Set-Cookie": await sessionCookie().serialize("", { maxAge: 0 }) },
  });
}
