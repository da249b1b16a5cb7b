/**
 * Numbered versions answered before Express (issue 15), over HTTP from the built server: the
 * same bytes and validators as the API's other path, 304 on If-None-Match, HEAD without a body,
 * and everything else — latest, the Table 1 documents, a query, an unpublished version — still
 * answered by Express as before.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDatabase } from "@db/client.server";
import { recommendationSets } from "@db/schema";
import { DEMO_SLUG } from "../../scripts/seed-demo";
import { startServer, type RunningServer } from "../support/server";

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.stop());

const api = (path: string, init?: RequestInit) => fetch(`${server.url}/api/guidelines/${DEMO_SLUG}/versions/${path}`, init);

function stored(): { body: string; contentHash: string } {
  const db = openDatabase(server.databasePath);
  try {
    return db.select().from(recommendationSets).get()!;
  } finally {
    db.$client.close();
  }
}

describe("a numbered version from memory", () => {
  test("the stored bytes with the validators, caching, CORS and length, the same as through Express", async () => {
    const { body, contentHash } = stored();
    const fast = await api("1");
    const express = await api("1?via=express");
    expect(fast.status).toBe(200);
    expect(await fast.text()).toBe(body);
    expect(await express.text()).toBe(body);
    for (const name of ["ETag", "Content-Type", "Access-Control-Allow-Origin", "Access-Control-Expose-Headers"]) {
      expect(fast.headers.get(name), name).toBe(express.headers.get(name));
    }
    expect(fast.headers.get("ETag")).toBe(`"${contentHash.replace("sha256:", "")}"`);
    expect(fast.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    expect(fast.headers.get("Content-Length")).toBe(String(Buffer.byteLength(body)));
    expect(fast.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });

  test("If-None-Match gets a 304 with the validators and no body; HEAD gets the headers and no body", async () => {
    const etag = (await api("1")).headers.get("ETag")!;
    for (const match of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
      const again = await api("1", { headers: { "If-None-Match": match } });
      expect(again.status, match).toBe(304);
      expect(again.headers.get("ETag")).toBe(etag);
      expect(again.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
      expect(again.headers.get("Access-Control-Allow-Origin")).toBe("*");
      // Only what updates the cached 200: its security headers stay with it.
      expect(again.headers.get("Content-Security-Policy")).toBeNull();
      expect(await again.text()).toBe("");
    }
    expect((await api("1", { headers: { "If-None-Match": '"other"' } })).status).toBe(200);
    const head = await api("1", { method: "HEAD" });
    expect([head.status, head.headers.get("ETag"), await head.text()]).toEqual([200, etag, ""]);
  });

  test("the CSV the same way, with its own ETag and file name", async () => {
    const csv = await api("1.csv");
    const express = await api("1.csv?via=express");
    const text = await csv.text();
    expect(text).toBe(await express.text());
    expect(text.split("\r\n")[0]).toBe("number,section,text,text_zh,agree,disagree,abstain,adopted");
    expect(csv.headers.get("ETag")).toBe(express.headers.get("ETag"));
    expect(csv.headers.get("Content-Disposition")).toBe(`inline; filename="${DEMO_SLUG}-v1.csv"`);
    expect((await api("1.csv", { headers: { "If-None-Match": csv.headers.get("ETag")! } })).status).toBe(304);
  });

  test("what it does not hold goes to Express as before", async () => {
    expect((await api("7")).status).toBe(404);
    expect(await (await api("7")).json()).toEqual({
      error: 'Version 7 of "imt-consensus" is not published; the latest is version 1.',
    });
    expect((await api("latest")).headers.get("Cache-Control")).toBe("public, max-age=60");
    expect((await api("1.md")).headers.get("Content-Type")).toBe("text/markdown; charset=utf-8");
    expect((await api("01")).status).toBe(400);
    expect((await fetch(`${server.url}/api/guidelines/no-such/versions/1`)).status).toBe(404);
    expect((await api("1", { method: "POST" })).status).not.toBe(200);
  });
});
