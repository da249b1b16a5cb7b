import { createPublicKey } from "node:crypto";
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { z } from "zod";

/** Whether `path` holds an RSA public key in PEM: checked at start, so a download never meets a missing key. */
function isPublicKeyFile(path: string): boolean {
  try {
    return createPublicKey(readFileSync(path, "utf8")).asymmetricKeyType === "rsa";
  } catch {
    return false;
  }
}

/** Whether `path` is a directory this process may write backups into: checked at start, not at the first backup. */
function isWritableDirectory(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const positiveNumber = (fallback: number) =>
  z.coerce.number({ error: "must be a number" }).positive("must be greater than 0").default(fallback);

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be between 1 and 65535")
    .max(65535, "must be between 1 and 65535")
    .default(3000),
  DATABASE_PATH: z.string().trim().min(1, "must not be empty").default("data/delphi.sqlite"),
  /** A session ends after this many hours without a request. */
  SESSION_IDLE_HOURS: positiveNumber(72),
  /** A session ends this many days after login, however active. */
  SESSION_MAX_DAYS: positiveNumber(14),
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: "must be an smtp:// or smtps:// URL" }).optional(),
  /** Sender of invitation and reminder mails. */
  MAIL_FROM: z
    .string()
    .trim()
    .min(3, "must be an address such as Delphi <delphi@example.org>")
    .default("Delphi consensus <no-reply@localhost>"),
  /** The address people reach the app at, for links in mails and the JSON Schema's `$id`; defaults to the address of the request. */
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional(),
  /** The operator's RSA public key (a PEM file) that backups downloaded from /admin are sealed to; without it they are refused. */
  BACKUP_PUBLIC_KEY: z.string().trim().refine(isPublicKeyFile, "must be the path of a readable PEM public key (RSA)").optional(),
  /** /readyz turns unready when this many mails or more wait in the outbox. */
  OUTBOX_BACKLOG: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .default(100),
  /** Where the server keeps its scheduled backups (app/server/backup-schedule.server.ts); with BACKUP_EVERY_HOURS. */
  BACKUP_DIR: z.string().trim().refine(isWritableDirectory, "must be an existing directory the server may write to").optional(),
  /** How often the server takes a backup into BACKUP_DIR; fractions of an hour too. */
  BACKUP_EVERY_HOURS: z.coerce.number({ error: "must be a number" }).positive("must be greater than 0").optional(),
  /** How many of the newest scheduled backups are kept. */
  BACKUP_KEEP: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .default(7),
  /** How much the server logs (app/server/log.server.ts): one JSON line per request at info. */
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      error: "must be one of fatal, error, warn, info, debug, trace, silent",
    })
    .default("info"),
});

export type Env = z.infer<typeof EnvSchema>;

export class EnvError extends Error {}

/** Parses the environment once; a bad value names the variable and why. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = EnvSchema.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new EnvError(`Invalid environment:\n${lines.join("\n")}`);
  }
  if (result.data.SESSION_IDLE_HOURS > result.data.SESSION_MAX_DAYS * 24) {
    throw new EnvError("Invalid environment:\n  SESSION_IDLE_HOURS: must not exceed SESSION_MAX_DAYS × 24");
  }
  if ((result.data.BACKUP_DIR === undefined) !== (result.data.BACKUP_EVERY_HOURS === undefined)) {
    throw new EnvError("Invalid environment:\n  BACKUP_DIR, BACKUP_EVERY_HOURS: scheduled backups need both (or neither)");
  }
  return result.data;
}

/**
 * Whether people reach the app over HTTPS, which makes the session cookie `Secure` (and
 * `__Host-`) and sends HSTS: what PUBLIC_URL says when it is set, else production means yes.
 * The demo runs in production mode on http://localhost and sets PUBLIC_URL to say so.
 */
export function servedOverHttps(config: Pick<Env, "NODE_ENV" | "PUBLIC_URL">): boolean {
  return config.PUBLIC_URL ? config.PUBLIC_URL.startsWith("https:") : config.NODE_ENV === "production";
}

let cached: Env | undefined;

export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** This instance's own base URL, for links in mails and the JSON Schema's `$id`: PUBLIC_URL, or the origin the request came to. */
export function publicOrigin(request: Request): string {
  return env().PUBLIC_URL?.replace(/\/$/, "") ?? new URL(request.url).origin;
}
