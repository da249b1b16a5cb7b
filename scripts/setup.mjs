// What `npm run demo` and `npm test` need before they can start, on a fresh clone: the npm
// dependencies, and for the browser tests Debian's Chromium. Plain JavaScript, so it runs before
// any dependency is installed.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

// esbuild's service process sometimes prints a Go deadlock dump as the process using it exits
// (evanw/esbuild#3287, #3635): harmless once the command has succeeded, alarming to read.
const ESBUILD_DEADLOCK = "fatal error: all goroutines are asleep - deadlock!";

/**
 * Runs a command with this terminal; exits with its status when it fails. Its error output is
 * shown as it was, except for an esbuild deadlock dump after a command that succeeded.
 */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: ["inherit", "inherit", "pipe"], encoding: "utf8", ...options });
  const stderr = result.stderr ?? "";
  const cut = stderr.indexOf(ESBUILD_DEADLOCK);
  process.stderr.write(result.status === 0 && cut >= 0 ? stderr.slice(0, cut) : stderr);
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** `npm ci` when node_modules is missing or older than package-lock.json. */
export function ensureInstalled() {
  const installed = "node_modules/.package-lock.json";
  if (existsSync(installed) && statSync("package-lock.json").mtimeMs <= statSync(installed).mtimeMs) return;
  console.log("Installing dependencies (better-sqlite3 compiles from source: about a minute)…");
  run("npm", ["ci", "--no-audit", "--no-fund"]);
}

/** Debian's Chromium for the browser tests: installed when missing and this runs as root, else a hint and exit. */
export function ensureChromium() {
  const chromium = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
  if (existsSync(chromium)) return;
  if (process.getuid?.() !== 0) {
    console.error(
      `No Chromium at ${chromium}: the browser tests need it. Install it with \`sudo apt-get install -y chromium\` ` +
        "(or set CHROMIUM_PATH), then run npm test again.",
    );
    process.exit(1);
  }
  console.log("Installing Debian's Chromium for the browser tests…");
  run("apt-get", ["update", "-qq"]);
  run("apt-get", ["install", "-y", "-qq", "chromium"], { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
}
