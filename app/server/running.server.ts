/**
 * Which server runs on a database: `<DATABASE_PATH>.pid` holds its process id while it runs, so
 * `restore` never replaces a file under a live server, nor a second server opens the same file.
 * A file left by a server that died (SIGKILL, power loss) names a process that is gone and
 * counts for nothing.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

export const pidFile = (database: string) => `${resolve(database)}.pid`;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // The process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function recordedPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** The process id of the live server recorded on `database`, if any. */
export function runningServer(database: string): number | undefined {
  const pid = recordedPid(pidFile(database));
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}

export class DatabaseInUse extends Error {
  constructor(database: string, pid: number | undefined) {
    super(`A server (process ${pid ?? "starting"}) already runs on ${resolve(database)}, as ${pidFile(database)} says.`);
  }
}

/**
 * Records this process as the server on `database` until it exits (process.exit, as the
 * SIGTERM and SIGINT handlers call, or a crash); refuses when a live server already is. The file
 * is created exclusively, so of two servers starting at once one is refused.
 */
export function recordRunning(database: string): void {
  const file = pidFile(database);
  const other = runningServer(database);
  if (other !== undefined) throw new DatabaseInUse(database, other);
  rmSync(file, { force: true });
  try {
    writeFileSync(file, `${process.pid}\n`, { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new DatabaseInUse(database, recordedPid(file));
    throw error;
  }
  process.once("exit", () => {
    if (recordedPid(file) === process.pid) rmSync(file, { force: true });
  });
}
