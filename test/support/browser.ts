import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { startServer, type RunningServer } from "./server";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function assertBrowserInstalled(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: the browser tests need it. Install it with ` +
        "`apt-get install -y chromium` (or set CHROMIUM_PATH). The suite does not skip them.",
    );
  }
}

/** Debian's Chromium, headless, without the background traffic this closed network refuses. */
export function launchBrowser(): Promise<Browser> {
  assertBrowserInstalled();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export async function logInAs(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

/**
 * The built server on its own demo database and a Chromium, started before a test file's tests
 * and stopped after them: `demo.server` and `demo.browser` once the tests run.
 */
export function demoInBrowser(): { readonly server: RunningServer; readonly browser: Browser } {
  const demo = {} as { server: RunningServer; browser: Browser };
  beforeAll(async () => {
    [demo.server, demo.browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await demo.browser?.close();
    await demo.server?.stop();
  });
  return demo;
}
