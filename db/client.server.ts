import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema";

export type DB = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** The committed migrations, found from this module whether it runs from source or from build/. */
export function migrationsFolder(): string {
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

/**
 * A query built and compiled once per database handle, then run with `sql.placeholder` values:
 * for hot paths such as the ballot action, where drizzle would otherwise build and
 * better-sqlite3 compile every query anew. A statement prepared on the database runs inside any
 * transaction open on its connection; a transaction handle gets its own, kept as long as it is.
 * Columns with a `$defaultFn` (ids, timestamps) are computed when the query is built: a prepared
 * insert passes them as placeholders.
 */
export function prepared<T>(build: (db: Queryable) => T): (db: Queryable) => T {
  const cache = new WeakMap<Queryable, T>();
  return (db) => {
    let query = cache.get(db);
    if (query === undefined) {
      query = build(db);
      cache.set(db, query);
    }
    return query;
  };
}
