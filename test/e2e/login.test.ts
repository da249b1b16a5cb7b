import { describe, expect, test } from "vitest";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "../../scripts/seed-demo";
import { demoInBrowser, logInAs } from "../support/browser";

const demo = demoInBrowser();

describe("logging in to the demo in a real browser", () => {
  test("expert 01 sees the IMT guideline with its open round waiting for a vote", async () => {
    const context = await demo.browser.newContext();
    const page = await context.newPage();
    await logInAs(page, demo.server.url, DEMO_ACCOUNTS.panelist(1), DEMO_PASSWORD);

    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Your guidelines");
    const card = page.getByRole("listitem").filter({ hasText: "Inflammatory Myofibroblastic Tumor" });
    await expect.poll(() => card.count()).toBe(1);
    const text = await card.textContent();
    expect(text).toContain("Panelist");
    expect(text).toContain("Pulmonary and critical care medicine");
    expect(text).toContain("Round 2 is open");
    expect(text).toContain("2 statements");
    expect(text).toContain("2 left to answer");
    expect(await page.getByRole("navigation", { name: "Account" }).textContent()).toContain("Expert 01");
    await context.close();
  });

  test("the secretary logs in, lands on the page asked for, and logs out", async () => {
    const context = await demo.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${demo.server.url}/login?redirectTo=${encodeURIComponent("/?from=test")}`);
    await page.getByLabel("Email").fill(DEMO_ACCOUNTS.secretary);
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${demo.server.url}/?from=test`);
    expect(await page.getByRole("listitem").first().textContent()).toContain("Secretary");

    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("link", { name: "Log in" }).first().waitFor();
    const cookies = await context.cookies();
    expect(cookies.filter((c) => c.name === "session")).toEqual([]);
    await context.close();
  });

  test("a wrong password shows one generic message and keeps the visitor out", async () => {
    const page = await demo.browser.newPage();
    await page.goto(`${demo.server.url}/login`);
    await page.getByLabel("Email").fill(DEMO_ACCOUNTS.panelist(2));
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toBe("Email or password is incorrect.");
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.close();
  });
});
