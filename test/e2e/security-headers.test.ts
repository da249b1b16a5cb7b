import { describe, expect, test } from "vitest";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_SLUG } from "../../scripts/seed-demo";
import { demoInBrowser, logInAs } from "../support/browser";
import { startServer } from "../support/server";

const demo = demoInBrowser();

describe("security headers", () => {
  test("every response carries a nonce-based CSP and the hardening headers; no HSTS outside production", async () => {
    for (const path of [
      "/",
      "/login",
      `/api/guidelines/${DEMO_SLUG}/versions/1`,
      `/api/guidelines/${DEMO_SLUG}/versions/1.csv`,
      `/g/${DEMO_SLUG}/v/1`,
      "/favicon.svg",
    ]) {
      const response = await fetch(demo.server.url + path);
      const csp = response.headers.get("Content-Security-Policy") ?? "";
      // A numbered version's data is answered before Express with headers made once: no page,
      // so nothing may load or run, and no nonce.
      if (path.startsWith("/api/")) expect(csp, path).toMatch(/^default-src 'none'; /);
      else expect(csp, path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}'/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(response.headers.get("Referrer-Policy")).toBe("same-origin");
      expect(response.headers.get("X-Frame-Options")).toBe("DENY");
      expect(response.headers.get("Strict-Transport-Security")).toBeNull();
    }
    const [a, b] = await Promise.all([fetch(demo.server.url + "/login"), fetch(demo.server.url + "/login")]);
    const nonce = (r: Response) => /'nonce-([^']+)'/.exec(r.headers.get("Content-Security-Policy")!)![1];
    expect(nonce(a)).not.toBe(nonce(b));
    const html = await a.text();
    // Every inline script carries the response's nonce.
    const scripts = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce(a)}"`);
  });

  test("HSTS is sent in production", async () => {
    const production = await startServer({ env: { NODE_ENV: "production" }, seed: false });
    try {
      const response = await fetch(production.url + "/login");
      expect(response.headers.get("Strict-Transport-Security")).toBe("max-age=31536000; includeSubDomains");
    } finally {
      await production.stop();
    }
  });

  test("the pages work under the policy: hydrated, saving a ballot without reload, no violation reported", async () => {
    const context = await demo.browser.newContext();
    const page = await context.newPage();
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (event) => {
        console.error(`Refused to load: ${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    await logInAs(page, demo.server.url, DEMO_ACCOUNTS.panelist(4), DEMO_PASSWORD);
    for (const path of [`/g/${DEMO_SLUG}`, `/g/${DEMO_SLUG}/results/1`, `/g/${DEMO_SLUG}/v/1`, `/g/${DEMO_SLUG}/vote`]) {
      await page.goto(demo.server.url + path);
      await page.waitForLoadState("networkidle");
    }
    // Saving one statement on its own needs the client scripts to run.
    const first = page.getByRole("group", { name: /^Statement 8\b/ });
    await first.getByText("Disagree", { exact: true }).click();
    await first.getByText("Saved", { exact: true }).waitFor();
    // Client-side navigation (also script-driven) works too.
    await page.getByRole("link", { name: "Results" }).click();
    await page.getByRole("heading", { name: "Results of closed rounds" }).waitFor();
    expect(violations).toEqual([]);
    await context.close();
  });
});
