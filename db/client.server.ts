import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema";

export type DB = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** The committed migrations, found from this module whether it runs from source or from build/. */
function migrationsFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "db", "migrations");
    if (existsSync(join(candidate, "meta", "_journal.json"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("db/migrations not found above " + import.meta.url);
    dir = parent;
  }
}

/**
 * Opens (creating if needed) and migrates a database. WAL with synchronous=FULL: a ballot that
 * was acknowledged has been fsynced and survives power loss; the busy timeout lets the CLI and
 * the server share the file.
 */
export function openDatabase(path: string): DB {
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: migrationsFolder() });
  return db;
}

let instance: DB | undefined;

/** The process's database, named by DATABASE_PATH (checked at start-up by app/server/env.server.ts). */
export function getDb(): DB {
  instance ??= openDatabase(process.env.DATABASE_PATH || "data/delphi.sqlite");
  return instance;
}

/** A transaction handle; functions that write take either it or the database. */
export type Tx = Parameters<Parameters<DB["transaction"]>[0]>[0];
export type Queryable = DB | Tx;
