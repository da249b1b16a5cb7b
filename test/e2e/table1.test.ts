import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import record from "../../fixtures/imt-2025-table1.json";
import { launchBrowser } from "../support/browser";
import { containsRun, wordTexts } from "../support/word";
import { startServer, type RunningServer } from "../support/server";

/** Statement 8 in the demo's Chinese (scripts/seed-demo.ts). */
const CHEMOTHERAPY_ZH = "推荐 IMT 患者采用以蒽环类、甲氨蝶呤、培美曲塞联合铂类以及紫杉醇联合铂类为基础的化疗方案";

let server: RunningServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  // Anonymous, and without JavaScript: the page must be complete as served.
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1100, height: 900 } });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("the printable Table 1 page", () => {
  test("shows version 1 of the IMT consensus as the paper's Table 1", async () => {
    const response = await page.goto(`${server.url}/g/imt-consensus/v/1`);
    expect(response?.status()).toBe(200);
    expect(await page.title()).toContain("Table 1, version 1");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(record.guideline.title);
    expect(await page.getByText(/^Version 1 · published \d{1,2} \w+ \d{4}$/).count()).toBe(1);
    expect(await page.getByRole("blockquote").textContent()).toBe(record.ruleText);

    const table = page.getByRole("table", { name: /^Table 1\. Key points adopted in version 1/ });
    const headers = await table.getByRole("columnheader").allTextContents();
    expect(headers).toEqual(["No.", "Section", "Key point", "Round", "Voters", "Agree", "Disagree", "Abstain"]);
    const rows = table.getByRole("rowgroup").nth(1).getByRole("row");
    expect(await rows.count()).toBe(9);
    const row8 = rows.nth(7);
    expect(await row8.getByRole("rowheader").textContent()).toBe("8");
    const [section, text, round, voters, agree, disagree, abstain] = await row8.getByRole("cell").allTextContents();
    expect({ section, round, voters, agree, disagree, abstain }).toEqual({
      section: "Chemotherapy",
      round: "1",
      voters: "31",
      agree: "17",
      disagree: "0",
      abstain: "14",
    });
    // The demo publishes the panel's Chinese beside the English: the reader's language first.
    expect(text).toBe(record.rounds[0]!.items[7]!.text + CHEMOTHERAPY_ZH);
    expect(await row8.locator('span[lang="zh-Hans"]').textContent()).toBe(CHEMOTHERAPY_ZH);

    expect(await page.getByRole("heading", { name: "Not adopted" }).count()).toBe(1);
    expect(await page.getByText(/^Content hash sha256:[0-9a-f]{64}$/).count()).toBe(1);
    await page.screenshot({ path: "/tmp/table1.png", fullPage: true });
  });

  test("its Word and Markdown files are public, with the rule and the round and voters of every row", async () => {
    await page.goto(`${server.url}/g/imt-consensus/v/1`);
    const wordHref = await page.getByRole("link", { name: "Word" }).getAttribute("href");
    const markdownHref = await page.getByRole("link", { name: "Markdown" }).getAttribute("href");
    expect([wordHref, markdownHref]).toEqual([
      "/api/guidelines/imt-consensus/versions/1.docx",
      "/api/guidelines/imt-consensus/versions/1.md",
    ]);
    // No cookie: anyone may download them, cached like the JSON.
    const md = await fetch(server.url + markdownHref);
    expect([md.status, md.headers.get("Cache-Control")]).toEqual([200, "public, max-age=31536000, immutable"]);
    const text = await md.text();
    expect(text).toContain("Adoption rule: At least 50% of participants agree and under 20% disagree.");
    expect(text).toContain(
      `| 8 | Chemotherapy | Chemotherapy regimens based on anthracyclines, methotrexate, pemetrexed + platinum, and paclitaxel + platinum are recommended for patients with IMT | ${CHEMOTHERAPY_ZH} | 1 | 31 | 17 | 0 | 14 |`,
    );
    const word = await fetch(server.url + wordHref);
    expect([word.status, word.headers.get("Cache-Control")]).toEqual([200, "public, max-age=31536000, immutable"]);
    const etag = word.headers.get("ETag")!;
    expect(etag).toMatch(/^W\/"[0-9a-f]{64}\.docx"$/);
    const texts = wordTexts(new Uint8Array(await word.arrayBuffer()));
    expect(
      containsRun(texts, ["8", "Chemotherapy", record.rounds[0]!.items[7]!.text, CHEMOTHERAPY_ZH, "1", "31", "17", "0", "14"]),
    ).toBe(true);
    expect((await fetch(server.url + wordHref, { headers: { "If-None-Match": etag } })).status).toBe(304);
  });

  test("links to the same version as JSON and CSV", async () => {
    await page.goto(`${server.url}/g/imt-consensus/v/latest`);
    const jsonHref = await page.getByRole("link", { name: "JSON" }).getAttribute("href");
    const csvHref = await page.getByRole("link", { name: "CSV" }).getAttribute("href");
    expect([jsonHref, csvHref]).toEqual([
      "/api/guidelines/imt-consensus/versions/1",
      "/api/guidelines/imt-consensus/versions/1.csv",
    ]);

    const json = await fetch(server.url + jsonHref);
    expect(json.status).toBe(200);
    const set = await json.json();
    expect(await page.getByText(set.contentHash, { exact: false }).count()).toBe(1);
    const csv = await fetch(server.url + csvHref);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect((await csv.text()).split("\r\n")[8]).toMatch(/^8,Chemotherapy,.*,17,0,14,true$/);
  });

  test("an unknown version is a 404 page", async () => {
    const response = await page.goto(`${server.url}/g/imt-consensus/v/99`);
    expect(response?.status()).toBe(404);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("404 Not Found");
    expect(await page.getByText('Version 99 of "imt-consensus" is not published; the latest is version 1.').count()).toBe(1);
  });
});
