/**
 * `<DATABASE_PATH>.pid`: one live process (the server, or a restore) runs on a database at a
 * time; a file left by a process that died counts for nothing.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { DatabaseInUse, pidFile, recordRunning } from "~/server/running.server";

test("recorded while running, refused to a second process, released; a dead process's file is taken over", () => {
  const database = join(mkdtempSync(join(tmpdir(), "delphi-running-")), "delphi.sqlite");
  const file = pidFile(database);
  expect(file).toBe(`${database}.pid`);

  const release = recordRunning(database);
  expect(readFileSync(file, "utf8")).toBe(`${process.pid}\n`);
  expect(() => recordRunning(database)).toThrow(DatabaseInUse);
  expect(() => recordRunning(database)).toThrow(`Process ${process.pid} already runs on ${database}, as ${file} says.`);
  release();
  expect(existsSync(file)).toBe(false);

  const dead = Number(
    spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout,
  );
  writeFileSync(file, `${dead}\n`);
  const again = recordRunning(database);
  expect(readFileSync(file, "utf8")).toBe(`${process.pid}\n`);
  again();
  expect(existsSync(file)).toBe(false);
});
