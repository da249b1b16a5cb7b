/**
 * A rated round end to end in the browser, on the demo's core outcome set (1–9, COMET's rule
 * within every stakeholder group): participants rate with and without JavaScript, by keyboard
 * and on a phone; the secretary closes the round, reads the histograms, groups and stability,
 * and publishes version 2, which the Table 1 page and the API show as a rating set.
 */
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { openDatabase } from "@db/client.server";
import type { RecommendationSet } from "~/consensus/recommendation-set";
import { COS_SLUG, DEMO_ACCOUNTS, DEMO_PASSWORD } from "../../scripts/seed-demo";
import { seriousViolations } from "../support/axe";
import { demoInBrowser, logInAs } from "../support/browser";

const demo = demoInBrowser();
const g = `/g/${COS_SLUG}`;
/** A statement of the ballot by its number: the COS demo's round 2 rates outcomes 3, 4 and 6 again. */
const statement = (page: Page, n: number) => page.getByRole("group", { name: new RegExp(`^Statement ${n}\\b`) });

function storedRatings(participant: number): { position: number; rating: number | null; choice: string | null }[] {
  const db = openDatabase(demo.server.databasePath);
  try {
    return db.$client
      .prepare(
        `select i.position as position, b.rating as rating, b.choice as choice from ballots b
         join round_items i on i.id = b.round_item_id join rounds r on r.id = i.round_id
         join guidelines gl on gl.id = r.guideline_id join memberships m on m.id = b.membership_id
         join users u on u.id = m.user_id
         where gl.slug = ? and r.number = 2 and u.email = ? order by i.position`,
      )
      .all(COS_SLUG, DEMO_ACCOUNTS.cosParticipant(participant)) as {
      position: number;
      rating: number | null;
      choice: string | null;
    }[];
  } finally {
    db.$client.close();
  }
}

describe("a rated round, end to end in the browser", () => {
  test("a participant rates without JavaScript on a phone: labelled ends, unable to score, nothing sideways", async () => {
    const context = await demo.browser.newContext({ viewport: { width: 375, height: 812 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await logInAs(page, demo.server.url, DEMO_ACCOUNTS.cosParticipant(20), DEMO_PASSWORD);
    await page.goto(`${demo.server.url}${g}/vote`);
    const first = statement(page, 3);
    expect(await first.getByText("1 = not important").count()).toBeGreaterThan(0);
    expect(await first.getByText("9 = critical").count()).toBeGreaterThan(0);
    const ballot = page.locator("form .ballot-list");
    const box = await ballot.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(375);
    await first.getByRole("radio", { name: "8", exact: true }).check();
    await statement(page, 4).getByRole("radio", { name: "Unable to score" }).check();
    await statement(page, 6).getByRole("radio", { name: "3", exact: true }).check();
    await page.getByRole("button", { name: "Save all answers" }).click();
    await page.waitForURL(/\/vote\?saved=3/);
    expect(storedRatings(20)).toEqual([
      { position: 1, rating: 8, choice: null },
      { position: 2, rating: null, choice: "unable" },
      { position: 3, rating: 3, choice: null },
    ]);
    await context.close();
  });

  test("a participant rates by keyboard with JavaScript, each statement saving on its own", async () => {
    const context = await demo.browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await logInAs(page, demo.server.url, DEMO_ACCOUNTS.cosParticipant(21), DEMO_PASSWORD);
    await page.goto(`${demo.server.url}${g}/vote`);
    expect(await seriousViolations(page)).toEqual([]);
    await statement(page, 3).getByRole("radio", { name: "5", exact: true }).focus();
    await page.keyboard.press("Space");
    await statement(page, 3).getByText("Saved", { exact: true }).waitFor();
    await page.keyboard.press("ArrowRight");
    await statement(page, 3).getByText("Saved", { exact: true }).waitFor();
    await page.waitForFunction(() => !document.querySelector(".save-state")?.textContent?.includes("Saving"));
    expect(storedRatings(21)).toEqual([{ position: 1, rating: 6, choice: null }]);
    await context.close();
  });

  test("the secretary closes the round, reads histograms, groups and stability, and publishes version 2", async () => {
    const context = await demo.browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await logInAs(page, demo.server.url, DEMO_ACCOUNTS.secretary, DEMO_PASSWORD);
    await page.goto(`${demo.server.url}${g}/rounds/2`);
    // Open: no counts in an anonymous guideline.
    expect(await page.getByRole("table", { name: /Ratings on statement 3\b/ }).count()).toBe(0);
    await page.getByLabel("Closing is irreversible: ballots can no longer change").check();
    await page.getByRole("button", { name: "Close round 2" }).click();
    await page
      .getByRole("heading", { name: /Round 2/ })
      .first()
      .waitFor();
    await page
      .getByRole("table", { name: /Ratings on statement 3\b/ })
      .first()
      .waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    const text = (await page.locator("main").textContent()) ?? "";
    expect(text).toContain("Median");
    expect(text).toMatch(/Since round 1: agreement share [+−-]?\d/);
    expect(text).toContain("Strength of consensus (AWMF)");

    await page.goto(`${demo.server.url}${g}/publish`);
    await page.getByRole("checkbox", { name: /^Published versions are permanent and public/ }).check();
    await page.getByRole("button", { name: "Publish version 2" }).click();
    await page.waitForURL(`${demo.server.url}${g}/publish?published=2`);
    const set = (await (await fetch(`${demo.server.url}/api/guidelines/${COS_SLUG}/versions/2`)).json()) as RecommendationSet;
    expect(set.scale).toMatchObject({ kind: "rating", points: 9, unable: true });
    expect(set.recommendations.every((r) => r.ratings && r.votes === undefined && r.outcome === "in")).toBe(true);
    expect(set.notAdopted.map((e) => e.outcome)).toContain("out");
    await page.goto(`${demo.server.url}${g}/v/2`);
    expect(await page.getByText("Overall survival").count()).toBeGreaterThan(0);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });
});
