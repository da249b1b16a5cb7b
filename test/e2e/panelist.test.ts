import { mkdirSync } from "node:fs";
import { and, eq } from "drizzle-orm";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDatabase } from "@db/client.server";
import { guidelines, statementRevisions, statements, statementTranslations } from "@db/schema";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_SLUG } from "../../scripts/seed-demo";
import { seriousViolations } from "../support/axe";
import { launchBrowser, logInAs } from "../support/browser";
import { addRevision, createRound } from "../support/factories";
import { startServer, type RunningServer } from "../support/server";

let server: RunningServer;
let browser: Browser;
let expert01: BrowserContext;
let expert02: BrowserContext;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  // axe-core is injected as a script, which the app's CSP rightly refuses: these contexts bypass
  // it (security-headers.test.ts checks the pages under the policy).
  [expert01, expert02] = await Promise.all([browser.newContext({ bypassCSP: true }), browser.newContext({ bypassCSP: true })]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const votePath = `/g/${DEMO_SLUG}/vote`;
/** A statement of the ballot by its number: the demo's round 2 votes on statements 8 and 10. */
const statement = (page: Page, n: number) => page.getByRole("group", { name: new RegExp(`^Statement ${n}\\b`) });

async function savedAfter(page: Page, n: number, act: () => Promise<void>) {
  await act();
  await statement(page, n).getByText("Saved", { exact: true }).waitFor();
}

describe("a panelist votes on the demo's open round", () => {
  test("keyboard-only voting saves each statement on its own, a changed ballot survives a reload", async () => {
    const page = await expert01.newPage();
    await logInAs(page, server.url, DEMO_ACCOUNTS.panelist(1), DEMO_PASSWORD);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole("link", { name: "Vote now" }).click();
    await page.waitForURL(`${server.url}${votePath}`);
    await page.getByText("0 of 2 answered").waitFor();
    await page.getByText(/At least 50% of participants agree and under 20% disagree/).waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    // From the top of the page, Tab to the first statement's choices, then arrow keys choose.
    await page.locator("body").focus();
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press("Tab");
      const name = await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name ?? "");
      if (name.startsWith("choice.")) break;
    }
    await savedAfter(page, 8, () => page.keyboard.press("Space"));
    expect(await statement(page, 8).getByRole("radio", { name: "Agree", exact: true }).isChecked()).toBe(true);
    await savedAfter(page, 8, () => page.keyboard.press("ArrowRight"));
    expect(await statement(page, 8).getByRole("radio", { name: "Disagree", exact: true }).isChecked()).toBe(true);

    await statement(page, 10).getByRole("radio", { name: "Abstain", exact: true }).focus();
    await savedAfter(page, 10, () => page.keyboard.press("Space"));
    await page.getByText("2 of 2 answered").waitFor();

    // Change statement 1 back to agree, with a comment, and reload.
    await savedAfter(page, 8, () => statement(page, 8).getByText("Agree", { exact: true }).click());
    await statement(page, 8)
      .getByLabel(/Comment/)
      .fill("Restricting chemotherapy to non-targetable disease is right.");
    await savedAfter(page, 8, () =>
      statement(page, 8)
        .getByLabel(/Comment/)
        .blur(),
    );
    await page.reload();
    expect(await statement(page, 8).getByRole("radio", { name: "Agree", exact: true }).isChecked()).toBe(true);
    expect(
      await statement(page, 8)
        .getByLabel(/Comment/)
        .inputValue(),
    ).toBe("Restricting chemotherapy to non-targetable disease is right.");
    expect(await statement(page, 10).getByRole("radio", { name: "Abstain", exact: true }).isChecked()).toBe(true);
    await page.getByText("2 of 2 answered").waitFor();
  }, 60_000);

  test("another panelist sees no one else's choices and no counts, in the page or its data", async () => {
    const page = await expert02.newPage();
    await logInAs(page, server.url, DEMO_ACCOUNTS.panelist(2), DEMO_PASSWORD);
    await page.goto(server.url + votePath);
    await page.getByText("0 of 2 answered").waitFor();
    for (const n of [8, 10]) {
      for (const name of ["Agree", "Disagree", "Abstain"]) {
        expect(await statement(page, n).getByRole("radio", { name, exact: true }).isChecked()).toBe(false);
      }
    }
    const text = await page.locator("main").innerText();
    expect(text).not.toContain("Restricting chemotherapy");
    // Round 1's closed results are the feedback every panelist gets; nothing else counts anything.
    const feedback = await page.getByRole("region", { name: "Feedback from round 1" }).allInnerTexts();
    expect(feedback).toHaveLength(1);
    expect(feedback[0]).toContain("Agree: 17 (54.8% of 31 participants)");
    const outsideFeedback = feedback.reduce((rest, part) => rest.replace(part, ""), text);
    expect(outsideFeedback).not.toMatch(/\bAgree: \d|\d+ agree\b|responded/i);
    const data = await page.evaluate(async (path) => (await fetch(`${path}?_data=routes%2Fg.%24slug.vote`)).json(), votePath);
    // Only a closed round's results may appear (as feedback beside a revised statement).
    const items = data.ballot.items as { choice: string | null; previous: { round: number } | null }[];
    expect(items.map((i) => i.previous?.round ?? null)).toEqual([1, null]);
    const current = JSON.stringify(items.map(({ previous: _previous, ...rest }) => rest));
    expect(current).not.toContain("Restricting chemotherapy");
    expect(current).not.toMatch(/"choice":"(agree|disagree|abstain)"/);
    expect(current).not.toMatch(/"(agree|disagree|abstain|eligible|participants)":\d/);
  });

  test("a 375-pixel-wide phone shows the ballot without sideways scrolling and with large targets", async () => {
    const phone = await browser.newContext({
      viewport: { width: 375, height: 812 },
      isMobile: true,
      hasTouch: true,
      bypassCSP: true,
    });
    const page = await phone.newPage();
    await logInAs(page, server.url, DEMO_ACCOUNTS.panelist(3), DEMO_PASSWORD);
    await page.goto(server.url + votePath);
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/ballot-375.png", fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    const agree = await statement(page, 8).getByText("Agree", { exact: true }).boundingBox();
    expect(agree!.x).toBeGreaterThanOrEqual(0);
    expect(agree!.x + agree!.width).toBeLessThanOrEqual(375);
    const target = await statement(page, 8).locator("label.choice").first().boundingBox();
    expect(target!.height).toBeGreaterThanOrEqual(44);
    await savedAfter(page, 8, () => statement(page, 8).getByText("Agree", { exact: true }).tap());
    await phone.close();
  });

  test("after the secretary closes the round both panelists see the results, and the next round shows the feedback", async () => {
    const secretary = await browser.newContext({ bypassCSP: true });
    const admin = await secretary.newPage();
    await logInAs(admin, server.url, DEMO_ACCOUNTS.secretary, DEMO_PASSWORD);
    await admin.goto(`${server.url}/g/${DEMO_SLUG}/rounds/2`);
    await admin.getByLabel("Closing is irreversible: ballots can no longer change").check();
    await admin.getByRole("button", { name: "Close round 2" }).click();
    await admin.getByText("Adopted").first().waitFor();
    await secretary.close();

    for (const context of [expert01, expert02]) {
      const page = await context.newPage();
      await page.goto(`${server.url}/g/${DEMO_SLUG}/results/2`);
      await page.getByRole("heading", { name: "Round 2 results" }).waitFor();
      const first = page.getByRole("listitem").filter({ hasText: "Statement 8" }).first();
      // 12 seeded ballots (9 agree, 3 abstain) plus expert 01's agree and expert 03's agree.
      expect(await first.getByText(/^Agree: 11/).count()).toBe(1);
      expect(await first.textContent()).toContain("Restricting chemotherapy to non-targetable disease is right.");
      expect(await seriousViolations(page)).toEqual([]);
      if (context === expert01) expect(await first.textContent()).toContain("Your ballot in round 2: Agree");
      else expect(await first.textContent()).toContain("Your ballot in round 2: no answer");
      await page.close();
    }

    // The secretary re-words statement 8 once more and puts it to a third round.
    const db = openDatabase(server.databasePath);
    const guideline = db.select().from(guidelines).where(eq(guidelines.slug, DEMO_SLUG)).get()!;
    const chemotherapy = db
      .select({ id: statements.id })
      .from(statements)
      .innerJoin(statementRevisions, eq(statementRevisions.statementId, statements.id))
      .where(and(eq(statements.guidelineId, guideline.id), eq(statementRevisions.section, "Chemotherapy")))
      .get()!;
    const revision = addRevision(db, {
      statementId: chemotherapy.id,
      revision: 3,
      text:
        "For patients with unresectable IMT who have no targeted option or progress on targeted therapy, " +
        "anthracycline-based chemotherapy may be considered",
      changeNote: "Narrowed to anthracyclines after round 2 comments.",
    });
    // The demo is bilingual: a round opens only with the Chinese of what it votes on.
    db.insert(statementTranslations)
      .values({
        revisionId: revision.id,
        language: "zh",
        text: "对于无法切除的 IMT 患者，可考虑以蒽环类为基础的化疗",
        updatedAt: new Date(),
      })
      .run();
    createRound(db, { guidelineId: guideline.id, number: 3, revisionIds: [revision.id], status: "open" });
    db.$client.close();

    const page = await expert01.newPage();
    await page.goto(server.url + votePath);
    const feedback = page.getByRole("region", { name: "Feedback from round 2" });
    await feedback.waitFor();
    expect((await feedback.locator("del").allTextContents()).join(" ")).toContain("methotrexate");
    expect((await feedback.locator("ins").allTextContents()).join(" ")).toContain("anthracycline");
    expect(await feedback.getByText(/^Agree: 11/).count()).toBe(1);
    expect(await feedback.textContent()).toContain("Your ballot in round 2: Agree");
    expect(await feedback.textContent()).toContain("Restricting chemotherapy to non-targetable disease is right.");
    expect(await seriousViolations(page)).toEqual([]);
  }, 60_000);
});
