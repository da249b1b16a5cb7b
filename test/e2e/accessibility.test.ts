/**
 * Every page the authorization matrix lets someone load, as each identity that may load it, on a
 * 375-pixel phone and on a desktop: axe-core finds no serious or critical violation and the phone
 * never scrolls sideways. The pages come from MATRIX, so a new route is checked as soon as it has
 * an entry there; resource routes (JSON, CSV, Markdown, Word, the schema) render no page and are
 * left out. The world is the matrix's: the IMT demo with round 1 closed and published as version
 * 1 and round 2 open, so the ballot, the results and the rounds show their content.
 */
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import { seriousViolations } from "../support/axe";
import { launchBrowser } from "../support/browser";
import { publishDemoSecondEdition } from "../support/demo";
import { cookieOf, IDENTITIES, routeValues, seedWorld, type Identity } from "../support/matrix";
import { errorPagesOf, pagesOf, pathOf } from "../support/pages";
import { startServer, type RunningServer } from "../support/server";

const PHONE = 375;
const WIDTHS = [PHONE, 1280] as const;

const PAGES = await pagesOf();
const ERROR_PAGES = await errorPagesOf();

let server: RunningServer;
let browser: Browser;
let values: Record<string, string>;
/** Where each identity has been at each width: a route that redirects (GET /logout) to a checked page adds nothing. */
const seen = new Set<string>();
/** One browser tab per identity, logged in through its own session cookie and kept for the whole file. */
const tabs = new Map<Identity, Page>();

/** Errors the current page raised in the browser since it was asked for. */
const scriptErrors: string[] = [];

beforeAll(async () => {
  const world = await seedWorld(getDb());
  values = routeValues(world);
  [server, browser] = await Promise.all([startServer({ database: process.env.DATABASE_PATH }), launchBrowser()]);
  for (const identity of IDENTITIES) {
    // axe-core is injected as a script, which the app's CSP rightly refuses (security-headers.test.ts checks the policy).
    const context = await browser.newContext({ bypassCSP: true });
    const cookie = await cookieOf(world, identity);
    if (cookie) {
      const [name, value] = cookie.split(/=(.*)/s) as [string, string];
      await context.addCookies([{ name, value, url: server.url }]);
    }
    const page = await context.newPage();
    // A page that fails in the browser (a route module that cannot load, an error after hydration) is a problem too.
    page.on("pageerror", (error) => scriptErrors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") scriptErrors.push(message.text());
    });
    tabs.set(identity, page);
  }
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** What is wider than the window: the innermost elements that end past its right edge, as tag.class. */
function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const wide = [...document.body.querySelectorAll("*")].filter(
      (el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5,
    );
    return wide
      .filter((el) => !wide.some((other) => other !== el && el.contains(other)))
      .slice(0, 5)
      .map((el) => [el.tagName.toLowerCase(), ...el.classList].join("."));
  });
}

/** The links and buttons of the site's header and the guideline's tabs that reach past a side of the window. */
function cutOff(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('.site-header :is(a, button), nav[aria-label="Guideline"] a')]
      .filter((el) => {
        const box = el.getBoundingClientRect();
        return box.left < 0 || box.right > document.documentElement.clientWidth + 0.5;
      })
      .map((el) => `"${el.textContent!.trim()}"`),
  );
}

/** Everything wrong with one page as one identity at one width, each a line naming the route, the identity and the rule. */
async function problemsOf(page: Page, path: string, identity: Identity, width: number, status?: number): Promise<string[]> {
  const where = `GET ${path} as ${identity} at ${width} px`;
  scriptErrors.length = 0;
  const response = await page.goto(server.url + path);
  await page.waitForLoadState("networkidle");
  if (status ? response?.status() !== status : !response?.ok()) return [`${where}: HTTP ${response?.status()}`];
  const landedAt = new URL(page.url()).pathname;
  if (landedAt === "/login" && path !== "/login") return [`${where}: sent to log in, the session was not taken`];
  const landed = `${identity} ${width} ${landedAt}`;
  if (seen.has(landed)) return [];
  seen.add(landed);
  const problems = (await seriousViolations(page)).map(
    (v) => `${where}: ${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
  if (status === undefined) problems.push(...scriptErrors.map((error) => `${where}: error in the browser: ${error}`));
  if (width === PHONE) {
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    if (scrollWidth > PHONE) {
      problems.push(`${where}: scrolls sideways (${scrollWidth} px wide): ${(await overflowing(page)).join(", ")}`);
    }
    const hidden = await cutOff(page);
    if (hidden.length > 0) problems.push(`${where}: header or tabs cut off at the side: ${hidden.join(", ")}`);
  }
  return problems;
}

describe.each(WIDTHS)("at %i px wide", (width) => {
  test.each([...PAGES])("%s", async (_, { file, readers }) => {
    const problems: string[] = [];
    for (const identity of readers) {
      const page = tabs.get(identity)!;
      await page.setViewportSize({ width, height: 900 });
      problems.push(...(await problemsOf(page, pathOf(file, values), identity, width)));
    }
    expect(problems).toEqual([]);
  });

  test.each([...ERROR_PAGES])("the %i page", async (status, { file, identity }) => {
    const page = tabs.get(identity)!;
    await page.setViewportSize({ width, height: 900 });
    expect(await problemsOf(page, pathOf(file, values), identity, width, status)).toEqual([]);
  });
});

async function boxOf(element: Locator) {
  const box = await element.boundingBox();
  if (!box) throw new Error(`${element} is not shown.`);
  return box;
}

describe("Table 1 on a phone", () => {
  test("each row reads number, key point, then agree, disagree and abstain side by side, all inside the screen", async () => {
    const page = tabs.get("anonymous")!;
    await page.setViewportSize({ width: PHONE, height: 900 });
    await page.goto(`${server.url}/g/${values.slug}/v/1`);
    const rows = page
      .getByRole("table", { name: /^Table 1\./ })
      .getByRole("rowgroup")
      .nth(1)
      .getByRole("row");
    expect(await rows.count()).toBe(9);
    for (let i = 0; i < 9; i++) {
      const row = rows.nth(i);
      const cells = row.getByRole("cell");
      // Cells: section, key point, round, voters, agree, disagree, abstain.
      const number = await boxOf(row.getByRole("rowheader"));
      const keyPoint = await boxOf(cells.nth(1));
      const [agree, disagree, abstain] = [await boxOf(cells.nth(4)), await boxOf(cells.nth(5)), await boxOf(cells.nth(6))];
      for (const box of [number, keyPoint, agree, disagree, abstain]) {
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(PHONE);
      }
      expect(number.y).toBeLessThan(keyPoint.y);
      expect(keyPoint.y + keyPoint.height).toBeLessThanOrEqual(agree.y);
      expect([disagree.y, abstain.y]).toEqual([agree.y, agree.y]);
      expect(agree.x).toBeLessThan(disagree.x);
      expect(disagree.x).toBeLessThan(abstain.x);
    }
    const chemotherapy = rows.nth(7).getByRole("cell");
    expect(await Promise.all([4, 5, 6].map((n) => chemotherapy.nth(n).textContent()))).toEqual(["17", "0", "14"]);
  });
});

/**
 * Pages the matrix's world cannot show with their content: a rating set's Table 1, and, once the
 * IMT demo's round 2 is closed and published as version 2 (after every test above, which need it
 * open), a Table 1 with a statement not adopted and the comparison of the two versions.
 */
describe("pages the matrix's world cannot show", () => {
  beforeAll(() => {
    publishDemoSecondEdition(getDb());
  });

  test.each(WIDTHS)("at %i px wide, as anyone", async (width) => {
    const page = tabs.get("anonymous")!;
    await page.setViewportSize({ width, height: 900 });
    const problems: string[] = [];
    for (const path of ["/g/imt-cos/v/1", `/g/${values.slug}/v/2`, `/g/${values.slug}/v/1/changes/2`]) {
      problems.push(...(await problemsOf(page, path, "anonymous", width)));
    }
    expect(problems).toEqual([]);
  });
});
