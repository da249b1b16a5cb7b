/**
 * Failed-login throttling, per account and per client address, in a sliding window. Kept in
 * memory: the app is one process, and a restart forgetting recent failures is harmless. An
 * unknown account is throttled exactly like a real one, so the answer never tells them apart.
 */
export const ACCOUNT_LIMIT = 5;
export const ADDRESS_LIMIT = 20;
export const WINDOW_MS = 15 * 60_000;

const failures = new Map<string, number[]>();

function recent(key: string, now: number): number[] {
  const kept = (failures.get(key) ?? []).filter((t) => now - t < WINDOW_MS);
  if (kept.length) failures.set(key, kept);
  else failures.delete(key);
  return kept;
}

const keys = (email: string, address: string) => [
  { key: `account:${email.trim().toLowerCase()}`, limit: ACCOUNT_LIMIT },
  { key: `address:${address}`, limit: ADDRESS_LIMIT },
];

/** Seconds until another attempt is allowed, or 0 when one is allowed now. */
export function retryAfter(email: string, address: string, now = Date.now()): number {
  let wait = 0;
  for (const { key, limit } of keys(email, address)) {
    const times = recent(key, now);
    if (times.length >= limit) wait = Math.max(wait, Math.ceil((times[times.length - limit]! + WINDOW_MS - now) / 1000));
  }
  return wait;
}

export function recordFailure(email: string, address: string, now = Date.now()): void {
  for (const { key } of keys(email, address)) failures.set(key, [...recent(key, now), now]);
}

/** A successful login clears its account's failures (not the address's). */
export function recordSuccess(email: string): void {
  failures.delete(`account:${email.trim().toLowerCase()}`);
}

export function resetThrottle(): void {
  failures.clear();
}
