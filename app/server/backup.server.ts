import { closeSync, openSync, statSync, unlinkSync } from "node:fs";
import Database from "better-sqlite3";
import { auditSize, brokenLinks, verifyAudit, type AuditVerification } from "./audit-verify.server";
import { Refusal } from "./errors";

export type Backup = { file: string; bytes: number; integrity: string[]; audit: AuditVerification };

// One backup step copies every page under a single read transaction: a consistent snapshot
// while the server keeps writing (WAL), and no restart each time another connection commits.
const ALL_PAGES = 0x7fffffff;

/** Creates `file` empty, atomically refusing one that exists. */
function claim(file: string): void {
  try {
    closeSync(openSync(file, "wx"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new Refusal(`${file} already exists: a backup never overwrites a file.`);
    if (code === "ENOENT") throw new Refusal(`Cannot write ${file}: no such directory.`);
    throw error;
  }
}

/** The copy's own checks: SQLite's integrity check and the audit chains. One self-contained file. */
function check(file: string): Omit<Backup, "bytes"> {
  const copy = new Database(file);
  try {
    copy.pragma("journal_mode = DELETE");
    const integrity = copy.pragma("integrity_check", { simple: false }) as { integrity_check: string }[];
    return { file, integrity: integrity.map((row) => row.integrity_check), audit: verifyAudit(copy) };
  } finally {
    copy.close();
  }
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
  const checked = check(file);
  return { ...checked, bytes: statSync(file).size };
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
