/**
 * Accounts as an instance administrator manages them: the list of users, deactivating and
 * reactivating an account, and one-time password-reset links. Every change is recorded in the
 * instance's audit chain (no guideline).
 */
import { and, asc, eq, gt, isNull, or, sql } from "drizzle-orm";
import { getDb, type DB, type Queryable } from "@db/client.server";
import { passwordResets, users } from "@db/schema";
import { DEFAULT_LANGUAGE, languageOf, msg, type Language } from "~/i18n";
import { formatUtc } from "~/time";
import { recordAudit } from "./audit.server";
import { deleteSessionsOf } from "./auth.server";
import { Refusal } from "./errors.server";
import { env } from "./env.server";
import { translator } from "./i18n.server";
import { queueMail } from "./mail.server";
import { generateSessionToken, hashToken } from "./session-token";

export const USERS_PAGE_SIZE = 50;
/** How long a password-reset link works. */
export const RESET_HOURS = 24;

type Actor = { id: string; name: string };

/** `%q%` for LIKE, with the wildcards a person might type taken literally. */
function containing(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * One page of the instance's accounts, by name, optionally only those whose name or e-mail
 * address contains `q` (case-insensitive): each with its current memberships and whether it is
 * deactivated.
 */
export function listUsers(db: Queryable, input: { q: string; page: number }) {
  const q = input.q.trim();
  const pattern = containing(q);
  const where = q
    ? or(sql`${users.name} like ${pattern} escape '\\'`, sql`${users.email} like ${pattern} escape '\\'`)
    : undefined;
  const total = db
    .select({ n: sql<number>`count(*)` })
    .from(users)
    .where(where)
    .get()!.n;
  const pageCount = Math.max(1, Math.ceil(total / USERS_PAGE_SIZE));
  const page = Math.min(Math.max(1, input.page), pageCount);
  const rows = db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      isAdmin: users.isAdmin,
      deactivatedAt: users.deactivatedAt,
      createdAt: users.createdAt,
      // Spelled out: drizzle leaves the table off a single table's columns, and "id" would be the membership's.
      memberships: sql<number>`(select count(*) from memberships m where m.user_id = "users"."id" and m.removed_at is null)`,
    })
    .from(users)
    .where(where)
    .orderBy(asc(users.name), asc(users.email))
    .limit(USERS_PAGE_SIZE)
    .offset((page - 1) * USERS_PAGE_SIZE)
    .all();
  return { q, users: rows, total, page, pageCount, pageSize: USERS_PAGE_SIZE };
}

function accountOf(db: Queryable, userId: string) {
  const user = db.select().from(users).where(eq(users.id, userId)).get();
  if (!user) throw new Refusal(msg("No such account."), 404);
  return user;
}

/** Ends the account's password-reset links that still work. */
function endResetLinks(db: Queryable, userId: string, now: Date): void {
  db.update(passwordResets)
    .set({ expiresAt: now })
    .where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, now)))
    .run();
}

/**
 * Deactivates an account: it can no longer log in, every session it has ends at once and its
 * password-reset links stop working, all in one transaction. An admin cannot deactivate their
 * own account (so the instance always keeps an active admin).
 */
export function deactivateAccount(
  db: DB,
  input: { userId: string; actorId: string; now?: Date },
): { email: string; sessionsEnded: number } {
  const now = input.now ?? new Date();
  return db.transaction(
    (tx) => {
      const user = accountOf(tx, input.userId);
      if (user.id === input.actorId) throw new Refusal(msg("You cannot deactivate your own account: ask another administrator."));
      if (user.deactivatedAt) throw new Refusal(msg("{{email}} is already deactivated."), 409, { email: user.email });
      tx.update(users).set({ deactivatedAt: now }).where(eq(users.id, user.id)).run();
      const sessionsEnded = deleteSessionsOf(tx, user.id);
      endResetLinks(tx, user.id, now);
      recordAudit(tx, {
        guidelineId: null,
        actorId: input.actorId,
        action: "account.deactivated",
        details: { userId: user.id, email: user.email, sessionsEnded },
        at: now,
      });
      return { email: user.email, sessionsEnded };
    },
    { behavior: "immediate" },
  );
}

/** Lets a deactivated account log in again, with the password it had. */
export function reactivateAccount(db: DB, input: { userId: string; actorId: string; now?: Date }): { email: string } {
  const now = input.now ?? new Date();
  return db.transaction(
    (tx) => {
      const user = accountOf(tx, input.userId);
      if (!user.deactivatedAt) throw new Refusal(msg("{{email}} is not deactivated."), 409, { email: user.email });
      tx.update(users).set({ deactivatedAt: null }).where(eq(users.id, user.id)).run();
      recordAudit(tx, {
        guidelineId: null,
        actorId: input.actorId,
        action: "account.reactivated",
        details: { userId: user.id, email: user.email },
        at: now,
      });
      return { email: user.email };
    },
    { behavior: "immediate" },
  );
}

export type ResetState = "valid" | "used" | "expired";

function resetState(reset: Pick<typeof passwordResets.$inferSelect, "usedAt" | "expiresAt">, now: Date): ResetState {
  if (reset.usedAt) return "used";
  return reset.expiresAt.getTime() > now.getTime() ? "valid" : "expired";
}

/** A reset link's account and whether the link still works; null for an unknown token. */
export function findPasswordReset(db: Queryable, token: string, now = new Date()) {
  const row = db
    .select({ reset: passwordResets, user: { id: users.id, email: users.email, name: users.name } })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(eq(passwordResets.tokenHash, hashToken(token)))
    .get();
  return row ? { ...row, state: resetState(row.reset, now) } : null;
}

const WHY: Record<Exclude<ResetState, "valid">, string> = {
  used: msg("This password-reset link has already been used."),
  expired: msg("This password-reset link has expired, or a newer one was issued."),
};

/**
 * Why a reset link cannot be used (and the status to answer with), or null when it can. The
 * message is a translation key (the English text): translate it where it is shown.
 */
export function resetRefusal(state: ResetState | null): { message: string; status: 404 | 410 } | null {
  if (state === "valid") return null;
  return state
    ? { message: WHY[state], status: 410 }
    : { message: msg("This password-reset link is not valid: check that it was copied whole."), status: 404 };
}

/** The language an account's mails are written in: the one it saved, else English. */
function languageOfAccount(user: { locale: string | null }): Language {
  return languageOf(user.locale) ?? DEFAULT_LANGUAGE;
}

function resetMail(input: { to: string; name: string; admin: Actor; link: string; expiresAt: Date; language: Language }) {
  const t = translator(input.language, "mail");
  return {
    guidelineId: null,
    kind: "password-reset",
    to: input.to,
    subject: t("Set a new password"),
    body: [
      t("Hello {{name}},", { name: input.name }),
      "",
      t("{{admin}}, an administrator of the Delphi consensus platform, sent you a link to set a new password.", {
        admin: input.admin.name,
      }),
      "",
      t("Open it to choose your password (it works once, until {{expiresAt}}):", {
        expiresAt: formatUtc(input.expiresAt, false, input.language),
      }),
      input.link,
      "",
      t(
        "Setting it logs you out everywhere. Until then your current password keeps working; if you did not ask for this, tell your administrator.",
      ),
    ].join("\n"),
  };
}

/** The notice that an account's password was changed through a reset link. */
function passwordChangedMail(input: { to: string; name: string; now: Date; language: Language }) {
  const t = translator(input.language, "mail");
  return {
    guidelineId: null,
    kind: "password-changed",
    to: input.to,
    subject: t("Your password was changed"),
    body: [
      t("Hello {{name}},", { name: input.name }),
      "",
      t(
        "The password of your account was changed on {{when}} through a password-reset link, and every session of the account was ended.",
        { when: formatUtc(input.now, false, input.language) },
      ),
      "",
      t("If you did not do this, tell your administrator at once."),
    ].join("\n"),
  };
}

/**
 * A one-time link for an account to set a new password, valid for RESET_HOURS; links issued
 * before for the account stop working. Only the token's hash is stored; the link is mailed
 * (queued in the outbox). It is returned for the admin to pass on only when no SMTP server
 * delivers mail: with one, an admin never holds a link that would let them log in as a
 * panelist and read their ballots.
 */
export function issuePasswordReset(
  db: DB,
  input: { userId: string; admin: Actor; origin: string; now?: Date },
): { email: string; link: string | null; expiresAt: Date } {
  const now = input.now ?? new Date();
  return db.transaction(
    (tx) => {
      const user = accountOf(tx, input.userId);
      if (user.deactivatedAt)
        throw new Refusal(msg("{{email}} is deactivated: reactivate the account first."), 409, { email: user.email });
      endResetLinks(tx, user.id, now);
      const token = generateSessionToken();
      const expiresAt = new Date(now.getTime() + RESET_HOURS * 3_600_000);
      tx.insert(passwordResets)
        .values({ tokenHash: hashToken(token), userId: user.id, expiresAt, createdBy: input.admin.id, createdAt: now })
        .run();
      const link = `${input.origin}/reset/${token}`;
      queueMail(
        tx,
        resetMail({ to: user.email, name: user.name, admin: input.admin, link, expiresAt, language: languageOfAccount(user) }),
        now,
      );
      recordAudit(tx, {
        guidelineId: null,
        actorId: input.admin.id,
        action: "account.reset_link_issued",
        details: { userId: user.id, email: user.email, expiresAt: expiresAt.toISOString() },
        at: now,
      });
      return { email: user.email, link: env().SMTP_URL ? null : link, expiresAt };
    },
    { behavior: "immediate" },
  );
}

/**
 * Sets a new password from a reset link: the link is spent and every session of the account
 * ends, in one transaction. `passwordHash` is hashed beforehand (argon2 is slow and async).
 */
export function resetPassword(db: DB, input: { token: string; passwordHash: string; now?: Date }): { email: string } {
  const now = input.now ?? new Date();
  return db.transaction(
    (tx) => {
      const found = findPasswordReset(tx, input.token, now);
      const refusal = resetRefusal(found?.state ?? null);
      if (refusal || !found) throw new Refusal(refusal?.message ?? msg("Invalid link."), refusal?.status ?? 404);
      tx.update(users).set({ passwordHash: input.passwordHash }).where(eq(users.id, found.user.id)).run();
      tx.update(passwordResets).set({ usedAt: now }).where(eq(passwordResets.tokenHash, found.reset.tokenHash)).run();
      const sessionsEnded = deleteSessionsOf(tx, found.user.id);
      queueMail(
        tx,
        passwordChangedMail({ to: found.user.email, name: found.user.name, now, language: languageOfUser(tx, found.user.id) }),
        now,
      );
      recordAudit(tx, {
        guidelineId: null,
        actorId: found.user.id,
        action: "account.password_reset",
        details: { userId: found.user.id, email: found.user.email, sessionsEnded },
        at: now,
      });
      return { email: found.user.email };
    },
    { behavior: "immediate" },
  );
}

/** The interface language a user chose with the switcher; it follows them to every browser. */
export function saveLanguage(userId: string, language: Language): void {
  getDb().update(users).set({ locale: language }).where(eq(users.id, userId)).run();
}

/** The language to write to a user in (their choice, else English). */
export function languageOfUser(db: Queryable, userId: string): Language {
  const row = db.select({ locale: users.locale }).from(users).where(eq(users.id, userId)).get();
  return languageOfAccount({ locale: row?.locale ?? null });
}
