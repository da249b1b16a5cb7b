/**
 * Running it for real (issue 16), on the built server over HTTP: the health endpoints, the
 * request log, and the container recipe's start command and health check run as the Dockerfile
 * says (no Docker daemon here: the same command with the same environment).
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_SLUG } from "../../scripts/seed-demo";
import { logIn } from "../support/crawl";
import { freePort, startServer, type RunningServer } from "../support/server";

let server: RunningServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.stop());

type Ready = { status: string; checks: Record<string, { ok: boolean; detail: string }> };
const readyz = async (base = server.url) => {
  const response = await fetch(`${base}/readyz`);
  return { status: response.status, body: (await response.json()) as Ready };
};

/** The server's JSON log lines so far. */
const logLines = () =>
  server
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const until = async <T>(find: () => T | undefined, what: string): Promise<T> => {
  for (let i = 0; i < 100; i++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Never logged: ${what}`);
};

describe("health", () => {
  test("/healthz answers while the process is up, without a login", async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(await response.json()).toEqual({ status: "ok" });
  });

  test("/readyz is ready with the database writable, the migrations applied and the outbox short; it names no path", async () => {
    const { status, body } = await readyz();
    expect(status).toBe(200);
    expect(body.status).toBe("ready");
    expect(Object.fromEntries(Object.entries(body.checks).map(([name, check]) => [name, check.ok]))).toEqual({
      database: true,
      migrations: true,
      outbox: true,
    });
    expect(body.checks.migrations!.detail).toMatch(/^\d+ applied$/);
    expect(JSON.stringify(body)).not.toContain(server.databasePath);
    expect(JSON.stringify(body)).not.toMatch(/sqlite|@/);
  });

  test("/readyz turns unready while the database file is read-only, and ready again after", async () => {
    chmodSync(server.databasePath, 0o444);
    try {
      const { status, body } = await readyz();
      expect(status).toBe(503);
      expect(body.status).toBe("unready");
      expect(body.checks.database).toEqual({ ok: false, detail: "the database file is read-only" });
      expect(body.checks.migrations!.ok).toBe(true);
    } finally {
      chmodSync(server.databasePath, 0o644);
    }
    expect((await readyz()).status).toBe(200);
  });

  test("/readyz turns unready when the outbox holds OUTBOX_BACKLOG mails or more", async () => {
    const small = await startServer({ env: { OUTBOX_BACKLOG: "2" } });
    try {
      expect((await readyz(small.url)).status).toBe(200);
      const db = new Database(small.databasePath);
      const queue = db.prepare(
        "insert into outbox_mails (id, guideline_id, kind, `to`, subject, body, created_at) values (?, null, 'test', 'a@example.org', 's', 'b', ?)",
      );
      queue.run("backlog1", Date.now());
      queue.run("backlog2", Date.now());
      db.close();
      const { status, body } = await readyz(small.url);
      expect(status).toBe(503);
      expect(body.checks.outbox).toEqual({ ok: false, detail: "2 mails waiting (the limit is 2)" });
    } finally {
      await small.stop();
    }
  });
});

describe("the request log", () => {
  test("one JSON line per request: its id (sent back as X-Request-Id), method, route, status, duration and user", async () => {
    const response = await fetch(`${server.url}/login`, { headers: { "X-Request-Id": "probe-login-1" } });
    expect(response.headers.get("X-Request-Id")).toBe("probe-login-1");
    const line = await until(() => logLines().find((l) => l.req_id === "probe-login-1"), "the login page's request");
    expect(line).toMatchObject({ level: 30, msg: "request", method: "GET", route: "routes/login", status: 200, user: null });
    expect(typeof line.ms).toBe("number");
    expect(typeof line.time).toBe("string");

    // An id that is not well formed is replaced, never echoed.
    const odd = await fetch(`${server.url}/healthz`, { headers: { "X-Request-Id": "<script>" } });
    expect(odd.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("a ballot is logged with the voter's id and route, never its choice, the session or the password; a token in a path never appears", async () => {
    const cookie = await logIn(server.url, DEMO_ACCOUNTS.chinesePanelist, DEMO_PASSWORD);
    const db = new Database(server.databasePath, { readonly: true });
    const item = db
      .prepare(
        `select i.id from round_items i join rounds r on r.id = i.round_id join guidelines g on g.id = r.guideline_id
         where g.slug = ? and r.status = 'open' order by i.position limit 1`,
      )
      .pluck()
      .get(DEMO_SLUG) as string;
    const userId = db.prepare("select id from users where email = ?").pluck().get(DEMO_ACCOUNTS.chinesePanelist) as string;
    db.close();
    const vote = await fetch(`${server.url}/g/${DEMO_SLUG}/vote?_data=routes%2Fg.%24slug.vote`, {
      method: "POST",
      headers: {
        Cookie: cookie,
        "Content-Type": "application/x-www-form-urlencoded",
        "Sec-Fetch-Site": "same-origin",
        "X-Request-Id": "probe-ballot-1",
      },
      body: `intent=item&choice.${item}=disagree&comment.${item}=${encodeURIComponent("a private remark")}`,
    });
    expect(vote.status).toBe(200);
    const token = "a".repeat(26);
    await fetch(`${server.url}/join/${token}`, { headers: { "X-Request-Id": "probe-join-1" } });
    const ballot = await until(() => logLines().find((l) => l.req_id === "probe-ballot-1"), "the ballot");
    expect(ballot).toMatchObject({ method: "POST", route: "routes/g.$slug.vote", status: 200, user: userId });
    const join = await until(() => logLines().find((l) => l.req_id === "probe-join-1"), "the invitation link");
    expect(join.route).toBe("routes/join.$token");

    const output = server.output();
    expect(output).not.toContain("disagree");
    expect(output).not.toContain("a private remark");
    expect(output).not.toContain(DEMO_PASSWORD);
    expect(output).not.toContain(cookie.slice(cookie.indexOf("=") + 1));
    expect(output).not.toContain(token);
    expect(output).not.toContain(DEMO_ACCOUNTS.chinesePanelist);
  });

  test("LOG_LEVEL=warn leaves requests out", async () => {
    const quiet = await startServer({ env: { LOG_LEVEL: "warn" } });
    try {
      await fetch(`${quiet.url}/login`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(quiet.output()).not.toContain('"msg":"request"');
    } finally {
      await quiet.stop();
    }
  });
});

/** The Dockerfile's runtime stage: its ENV, USER, VOLUME, HEALTHCHECK and CMD. */
function runtimeStage() {
  const text = readFileSync("Dockerfile", "utf8").replace(/\\\n\s*/g, " ");
  const stages = text.split(/^FROM /m);
  const runtime = stages.at(-1)!;
  const line = (instruction: string) =>
    runtime
      .split("\n")
      .find((l) => l.startsWith(`${instruction} `))
      ?.slice(instruction.length + 1)
      .trim();
  const env = Object.fromEntries([...line("ENV")!.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
  const healthcheck = line("HEALTHCHECK")!;
  return {
    stages: stages.length - 1,
    env,
    user: line("USER"),
    volume: line("VOLUME"),
    healthcheck: JSON.parse(healthcheck.slice(healthcheck.indexOf("CMD ") + 4)) as string[],
    cmd: JSON.parse(line("CMD")!) as string[],
  };
}

describe("the container recipe", () => {
  test("runs the production start command as a non-root user with /data as its volume, and its health check passes", async () => {
    const stage = runtimeStage();
    expect(stage.stages).toBe(2);
    expect(stage.user).toBe("node");
    expect(stage.volume).toBe("/data");
    expect(stage.env.NODE_ENV).toBe("production");
    expect(stage.env.DATABASE_PATH).toMatch(/^\/data\//);
    expect(stage.cmd).toEqual(["node", "build/index.js"]);

    // The same command and environment, with /data in a temporary directory.
    const data = mkdtempSync(join(tmpdir(), "delphi-container-"));
    // What the image's RUN makes under /data (a bind-mounted /data needs it too: README).
    mkdirSync(join(data, "backups"));
    const port = String(await freePort());
    const env = {
      PATH: process.env.PATH ?? "",
      ...Object.fromEntries(Object.entries(stage.env).map(([k, v]) => [k, v.replace(/^\/data/, data)])),
      PORT: port,
    } as unknown as NodeJS.ProcessEnv;
    const [command, ...args] = stage.cmd;
    const child = spawn(command === "node" ? process.execPath : command!, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    try {
      for (let i = 0; i < 200 && !output.includes("listening on"); i++) await new Promise((r) => setTimeout(r, 100));
      expect(output).toContain("listening on");
      expect((await readyz(`http://localhost:${port}`)).status).toBe(200);
      // Its first scheduled backup, taken at start into /data/backups.
      for (let i = 0; i < 100 && readdirSync(join(data, "backups")).length === 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(readdirSync(join(data, "backups"))).toEqual([expect.stringMatching(/^delphi-.*\.sqlite$/)]);
      const [check, ...checkArgs] = stage.healthcheck;
      const healthy = spawnSync(check === "node" ? process.execPath : check!, checkArgs, { env, timeout: 10_000 });
      expect(healthy.status).toBe(0);
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
    // Stopped, the same health check fails.
    const [check, ...checkArgs] = stage.healthcheck;
    expect(spawnSync(check === "node" ? process.execPath : check!, checkArgs, { env, timeout: 10_000 }).status).toBe(1);
  });
});
