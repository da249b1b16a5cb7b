/**
 * The running server at its HTTP boundary, probed the way an attacker would: redirects after
 * login, parallel password guesses, and request bodies over the limit — with raw sockets where
 * a well-behaved client would hide the problem.
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDatabase } from "@db/client.server";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_SLUG } from "../../scripts/seed-demo";
import { logIn } from "../support/crawl";
import { startServer, type RunningServer } from "../support/server";

let server: RunningServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.stop());

const MiB = 1024 * 1024;

function sessionCount(): number {
  const db = openDatabase(server.databasePath);
  try {
    return db.$client.prepare("select count(*) from sessions").pluck().get() as number;
  } finally {
    db.$client.close();
  }
}

const postLogin = (fields: Record<string, string>, init: { data?: boolean; headers?: Record<string, string> } = {}) =>
  fetch(`${server.url}/login${init.data ? "?_data=routes%2Flogin" : ""}`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...init.headers },
    body: new URLSearchParams(fields),
  });

/** Writes a raw HTTP/1.1 request and resolves with the status line and headers the server answers. */
function raw(request: string, body: { bytes: number; chunked?: boolean; slowly?: boolean } = { bytes: 0 }) {
  return new Promise<{ status: number; headers: string; elapsedMs: number; sentBytes: number }>((resolve, reject) => {
    const { port } = new URL(server.url);
    const socket = connect(Number(port), "127.0.0.1");
    const started = performance.now();
    let answer = "";
    let sent = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const [head = ""] = answer.split("\r\n\r\n");
      socket.destroy();
      resolve({ status: Number(head.split(" ")[1]), headers: head, elapsedMs: performance.now() - started, sentBytes: sent });
    };
    socket.on("data", (chunk) => {
      answer += chunk.toString("latin1");
      if (answer.includes("\r\n\r\n")) finish();
    });
    socket.on("error", (error) => (answer ? finish() : reject(error)));
    socket.on("close", () => (answer ? finish() : reject(new Error("closed without an answer"))));
    socket.write(request);
    // Send the body in 64 KiB pieces, giving the server time to answer between them.
    const piece = Buffer.alloc(64 * 1024, "a");
    const sendMore = () => {
      if (done || sent >= body.bytes || socket.destroyed) return;
      const size = Math.min(piece.length, body.bytes - sent);
      const data = body.chunked
        ? Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), piece.subarray(0, size), Buffer.from("\r\n")])
        : piece.subarray(0, size);
      sent += size;
      socket.write(data, () => setTimeout(sendMore, body.slowly ? 20 : 0));
      if (body.chunked && sent >= body.bytes) socket.write("0\r\n\r\n");
    };
    sendMore();
  });
}

const requestHead = (path: string, headers: Record<string, string>) =>
  `POST ${path} HTTP/1.1\r\nHost: localhost\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("")}\r\n`;

describe("redirects after login stay on this site", () => {
  const hostile = [
    "/\t/evil.example",
    "/%09/evil.example",
    "/\\/evil.example",
    "//evil.example",
    "/%2F/evil.example",
    "/%5C/evil.example",
    "/\r\nSet-Cookie: stolen=1",
    "/%0d%0aSet-Cookie:%20stolen=1",
    "/\n/evil.example",
    "/\u0000/evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    " /evil",
  ];

  test.each(hostile)("%j falls back to /, never a 5xx", async (redirectTo) => {
    const response = await postLogin({ email: DEMO_ACCOUNTS.secretary, password: DEMO_PASSWORD, redirectTo });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/");
    expect(response.headers.get("Set-Cookie")).not.toMatch(/stolen/);
  });

  test("a same-site path is kept, with anything outside ASCII percent-encoded", async () => {
    const plain = await postLogin({
      email: DEMO_ACCOUNTS.secretary,
      password: DEMO_PASSWORD,
      redirectTo: `/g/${DEMO_SLUG}/rounds/2?x=1`,
    });
    expect(plain.headers.get("Location")).toBe(`/g/${DEMO_SLUG}/rounds/2?x=1`);
    const unicode = await postLogin({ email: DEMO_ACCOUNTS.secretary, password: DEMO_PASSWORD, redirectTo: "/g/€uro" });
    expect(unicode.status).toBe(302);
    expect(unicode.headers.get("Location")).toBe("/g/%E2%82%ACuro");
  });

  test("a signed-in visitor sent to /login with a hostile redirectTo goes home", async () => {
    const cookie = await logIn(server.url, DEMO_ACCOUNTS.observer, DEMO_PASSWORD);
    for (const redirectTo of hostile) {
      const response = await fetch(`${server.url}/login?${new URLSearchParams({ redirectTo })}`, {
        headers: { Cookie: cookie },
        redirect: "manual",
      });
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toBe("/");
    }
  });

  test("a failed login with a hostile redirectTo creates no session", async () => {
    const before = sessionCount();
    for (const [i, redirectTo] of hostile.entries()) {
      const response = await postLogin({ email: DEMO_ACCOUNTS.panelist(10 + i), password: "not the password", redirectTo });
      expect(response.status).toBe(401);
    }
    expect(sessionCount()).toBe(before);
  });
});

describe("login throttling that parallel requests cannot outrun", () => {
  // A server of its own: every request here comes from 127.0.0.1, whose failures count per address too.
  let main: RunningServer;
  beforeAll(async () => {
    main = server;
    server = await startServer();
  });
  afterAll(async () => {
    await server.stop();
    server = main;
  });

  test("30 parallel wrong passwords for one account check at most 5; the rest get 429 with Retry-After", async () => {
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        postLogin({ email: DEMO_ACCOUNTS.panelist(29), password: `guess number ${i}` }, { headers: { "X-Test": String(i) } }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(25);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    for (const response of responses.filter((r) => r.status === 429)) {
      expect(Number(response.headers.get("Retry-After"))).toBeGreaterThan(0);
    }
    // The right password is refused too while the account is throttled.
    expect((await postLogin({ email: DEMO_ACCOUNTS.panelist(29), password: DEMO_PASSWORD })).status).toBe(429);
  });

  test("a plain form post (no JavaScript) that is throttled carries Retry-After on its 429 page", async () => {
    for (let i = 0; i < 6; i++) await postLogin({ email: DEMO_ACCOUNTS.panelist(28), password: `wrong ${i}` });
    const page = await postLogin({ email: DEMO_ACCOUNTS.panelist(28), password: "wrong again" });
    expect(page.status).toBe(429);
    expect(page.headers.get("Content-Type")).toMatch(/text\/html/);
    expect(Number(page.headers.get("Retry-After"))).toBeGreaterThan(14 * 60);
    expect(await page.text()).toContain("Too many failed attempts");
  });
});

describe("request bodies over 1 MiB are refused before anything else", () => {
  const paths = ["/login", `/g/${DEMO_SLUG}/vote`, `/g/${DEMO_SLUG}/panel`, "/admin"];

  test.each(["application/x-www-form-urlencoded", "application/json", "multipart/form-data; boundary=x"])(
    "a %s body announced over the limit gets 413 at once, unread, with or without a session",
    async (type) => {
      const cookie = await logIn(server.url, DEMO_ACCOUNTS.secretary, DEMO_PASSWORD);
      for (const path of paths) {
        for (const session of [undefined, cookie]) {
          const head = requestHead(path, {
            "Content-Type": type,
            "Content-Length": String(100 * MiB),
            ...(session ? { Cookie: session } : {}),
          });
          const answer = await raw(head, { bytes: 4 * MiB, slowly: true });
          expect(answer.status, `${path} ${session ? "with" : "without"} a session`).toBe(413);
          // Answered long before 100 MiB (or even the 4 MiB offered) could be read; too much to drain.
          expect(answer.sentBytes).toBeLessThan(4 * MiB);
          expect(answer.headers.toLowerCase()).toContain("connection: close");
        }
      }
    },
  );

  test("a chunked body that grows past the limit gets 413 while streaming", async () => {
    for (const path of paths) {
      const head = requestHead(path, { "Content-Type": "application/x-www-form-urlencoded", "Transfer-Encoding": "chunked" });
      const answer = await raw(head, { bytes: 3 * MiB, chunked: true, slowly: true });
      expect(answer.status, path).toBe(413);
      expect(answer.sentBytes).toBeLessThan(3 * MiB);
    }
  });

  test("a body just under the limit is read and answered by the route", async () => {
    const response = await postLogin({ email: DEMO_ACCOUNTS.secretary, password: "x".repeat(MiB - 200) }, { data: true });
    expect(response.status).toBe(400);
    expect((await response.json()).error.password).toEqual(["A password has at most 128 characters"]);
  });

  test("a body a little over the limit is read and dropped, not reset: the 413 arrives and the connection goes on", async () => {
    // Closing a socket with unread data resets the connection: a client still writing its body
    // could lose the answer (EPIPE) before the server read and dropped the rest.
    const { port } = new URL(server.url);
    const socket = connect(Number(port), "127.0.0.1");
    const bytes = MiB + 64 * 1024;
    let answers = "";
    const twoAnswers = new Promise<void>((resolve, reject) => {
      socket.on("data", (chunk) => {
        answers += chunk.toString("latin1");
        if ((answers.match(/HTTP\/1\.1 /g) ?? []).length >= 2) resolve();
      });
      socket.on("close", () => reject(new Error(`closed after: ${answers.split("\r\n")[0]}`)));
    });
    socket.write(
      requestHead(`/g/${DEMO_SLUG}/vote`, {
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": String(bytes),
      }),
    );
    socket.write(Buffer.alloc(bytes, "a"));
    socket.write("GET /login HTTP/1.1\r\nHost: localhost\r\n\r\n");
    await twoAnswers;
    socket.destroy();
    expect(answers.startsWith("HTTP/1.1 413 ")).toBe(true);
    expect(answers.toLowerCase()).not.toContain("connection: close");
    expect(answers).toMatch(/\r\n\r\n[^]*HTTP\/1\.1 200 /);
  });

  test("the 413 says why, as JSON", async () => {
    const response = await fetch(`${server.url}/login`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "a=" + "b".repeat(MiB + 10),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: "The request body is larger than 1 MiB." });
  });
});

describe("the demo's server: production error handling on plain HTTP", () => {
  let demo: RunningServer;
  beforeAll(async () => {
    demo = await startServer({ env: { NODE_ENV: "production", PUBLIC_URL: "http://localhost" } });
  });
  afterAll(() => demo?.stop());

  test("its session cookie works over plain HTTP, and it sends no HSTS", async () => {
    const response = await fetch(`${demo.url}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: DEMO_ACCOUNTS.secretary, password: DEMO_PASSWORD }),
    });
    expect(response.status).toBe(302);
    const cookie = response.headers.get("Set-Cookie")!;
    expect(cookie).toMatch(/^session=/);
    expect(cookie).not.toMatch(/Secure/i);
    expect(response.headers.get("Strict-Transport-Security")).toBeNull();
  });

  test("an unexpected error reaches the browser without a stack trace, in the page and in ?_data", async () => {
    const cookie = await logIn(demo.url, DEMO_ACCOUNTS.secretary, DEMO_PASSWORD);
    const db = openDatabase(demo.databasePath);
    // A rule no code would write: the settings page cannot parse it and fails unexpectedly.
    db.$client.prepare('update guidelines set rule = \'{"agreeAtLeast": "half"}\' where slug = ?').run(DEMO_SLUG);
    db.$client.close();
    for (const path of [`/g/${DEMO_SLUG}/settings`, `/g/${DEMO_SLUG}/settings?_data=routes%2Fg.%24slug.settings`]) {
      const response = await fetch(demo.url + path, { headers: { Cookie: cookie } });
      expect(response.status, path).toBe(500);
      const body = await response.text();
      expect(body, path).not.toMatch(/\bat [\w.<>]+ \(|node_modules|build\/index\.js|ZodError|agreeAtLeast/);
    }
  });
});
