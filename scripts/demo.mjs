// `npm run demo`: install what is missing, build, seed the IMT demo into its own database, and
// serve it in production mode (no stack traces reach the browser) on plain http://localhost.
// Plain JavaScript so it runs before any dependency is installed.
//
// The demo never writes into a database in use: its own file is data/demo.sqlite, kept between
// runs (delete it for a fresh demo); a DATABASE_PATH you give must be new or empty.
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { ensureInstalled, run } from "./setup.mjs";

if (process.env.NODE_ENV === "production") {
  console.error("npm run demo seeds demo accounts and refuses to run with NODE_ENV=production; use npm start.");
  process.exit(1);
}

const DEMO_DATABASE = "data/demo.sqlite";
const database = process.env.DATABASE_PATH || DEMO_DATABASE;
const port = process.env.PORT || "3000";
const env = { ...process.env, DATABASE_PATH: database };

ensureInstalled();
const { default: pretty } = await import("pino-pretty");
run("npm", ["run", "-s", "build"]);

if (database === DEMO_DATABASE && existsSync(database) && statSync(database).size > 0) {
  console.log(`Serving the demo as you left it in ${database} (delete that file for a fresh demo).`);
  run("npm", ["run", "-s", "cli", "--", "demo:logins"], { env });
} else {
  run("npm", ["run", "-s", "cli", "--", "demo:seed"], { env });
}

// The server logs JSON lines (for machines); here they are printed for people, by pino-pretty.
const server = spawn(process.execPath, ["build/index.js"], {
  stdio: ["inherit", "pipe", "inherit"],
  env: { ...env, NODE_ENV: "production", PORT: port, PUBLIC_URL: process.env.PUBLIC_URL || `http://localhost:${port}` },
});
server.stdout.pipe(pretty({ colorize: process.stdout.isTTY, singleLine: true, ignore: "pid,hostname,service" }));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));
