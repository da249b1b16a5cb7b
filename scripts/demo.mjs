// `npm run demo`: install what is missing, build, migrate, seed the IMT demo into an empty
// database, and serve it. Plain JavaScript so it runs before any dependency is installed.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

if (process.env.NODE_ENV === "production") {
  console.error("npm run demo seeds demo accounts and refuses to run with NODE_ENV=production; use npm start.");
  process.exit(1);
}

function run(command, args) {
  const result = spawnSync(command, args, { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const installed = "node_modules/.package-lock.json";
if (!existsSync(installed) || statSync("package-lock.json").mtimeMs > statSync(installed).mtimeMs) {
  console.log("Installing dependencies (better-sqlite3 compiles from source: about a minute)…");
  run("npm", ["ci", "--no-audit", "--no-fund"]);
}
run("npm", ["run", "-s", "build"]);
run("npm", ["run", "-s", "cli", "--", "demo:seed"]);

const server = spawn(process.execPath, ["build/index.js"], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));
