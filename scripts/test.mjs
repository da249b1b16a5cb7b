// `npm test`: on a fresh clone, install what the suite needs (as `npm run demo` does, plus
// Chromium), build the production server the browser tests drive, then run the whole suite.
// Arguments go to vitest: `npm test -- test/unit`.
import { ensureChromium, ensureInstalled, run } from "./setup.mjs";

ensureInstalled();
ensureChromium();
run("npm", ["run", "-s", "build"]);
run("npx", ["vitest", "run", ...process.argv.slice(2)], { stdio: "inherit" });
