import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { openDatabase } from "@db/client.server";
import { readiness } from "~/server/health.server";

describe("readiness", () => {
  test("is unready when a migration this code knows is not applied, naming how many are", () => {
    const dir = mkdtempSync(join(tmpdir(), "delphi-ready-"));
    const file = join(dir, "ready.sqlite");
    copyFileSync(process.env.DATABASE_PATH!, file);
    const db = openDatabase(file);
    const input = { databasePath: file, outboxLimit: 100 };
    expect(readiness(db, input).status).toBe("ready");
    const applied = db.$client.prepare("select count(*) from __drizzle_migrations").pluck().get() as number;
    db.$client.exec("delete from __drizzle_migrations where created_at = (select max(created_at) from __drizzle_migrations)");
    const ready = readiness(db, input);
    expect(ready.status).toBe("unready");
    expect(ready.checks.migrations).toEqual({ ok: false, detail: `${applied - 1} of ${applied} applied` });
    expect(ready.checks.database.ok).toBe(true);
    db.$client.close();
  });

  test("reports a database another connection is writing to as writable, without waiting its busy timeout", () => {
    const dir = mkdtempSync(join(tmpdir(), "delphi-ready-"));
    const file = join(dir, "busy.sqlite");
    copyFileSync(process.env.DATABASE_PATH!, file);
    const db = openDatabase(file);
    const other = openDatabase(file);
    other.$client.exec("begin immediate");
    const started = performance.now();
    const ready = readiness(db, { databasePath: file, outboxLimit: 100 });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(ready.checks.database).toEqual({ ok: true, detail: "writable (another connection is writing)" });
    expect(db.$client.pragma("busy_timeout", { simple: true })).toBe(5000);
    other.$client.exec("rollback");
    other.$client.close();
    db.$client.close();
  });
});
