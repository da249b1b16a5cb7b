import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject, vi } from "vitest";

// Each test file gets its own copy of the migrated template, opened lazily by getDb().
const dir = mkdtempSync(join(tmpdir(), "delphi-file-"));
const database = join(dir, "test.sqlite");
copyFileSync(inject("templateDatabase"), database);
process.env.DATABASE_PATH = database;
process.env.NODE_ENV = "test";

// An unexpected console.error is a failure, not noise.
vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
  throw new Error(`console.error was called: ${args.map(String).join(" ")}`);
});
