/**
 * What a signed-in person can fetch from the running server, as an attacker would gather it:
 * every page reachable by following links from a set of starting points, each page's `?_data`
 * payloads (one per route in its loader data), exports and the public API. Used to compare two
 * servers that differ only in a secret (differencing): anything that differs, once timestamps
 * are set aside, is a leak.
 */
import { strFromU8, unzipSync } from "fflate";
import { remixContextOf } from "./transport";

export type Snapshot = Map<string, string>;

/** Logs in over HTTP as a browser would and returns the Cookie header of the new session. */
export async function logIn(base: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password }),
  });
  const cookie = response.headers.get("Set-Cookie")?.split(";")[0];
  if (response.status !== 302 || !cookie) throw new Error(`Logging in as ${email} failed with ${response.status}.`);
  return cookie;
}

const MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December";
const SHORT_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec";

/**
 * Sets aside what legitimately differs between two servers or two moments: moments and
 * durations in every format the app writes, and each response's CSP nonce.
 */
export function normalize(text: string): string {
  return text
    .replace(/nonce="[^"]*"/g, 'nonce=""')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?/g, "<moment>")
    .replace(/\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?/g, "<moment>")
    .replace(new RegExp(`\\d{1,2} (${SHORT_MONTHS}) \\d{4}, \\d{2}:\\d{2}( UTC)?`, "g"), "<moment>")
    .replace(new RegExp(`\\d{1,2} (${MONTHS}) \\d{4}`, "g"), "<moment>")
    .replace(/(closes in|in) \d+ (day|hour|minute)s?/g, "$1 <duration>");
}

function samePlace(base: string, href: string): string | null {
  const decoded = href.replace(/&amp;/g, "&");
  if (!decoded.startsWith("/") || decoded.startsWith("//")) return null;
  const url = new URL(decoded, base);
  url.hash = "";
  const path = url.pathname;
  if (path.startsWith("/build/") || path === "/logout" || /\.(css|js|ico|png|svg|woff2?)$/.test(path)) return null;
  return url.pathname + url.search;
}

function routeIds(html: string): string[] {
  return Object.keys(remixContextOf(html)?.state?.loaderData ?? {});
}

async function bodyOf(response: Response): Promise<string> {
  const type = response.headers.get("Content-Type") ?? "";
  if (type.includes("wordprocessingml")) {
    // A Word file's package carries its creation time; what it says is word/document.xml.
    const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
    return strFromU8(files["word/document.xml"] ?? new Uint8Array());
  }
  return response.text();
}

/**
 * Fetches `starts` and every same-site page they link to (breadth first, at most `limit`), plus
 * each HTML page's `?_data` payloads. Redirects are recorded, not followed, but their target
 * is fetched in turn. Returns each URL with its status and normalized body.
 */
export async function crawl(base: string, cookie: string | undefined, starts: string[], limit = 400): Promise<Snapshot> {
  const seen = new Set<string>();
  const queue = [...starts];
  const snapshot: Snapshot = new Map();
  const headers = cookie ? { Cookie: cookie } : undefined;
  while (queue.length > 0 && seen.size < limit) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const response = await fetch(base + path, { headers, redirect: "manual" });
    const location = response.headers.get("Location");
    const body = await bodyOf(response);
    snapshot.set(path, `${response.status}${location ? ` → ${location}` : ""}\n${normalize(body)}`);
    if (location) {
      const next = samePlace(base, location);
      if (next) queue.push(next);
    }
    if (!(response.headers.get("Content-Type") ?? "").includes("text/html")) continue;
    for (const [, href] of body.matchAll(/href="([^"]+)"/g)) {
      const next = samePlace(base, href!);
      if (next && !seen.has(next)) queue.push(next);
    }
    for (const id of routeIds(body)) {
      const data = `${path}${path.includes("?") ? "&" : "?"}_data=${encodeURIComponent(id)}`;
      if (!seen.has(data)) queue.push(data);
    }
  }
  return snapshot;
}

/** The first URL whose answer differs between two snapshots, with the text around the difference; null when none does. */
export function firstDifference(a: Snapshot, b: Snapshot): string | null {
  for (const path of new Set([...a.keys(), ...b.keys()])) {
    const left = a.get(path);
    const right = b.get(path);
    if (left === right) continue;
    if (left === undefined || right === undefined) return `${path}: fetched in only one of them`;
    let i = 0;
    while (left[i] === right[i]) i++;
    const around = (s: string) => JSON.stringify(s.slice(Math.max(0, i - 120), i + 120));
    return `${path} differs at character ${i}:\n  ${around(left)}\n  ${around(right)}`;
  }
  return null;
}
