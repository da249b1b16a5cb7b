import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { EnvError, parseEnv } from "~/server/env.server";

describe("environment", () => {
  test("defaults", () => {
    expect(parseEnv({})).toEqual({
      NODE_ENV: "development",
      PORT: 3000,
      DATABASE_PATH: "data/delphi.sqlite",
      SESSION_IDLE_HOURS: 72,
      SESSION_MAX_DAYS: 14,
      MAIL_FROM: "Delphi consensus <no-reply@localhost>",
      OUTBOX_BACKLOG: 100,
      BACKUP_KEEP: 7,
      LOG_LEVEL: "info",
    });
  });

  test("a bad value names every bad variable and why", () => {
    expect(() => parseEnv({ PORT: "http", SESSION_IDLE_HOURS: "-1", SMTP_URL: "mail.example" })).toThrow(EnvError);
    try {
      parseEnv({ PORT: "70000", SESSION_IDLE_HOURS: "-1", SMTP_URL: "mail.example", NODE_ENV: "prod" });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain("PORT: must be between 1 and 65535");
      expect(message).toContain("SESSION_IDLE_HOURS: must be greater than 0");
      expect(message).toContain("SMTP_URL:");
      expect(message).toContain("NODE_ENV:");
    }
  });

  test("LOG_LEVEL is one of pino's levels and OUTBOX_BACKLOG a whole number from 1, each named when wrong", () => {
    expect(parseEnv({})).toMatchObject({ LOG_LEVEL: "info", OUTBOX_BACKLOG: 100 });
    expect(parseEnv({ LOG_LEVEL: "debug", OUTBOX_BACKLOG: "5" })).toMatchObject({ LOG_LEVEL: "debug", OUTBOX_BACKLOG: 5 });
    expect(() => parseEnv({ LOG_LEVEL: "loud" })).toThrow(
      "LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent",
    );
    expect(() => parseEnv({ OUTBOX_BACKLOG: "0" })).toThrow("OUTBOX_BACKLOG: must be at least 1");
    expect(() => parseEnv({ OUTBOX_BACKLOG: "2.5" })).toThrow("OUTBOX_BACKLOG: must be a whole number");
  });

  test("an idle timeout longer than the absolute one is refused", () => {
    expect(() => parseEnv({ SESSION_IDLE_HOURS: "400", SESSION_MAX_DAYS: "14" })).toThrow(/SESSION_IDLE_HOURS/);
  });

  test("an empty variable counts as unset", () => {
    expect(parseEnv({ PORT: "" }).PORT).toBe(3000);
  });

  test("BACKUP_PUBLIC_KEY must name a readable RSA public key, checked at start", () => {
    const dir = mkdtempSync(join(tmpdir(), "delphi-env-"));
    const good = join(dir, "operator.pub.pem");
    writeFileSync(good, generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "pem" }));
    const notRsa = join(dir, "ed25519.pub.pem");
    writeFileSync(notRsa, generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }));
    const garbage = join(dir, "garbage.pem");
    writeFileSync(garbage, "not a key");
    expect(parseEnv({ BACKUP_PUBLIC_KEY: good }).BACKUP_PUBLIC_KEY).toBe(good);
    for (const bad of [join(dir, "missing.pem"), notRsa, garbage]) {
      expect(() => parseEnv({ BACKUP_PUBLIC_KEY: bad })).toThrow(
        "BACKUP_PUBLIC_KEY: must be the path of a readable PEM public key (RSA)",
      );
    }
  });

  test("scheduled backups: BACKUP_DIR an existing directory, BACKUP_EVERY_HOURS a positive number, BACKUP_KEEP a whole number from 1, the first two together", () => {
    const dir = mkdtempSync(join(tmpdir(), "delphi-env-"));
    expect(parseEnv({ BACKUP_DIR: dir, BACKUP_EVERY_HOURS: "0.0005", BACKUP_KEEP: "3" })).toMatchObject({
      BACKUP_DIR: dir,
      BACKUP_EVERY_HOURS: 0.0005,
      BACKUP_KEEP: 3,
    });
    expect(parseEnv({ BACKUP_DIR: dir, BACKUP_EVERY_HOURS: "24" }).BACKUP_KEEP).toBe(7);
    const file = join(dir, "a-file");
    writeFileSync(file, "");
    const refusals: [Record<string, string>, string][] = [
      [{ BACKUP_DIR: dir, BACKUP_EVERY_HOURS: "daily" }, "BACKUP_EVERY_HOURS: must be a number"],
      [{ BACKUP_DIR: dir, BACKUP_EVERY_HOURS: "0" }, "BACKUP_EVERY_HOURS: must be greater than 0"],
      [{ BACKUP_DIR: dir, BACKUP_EVERY_HOURS: "-2" }, "BACKUP_EVERY_HOURS: must be greater than 0"],
      [{ BACKUP_DIR: dir, BACKUP_EVERY_HOURS: "24", BACKUP_KEEP: "2.5" }, "BACKUP_KEEP: must be a whole number"],
      [{ BACKUP_DIR: dir, BACKUP_EVERY_HOURS: "24", BACKUP_KEEP: "0" }, "BACKUP_KEEP: must be at least 1"],
      [{ BACKUP_DIR: dir, BACKUP_EVERY_HOURS: "24", BACKUP_KEEP: "all" }, "BACKUP_KEEP: must be a number"],
      [
        { BACKUP_DIR: join(dir, "missing"), BACKUP_EVERY_HOURS: "24" },
        "BACKUP_DIR: must be an existing directory the server may write to",
      ],
      [{ BACKUP_DIR: file, BACKUP_EVERY_HOURS: "24" }, "BACKUP_DIR: must be an existing directory the server may write to"],
      [{ BACKUP_DIR: dir }, "BACKUP_DIR, BACKUP_EVERY_HOURS: scheduled backups need both (or neither)"],
      [{ BACKUP_EVERY_HOURS: "24" }, "BACKUP_DIR, BACKUP_EVERY_HOURS: scheduled backups need both (or neither)"],
    ];
    for (const [source, message] of refusals) {
      expect(() => parseEnv(source)).toThrow(EnvError);
      expect(() => parseEnv(source)).toThrow(`Invalid environment:\n  ${message}`);
    }
  });
});
