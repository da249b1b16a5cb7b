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
  const csp = [
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
  return {
    "Content-Security-Policy": csp,
    "X-Content-Type-Options": "nosniff",
    // Invitation links carry a token in the path: never send it to another site.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    ...(https ? { "Strict-Transport-Security": "max-age=31536000; includeSubDomains" } : {}),
  };
}
