/**
 * `restore BACKUP` on real files: a checked backup replaces the database and the old one is kept
 * beside it (with its write-ahead log); a damaged, tampered, foreign or newer file, or a live
 * server on the database, is refused with the reason and changes nothing.
 */
import { spawnSync } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { beforeAll, describe, expect, test } from "vitest";
import { getDb, migrationsFolder, openDatabase } from "@db/client.server";
import { auditSize, verifyAudit } from "~/server/audit-verify.server";
import { backupDatabase } from "~/server/backup.server";
import { runCli } from "../support/cli";
import { createGuideline, createRound } from "../support/factories";
import { guidelineWithPanel } from "../support/guideline";

/** The migrations this code knows: a backup of this code's database has them all. */
const MIGRATIONS = readMigrationFiles({ migrationsFolder: migrationsFolder() }).length;

const dir = mkdtempSync(join(tmpdir(), "delphi-restore-"));
const good = join(dir, "good.sqlite");
let events = 0;

/** What a database holds, enough to tell two apart: its guidelines, people and audit trail. */
function digest(file: string) {
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return {
      guidelines: sqlite.prepare("select slug from guidelines order by slug").pluck().all(),
      users: sqlite.prepare("select count(*) from users").pluck().get(),
      memberships: sqlite.prepare("select count(*) from memberships").pluck().get(),
      audit: sqlite.prepare("select group_concat(hash) from (select hash from audit_events order by id)").pluck().get(),
    };
  } finally {
    sqlite.close();
  }
}

let databases = 0;
/** A database of its own holding one guideline, "current-N", closed. */
function currentDatabase(): string {
  const file = join(mkdtempSync(join(dir, "db-")), "delphi.sqlite");
  const db = openDatabase(file);
  createGuideline(db, { slug: `current-${++databases}`, title: "The data of today" });
  db.$client.close();
  return file;
}

const restore = (file: string, database: string) => runCli(["restore", file], "", { DATABASE_PATH: database });
const files = (database: string) => readdirSync(join(database, "..")).sort();

/** Refused: exit 1, the reason on stderr, and the database's directory byte for byte as it was. */
function expectRefused(file: string, reason: string | RegExp) {
  const database = currentDatabase();
  const before = { files: files(database), bytes: readFileSync(database) };
  const result = restore(file, database);
  expect(result.stdout).toBe("");
  expect(result.status).toBe(1);
  if (typeof reason === "string") expect(result.stderr.slice(0, reason.length)).toBe(reason);
  else expect(result.stderr).toMatch(reason);
  expect(result.stderr.endsWith("\nNothing was changed.\n")).toBe(true);
  expect(files(database)).toEqual(before.files);
  expect(readFileSync(database).equals(before.bytes)).toBe(true);
  return result.stderr;
}

/** A copy of the good backup, changed by `change`. */
function copyOfGood(name: string, change: (file: string) => void): string {
  const file = join(dir, name);
  copyFileSync(good, file);
  change(file);
  return file;
}

beforeAll(async () => {
  const db = getDb();
  const g = await guidelineWithPanel(db, { panelSize: 3, statements: ["One", "Two"], slug: "backed-up" });
  createRound(db, {
    guidelineId: g.guideline.id,
    number: 1,
    revisionIds: g.statements.map((s) => s.revision.id),
    status: "open",
  });
  const backup = await backupDatabase(db.$client, good);
  events = backup.audit.events;
  expect(events).toBeGreaterThan(0);
});

describe("npm run -s cli -- restore BACKUP", () => {
  test("replaces the database by the checked backup, keeping the old one and its write-ahead log beside it", () => {
    const database = currentDatabase();
    // A server that died with its last write in the write-ahead log only.
    const crashed = spawnSync(
      process.execPath,
      [
        "-e",
        `const sqlite = new (require("better-sqlite3"))(process.argv[1]);
         sqlite.pragma("wal_autocheckpoint = 0");
         sqlite.prepare("update guidelines set title = 'Written last'").run();
         process.kill(process.pid, "SIGKILL");`,
        database,
      ],
      { encoding: "utf8" },
    );
    expect(crashed.signal).toBe("SIGKILL");
    expect(existsSync(`${database}-wal`)).toBe(true);
    const current = { slug: `current-${databases}`, title: "Written last" };

    const result = restore(good, database);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const kept = files(database).find((name) => name.startsWith("delphi.sqlite.before-restore-"))!;
    expect(kept).toMatch(/^delphi\.sqlite\.before-restore-\d{4}-\d{2}-\d{2}T\d{6}Z$/);
    const keptPath = join(database, "..", kept);
    const copy = new Database(good, { readonly: true });
    const size = auditSize(verifyAudit(copy));
    copy.close();
    expect(size).toBe("1 event in 1 chain");
    expect(result.stdout).toBe(
      [
        `Backup ${good} checked: integrity ok, audit ok (${size}), ${MIGRATIONS} of ${MIGRATIONS} migrations.`,
        `Old database kept at ${keptPath} (with its write-ahead log ${keptPath}-wal).`,
        `Restored ${good} onto ${database}.`,
        "",
      ].join("\n"),
    );
    expect(files(database)).toEqual(["delphi.sqlite", kept, `${kept}-wal`]);
    expect(digest(database)).toEqual(digest(good));
    expect(digest(database).guidelines).toEqual(["backed-up"]);

    // The old database, with its last write, is whole.
    const old = new Database(keptPath, { readonly: true });
    expect(old.prepare("select slug, title from guidelines").all()).toEqual([current]);
    old.close();

    // And the restored one opens as the server opens it, migrated and verified.
    const reopened = openDatabase(database);
    expect(verifyAudit(reopened.$client)).toMatchObject({ events, broken: [] });
    reopened.$client.close();
  });

  test("onto a path with no database yet: says so", () => {
    const database = join(mkdtempSync(join(dir, "empty-")), "delphi.sqlite");
    const result = restore(good, database);
    expect(result.status).toBe(0);
    expect(result.stdout.split("\n")[1]).toBe(`There was no database at ${database} before.`);
    expect(files(database)).toEqual(["delphi.sqlite"]);
    expect(digest(database)).toEqual(digest(good));
  });

  test("refused while a server runs on the database; a file left by a server that died does not count", () => {
    const database = currentDatabase();
    const before = readFileSync(database);
    // This test's own process stands for a live server.
    writeFileSync(`${database}.pid`, `${process.pid}\n`);
    const refused = restore(good, database);
    expect(refused).toEqual({
      status: 1,
      stdout: "",
      stderr: `A server (process ${process.pid}) runs on ${database}, as ${database}.pid says: stop it before restoring.\nNothing was changed.\n`,
    });
    expect(readFileSync(database).equals(before)).toBe(true);
    expect(files(database)).toEqual(["delphi.sqlite", "delphi.sqlite.pid"]);

    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    writeFileSync(`${database}.pid`, `${dead.stdout}\n`);
    const restored = restore(good, database);
    expect(restored.stderr).toBe("");
    expect(restored.status).toBe(0);
    expect(digest(database)).toEqual(digest(good));
  });

  /** A copy of the good backup with `bytes` bytes flipped at `offset` from the start of the page of `name` (a table or an index). */
  function flipped(copyName: string, name: string, offset: (pageSize: number) => number, bytes: number): string {
    return copyOfGood(copyName, (file) => {
      const sqlite = new Database(file, { readonly: true });
      const pageSize = sqlite.pragma("page_size", { simple: true }) as number;
      const root = sqlite.prepare("select rootpage from sqlite_master where name = ?").pluck().get(name) as number;
      sqlite.close();
      const at = (root - 1) * pageSize + offset(pageSize);
      const fd = openSync(file, "r+");
      const buffer = Buffer.alloc(bytes);
      readSync(fd, buffer, 0, bytes, at);
      writeSync(
        fd,
        buffer.map((byte) => byte ^ 0x55),
        0,
        bytes,
        at,
      );
      closeSync(fd);
    });
  }

  test("refuses a damaged file: what SQLite's integrity check finds is listed; a file SQLite cannot read is named so", () => {
    const index = flipped("damaged-index.sqlite", "users_email_unique", (pageSize) => pageSize - 16, 16);
    const stderr = expectRefused(index, `${index} failed its checks:\n`);
    expect(stderr.split("\n").slice(1)).toEqual([
      `${index}: ${(readFileSync(index).length / 1_048_576).toFixed(1)} MiB, integrity FAILED, audit ok (1 event in 1 chain)`,
      "  integrity: row 1 missing from index users_email_unique",
      "Nothing was changed.",
      "",
    ]);

    const table = flipped("damaged-table.sqlite", "memberships", () => 0, 8);
    expectRefused(table, `${table} is damaged, or no SQLite database: database disk image is malformed.\nNothing was changed.\n`);
  });

  test("refuses a file whose audit trail was tampered with, naming the broken link", () => {
    const tampered = copyOfGood("tampered.sqlite", (file) => {
      const sqlite = new Database(file);
      sqlite
        .prepare(
          "update audit_events set details = json_set(details, '$.title', 'Forged') where id = (select min(id) from audit_events where chain <> 'instance')",
        )
        .run();
      sqlite.close();
    });
    const stderr = expectRefused(tampered, `${tampered} failed its checks:\n${tampered}: `);
    expect(stderr.split("\n").slice(1)).toEqual([
      `${tampered}: ${(readFileSync(tampered).length / 1_048_576).toFixed(1)} MiB, integrity ok, audit BROKEN (1 event in 1 chain)`,
      '  audit: guideline "backed-up": event #1 (seq 1) does not match its hash: the event was edited',
      "Nothing was changed.",
      "",
    ]);
  });

  test("refuses what is no Delphi database, comes from a newer version, is missing, in use, or the database itself", () => {
    const text = join(dir, "notes.txt");
    writeFileSync(text, "Not a database at all, but long enough to have a header's worth of bytes in it.".repeat(4));
    expectRefused(text, `${text} is damaged, or no SQLite database: file is not a database.\n`);

    const other = join(dir, "other.sqlite");
    const sqlite = new Database(other);
    sqlite.exec("create table notes (body text); insert into notes values ('hello');");
    sqlite.close();
    expectRefused(other, `${other} is not a Delphi database: it has no __drizzle_migrations table.\n`);

    const newer = copyOfGood("newer.sqlite", (file) => {
      const copy = new Database(file);
      copy.prepare("insert into __drizzle_migrations (hash, created_at) values ('next', ?)").run(Date.now() + 1e12);
      copy.close();
    });
    expectRefused(
      newer,
      `${newer} comes from a newer version of Delphi: 1 of its migrations are unknown to this one. Upgrade before restoring it.\n`,
    );

    expectRefused(join(dir, "missing.sqlite"), `Cannot read ${join(dir, "missing.sqlite")}: no such file.\n`);

    const live = copyOfGood("live.sqlite", (file) => writeFileSync(`${file}-wal`, "frames"));
    expectRefused(
      live,
      `${live} has a write-ahead log beside it (${live}-wal): it is a database in use, not a backup. Take a backup of it with \`backup FILE\`.\n`,
    );
    const database = currentDatabase();
    expect(restore(database, database)).toEqual({
      status: 1,
      stdout: "",
      stderr: `${database} is the database itself.\nNothing was changed.\n`,
    });
  });
});
