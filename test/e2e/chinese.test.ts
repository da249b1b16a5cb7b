/**
 * The interface in Chinese (issue 14). Every page the authorization matrix lets someone read,
 * as each identity that may read it, with Chinese chosen: no English of the interface's own is
 * left on the page once the data (names, titles, the statements' authoritative text, e-mail
 * addresses — anything stored) is taken out, and `<html lang>` says zh-Hans. Text in another
 * language marked with its own `lang` (the switcher's "English", an English original shown
 * beside its translation) is that language's, and is skipped.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import { languageCookie } from "~/server/i18n.server";
import { launchBrowser } from "../support/browser";
import { cookieOf, routeValues, seedWorld, type Identity, type World } from "../support/matrix";
import { pagesOf, pathOf } from "../support/pages";
import { startServer, type RunningServer } from "../support/server";

const PAGES = await pagesOf();

let server: RunningServer;
let browser: Browser;
let world: World;
let values: Record<string, string>;
let data: string[];
const tabs = new Map<Identity, Page>();

/** Every text value stored in the database, longest first: what a page may show that is not the interface's. */
function storedTexts(): string[] {
  const sqlite = getDb().$client;
  const tables = sqlite
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%'")
    .pluck()
    .all() as string[];
  const texts = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === "string") {
      if (/^[[{]/.test(value)) {
        try {
          return add(JSON.parse(value));
        } catch {
          // Not JSON: a text that starts with a bracket.
        }
      }
      for (const part of [value, ...value.split(/\n+/)]) if (part.trim().length >= 2) texts.add(part.trim());
    } else if (Array.isArray(value)) value.forEach(add);
    else if (value && typeof value === "object") Object.values(value).forEach(add);
  };
  for (const table of tables) {
    for (const row of sqlite.prepare(`select * from "${table}"`).raw().all() as unknown[][]) row.forEach(add);
  }
  return [...texts].sort((a, b) => b.length - a.length);
}

/** Latin words that may stand in Chinese text: acronyms (IMT, CSV, RAND/UCLA), file formats and names of things. */
const ALLOWED = /^(?:[A-Z0-9][A-Z0-9/&+-]*|[a-z]{2}(?:-[A-Z]{2})?|Word|Markdown|SQLite|Delphi|docx|csv|json|md)$/;

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A stored text where it stands as a whole: "en" is a language tag, not the "en" of "recommended". */
function wholeWords(text: string): RegExp {
  return new RegExp(`(?<![A-Za-z])${escaped(text)}(?![A-Za-z])`, "g");
}

/** The English words of the interface left in what a page shows (its text and its accessible names). */
async function englishOn(page: Page): Promise<string[]> {
  const chunks = await page.evaluate(() => {
    const skip = (el: Element | null): boolean => {
      for (let e = el; e; e = e.parentElement) {
        // Code is written as typed (a command, CSV column names); scripts and styles are not text.
        if (["SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT", "CODE", "KBD", "SAMP", "PRE"].includes(e.tagName)) return true;
        if (e.getAttribute("translate") === "no") return true;
        const lang = e.getAttribute("lang");
        if (lang !== null && !lang.startsWith("zh")) return true;
      }
      return false;
    };
    const found: string[] = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!skip(node.parentElement) && node.textContent!.trim()) found.push(node.textContent!.trim());
    }
    for (const el of document.body.querySelectorAll("[aria-label], [title], [placeholder], [alt], input[type=submit][value]")) {
      if (skip(el)) continue;
      for (const name of ["aria-label", "title", "placeholder", "alt"]) {
        const value = el.getAttribute(name);
        if (value) found.push(value);
      }
      if (el instanceof HTMLInputElement && el.type === "submit") found.push(el.value);
    }
    return found;
  });
  const left: string[] = [];
  for (let chunk of chunks) {
    // A piece of stored text: a statement cut short with "…", a piece of a word diff.
    const piece = chunk.replace(/…$/, "").trim();
    if (piece.length >= 2 && data.some((text) => text.includes(piece))) continue;
    chunk = chunk.replace(/https?:\/\/\S+/g, " ").replace(/[\w.+-]+@[\w.-]+/g, " ");
    for (const text of data) if (chunk.includes(text)) chunk = chunk.replace(wholeWords(text), " ");
    chunk = chunk.replace(/\b[\w-]+\.(?:csv|json|md|docx)\b/g, " ").replace(/\b[0-9a-f]{8,}\b/g, " ");
    const words = (chunk.match(/[A-Za-z][A-Za-z'’-]*/g) ?? []).filter((word) => word.length > 1 && !ALLOWED.test(word));
    if (words.length > 0) left.push(chunk.replace(/\s+/g, " ").trim());
  }
  return [...new Set(left)];
}

beforeAll(async () => {
  world = await seedWorld(getDb());
  values = routeValues(world);
  data = storedTexts();
  [server, browser] = await Promise.all([startServer({ database: process.env.DATABASE_PATH }), launchBrowser()]);
  const chinese = await languageCookie.serialize("zh");
  for (const identity of ["anonymous", "otherPanelist", "panelist", "observer", "secretary", "admin"] as const) {
    const context = await browser.newContext();
    const cookies = [chinese, await cookieOf(world, identity)].filter((c): c is string => Boolean(c));
    await context.addCookies(
      cookies.map((cookie) => {
        const [name, value] = cookie.split(";")[0]!.split(/=(.*)/s) as [string, string];
        return { name, value, url: server.url };
      }),
    );
    const page = await context.newPage();
    await page.setViewportSize({ width: 375, height: 900 });
    tabs.set(identity, page);
  }
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("every page in Chinese", () => {
  test.each([...PAGES])("%s", async (_, { file, readers }) => {
    const problems: string[] = [];
    for (const identity of readers) {
      const page = tabs.get(identity)!;
      const response = await page.goto(server.url + pathOf(file, values));
      await page.waitForLoadState("networkidle");
      const where = `GET ${pathOf(file, values)} as ${identity}`;
      if (!response?.ok()) {
        problems.push(`${where}: HTTP ${response?.status()}`);
        continue;
      }
      const lang = await page.getAttribute("html", "lang");
      if (lang !== "zh-Hans") problems.push(`${where}: <html lang="${lang}">`);
      problems.push(...(await englishOn(page)).map((text) => `${where}: ${text}`));
    }
    expect(problems).toEqual([]);
  });
});
