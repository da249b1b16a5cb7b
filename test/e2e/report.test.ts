/**
 * The methods report and the analysis exports, used as the secretary and the observer would: in
 * the browser without JavaScript on a phone, downloaded over HTTP with their session, and refused
 * to panelists and strangers.
 */
import { describe, expect, test } from "vitest";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_SLUG } from "../../scripts/seed-demo";
import { seriousViolations } from "../support/axe";
import { demoInBrowser, logInAs } from "../support/browser";
import { wordText } from "../support/word";

const demo = demoInBrowser();
const g = `/g/${DEMO_SLUG}`;

async function sessionOf(email: string): Promise<string> {
  const response = await fetch(`${demo.server.url}/login`, {
    method: "POST",
    body: new URLSearchParams({ email, password: DEMO_PASSWORD }),
    headers: { Origin: demo.server.url },
    redirect: "manual",
  });
  expect(response.status).toBe(302);
  return response.headers.get("Set-Cookie")!.split(";")[0]!;
}

describe("the methods report", () => {
  test("the secretary reads it on a phone without JavaScript: every section, nothing sideways, no serious axe violation", async () => {
    const context = await demo.browser.newContext({ viewport: { width: 375, height: 812 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await logInAs(page, demo.server.url, DEMO_ACCOUNTS.secretary, DEMO_PASSWORD);
    await page.goto(`${demo.server.url}${g}/report`);
    for (const heading of [
      "Registration",
      "Panel",
      "Recruitment",
      "Conflicts of interest",
      "Definition of consensus",
      "Rounds",
      "Stopping",
      "Final list",
      "Software",
    ]) {
      expect(await page.getByRole("heading", { name: heading, exact: true }).count(), heading).toBe(1);
    }
    expect(await page.getByText("The study was registered as PREPARE-2024CN902.").count()).toBe(1);
    expect(await page.getByText("The panel had 31 members from 10 disciplines.").count()).toBe(1);
    expect(await page.getByText(/^Opened 2025-02-06; closed 2025-02-16\. 31 of 31 eligible members responded/).count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: "/tmp/report-375.png", fullPage: true });

    // Choosing version 1 is a plain GET form.
    await page.getByLabel("Report on").selectOption("1");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL(/\/report\?version=1$/);
    expect(await page.getByText(/^Version 1, published \d{4}-\d\d-\d\d \(content hash sha256:/).count()).toBe(1);
    expect(await page.getByRole("link", { name: "Download as Word" }).getAttribute("href")).toBe(`${g}/report.docx?version=1`);
    await context.close();

    // axe runs as a script: the same page with JavaScript.
    const withScripts = await demo.browser.newContext({ viewport: { width: 375, height: 812 }, bypassCSP: true });
    const checked = await withScripts.newPage();
    await logInAs(checked, demo.server.url, DEMO_ACCOUNTS.observer, DEMO_PASSWORD);
    await checked.goto(`${demo.server.url}${g}/report`);
    expect(await seriousViolations(checked)).toEqual([]);
    await withScripts.close();
  });

  test("the observer downloads it as Word and Markdown; panelists and strangers may not", async () => {
    const observer = await sessionOf(DEMO_ACCOUNTS.observer);
    const word = await fetch(`${demo.server.url}${g}/report.docx?version=1`, { headers: { Cookie: observer } });
    expect(word.status).toBe(200);
    expect(word.headers.get("Content-Disposition")).toBe(`attachment; filename="${DEMO_SLUG}-methods-v1.docx"`);
    const text = wordText(new Uint8Array(await word.arrayBuffer()));
    expect(text).toContain("The panel had 31 members from 10 disciplines.");
    expect(text).toContain("31 of 31 eligible members responded (100%). 9 statements were voted on: 9 adopted, 0 not adopted.");
    const md = await fetch(`${demo.server.url}${g}/report.md`, { headers: { Cookie: observer } });
    expect([md.status, md.headers.get("Content-Type")]).toEqual([200, "text/markdown; charset=utf-8"]);
    expect(await md.text()).toContain("The study continues: round 2 is open; this report covers the rounds closed so far.");

    const bad = await fetch(`${demo.server.url}${g}/report.md?version=x`, { headers: { Cookie: observer } });
    expect([bad.status, await bad.json()]).toEqual([
      400,
      { error: 'version must be a published version number (1, 2, …), not "x".' },
    ]);
    const missing = await fetch(`${demo.server.url}${g}/report.md?version=9`, { headers: { Cookie: observer } });
    expect(missing.status).toBe(404);

    const panelist = await sessionOf(DEMO_ACCOUNTS.panelist(1));
    expect((await fetch(`${demo.server.url}${g}/report.md`, { headers: { Cookie: panelist } })).status).toBe(403);
    const stranger = await fetch(`${demo.server.url}${g}/report.docx`, { redirect: "manual" });
    expect([stranger.status, stranger.headers.get("Location")]).toEqual([
      302,
      `/login?redirectTo=${encodeURIComponent(`${g}/report.docx`)}`,
    ]);
  });
});

describe("the analysis exports over HTTP", () => {
  test("ballots.csv reproduces round 1 under 31 pseudonyms; panelists may not download it", async () => {
    const secretary = await sessionOf(DEMO_ACCOUNTS.secretary);
    const response = await fetch(`${demo.server.url}${g}/exports/ballots.csv`, { headers: { Cookie: secretary } });
    expect(response.status).toBe(200);
    const rows = (await response.text())
      .trimEnd()
      .split("\r\n")
      .slice(1)
      .map((line) => line.split(","));
    // Round 2 is open: only round 1 is there, 31 × 9 answers.
    expect(new Set(rows.map((r) => r[0]))).toEqual(new Set(["1"]));
    expect(rows).toHaveLength(31 * 9);
    expect(new Set(rows.map((r) => r[4])).size).toBe(31);
    const chemotherapy = rows.filter((r) => r[1] === "8");
    expect(["agree", "disagree", "abstain"].map((c) => chemotherapy.filter((r) => r[6] === c).length)).toEqual([17, 0, 14]);

    const panelist = await sessionOf(DEMO_ACCOUNTS.panelist(1));
    expect((await fetch(`${demo.server.url}${g}/exports/ballots.csv`, { headers: { Cookie: panelist } })).status).toBe(403);
  });
});
