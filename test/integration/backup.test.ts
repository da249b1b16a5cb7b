import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import type { Choice } from "@db/schema";
import { verifyAudit } from "~/server/audit-verify.server";
import { castBallots } from "~/server/ballots.server";
import { seedDemo } from "../../scripts/seed-demo";
import type { CliResult } from "../support/cli";
import { runCli } from "../support/cli";
import { createRound } from "../support/factories";
import { guidelineWithPanel } from "../support/guideline";

const dir = mkdtempSync(join(tmpdir(), "delphi-backup-"));
const count = (sqlite: Database.Database, table: string) =>
  sqlite.prepare(`select count(*) from ${table}`).pluck().get() as number;

/** Like runCli, but without blocking this process, so it can keep writing meanwhile. */
function runCliInBackground(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/cli.ts", ...args], { env: process.env });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** A panel that votes through the real ballot function: a new ballot each call, then changed ones (each call a change, so each an event). */
async function votingPanel() {
  const db = getDb();
  const g = await guidelineWithPanel(db, { panelSize: 60, statements: ["One", "Two", "Three", "Four", "Five"], slug: "load" });
  const { items } = createRound(db, {
    guidelineId: g.guideline.id,
    number: 1,
    revisionIds: g.statements.map((s) => s.revision.id),
    status: "open",
  });
  const pairs = g.panel.flatMap((membership) => items.map((item) => ({ membership, item })));
  let next = 0;
  return () => {
    const { membership, item } = pairs[next % pairs.length]!;
    const choice: Choice = (["agree", "disagree", "abstain"] as const)[Math.floor(next / pairs.length) % 3]!;
    castBallots(db, { guideline: g.guideline, membership, ballots: [{ roundItemId: item.id, answer: choice, comment: null }] });
    next += 1;
  };
}

function checkCopy(file: string) {
  const copy = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return {
      journal: copy.pragma("journal_mode", { simple: true }),
      integrity: copy.pragma("integrity_check", { simple: true }),
      audit: verifyAudit(copy),
      ballots: count(copy, "ballots"),
      events: count(copy, "audit_events"),
    };
  } finally {
    copy.close();
  }
}

beforeAll(async () => {
  await seedDemo(getDb());
});

describe("npm run -s cli -- backup FILE", () => {
  const file = join(dir, "delphi-backup.sqlite");

  test("copies the database while it is being written, and verifies it live: a consistent, checked, self-contained file", async () => {
    const vote = await votingPanel();
    const sqlite = getDb().$client;
    const before = { ballots: count(sqlite, "ballots"), events: count(sqlite, "audit_events") };

    let running = true;
    const cli = Promise.all([runCliInBackground(["backup", file]), runCliInBackground(["audit:verify"])]).finally(
      () => (running = false),
    );
    let writes = 0;
    while (running) {
      vote();
      writes += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const [result, verified] = await cli;
    const after = { ballots: count(sqlite, "ballots"), events: count(sqlite, "audit_events") };

    expect(verified.stderr).toBe("");
    expect(verified.stdout).toMatch(/^ok: \d+ events in 3 chains\n$/);

    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(writes).toBeGreaterThan(50);
    const copy = checkCopy(file);
    expect(result.stdout).toBe(
      `${file}: ${(readFileSync(file).length / 1_048_576).toFixed(1)} MiB, integrity ok, audit ok (${copy.events} events in 3 chains)\n`,
    );
    expect(copy).toMatchObject({ journal: "delete", integrity: "ok", audit: { broken: [] } });
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(copy.ballots).toBeGreaterThanOrEqual(before.ballots);
    expect(copy.ballots).toBeLessThanOrEqual(after.ballots);
    // Taken in the middle of the load: every cast appends an event, before and after the copy.
    expect(copy.events).toBeGreaterThan(before.events);
    expect(copy.events).toBeLessThan(after.events);
  }, 60_000);

  test("never overwrites a file, and says why", () => {
    const bytes = readFileSync(file);
    expect(runCli(["backup", file])).toEqual({
      status: 1,
      stdout: "",
      stderr: `${file} already exists: a backup never overwrites a file.\n`,
    });
    expect(readFileSync(file).equals(bytes)).toBe(true);
    const nowhere = join(dir, "missing", "copy.sqlite");
    expect(runCli(["backup", nowhere])).toEqual({
      status: 1,
      stdout: "",
      stderr: `Cannot write ${nowhere}: no such directory.\n`,
    });
  }, 60_000);

  test("exits 1 when the copy's audit trail does not verify, naming the broken link", () => {
    const sqlite = getDb().$client;
    const newest = sqlite.prepare("select * from audit_events order by id desc limit 1").get() as Record<string, unknown> & {
      id: number;
      seq: number;
    };
    sqlite.prepare("delete from audit_events where id = ?").run(newest.id);
    try {
      const broken = join(dir, "broken.sqlite");
      const result = runCli(["backup", broken]);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe("");
      const [summary, ...problems] = result.stderr.trimEnd().split("\n");
      expect(summary?.startsWith(`${broken}: `)).toBe(true);
      expect(summary).toMatch(/: \d+\.\d MiB, integrity ok, audit BROKEN \(\d+ events in 3 chains\)$/);
      expect(problems).toEqual([
        `  audit: guideline "load": the head is at seq ${newest.seq} but the last event is seq ${newest.seq - 1}: the newest events were deleted`,
      ]);
      expect(checkCopy(broken).integrity).toBe("ok");
    } finally {
      const columns = Object.keys(newest);
      sqlite
        .prepare(`insert into audit_events (${columns.join(", ")}) values (${columns.map((c) => `@${c}`).join(", ")})`)
        .run(newest);
      expect(verifyAudit(sqlite).broken).toEqual([]);
    }
  }, 60_000);
});
