/**
 * Health for whoever runs the platform (a container's HEALTHCHECK, a load balancer): no login,
 * JSON, nothing secret (no paths, no addresses, no counts of anything but mail waiting).
 * `GET /healthz`: the process answers. `GET /readyz`: it can do its work — the database is
 * writable (its file's permissions allow writing and a write transaction can begin), every
 * migration this code knows is applied, and the mails still to send (not sent, not failed for
 * good) are fewer than OUTBOX_BACKLOG.
 */
import { accessSync, constants, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { migrationsFolder, type DB } from "@db/client.server";
import { noteRoute } from "./log.server";

type Check = { ok: boolean; detail: string };

function databaseWritable(db: DB, file: string): Check {
  try {
    if ((statSync(file).mode & 0o222) === 0) return { ok: false, detail: "the database file is read-only" };
    accessSync(file, constants.W_OK);
  } catch (error) {
    return { ok: false, detail: `not writable: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  // A write transaction begins (and is rolled back at once), waiting 100 ms at most: the event
  // loop must not wait the connection's 5 s busy timeout for a health check.
  const sqlite = db.$client;
  const timeout = sqlite.pragma("busy_timeout", { simple: true }) as number;
  sqlite.pragma("busy_timeout = 100");
  try {
    sqlite.exec("begin immediate");
    sqlite.exec("rollback");
    return { ok: true, detail: "writable" };
  } catch (error) {
    if ((error as { code?: string }).code === "SQLITE_BUSY")
      return { ok: true, detail: "writable (another connection is writing)" };
    return { ok: false, detail: `not writable: ${(error as { code?: string }).code ?? (error as Error).message}` };
  } finally {
    sqlite.pragma(`busy_timeout = ${timeout}`);
  }
}

function migrationsApplied(db: DB): Check {
  try {
    const known = readMigrationFiles({ migrationsFolder: migrationsFolder() }).length;
    const applied = db.get<{ n: number }>(sql`select count(*) as n from __drizzle_migrations`)?.n ?? 0;
    return applied >= known
      ? { ok: true, detail: `${applied} applied` }
      : { ok: false, detail: `${applied} of ${known} applied` };
  } catch (error) {
    return { ok: false, detail: `cannot be read: ${(error as Error).message}` };
  }
}

function outboxBelow(db: DB, limit: number): Check {
  const waiting =
    db.get<{ n: number }>(sql`select count(*) as n from outbox_mails where sent_at is null and failed_at is null`)?.n ?? 0;
  return waiting < limit
    ? { ok: true, detail: `${waiting} waiting` }
    : { ok: false, detail: `${waiting} mails waiting (the limit is ${limit})` };
}

/** What /readyz answers: ready only when every check is. */
export function readiness(db: DB, input: { databasePath: string; outboxLimit: number }) {
  const checks = {
    database: databaseWritable(db, input.databasePath),
    migrations: migrationsApplied(db),
    outbox: outboxBelow(db, input.outboxLimit),
  };
  return { status: Object.values(checks).every((c) => c.ok) ? ("ready" as const) : ("unready" as const), checks };
}

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
  });
  res.end(text);
}

/** The listener's look at a request: true when it was a health check, answered. */
export function healthChecks(db: () => DB, input: { databasePath: string; outboxLimit: number }) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    if (req.url === "/healthz") {
      noteRoute("healthz");
      send(res, 200, { status: "ok" });
      return true;
    }
    if (req.url === "/readyz") {
      noteRoute("readyz");
      const ready = readiness(db(), input);
      send(res, ready.status === "ready" ? 200 : 503, ready);
      return true;
    }
    return false;
  };
}
