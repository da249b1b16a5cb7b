import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { openDatabase } from "@db/client.server";
import { assertBrowserInstalled } from "./browser";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

/** Migrates one template database per run; each test file works on its own copy of it. */
export default function setup(project: TestProject) {
  // Fail the whole run at once, with the install hint, rather than skip the browser tests.
  assertBrowserInstalled();
  const dir = mkdtempSync(join(tmpdir(), "delphi-test-"));
  const template = join(dir, "template.sqlite");
  const db = openDatabase(template);
  db.$client.pragma("wal_checkpoint(TRUNCATE)");
  db.$client.close();
  project.provide("templateDatabase", template);
  return () => rmSync(dir, { recursive: true, force: true });
}
