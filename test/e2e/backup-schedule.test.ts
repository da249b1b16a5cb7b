/**
 * Issue 16's done-when for backups, on the built server: with BACKUP_DIR and a tiny
 * BACKUP_EVERY_HOURS a checked backup appears on its own; then the restore drill — the data
 * change after it, `restore` is refused while the server runs, and once the server is stopped
 * it brings the database back to exactly the backup, keeps the old one aside, and the server
 * serves the restored file.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { afterAll, describe, expect, test } from "vitest";
import { migrationsFolder } from "@db/client.server";
import { verifyAudit } from "~/server/audit-verify.server";
import { DEMO_SLUG } from "../../scripts/seed-demo";
import { runCli } from "../support/cli";
import { startServer, type RunningServer } from "../support/server";

/** The migrations this code knows: a backup of this code's database has them all. */
const MIGRATIONS = readMigrationFiles({ migrationsFolder: migrationsFolder() }).length;

const BACKUP = /^delphi-\d{4}-\d{2}-\d{2}T\d{6}Z\.sqlite$/;
const running: RunningServer[] = [];
afterAll(() => Promise.all(running.map((server) => server.stop())));

async function until<T>(find: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every row of every table, hashed table by table: two databases with the same digest hold the same data. */
function digest(file: string): Record<string, string> {
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = sqlite
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
      .pluck()
      .all() as string[];
    return Object.fromEntries(
      tables.map((table) => {
        const rows = sqlite.prepare(`select * from "${table}" order by rowid`).raw().all();
        return [table, `${rows.length} ${createHash("sha256").update(JSON.stringify(rows)).digest("hex")}`];
      }),
    );
  } finally {
    sqlite.close();
  }
}

const guidelines = async (server: RunningServer) => {
  const response = await fetch(`${server.url}/api/guidelines`);
  expect(response.status).toBe(200);
  return response.json() as Promise<unknown>;
};

describe("scheduled backups and the restore drill, on the built server", () => {
  test("a backup appears and checks out; restore (and a second server) is refused under the server; once it stops, restore brings back exactly the backup", async () => {
    const dir = mkdtempSync(join(tmpdir(), "delphi-backups-"));
    const server = await startServer({ env: { BACKUP_DIR: dir, BACKUP_EVERY_HOURS: "0.0005", BACKUP_KEEP: "50" } });
    running.push(server);
    const database = server.databasePath;
    expect(readFileSync(`${database}.pid`, "utf8")).toBe(`${server.process.pid}\n`);

    // The start-up backup, taken on its own and logged.
    const name = await until(() => readdirSync(dir).find((file) => BACKUP.test(file)));
    const backup = join(dir, name);
    await until(() => (server.output().includes(`"file":"${backup}"`) ? true : undefined));
    const logged = JSON.parse(
      server
        .output()
        .split("\n")
        .find((line) => line.includes(`"file":"${backup}"`))!,
    );
    expect(logged).toMatchObject({ level: 30, msg: "backup taken", integrity: "ok", audit: "ok", file: backup });
    const copy = new Database(backup, { readonly: true, fileMustExist: true });
    const events = copy.prepare("select count(*) from audit_events").pluck().get() as number;
    try {
      expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
      expect(verifyAudit(copy)).toMatchObject({ events, broken: [] });
      expect(events).toBeGreaterThan(100);
    } finally {
      copy.close();
    }
    expect(logged).toMatchObject({ bytes: readFileSync(backup).length, events });
    const backedUp = digest(backup);
    const served = await guidelines(server);
    // Another one follows after the interval (1.8 s), while the first stays.
    await until(() => (readdirSync(dir).filter((file) => BACKUP.test(file)).length >= 2 ? true : undefined));
    expect(readdirSync(dir)).toContain(name);

    // Data changed after the backup, seen by the server.
    const live = new Database(database);
    live.pragma("busy_timeout = 5000");
    live.prepare("update guidelines set title = 'Changed after the backup' where slug = ?").run(DEMO_SLUG);
    live.close();
    expect(JSON.stringify(await guidelines(server))).toContain("Changed after the backup");
    const changed = digest(database);
    expect(changed).not.toEqual(backedUp);

    // A second server on the same database is refused at start, and leaves the first one's record alone.
    await expect(startServer({ database })).rejects.toThrow(
      `Process ${server.process.pid} already runs on ${database}, as ${database}.pid says.`,
    );
    expect(readFileSync(`${database}.pid`, "utf8")).toBe(`${server.process.pid}\n`);

    // Refused while the server runs: nothing changes.
    const refused = runCli(["restore", backup], "", { DATABASE_PATH: database });
    expect(refused).toEqual({
      status: 1,
      stdout: "",
      stderr: `A server (process ${server.process.pid}) runs on ${database}, as ${database}.pid says: stop it before restoring.\nNothing was changed.\n`,
    });
    expect(digest(database)).toEqual(changed);

    await server.stop();
    expect(existsSync(`${database}.pid`)).toBe(false);
    const restored = runCli(["restore", backup], "", { DATABASE_PATH: database });
    expect(restored.stderr).toBe("");
    expect(restored.status).toBe(0);
    const kept = readdirSync(dirname(database)).find((file) => file.startsWith("e2e.sqlite.before-restore-"))!;
    const keptPath = join(dirname(database), kept);
    const [checked, keptLine, done] = restored.stdout.trimEnd().split("\n");
    expect(checked).toMatch(
      new RegExp(
        `^Backup ${backup} checked: integrity ok, audit ok \\(${events} events in \\d+ chains\\), ${MIGRATIONS} of ${MIGRATIONS} migrations\\.$`,
      ),
    );
    expect(keptLine).toMatch(
      new RegExp(`^Old database kept at ${keptPath}( \\(with its write-ahead log ${keptPath}-wal\\))?\\.$`),
    );
    expect(done).toBe(`Restored ${backup} onto ${database}.`);
    // Beside the restored database only the old one (and its log): no pid file, temporary copy or stale log.
    expect(readdirSync(dirname(database)).filter((file) => !file.startsWith(kept))).toEqual(["e2e.sqlite"]);

    // Exactly the backup's data; the changed database kept whole beside it.
    expect(digest(database)).toEqual(backedUp);
    expect(digest(keptPath)).toEqual(changed);

    // The server starts again on the restored file and serves it.
    const again = await startServer({ database });
    running.push(again);
    expect(await guidelines(again)).toEqual(served);
    expect(JSON.stringify(await guidelines(again))).not.toContain("Changed after the backup");
  }, 120_000);
});
