/**
 * Failed-login throttling, per account and per client address, in a sliding window. An attempt
 * is counted before its password is checked (a reservation, released when the login succeeds),
 * so parallel guesses cannot all slip in while the slow hash runs. Kept in memory: the app is
 * one process, and a restart forgetting recent failures is harmless. An unknown account is
 * throttled exactly like a real one, so the answer never tells them apart.
 */
export const ACCOUNT_LIMIT = 5;
export const ADDRESS_LIMIT = 20;
export const WINDOW_MS = 15 * 60_000;
/**
 * At most this many accounts and this many addresses are remembered; past it the ones whose
 * last attempt is oldest are forgotten first. A flood of distinct e-mails thus costs bounded
 * memory (each key holds at most its limit of times); evicting a victim's key this way needs
 * that many fresh failures within the window, which the per-address limit makes costly.
 */
export const MAX_KEYS = 10_000;

/** Attempt times per key, in the order of each key's latest attempt (oldest first). */
type Times = Map<string, number[]>;
const accounts: Times = new Map();
const addresses: Times = new Map();

const accountKey = (email: string) => email.trim().toLowerCase();

function recent(times: Times, key: string, now: number): number[] {
  const kept = (times.get(key) ?? []).filter((t) => now - t < WINDOW_MS);
  if (kept.length) times.set(key, kept);
  else times.delete(key);
  return kept;
}

/** Forgets keys whose latest attempt left the window, then the oldest beyond MAX_KEYS. */
function sweep(times: Times, now: number): void {
  for (const [key, list] of times) {
    if (times.size <= MAX_KEYS && now - list[list.length - 1]! < WINDOW_MS) break;
    times.delete(key);
  }
}

function append(times: Times, key: string, limit: number, now: number): void {
  const list = [...recent(times, key, now), now].slice(-limit);
  times.delete(key);
  times.set(key, list);
  sweep(times, now);
}

function waitFor(times: Times, key: string, limit: number, now: number): number {
  const list = recent(times, key, now);
  return list.length >= limit ? Math.ceil((list[list.length - limit]! + WINDOW_MS - now) / 1000) : 0;
}

/** Seconds until another attempt is allowed, or 0 when one is allowed now. */
export function retryAfter(email: string, address: string, now = Date.now()): number {
  return Math.max(waitFor(accounts, accountKey(email), ACCOUNT_LIMIT, now), waitFor(addresses, address, ADDRESS_LIMIT, now));
}

export type Attempt = { allowed: false; retryAfter: number } | { allowed: true; succeeded: () => void };

/**
 * Starts a login attempt: refused while the account or the address is throttled, otherwise
 * counted now as a failure. `succeeded()` releases it: the account's failures are cleared and
 * the address's reservation withdrawn.
 */
export function beginAttempt(email: string, address: string, now = Date.now()): Attempt {
  const wait = retryAfter(email, address, now);
  if (wait > 0) return { allowed: false, retryAfter: wait };
  const account = accountKey(email);
  append(accounts, account, ACCOUNT_LIMIT, now);
  append(addresses, address, ADDRESS_LIMIT, now);
  return {
    allowed: true,
    succeeded: () => {
      accounts.delete(account);
      const list = addresses.get(address);
      const at = list?.lastIndexOf(now) ?? -1;
      if (list && at >= 0) list.splice(at, 1);
    },
  };
}

export function throttleSize(): { accounts: number; addresses: number } {
  return { accounts: accounts.size, addresses: addresses.size };
}

export function resetThrottle(): void {
  accounts.clear();
  addresses.clear();
}
