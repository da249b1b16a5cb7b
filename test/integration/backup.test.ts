import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { eq, isNull } from "drizzle-orm";
import { beforeAll, describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import { auditEvents, users, type Choice } from "@db/schema";
import { action as backupAction } from "~/routes/admin.backup";
import { verifyAudit } from "~/server/audit-verify.server";
import { openSealedBackup } from "~/server/backup-crypto.server";
import { castBallots } from "~/server/ballots.server";
import { seedDemo } from "../../scripts/seed-demo";
import type { CliResult } from "../support/cli";
import { runCli } from "../support/cli";
import { createRound } from "../support/factories";
import { guidelineWithPanel } from "../support/guideline";
import { cookieFor, formRequest, respond } from "../support/requests";

const dir = mkdtempSync(join(tmpdir(), "delphi-backup-"));
// The operator's key pair: the server is given the public half, the test opens downloads with the private one.
const operator = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PRIVATE_KEY = operator.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
writeFileSync(join(dir, "operator.pub.pem"), operator.publicKey.export({ type: "spki", format: "pem" }));
process.env.BACKUP_PUBLIC_KEY = join(dir, "operator.pub.pem");
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

describe("POST /admin/backup: the download", () => {
  const download = (cookie?: string) =>
    respond(() => backupAction({ request: formRequest("/admin/backup", {}, { cookie }), params: {}, context: {} }));
  const leftovers = () => readdirSync(tmpdir()).filter((name) => name.startsWith("delphi-download-"));

  test("a checked, consistent SQLite file sealed to the operator's key, with a dated name; nothing is left behind; audited", async () => {
    const admin = getDb().select().from(users).where(eq(users.email, "admin@imt.example")).get()!;
    const before = leftovers();
    const response = await download(await cookieFor(admin.id));
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/octet-stream");
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const disposition = response.headers.get("Content-Disposition")!;
    expect(disposition).toMatch(/^attachment; filename="delphi-backup-\d{4}-\d{2}-\d{2}-\d{4}Z\.sqlite\.sealed"$/);
    const today = new Date().toISOString().slice(0, 10);
    expect(disposition).toContain(`delphi-backup-${today}-`);
    // The temporary copy is gone as soon as the response exists: the stream reads an open descriptor.
    expect(leftovers()).toEqual(before);

    const bytes = Buffer.from(await response.arrayBuffer());
    expect(String(bytes.length)).toBe(response.headers.get("Content-Length"));
    // Sealed: no SQLite header, no table or e-mail in clear; only the private key opens it.
    expect(bytes.includes(Buffer.from("SQLite format 3"))).toBe(false);
    expect(bytes.includes(Buffer.from("admin@imt.example"))).toBe(false);
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    expect(() => openSealedBackup(bytes, other)).toThrow("cannot be opened with this key");
    const tampered = Buffer.from(bytes);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => openSealedBackup(tampered, PRIVATE_KEY)).toThrow("changed after it was sealed");
    const file = join(dir, "downloaded.sqlite");
    writeFileSync(file, openSealedBackup(bytes, PRIVATE_KEY));
    const copy = new Database(file, { readonly: true, fileMustExist: true });
    try {
      expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
      expect(verifyAudit(copy).broken).toEqual([]);
      const slugs = copy.prepare("select slug from guidelines order by slug").pluck().all();
      expect(slugs).toEqual(getDb().$client.prepare("select slug from guidelines order by slug").pluck().all());
      expect(slugs).toContain("imt-consensus");
      expect(count(copy, "ballots")).toBe(count(getDb().$client, "ballots"));
    } finally {
      copy.close();
    }
    const event = getDb().select().from(auditEvents).where(isNull(auditEvents.guidelineId)).all().at(-1)!;
    expect(event).toMatchObject({
      action: "backup.downloaded",
      actorId: admin.id,
      details: { filename: disposition.slice('attachment; filename="'.length, -1), audit: "ok" },
    });
  }, 60_000);

  test("a broken audit trail does not stop the download: the copy is faithful, and the event says so", async () => {
    const admin = getDb().select().from(users).where(eq(users.email, "admin@imt.example")).get()!;
    const sqlite = getDb().$client;
    const newest = sqlite.prepare("select * from audit_events where guideline_id is not null order by id desc limit 1").get() as
      (Record<string, unknown> & { id: number }) | undefined;
    sqlite.prepare("delete from audit_events where id = ?").run(newest!.id);
    try {
      const response = await download(await cookieFor(admin.id));
      expect(response.status).toBe(200);
      const file = join(dir, "downloaded-broken.sqlite");
      writeFileSync(file, openSealedBackup(Buffer.from(await response.arrayBuffer()), PRIVATE_KEY));
      expect(checkCopy(file)).toMatchObject({ integrity: "ok", audit: { broken: [expect.anything()] } });
      const event = getDb().select().from(auditEvents).where(isNull(auditEvents.guidelineId)).all().at(-1)!;
      expect(event.details).toMatchObject({ audit: "broken" });
    } finally {
      const columns = Object.keys(newest!);
      sqlite
        .prepare(`insert into audit_events (${columns.join(", ")}) values (${columns.map((c) => `@${c}`).join(", ")})`)
        .run(newest);
    }
    expect(verifyAudit(sqlite).broken).toEqual([]);
  }, 60_000);

  test("admins only: anyone else gets 403 and anonymous visitors go to log in, with no copy taken", async () => {
    const secretary = getDb().select().from(users).where(eq(users.email, "secretary@imt.example")).get()!;
    const events = count(getDb().$client, "audit_events");
    const refused = await download(await cookieFor(secretary.id));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: "Only instance administrators can open this page." });
    const anonymous = await download();
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toBe("/login?redirectTo=%2Fadmin%2Fbackup");
    expect(count(getDb().$client, "audit_events")).toBe(events);
  });
});
