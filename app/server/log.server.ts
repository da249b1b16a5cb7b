/**
 * The server's log: one JSON line per request and per significant event (pino), at LOG_LEVEL.
 * Lines carry ids, counts, routes and statuses — never passwords, tokens, cookies, ballots or
 * choices, nor e-mail bodies: callers pass only such fields, and `redact` drops the usual
 * suspects should one slip into a logged object. In development the lines are pretty-printed.
 */
import { pino, type Logger } from "pino";
import { env } from "./env.server";

const REDACT = [
  "password",
  "token",
  "cookie",
  "authorization",
  "choice",
  "answer",
  "comment",
  "body",
  "*.password",
  "*.token",
  "*.cookie",
  "*.authorization",
  "*.choice",
  "*.answer",
  "*.comment",
  "*.body",
  'headers["cookie"]',
  'headers["authorization"]',
];

let logger: Logger | undefined;

export function log(): Logger {
  if (!logger) {
    const config = env();
    logger = pino({
      level: config.LOG_LEVEL,
      base: { service: "delphi" },
      redact: { paths: REDACT, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      ...(config.NODE_ENV === "development" ? { transport: { target: "pino-pretty", options: { colorize: true } } } : {}),
    });
  }
  return logger;
}
