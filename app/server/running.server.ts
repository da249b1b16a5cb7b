/**
 * Which process runs on a database: `<DATABASE_PATH>.pid` holds the server's process id while it
 * runs (or a restore's while it replaces the file), so `restore` never replaces a file under a
 * live server, nor a server opens a file being restored or served by another.
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

/** The process id of the live process recorded on `database`, if any. */
function runningOn(database: string): number | undefined {
  const pid = recordedPid(pidFile(database));
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}

export class DatabaseInUse extends Error {
  constructor(
    database: string,
    readonly pid: number | undefined,
  ) {
    super(`Process ${pid ?? "(starting)"} already runs on ${resolve(database)}, as ${pidFile(database)} says.`);
  }
}

/**
 * Records this process as the one running on `database` (the server, or a restore) until it
 * releases it or exits (process.exit, as the server's SIGTERM and SIGINT handlers call, or a
 * crash); refuses when a live process already does. The file is created exclusively, so of two
 * processes starting at once one is refused.
 */
export function recordRunning(database: string): () => void {
  const file = pidFile(database);
  const other = runningOn(database);
  if (other !== undefined) throw new DatabaseInUse(database, other);
  rmSync(file, { force: true });
  try {
    writeFileSync(file, `${process.pid}\n`, { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new DatabaseInUse(database, recordedPid(file));
    throw error;
  }
  const release = () => {
    if (recordedPid(file) === process.pid) rmSync(file, { force: true });
    process.off("exit", release);
  };
  process.once("exit", release);
  return release;
}
