import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "@db/client.server";
import { seedDemo } from "../../scripts/seed-demo";

export type RunningServer = {
  url: string;
  databasePath: string;
  process: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * Starts the production build (build/index.js, made by `remix build` before the tests) on its own
 * port and database: `database` itself when given (shared with this process: both see each
 * other's writes), a copy of `copyOf` (a closed database file), else a new one seeded with the
 * IMT demo unless told otherwise.
 */
export async function startServer(
  options: { seed?: boolean; copyOf?: string; database?: string; env?: Record<string, string> } = {},
): Promise<RunningServer> {
  if (!existsSync("build/index.js")) throw new Error("build/index.js is missing: run `npm run build` first.");
  const databasePath = options.database ?? join(mkdtempSync(join(tmpdir(), "delphi-e2e-")), "e2e.sqlite");
  if (options.copyOf) {
    copyFileSync(options.copyOf, databasePath);
  } else if (!options.database) {
    const db = openDatabase(databasePath);
    if (options.seed ?? true) await seedDemo(db);
    db.$client.close();
  }

  const port = await freePort();
  const child = spawn(process.execPath, ["build/index.js"], {
    env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "info", PORT: String(port), DATABASE_PATH: databasePath, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  // Started when it says so, or (at a LOG_LEVEL that leaves that line out) when /healthz answers.
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poll);
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => settle(new Error(`The server did not start:\n${output}`)), 30_000);
    const poll = setInterval(() => {
      fetch(`http://localhost:${port}/healthz`).then(
        (response) => response.ok && settle(),
        () => undefined,
      );
    }, 200);
    child.stdout.on("data", () => {
      if (output.includes("listening on")) settle();
    });
    child.once("exit", (code) => settle(new Error(`The server exited with ${code}:\n${output}`)));
  });
  return {
    url: `http://localhost:${port}`,
    databasePath,
    process: child,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
