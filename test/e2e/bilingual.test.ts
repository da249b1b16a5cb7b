/**
 * Issue 14's walk: the IMT demo's Chinese-speaking panelist votes in Chinese, the secretary
 * publishes version 2, and its JSON, CSV, Table 1 page and Word file carry both languages. The
 * Chinese labels are read from the Chinese resources, so the test follows the translation.
 */
import { eq, and } from "drizzle-orm";
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { openDatabase } from "@db/client.server";
import { ballots, memberships, users } from "@db/schema";
import { translator } from "~/server/i18n.server";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_SLUG } from "../../scripts/seed-demo";
import { demoInBrowser, logInAs } from "../support/browser";
import { wordText } from "../support/word";
import { strFromU8, unzipSync } from "fflate";

const demo = demoInBrowser();
const zh = translator("zh", "panelist");
const zhPublication = translator("zh", "publication");
/** Statement 8 as round 2 votes on it, in the panel's Chinese (scripts/seed-demo.ts). */
const REWORDED_ZH = "对于无法切除、且无靶向治疗选择或靶向治疗后进展的 IMT 患者";
const REWORDED_EN = "For patients with unresectable IMT who have no targeted option";

async function newPage(options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
  const context = await demo.browser.newContext({ ...options, locale: "en-GB" });
  return context.newPage();
}

function localeOf(email: string): string | null {
  const db = openDatabase(demo.server.databasePath);
  try {
    return db.select({ locale: users.locale }).from(users).where(eq(users.email, email)).get()?.locale ?? null;
  } finally {
    db.$client.close();
  }
}

describe("a Chinese-speaking panelist and a bilingual version", () => {
  test("votes in Chinese, and version 2 carries both languages in JSON, CSV, page and Word", async () => {
    // The account's saved language wins over the browser's English.
    const expert = await newPage();
    await logInAs(expert, demo.server.url, DEMO_ACCOUNTS.chinesePanelist, DEMO_PASSWORD);
    await expert.goto(`${demo.server.url}/g/${DEMO_SLUG}/vote`);
    expect(await expert.getAttribute("html", "lang")).toBe("zh-Hans");
    const statement8 = expert.getByRole("radiogroup", { name: zh("Your vote on statement {{number}}", { number: 8 }) });
    const item = expert.getByRole("listitem").filter({ has: statement8 });
    expect(await item.locator(".statement-text").first().textContent()).toContain(REWORDED_ZH);
    // The English original is one click away, marked as English.
    await item.locator("details.other-language summary").first().click();
    expect(await item.locator('details.other-language[lang="en"]').textContent()).toContain(REWORDED_EN);

    for (const n of [8, 10]) {
      await expert
        .getByRole("radiogroup", { name: zh("Your vote on statement {{number}}", { number: n }) })
        .getByRole("radio", { name: zh("Agree"), exact: true })
        .check();
    }
    await expert.getByRole("button", { name: zh("Save all answers") }).click();
    await expert
      .getByRole("status")
      .filter({ hasText: zh("Your answers are saved.").slice(0, 6) })
      .waitFor();
    const db = openDatabase(demo.server.databasePath);
    const cast = db
      .select({ choice: ballots.choice })
      .from(ballots)
      .innerJoin(memberships, eq(memberships.id, ballots.membershipId))
      .innerJoin(users, and(eq(users.id, memberships.userId), eq(users.email, DEMO_ACCOUNTS.chinesePanelist)))
      .all();
    db.$client.close();
    expect(cast.filter((b) => b.choice === "agree").length).toBeGreaterThanOrEqual(2);

    // The switcher works without JavaScript, and the choice is saved on the account.
    const plain = await newPage({ javaScriptEnabled: false });
    await logInAs(plain, demo.server.url, DEMO_ACCOUNTS.chinesePanelist, DEMO_PASSWORD);
    await plain.goto(`${demo.server.url}/g/${DEMO_SLUG}/vote`);
    await plain.getByRole("button", { name: "English" }).click();
    await plain.waitForURL(`${demo.server.url}/g/${DEMO_SLUG}/vote`);
    expect(await plain.getAttribute("html", "lang")).toBe("en");
    expect(localeOf(DEMO_ACCOUNTS.chinesePanelist)).toBe("en");
    await plain.getByRole("button", { name: "中文" }).click();
    await plain.waitForURL(`${demo.server.url}/g/${DEMO_SLUG}/vote`);
    expect(await plain.getAttribute("html", "lang")).toBe("zh-Hans");
    expect(localeOf(DEMO_ACCOUNTS.chinesePanelist)).toBe("zh");

    // The secretary, in English, closes round 2 and publishes version 2.
    const secretary = await newPage();
    await logInAs(secretary, demo.server.url, DEMO_ACCOUNTS.secretary, DEMO_PASSWORD);
    await secretary.goto(`${demo.server.url}/g/${DEMO_SLUG}/rounds/2`);
    expect(await secretary.getAttribute("html", "lang")).toBe("en");
    await secretary.getByRole("checkbox", { name: "Closing is irreversible: ballots can no longer change" }).check();
    await secretary.getByRole("button", { name: "Close round 2" }).click();
    await secretary.getByRole("heading", { name: "Round 2 Closed" }).waitFor();
    await secretary.goto(`${demo.server.url}/g/${DEMO_SLUG}/publish`);
    await secretary.getByRole("checkbox", { name: /^Published versions are permanent and public/ }).check();
    await secretary.getByRole("button", { name: "Publish version 2" }).click();
    await secretary.waitForURL(`${demo.server.url}/g/${DEMO_SLUG}/publish?published=2`);

    // JSON: the English stays the text; the Chinese is beside it.
    const api = `${demo.server.url}/api/guidelines/${DEMO_SLUG}/versions/2`;
    const set = await (await fetch(api)).json();
    expect(set.guideline).toMatchObject({ language: "en", languages: ["en", "zh"] });
    const eight = [...set.recommendations, ...set.notAdopted].find((e: { text: string }) => e.text.startsWith(REWORDED_EN));
    expect(eight.translations.zh.text).toContain(REWORDED_ZH);
    expect(set.recommendations.every((r: { translations?: { zh?: unknown } }) => r.translations?.zh)).toBe(true);

    // CSV: one text column per language.
    const csv = await (await fetch(`${api}.csv`)).text();
    expect(csv.split("\r\n")[0]).toBe("number,section,text,text_zh,agree,disagree,abstain,adopted");
    expect(csv).toContain(REWORDED_ZH);

    // The page, read in Chinese: the Chinese first, the English under it marked as English.
    await expert.goto(`${demo.server.url}/g/${DEMO_SLUG}/v/2`);
    const table = expert.locator("table").first();
    expect(await table.locator(".table1-text span:not([lang])").filter({ hasText: REWORDED_ZH }).count()).toBe(1);
    expect(await table.locator('.table1-text span[lang="en"]').filter({ hasText: REWORDED_EN }).count()).toBe(1);
    await expert.setViewportSize({ width: 375, height: 900 });
    expect(await expert.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

    // Word, in Chinese: headings translated, both languages' text, and an East Asian font.
    const wordLink = await expert.getByRole("link", { name: "Word" }).getAttribute("href");
    expect(wordLink).toBe(`/api/guidelines/${DEMO_SLUG}/versions/2.docx?lang=zh`);
    const docx = new Uint8Array(await (await fetch(demo.server.url + wordLink)).arrayBuffer());
    const text = wordText(docx);
    expect(text).toContain(zhPublication("Table 1"));
    expect(text).toContain(REWORDED_ZH);
    expect(text).toContain(REWORDED_EN);
    expect(strFromU8(unzipSync(docx)["word/styles.xml"]!)).toMatch(/w:eastAsia="SimSun"/);
  }, 120_000);
});
