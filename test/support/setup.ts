import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import { inject, vi } from "vitest";
import { i18nOptions, NAMESPACES } from "~/i18n";
import { resources } from "~/locales/resources.server";

// Each test file gets its own copy of the migrated template, opened lazily by getDb().
const dir = mkdtempSync(join(tmpdir(), "delphi-file-"));
const database = join(dir, "test.sqlite");
copyFileSync(inject("templateDatabase"), database);
process.env.DATABASE_PATH = database;
process.env.NODE_ENV = "test";
// Functions called in-process log nothing; servers the tests start log as usual (server.ts sets it).
process.env.LOG_LEVEL = "silent";

// An unexpected console.error is a failure, not noise.
vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
  throw new Error(`console.error was called: ${args.map(String).join(" ")}`);
});

// Pages rendered in-process read their text through react-i18next's global instance, in English.
await i18next.use(initReactI18next).init({ ...i18nOptions, lng: "en", ns: [...NAMESPACES], resources, initImmediate: false });
