const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Whether a state-changing request plainly comes from another site: `Sec-Fetch-Site` (sent by
 * every current browser) says cross-site or same-site, or `Origin` names another host than the
 * one addressed. Requests with neither header (curl, tests, old browsers) are let through: the
 * SameSite=Lax session cookie already keeps a cross-site form from carrying a session.
 */
export function isCrossSiteWrite(method: string, headers: Headers, host: string | null): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return false;
  const fetchSite = headers.get("Sec-Fetch-Site");
  if (fetchSite && fetchSite !== "same-origin" && fetchSite !== "none") return true;
  const origin = headers.get("Origin");
  if (!origin) return false;
  if (origin === "null") return true;
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}
