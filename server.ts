import * as build from "@remix-run/dev/server-build";
import type { AppLoadContext } from "@remix-run/node";
import express from "express";
import { createServer } from "node:http";
import type { Duplex } from "node:stream";
import { setFlagsFromString } from "node:v8";
import { fileURLToPath } from "node:url";
import { getDb } from "./db/client.server";
import { startBackupSchedule } from "./app/server/backup-schedule.server";
import { isCrossSiteWrite } from "./app/server/cross-site";
import { EnvError, env, servedOverHttps } from "./app/server/env.server";
import { healthChecks } from "./app/server/health.server";
import { flushLog, log } from "./app/server/log.server";
import { deliverOutbox, startMailDelivery } from "./app/server/mail.server";
import { publishedVersions } from "./app/server/published-fast-path.server";
import { dataSecurityHeaders, newNonce, securityHeaders } from "./app/server/security-headers";
import { parseVersionParam, setResponse } from "./app/server/public-api.server";
import { remixHandler } from "./app/server/remix-handler.server";
import { requestLogging } from "./app/server/request-log.server";
import { declaredTooLarge, mayHaveBody, refuseBody } from "./app/server/request-body.server";
import { freezeLegacyVerdicts } from "./app/server/results.server";
import { recordRunning } from "./app/server/running.server";
import { sendDueReminders } from "./app/server/reminders.server";
import { closeOverdueRounds } from "./app/server/rounds.server";

/**
 * Rounds close themselves at their deadline, then scheduled reminders of the rounds still open
 * go out; a failure is logged and retried on the next tick.
 */
function tick() {
  try {
    for (const id of closeOverdueRounds(getDb())) log().info({ round: id }, "round closed at its deadline");
  } catch (error) {
    log().error({ err: error }, "closing overdue rounds failed");
  }
  try {
    const sent = sendDueReminders(getDb());
    for (const s of sent) {
      log().info({ round: s.roundId, hoursBefore: s.hoursBefore, recipients: s.recipients }, "scheduled reminder queued");
    }
    if (sent.some((s) => s.recipients > 0)) void deliverOutbox();
  } catch (error) {
    log().error({ err: error }, "sending scheduled reminders failed");
  }
}

/**
 * V8 lets the old generation grow to about four times what was live after the last full GC
 * when collecting is cheap, and a burst of ballots promotes many short-lived request objects:
 * at 1,000 ballots a second the process held 310 MB for 60 MB of live objects. Growing it by
 * half at most keeps it near 190 MB at the same throughput (issue 15's bench). Read at every
 * full GC, so setting it here, before the first request, applies to however the server starts.
 */
setFlagsFromString("--heap-growing-percent=50");

function start() {
  const config = env();
  recordRunning(config.DATABASE_PATH);
  startBackupSchedule(getDb(), config);
  const legacy = freezeLegacyVerdicts(getDb());
  if (legacy) log().info({ results: legacy }, "froze the verdicts of round results closed before verdicts were frozen whole");
  startMailDelivery();

  const app = express();
  app.disable("x-powered-by");
  // Before anything else: a body announced over the limit is refused unread.
  app.use((req, res, next) => {
    if (mayHaveBody(req.method) && declaredTooLarge(req.headers)) return refuseBody(req, res);
    next();
  });
  app.use((_req, res, next) => {
    const nonce = newNonce();
    res.locals.cspNonce = nonce;
    res.set(securityHeaders(nonce, servedOverHttps(config)));
    next();
  });
  // build/index.js sits beside public/, wherever the server is started from.
  const publicDir = fileURLToPath(new URL("../public", import.meta.url));
  app.use("/build", express.static(`${publicDir}/build`, { immutable: true, maxAge: "1y" }));
  app.use(express.static(publicDir, { maxAge: "1h" }));

  app.use((req, res, next) => {
    const headers = new Headers();
    for (const name of ["origin", "sec-fetch-site"]) {
      const value = req.get(name);
      if (value) headers.set(name, value);
    }
    if (isCrossSiteWrite(req.method, headers, req.get("host") ?? null)) {
      res.status(403).type("text/plain").send("Cross-site request refused.\n");
      return;
    }
    next();
  });

  // Published versions are what other tools poll: answered here, without Remix's routing, by
  // the same function as the API route (and from memory once read: a numbered version never changes).
  app.get("/api/guidelines/:slug/versions/:version", async (req, res, next) => {
    const wanted = parseVersionParam(req.params.version);
    if (!wanted) return next();
    const request = new Request(new URL(req.originalUrl, "http://localhost"), {
      headers: req.get("if-none-match") ? { "If-None-Match": req.get("if-none-match")! } : {},
    });
    const response = await setResponse(getDb(), request, req.params.slug, wanted);
    res.status(response.status);
    response.headers.forEach((value, name) => res.setHeader(name, value));
    res.end(Buffer.from(await response.arrayBuffer()));
  });

  app.all(
    "*",
    remixHandler({
      build,
      mode: config.NODE_ENV,
      getLoadContext: (req, res): AppLoadContext => ({
        cspNonce: String(res.locals.cspNonce),
        clientAddress: req.ip ?? "unknown",
      }),
    }),
  );

  // Health checks, then a numbered version's JSON and CSV (and their 304s), are answered before
  // Express; every request is logged, whoever answers it.
  const health = healthChecks(getDb, { databasePath: config.DATABASE_PATH, outboxLimit: config.OUTBOX_BACKLOG });
  const published = publishedVersions(getDb, dataSecurityHeaders(servedOverHttps(config)));
  const logged = requestLogging(build.routes);
  const server = createServer((req, res) => {
    logged(req, res, () => {
      if (!health(req, res) && !published(req, res)) app(req, res);
    });
  });
  server.listen(config.PORT, () => {
    log().info({ port: config.PORT }, `Delphi consensus listening on http://localhost:${config.PORT}`);
    tick();
    setInterval(tick, 30_000).unref();
  });
  // What Node's parser refuses (a URL or headers over its 16 KiB, a malformed request) gets a
  // reason, not the bare status line Node writes by default.
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === "ECONNRESET" || !socket.writable) return socket.destroy();
    const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
    const body = tooLarge ? "The request's URL or headers are too large.\n" : "The request could not be read.\n";
    socket.end(
      `HTTP/1.1 ${tooLarge ? "431 Request Header Fields Too Large" : "400 Bad Request"}\r\n` +
        `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  const stop = () => server.close(() => flushLog(() => process.exit(0)));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

try {
  start();
} catch (error) {
  if (error instanceof EnvError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
