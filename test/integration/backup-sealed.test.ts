/**
 * A web backup needs the operator's key: without BACKUP_PUBLIC_KEY the download is refused (the
 * copy names who cast every ballot). The operator opens a sealed backup with the CLI.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, test } from "vitest";
import { getDb } from "@db/client.server";
import { action as backupAction } from "~/routes/admin.backup";
import { sealBackup } from "~/server/backup-crypto.server";
import { runCli } from "../support/cli";
import { createUser } from "../support/factories";
import { cookieFor, formRequest, respond } from "../support/requests";

const dir = mkdtempSync(join(tmpdir(), "delphi-sealed-"));

describe("backups downloaded from /admin", () => {
  test("are refused with the reason while BACKUP_PUBLIC_KEY is not set, and nothing is audited", async () => {
    expect(process.env.BACKUP_PUBLIC_KEY).toBeUndefined();
    const admin = await createUser(getDb(), { email: "root@example.org", name: "Root", isAdmin: true });
    const cookie = await cookieFor(admin.id);
    const events = getDb().$client.prepare("select count(*) from audit_events").pluck().get();
    const response = await respond(() =>
      backupAction({ request: formRequest("/admin/backup", {}, { cookie }), params: {}, context: {} }),
    );
    expect(response.status).toBe(409);
    expect((await response.json()).error).toMatch(
      /^Backups are downloaded sealed to the operator's public key, and BACKUP_PUBLIC_KEY is not set/,
    );
    expect(getDb().$client.prepare("select count(*) from audit_events").pluck().get()).toBe(events);
  });

  test("the operator opens a sealed backup with backup:open and the private key; a wrong key or an existing file is refused", () => {
    const plain = join(dir, "plain.sqlite");
    const db = new Database(plain);
    db.exec("create table t (x); insert into t values (42);");
    db.close();
    const operator = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const privatePem = join(dir, "operator.pem");
    writeFileSync(privatePem, operator.privateKey.export({ type: "pkcs8", format: "pem" }));
    const sealed = join(dir, "backup.sqlite.sealed");
    writeFileSync(sealed, sealBackup(readFileSync(plain), operator.publicKey));

    const opened = join(dir, "opened.sqlite");
    const ok = runCli(["backup:open", sealed, opened, "--key", privatePem]);
    expect(ok.status).toBe(0);
    expect(readFileSync(opened)).toEqual(readFileSync(plain));

    expect(runCli(["backup:open", sealed, opened, "--key", privatePem])).toMatchObject({
      status: 1,
      stderr: expect.stringContaining("already exists"),
    });
    const wrongPem = join(dir, "wrong.pem");
    writeFileSync(
      wrongPem,
      generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }),
    );
    expect(runCli(["backup:open", sealed, join(dir, "never.sqlite"), "--key", wrongPem])).toMatchObject({
      status: 1,
      stderr: expect.stringContaining("cannot be opened with this key"),
    });
  }, 60_000);
});
