import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "../../scripts/seed-demo";
import { startServer, type RunningServer } from "../support/server";

let server: RunningServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.stop());

const login = (headers: Record<string, string>) =>
  fetch(`${server.url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams({ email: DEMO_ACCOUNTS.secretary, password: DEMO_PASSWORD }),
  });

describe("the built server", () => {
  test("refuses a POST from another site with 403, before any action runs", async () => {
    expect((await login({ Origin: "https://evil.example" })).status).toBe(403);
    expect((await login({ "Sec-Fetch-Site": "cross-site" })).status).toBe(403);
    const sameSite = await login({ Origin: server.url, "Sec-Fetch-Site": "same-origin" });
    expect(sameSite.status).toBe(302);
    expect(sameSite.headers.get("Set-Cookie")).toMatch(/^session=.*HttpOnly/);
  });

  test("a wrong login gets a 401 with the generic message", async () => {
    const response = await fetch(`${server.url}/login?_data=routes%2Flogin`, {
      method: "POST",
      body: new URLSearchParams({ email: "nobody@imt.example", password: "whatever" }),
    });
    expect(response.status).toBe(401);
    expect((await response.json()).error).toEqual({ "": ["Email or password is incorrect."] });
  });

  test("GET /logout changes nothing and goes home", async () => {
    const response = await fetch(`${server.url}/logout`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/");
  });

  test("a bad environment variable stops the server with a message naming it", () => {
    const result = spawnSync(process.execPath, ["build/index.js"], {
      env: { ...process.env, PORT: "not-a-port", DATABASE_PATH: server.databasePath },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("PORT: must be a number");
  });
});
