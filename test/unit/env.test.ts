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
});
