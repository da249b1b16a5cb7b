import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from "@oslojs/encoding";

/** 160 random bits, as Lucia's session guide prescribes (at least 120). */
export function generateSessionToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/** The stored id of a session: only this hash is kept, so a leaked table grants no access. */
export function hashToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export type SessionPolicy = { idleMs: number; absoluteMs: number };

/** Renewal writes at most once a minute per session, so reads stay reads. */
export const RENEWAL_GRANULARITY_MS = 60_000;

export type SessionTimes = { expiresAt: Date; absoluteExpiresAt: Date };

export function newSessionTimes(now: Date, policy: SessionPolicy): SessionTimes {
  const absoluteExpiresAt = new Date(now.getTime() + policy.absoluteMs);
  return {
    expiresAt: new Date(Math.min(now.getTime() + policy.idleMs, absoluteExpiresAt.getTime())),
    absoluteExpiresAt,
  };
}

export type SessionCheck = { state: "expired" } | { state: "valid"; renewedExpiresAt: Date | null };

/**
 * Decides whether a stored session is still valid at `now`, and whether to slide its idle
 * expiry forward (never past the absolute expiry).
 */
export function checkSession(session: SessionTimes, now: Date, policy: SessionPolicy): SessionCheck {
  const t = now.getTime();
  if (t >= session.expiresAt.getTime() || t >= session.absoluteExpiresAt.getTime()) {
    return { state: "expired" };
  }
  const slid = Math.min(t + policy.idleMs, session.absoluteExpiresAt.getTime());
  const renew = slid - session.expiresAt.getTime() >= RENEWAL_GRANULARITY_MS;
  return { state: "valid", renewedExpiresAt: renew ? new Date(slid) : null };
}
