/**
 * Backups on a schedule (BACKUP_DIR, BACKUP_EVERY_HOURS, BACKUP_KEEP): the same online,
 * checked copy as `backup FILE`, taken by the server into BACKUP_DIR at start-up when the newest
 * there is older than the interval, then every interval; the newest BACKUP_KEEP are kept.
 * A copy is written under a hidden temporary name and only given a backup's name once it has
 * passed its checks, so a half-written or failed copy never looks like a backup. BACKUP_DIR
 * belongs to one database: only files named like a backup (or its temporary name) are ever
 * deleted there.
 */
import { linkSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { DB } from "@db/client.server";
import { backupDatabase, backupPassed, describeBackup, syncToDisk, utcStamp } from "./backup.server";
import type { Env } from "./env.server";
import { log } from "./log.server";

type BackupScheduleConfig = Pick<Env, "BACKUP_DIR" | "BACKUP_EVERY_HOURS" | "BACKUP_KEEP">;

/** "delphi-2026-12-01T230000Z.sqlite": taken then, in UTC; the names sort by time. */
const BACKUP = /^delphi-(\d{4}-\d{2}-\d{2})T(\d{2})(\d{2})(\d{2})Z\.sqlite$/;
/** ".delphi-2026-12-01T230000Z.sqlite.partial": being written, or left by a server that died meanwhile. */
const PARTIAL = /^\.delphi-\d{4}-\d{2}-\d{2}T\d{6}Z\.sqlite\.partial$/;

// setTimeout waits at most 2^31 - 1 ms (24.8 days); a longer interval is waited out in steps.
const LONGEST_WAIT = 2 ** 31 - 1;

export const backupName = (at: Date) => `delphi-${utcStamp(at)}.sqlite`;

/** The scheduled backups in `dir`, newest first, with when each was taken (ms since the epoch). */
function scheduledBackups(dir: string): { name: string; at: number }[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const match = BACKUP.exec(name);
      return match ? [{ name, at: Date.parse(`${match[1]}T${match[2]}:${match[3]}:${match[4]}Z`) }] : [];
    })
    .filter((backup) => !Number.isNaN(backup.at))
    .sort((a, b) => b.at - a.at);
}

/** Deletes all but the newest `keep` backups; how many are left. */
function prune(dir: string, keep: number): number {
  const backups = scheduledBackups(dir);
  for (const { name } of backups.slice(keep)) rmSync(join(dir, name));
  return Math.min(backups.length, keep);
}

/** One scheduled backup: copied, checked, named, pruned, logged; a failure is logged and leaves no file. */
async function takeBackup(db: DB, dir: string, keep: number): Promise<void> {
  const name = backupName(new Date());
  const file = join(dir, name);
  const partial = join(dir, `.${name}.partial`);
  try {
    const backup = await backupDatabase(db.$client, partial);
    if (!backupPassed(backup)) {
      log().error({ file, problems: describeBackup({ ...backup, file }) }, "backup failed its checks and was deleted");
      return;
    }
    syncToDisk(partial);
    // A link, not a rename: it never replaces a backup of the same name.
    linkSync(partial, file);
    syncToDisk(dir);
    const kept = prune(dir, keep);
    log().info({ file, bytes: backup.bytes, integrity: "ok", audit: "ok", events: backup.audit.events, kept }, "backup taken");
  } catch (error) {
    log().error({ err: error, file }, "backup failed");
  } finally {
    rmSync(partial, { force: true });
  }
}

/**
 * Takes backups into BACKUP_DIR every BACKUP_EVERY_HOURS while the process runs (nothing when
 * they are not set): one at a time, the next one due an interval after the newest backup there
 * or the last attempt. The timers do not keep the process alive; the returned function stops
 * the schedule and resolves once a backup under way has finished.
 */
export function startBackupSchedule(db: DB, config: BackupScheduleConfig): () => Promise<void> {
  const { BACKUP_DIR: dir, BACKUP_EVERY_HOURS: hours, BACKUP_KEEP: keep } = config;
  if (dir === undefined || hours === undefined) return async () => {};
  const interval = hours * 3_600_000;
  for (const name of readdirSync(dir)) if (PARTIAL.test(name)) rmSync(join(dir, name), { force: true });

  let lastAttempt = -Infinity;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current = Promise.resolve();

  // An unreadable BACKUP_DIR counts as holding no backup: the backup then tried fails and is logged.
  const newest = () => {
    try {
      return scheduledBackups(dir)[0]?.at ?? -Infinity;
    } catch {
      return -Infinity;
    }
  };
  const due = () => Math.max(newest(), lastAttempt) + interval;
  const wakeIn = (ms: number) => {
    timer = setTimeout(() => (current = wake()), Math.min(Math.max(ms, 0), LONGEST_WAIT));
    timer.unref();
  };
  const wake = async () => {
    if (Date.now() >= due()) {
      lastAttempt = Date.now();
      await takeBackup(db, dir, keep);
    }
    if (!stopped) wakeIn(due() - Date.now());
  };

  wakeIn(0);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await current;
  };
}
