import { randomBytes } from "node:crypto";

/** A fresh nonce per response: only scripts carrying it (Remix's own) may run. */
export function newNonce(): string {
  return randomBytes(16).toString("base64");
}

/**
 * The headers every response carries. Scripts run only from this origin or with the response's
 * nonce; styles may be inline (bars are sized with style attributes); no framing, no plugins,
 * forms post only here. HSTS only where the app is served over HTTPS.
 */
export function securityHeaders(nonce: string, https: boolean): Record<string, string> {
  return { ...hardening(https), "Content-Security-Policy": pageCsp(nonce) };
}

/**
 * The headers of a data response made once for every request (a published version's JSON or CSV):
 * no page, so nothing may load or run at all, and no nonce to vary.
 */
export function dataSecurityHeaders(https: boolean): Record<string, string> {
  return {
    ...hardening(https),
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  };
}

function pageCsp(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join("; ");
}

function hardening(https: boolean): Record<string, string> {
  return {
    "X-Content-Type-Options": "nosniff",
    // Invitation links carry a token in the path: never send it to another site.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    ...(https ? { "Strict-Transport-Security": "max-age=31536000; includeSubDomains" } : {}),
  };
}
