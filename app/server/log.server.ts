/**
 * The server's log: one JSON line per request and per significant event (pino), at LOG_LEVEL.
 * Lines carry ids, counts, routes and statuses — never passwords, tokens, cookies, ballots or
 * choices, nor e-mail bodies: callers pass only such fields, and `redact` drops the usual
 * suspects should one slip into a logged object. In development the lines are pretty-printed.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { pino, type Logger } from "pino";
import { env } from "./env.server";

// Top-level names only: wildcard paths made redaction a sixth of the server's time at 20,000
// requests a second (issue 15's bench), and callers log flat objects of chosen fields.
const REDACT = ["password", "token", "cookie", "authorization", "choice", "answer", "comment", "body", "headers"];

/** The request being handled (request-log.server.ts): every line logged meanwhile carries its id. */
export type RequestState = { id: string; userId: string | null; route: string | null };

const current = new AsyncLocalStorage<RequestState>();

export function inRequest(state: RequestState, handle: () => void): void {
  current.run(state, handle);
}

/** Who the request is from, once the session says so. */
export function noteUser(userId: string): void {
  const state = current.getStore();
  if (state) state.userId = userId;
}

/** What answered the request when it was not a Remix route (the published fast path, health). */
export function noteRoute(route: string): void {
  const state = current.getStore();
  if (state) state.route = route;
}

let logger: Logger | undefined;

export function log(): Logger {
  if (!logger) {
    const config = env();
    logger = pino(
      {
        level: config.LOG_LEVEL,
        base: { service: "delphi" },
        redact: { paths: REDACT, censor: "[redacted]" },
        timestamp: pino.stdTimeFunctions.isoTime,
        mixin: () => {
          const state = current.getStore();
          return state ? { req_id: state.id } : {};
        },
        ...(config.NODE_ENV === "development" ? { transport: { target: "pino-pretty", options: { colorize: true } } } : {}),
      },
      config.NODE_ENV === "development" ? undefined : pino.destination({ sync: false }),
    );
  }
  return logger;
}

/** Writes what is buffered, then calls `done` (before the process exits). */
export function flushLog(done: () => void): void {
  if (!logger) return done();
  logger.flush(() => done());
}
