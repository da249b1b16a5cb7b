/**
 * `restore BACKUP`: puts a backup in the place of the database, once it is sure the backup is a
 * sound Delphi database and no server has the database open. The backup is copied next to the
 * database and checked there (so what is checked is what goes in place), flushed to the disk
 * and renamed over the database; the database it replaces is kept beside it, never deleted.
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { migrationsFolder } from "@db/client.server";
import { backupPassed, checkBackup, describeBackup, syncToDisk, utcStamp, type Backup } from "./backup.server";
import { DatabaseInUse, pidFile, recordRunning } from "./running.server";

/** A restore refused before anything was changed. */
export class RestoreRefused extends Error {
  constructor(reason: string) {
    super(`${reason}\nNothing was changed.`);
  }
}

type Restored = {
  /** The backup's checks, under the name it was given. */
  backup: Backup;
  /** How many of this version's migrations the backup had (the server applies the rest when it starts). */
  migrations: { had: number; known: number };
  /** Where the database that was replaced is kept, and whether its write-ahead log is kept beside it; none when there was none. */
  kept?: { file: string; wal: boolean };
};

/** SQLite's companions of a database file: a write-ahead log or a rollback journal belongs to it, the shared memory is rebuilt. */
const LOGS = ["-wal", "-journal"] as const;

function removeWithCompanions(file: string): void {
  for (const suffix of ["", ...LOGS, "-shm"]) rmSync(`${file}${suffix}`, { force: true });
}

/** How many of this version's migrations `file` has had; refused when it is no Delphi database or comes from a newer version. */
function migrationsOf(name: string, file: string): Restored["migrations"] {
  const known = readMigrationFiles({ migrationsFolder: migrationsFolder() });
  const sqlite = new Database(file, { fileMustExist: true });
  try {
    const table = sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'").get();
    if (!table) throw new RestoreRefused(`${name} is not a Delphi database: it has no __drizzle_migrations table.`);
    const rows = sqlite.prepare("select hash, created_at as createdAt from __drizzle_migrations").all() as {
      hash: string;
      createdAt: number;
    }[];
    const newestKnown = Math.max(...known.map((migration) => migration.folderMillis));
    const newer = rows.filter((row) => Number(row.createdAt) > newestKnown).length;
    if (newer > 0) {
      throw new RestoreRefused(
        `${name} comes from a newer version of Delphi: ${newer} of its migrations are unknown to this one. Upgrade before restoring it.`,
      );
    }
    const hashes = new Set(known.map((migration) => migration.hash));
    if (rows.length === 0 || rows.some((row) => !hashes.has(row.hash))) {
      throw new RestoreRefused(`${name} is not a Delphi database: its migrations are not this application's.`);
    }
    return { had: rows.length, known: known.length };
  } finally {
    sqlite.close();
  }
}

/** The copy's checks, in order: a Delphi database, then SQLite's integrity check and the audit chains. */
function inspect(name: string, file: string): Pick<Restored, "backup" | "migrations"> {
  let migrations: Restored["migrations"];
  let backup: Backup;
  try {
    migrations = migrationsOf(name, file);
    backup = { ...checkBackup(file), file: name };
  } catch (error) {
    if (error instanceof Database.SqliteError)
      throw new RestoreRefused(`${name} is damaged, or no SQLite database: ${error.message}.`);
    throw error;
  }
  if (!backupPassed(backup)) throw new RestoreRefused([`${name} failed its checks:`, ...describeBackup(backup)].join("\n"));
  return { backup, migrations };
}

/**
 * Keeps the database (and its write-ahead log or journal, which hold committed data) under
 * `kept` by hard links, then takes those logs away from the database's name so the restored file
 * does not pick them up: the database's name always holds a whole database, old or new.
 */
function keepAside(database: string, kept: string): NonNullable<Restored["kept"]> {
  linkSync(database, kept);
  for (const suffix of LOGS) if (existsSync(`${database}${suffix}`)) linkSync(`${database}${suffix}`, `${kept}${suffix}`);
  for (const suffix of [...LOGS, "-shm"]) rmSync(`${database}${suffix}`, { force: true });
  return { file: kept, wal: existsSync(`${kept}-wal`) };
}

/** Replaces `database` by the backup `file` after checking it; throws RestoreRefused, changing nothing, when it must not. */
export function restoreDatabase(input: { file: string; database: string; now?: Date }): Restored {
  const source = resolve(input.file);
  const database = resolve(input.database);
  const kept = `${database}.before-restore-${utcStamp(input.now ?? new Date())}`;
  if (!existsSync(source) || !statSync(source).isFile()) throw new RestoreRefused(`Cannot read ${input.file}: no such file.`);
  if (source === database) throw new RestoreRefused(`${input.file} is the database itself.`);
  if (existsSync(`${source}-wal`)) {
    throw new RestoreRefused(
      `${input.file} has a write-ahead log beside it (${input.file}-wal): it is a database in use, not a backup. Take a backup of it with \`backup FILE\`.`,
    );
  }
  // Held until the restore is done: no server starts on the file meanwhile.
  let release: () => void;
  try {
    mkdirSync(dirname(database), { recursive: true });
    release = recordRunning(database);
  } catch (error) {
    if (!(error instanceof DatabaseInUse)) throw error;
    throw new RestoreRefused(
      `A server (process ${error.pid}) runs on ${database}, as ${pidFile(database)} says: stop it before restoring.`,
    );
  }
  // Next to the database, so the final rename stays on one file system; what an interrupted restore left there is replaced.
  const incoming = `${database}.restoring`;
  try {
    const orphan = LOGS.find((suffix) => !existsSync(database) && existsSync(`${database}${suffix}`));
    if (orphan) throw new RestoreRefused(`${database}${orphan} is there without its database: move it away first.`);
    if (existsSync(kept)) throw new RestoreRefused(`${kept} already exists: wait a second and try again.`);
    removeWithCompanions(incoming);
    copyFileSync(source, incoming);
    const checked = inspect(input.file, incoming);
    syncToDisk(incoming);
    const old = existsSync(database) ? keepAside(database, kept) : undefined;
    renameSync(incoming, database);
    syncToDisk(dirname(database));
    return old ? { ...checked, kept: old } : checked;
  } finally {
    removeWithCompanions(incoming);
    release();
  }
}
