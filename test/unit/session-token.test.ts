import { describe, expect, test } from "vitest";
import { checkSession, generateSessionToken, hashToken, newSessionTimes, RENEWAL_GRANULARITY_MS } from "~/server/session-token";

const HOUR = 3_600_000;
const policy = { idleMs: 72 * HOUR, absoluteMs: 14 * 24 * HOUR };
const t0 = new Date("2026-01-01T00:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

describe("session tokens", () => {
  test("carry 160 random bits in lowercase base32", () => {
    const tokens = new Set(Array.from({ length: 1000 }, generateSessionToken));
    expect(tokens.size).toBe(1000);
    for (const token of tokens) expect(token).toMatch(/^[a-z2-7]{32}$/);
  });

  test("are stored only as their SHA-256", () => {
    const token = generateSessionToken();
    const id = hashToken(token);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(id).not.toContain(token);
    expect(hashToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("session expiry", () => {
  const fresh = newSessionTimes(t0, policy);

  test("a new session idles out after the idle period and ends at the absolute limit", () => {
    expect(fresh.expiresAt).toEqual(at(72 * HOUR));
    expect(fresh.absoluteExpiresAt).toEqual(at(14 * 24 * HOUR));
  });

  test("is valid until the idle expiry, then expired", () => {
    expect(checkSession(fresh, at(72 * HOUR - 1), policy).state).toBe("valid");
    expect(checkSession(fresh, at(72 * HOUR), policy)).toEqual({ state: "expired" });
  });

  test("use slides the idle expiry forward, at most once a minute", () => {
    expect(checkSession(fresh, at(RENEWAL_GRANULARITY_MS - 1), policy)).toEqual({
      state: "valid",
      renewedExpiresAt: null,
    });
    expect(checkSession(fresh, at(HOUR), policy)).toEqual({ state: "valid", renewedExpiresAt: at(73 * HOUR) });
  });

  test("renewal never passes the absolute expiry, which ends even an active session", () => {
    const late = { expiresAt: at(14 * 24 * HOUR - HOUR), absoluteExpiresAt: fresh.absoluteExpiresAt };
    const check = checkSession(late, at(14 * 24 * HOUR - 2 * HOUR), policy);
    expect(check).toEqual({ state: "valid", renewedExpiresAt: fresh.absoluteExpiresAt });
    expect(checkSession({ ...late, expiresAt: fresh.absoluteExpiresAt }, fresh.absoluteExpiresAt, policy).state).toBe("expired");
  });

  test("an idle period longer than the absolute one is capped by it", () => {
    const times = newSessionTimes(t0, { idleMs: 10 * HOUR, absoluteMs: 5 * HOUR });
    expect(times.expiresAt).toEqual(at(5 * HOUR));
  });
});
