import { beforeAll, beforeEach, describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import { action } from "~/routes/login/route";
import {
  ACCOUNT_LIMIT,
  ADDRESS_LIMIT,
  beginAttempt,
  MAX_KEYS,
  resetThrottle,
  retryAfter,
  throttleSize,
  WINDOW_MS,
} from "~/server/login-throttle.server";
import { createUser } from "../support/factories";
import { formRequest, respond } from "../support/requests";

const PASSWORD = "a long enough passphrase";
const attempt = (email: string, password: string, clientAddress = "198.51.100.7") =>
  respond(() => action({ request: formRequest("/login", { email, password }), params: {}, context: { clientAddress } }));

beforeAll(async () => {
  await createUser(getDb(), { email: "grace@example.org", name: "Grace", password: PASSWORD });
});
beforeEach(resetThrottle);

describe("failed logins are throttled", () => {
  test("per account: after 5 failures even the right password gets a 429 with a retry hint", async () => {
    for (let i = 0; i < ACCOUNT_LIMIT; i++) expect((await attempt("grace@example.org", `wrong ${i}`)).status).toBe(401);
    const blocked = await attempt("grace@example.org", PASSWORD);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("Retry-After"))).toBeGreaterThan(14 * 60);
    expect((await blocked.json()).error).toEqual({ "": ["Too many failed attempts. Try again in 15 minutes."] });
    // Another address is throttled too: the limit follows the account.
    expect((await attempt("GRACE@example.org", PASSWORD, "203.0.113.9")).status).toBe(429);
  });

  test("an unknown account gets exactly the same answers", async () => {
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i <= ACCOUNT_LIMIT; i++) {
      known.push((await attempt("grace@example.org", "wrong", "192.0.2.1")).status);
      unknown.push((await attempt("nobody@example.org", "wrong", "192.0.2.2")).status);
    }
    expect(unknown).toEqual(known);
    expect(known).toEqual([401, 401, 401, 401, 401, 429]);
  });

  test("per address: 20 failures from one address block every account from it", async () => {
    for (let i = 0; i < ADDRESS_LIMIT; i++) await attempt(`user${i}@example.org`, "wrong", "192.0.2.50");
    expect((await attempt("grace@example.org", PASSWORD, "192.0.2.50")).status).toBe(429);
    expect((await attempt("grace@example.org", PASSWORD, "192.0.2.51")).status).toBe(302);
  });

  test("a success clears the account's failures; the window slides", async () => {
    for (let i = 0; i < ACCOUNT_LIMIT - 1; i++) await attempt("grace@example.org", "wrong");
    expect((await attempt("grace@example.org", PASSWORD)).status).toBe(302);
    expect((await attempt("grace@example.org", "wrong")).status).toBe(401);

    const t0 = 1_000_000_000_000;
    for (let i = 0; i < ACCOUNT_LIMIT; i++) beginAttempt("clock@example.org", "192.0.2.99", t0 + i * 1000);
    expect(retryAfter("clock@example.org", "192.0.2.98", t0 + 5000)).toBe(WINDOW_MS / 1000 - 5);
    expect(retryAfter("clock@example.org", "192.0.2.98", t0 + WINDOW_MS)).toBe(0);
  });
});

describe("the throttle's memory is bounded", () => {
  test("a flood of distinct e-mails keeps at most MAX_KEYS of each kind; old keys expire", () => {
    const t0 = 2_000_000_000_000;
    for (let i = 0; i < MAX_KEYS * 3; i++)
      beginAttempt(`flood${i}@example.org`, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, t0 + i);
    expect(throttleSize()).toEqual({ accounts: MAX_KEYS, addresses: MAX_KEYS });
    // The newest are the ones remembered.
    expect(retryAfter(`flood${MAX_KEYS * 3 - 1}@example.org`, "192.0.2.1", t0 + MAX_KEYS * 3)).toBe(0);
    beginAttempt("late@example.org", "192.0.2.200", t0 + MAX_KEYS * 3 + WINDOW_MS);
    expect(throttleSize()).toEqual({ accounts: 1, addresses: 1 });
  });

  test("a success releases its reservation: the address keeps only real failures", () => {
    const t0 = 3_000_000_000_000;
    for (let i = 0; i < ADDRESS_LIMIT - 1; i++) beginAttempt(`someone${i}@example.org`, "192.0.2.77", t0 + i);
    const good = beginAttempt("grace@example.org", "192.0.2.77", t0 + 100);
    if (!good.allowed) throw new Error("refused");
    expect(retryAfter("x@example.org", "192.0.2.77", t0 + 101)).toBeGreaterThan(0);
    good.succeeded();
    expect(retryAfter("x@example.org", "192.0.2.77", t0 + 101)).toBe(0);
  });
});
