import { closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KeyLike } from "node:crypto";
import Database from "better-sqlite3";
import type { DB } from "@db/client.server";
import { recordAudit } from "./audit.server";
import { auditSize, brokenLinks, verifyAudit, type AuditVerification } from "./audit-verify.server";
import { sealBackup } from "./backup-crypto.server";
import { msg } from "~/i18n";
import { Refusal } from "./errors.server";

export type Backup = { file: string; bytes: number; integrity: string[]; audit: AuditVerification };

// One backup step copies every page under a single read transaction: a consistent snapshot
// while the server keeps writing (WAL), and no restart each time another connection commits.
const ALL_PAGES = 0x7fffffff;

/** "2026-12-01T230000Z": a moment in UTC to the second, for file names that sort by time. */
export function utcStamp(at: Date): string {
  const iso = at.toISOString();
  return `${iso.slice(0, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/** Flushes a file (or a directory, after a rename in it) to the disk. */
export function syncToDisk(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Creates `file` empty, atomically refusing one that exists. */
function claim(file: string): void {
  try {
    closeSync(openSync(file, "wx"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new Refusal(msg("{{file}} already exists: a backup never overwrites a file."), 409, { file });
    if (code === "ENOENT") throw new Refusal(msg("Cannot write {{file}}: no such directory."), 409, { file });
    throw error;
  }
}

/**
 * A copy's own checks: SQLite's integrity check and the audit chains, leaving one self-contained
 * file (no write-ahead log). Opens the file for writing: give it a copy, never the original.
 */
export function checkBackup(file: string): Backup {
  const copy = new Database(file, { fileMustExist: true });
  let checked: Omit<Backup, "bytes">;
  try {
    copy.pragma("journal_mode = DELETE");
    const integrity = copy.pragma("integrity_check", { simple: false }) as { integrity_check: string }[];
    checked = { file, integrity: integrity.map((row) => row.integrity_check), audit: verifyAudit(copy) };
  } finally {
    copy.close();
  }
  return { ...checked, bytes: statSync(file).size };
}

/**
 * An online, consistent copy of the database into a new `file`, then checked on the copy:
 * `PRAGMA integrity_check` and the audit verification.
 */
export async function backupDatabase(source: Database.Database, file: string): Promise<Backup> {
  claim(file);
  try {
    await source.backup(file, { progress: () => ALL_PAGES });
  } catch (error) {
    unlinkSync(file);
    throw error;
  }
  return checkBackup(file);
}

const integrityOk = (backup: Backup) => backup.integrity.length === 1 && backup.integrity[0] === "ok";

export function backupPassed(backup: Backup): boolean {
  return integrityOk(backup) && backup.audit.broken.length === 0;
}

/** "FILE: 4.2 MiB, integrity ok, audit ok (N events in M chains)", then any problem, one a line. */
export function describeBackup(backup: Backup): string[] {
  const size = `${(backup.bytes / 1_048_576).toFixed(1)} MiB`;
  const integrity = integrityOk(backup) ? "ok" : "FAILED";
  const audit = backup.audit.broken.length === 0 ? "ok" : "BROKEN";
  return [
    `${backup.file}: ${size}, integrity ${integrity}, audit ${audit} (${auditSize(backup.audit)})`,
    ...(integrityOk(backup) ? [] : backup.integrity.map((problem) => `  integrity: ${problem}`)),
    ...brokenLinks(backup.audit).map((line) => `  audit: ${line}`),
  ];
}

/** "delphi-backup-2026-03-01-0930Z.sqlite": when the copy was taken, in UTC. */
function downloadName(now: Date): string {
  const iso = now.toISOString();
  return `delphi-backup-${iso.slice(0, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}Z.sqlite`;
}

export type BackupDownload = { intact: true; filename: string; sealed: Buffer } | { intact: false; problems: string[] };

/**
 * A backup for an admin to download: the same online copy and checks as `backup FILE`, into a
 * temporary directory, sealed to the operator's public key (backup-crypto.server.ts) — the copy
 * names who cast every ballot, which no web role may read. The plain copy and its directory are
 * deleted before this returns, so nothing is left behind whatever the client does; the download
 * is audited with what the audit verification found. A broken audit trail does not stop the download: the
 * copy is faithful, and a copy is most wanted when something is wrong. A copy that fails the
 * integrity check is deleted too, and its problems come back instead.
 */
export async function downloadBackup(
  db: DB,
  input: { actorId: string; publicKey: KeyLike; now?: Date },
): Promise<BackupDownload> {
  const now = input.now ?? new Date();
  const dir = mkdtempSync(join(tmpdir(), "delphi-download-"));
  const filename = `${downloadName(now)}.sealed`;
  try {
    const backup = await backupDatabase(db.$client, join(dir, filename));
    if (!integrityOk(backup)) return { intact: false, problems: describeBackup({ ...backup, file: filename }) };
    recordAudit(db, {
      guidelineId: null,
      actorId: input.actorId,
      action: "backup.downloaded",
      details: { filename, bytes: backup.bytes, audit: backup.audit.broken.length === 0 ? "ok" : "broken" },
      at: now,
    });
    return { intact: true, filename, sealed: sealBackup(readFileSync(backup.file), input.publicKey) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
