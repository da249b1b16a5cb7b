/**
 * Backups on a schedule, in-process on this file's database with an interval of seconds: each
 * one checked, named by time, the newest BACKUP_KEEP kept, nothing else in the directory touched.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { getDb } from "@db/client.server";
import { verifyAudit } from "~/server/audit-verify.server";
import { backupName, startBackupSchedule } from "~/server/backup-schedule.server";
import { log } from "~/server/log.server";
import { createRound } from "../support/factories";
import { guidelineWithPanel } from "../support/guideline";

const count = (sqlite: Database.Database, table: string) =>
  sqlite.prepare(`select count(*) from ${table}`).pluck().get() as number;

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const HOUR = 3_600_000;
const BACKUP = /^delphi-\d{4}-\d{2}-\d{2}T\d{6}Z\.sqlite$/;

let info: ReturnType<typeof vi.spyOn>;
let error: ReturnType<typeof vi.spyOn>;

beforeAll(async () => {
  const db = getDb();
  const g = await guidelineWithPanel(db, { panelSize: 4, statements: ["One", "Two"], slug: "scheduled" });
  createRound(db, {
    guidelineId: g.guideline.id,
    number: 1,
    revisionIds: g.statements.map((s) => s.revision.id),
    status: "open",
  });
  expect(count(db.$client, "audit_events")).toBeGreaterThan(0);
});

afterEach(() => vi.restoreAllMocks());

function spyOnLog() {
  info = vi.spyOn(log(), "info").mockImplementation(() => undefined);
  error = vi.spyOn(log(), "error").mockImplementation(() => undefined);
}

function newDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "delphi-scheduled-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe("scheduled backups", () => {
  test("a checked backup at start-up when there is none recent, then one every interval; the newest BACKUP_KEEP kept, nothing else touched", async () => {
    spyOnLog();
    const foreign = {
      "notes.txt": "the operator's",
      "delphi-manual.sqlite": "a copy taken by hand",
      "delphi-2020-01-01T000000Z.sqlite.bak": "renamed by the operator",
      "other-2020-01-01T000000Z.sqlite": "another app's",
    };
    const old = ["delphi-2020-01-01T000000Z.sqlite", "delphi-2020-01-02T000000Z.sqlite", "delphi-2020-01-03T000000Z.sqlite"];
    const dir = newDir({ ...foreign, ...Object.fromEntries(old.map((name) => [name, "old"])) });
    // What a server killed in the middle of a backup leaves: removed at start.
    writeFileSync(join(dir, ".delphi-2020-01-04T000000Z.sqlite.partial"), "half");

    const started = Date.now();
    const stop = startBackupSchedule(getDb(), { BACKUP_DIR: dir, BACKUP_EVERY_HOURS: 0.0005, BACKUP_KEEP: 2 });
    try {
      await until(() => info.mock.calls.length >= 1);
      const first = readdirSync(dir).filter((name) => BACKUP.test(name) && !old.includes(name));
      expect(first).toHaveLength(1);
      // The newest of the old ones is the second kept; the two before it are gone.
      expect(
        readdirSync(dir)
          .filter((name) => BACKUP.test(name))
          .sort(),
      ).toEqual([old[2], first[0]]);
      await until(() => info.mock.calls.length >= 2);
    } finally {
      await stop();
    }
    const ended = Date.now();
    expect(error).not.toHaveBeenCalled();

    const backups = readdirSync(dir)
      .filter((name) => BACKUP.test(name))
      .sort();
    expect(backups).toHaveLength(2);
    expect(readdirSync(dir).sort()).toEqual([...Object.keys(foreign), ...backups].sort());
    for (const [name, text] of Object.entries(foreign)) expect(readFileSync(join(dir, name), "utf8")).toBe(text);

    const times = backups.map((name) => Date.parse(name.replace(/^delphi-(.{10})T(..)(..)(..)Z.*$/, "$1T$2:$3:$4Z")));
    expect(times[0]).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1000);
    expect(times[1]).toBeLessThanOrEqual(ended);

    const source = getDb().$client;
    for (const name of backups) {
      const copy = new Database(join(dir, name), { readonly: true, fileMustExist: true });
      try {
        expect(copy.pragma("journal_mode", { simple: true })).toBe("delete");
        expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
        expect(verifyAudit(copy)).toMatchObject({ events: count(source, "audit_events"), broken: [] });
        expect(count(copy, "memberships")).toBe(count(source, "memberships"));
      } finally {
        copy.close();
      }
    }
    expect(info.mock.calls.slice(0, 2)).toEqual(
      backups.map((name) => [
        {
          file: join(dir, name),
          bytes: statSync(join(dir, name)).size,
          integrity: "ok",
          audit: "ok",
          events: count(source, "audit_events"),
          kept: 2,
        },
        "backup taken",
      ]),
    );
  });

  test("none at start-up while the newest backup is younger than the interval; one when it is older", async () => {
    spyOnLog();
    const fresh = backupName(new Date(Date.now() - 0.5 * HOUR));
    const dir = newDir({ [fresh]: "fresh" });
    const stop = startBackupSchedule(getDb(), { BACKUP_DIR: dir, BACKUP_EVERY_HOURS: 1, BACKUP_KEEP: 7 });
    // The first look is at once; stopping waits for a backup under way.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stop();
    expect(readdirSync(dir)).toEqual([fresh]);
    expect(info).not.toHaveBeenCalled();

    const stale = backupName(new Date(Date.now() - 1.5 * HOUR));
    const other = newDir({ [stale]: "stale" });
    const again = startBackupSchedule(getDb(), { BACKUP_DIR: other, BACKUP_EVERY_HOURS: 1, BACKUP_KEEP: 7 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await again();
    const taken = readdirSync(other).filter((name) => name !== stale);
    expect(taken).toHaveLength(1);
    expect(taken[0]).toMatch(BACKUP);
    expect(info).toHaveBeenCalledTimes(1);
    expect(info.mock.calls[0]![0]).toMatchObject({ file: join(other, taken[0]!), integrity: "ok", audit: "ok", kept: 2 });
  });

  test("a backup that fails its checks leaves no file behind, is logged as an error, and is not retried before the interval", async () => {
    spyOnLog();
    const sqlite = getDb().$client;
    const newest = sqlite.prepare("select * from audit_events order by id desc limit 1").get() as Record<string, unknown> & {
      id: number;
    };
    sqlite.prepare("delete from audit_events where id = ?").run(newest.id);
    const dir = newDir({ "notes.txt": "the operator's" });
    const stop = startBackupSchedule(getDb(), { BACKUP_DIR: dir, BACKUP_EVERY_HOURS: 0.01, BACKUP_KEEP: 7 });
    try {
      await until(() => error.mock.calls.length >= 1);
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      await stop();
      const columns = Object.keys(newest);
      sqlite
        .prepare(`insert into audit_events (${columns.join(", ")}) values (${columns.map((c) => `@${c}`).join(", ")})`)
        .run(newest);
    }
    expect(verifyAudit(sqlite).broken).toEqual([]);
    expect(readdirSync(dir)).toEqual(["notes.txt"]);
    expect(info).not.toHaveBeenCalled();
    expect(error).toHaveBeenCalledTimes(1);
    const [fields, message] = error.mock.calls[0]! as [{ file: string; problems: string[] }, string];
    expect(message).toBe("backup failed its checks and was deleted");
    expect(fields.file).toMatch(new RegExp(`^${dir}/delphi-\\d{4}-\\d{2}-\\d{2}T\\d{6}Z\\.sqlite$`));
    expect(existsSync(fields.file)).toBe(false);
    expect(fields.problems[0]).toMatch(/, integrity ok, audit BROKEN \(\d+ events in \d+ chains?\)$/);
    expect(fields.problems.slice(1)).toEqual([expect.stringMatching(/^ {2}audit: guideline "scheduled": /)]);
  });
});
