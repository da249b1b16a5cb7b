/**
 * The size limit on request bodies, enforced at the HTTP boundary before any route runs: from
 * Content-Length when the client declares one, and while streaming when it does not (chunked).
 * Every form of the app fits in far less; a consensus record (5 MiB) is imported by the CLI,
 * never over HTTP.
 */
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { Readable } from "node:stream";

export const BODY_LIMIT = 1024 * 1024;

const METHODS_WITHOUT_BODY = new Set(["GET", "HEAD", "OPTIONS"]);

export function mayHaveBody(method: string | undefined): boolean {
  return !METHODS_WITHOUT_BODY.has((method ?? "GET").toUpperCase());
}

/** Whether the client announces a body over the limit (or a Content-Length that is not a number). */
export function declaredTooLarge(headers: IncomingHttpHeaders, limit = BODY_LIMIT): boolean {
  const declared = headers["content-length"];
  if (declared === undefined) return false;
  return !/^\d+$/.test(declared) || Number(declared) > limit;
}

/** How much of a refused body is read and dropped so that the client gets the 413 (see refuseBody). */
const DRAIN_LIMIT = 8 * BODY_LIMIT;

/**
 * Answers 413. The rest of the body is read and dropped, up to DRAIN_LIMIT, without going
 * anywhere: closing a socket with unread data resets the connection, and the client would lose
 * the answer while still sending. A body announced (or grown) past that limit closes the
 * connection instead.
 */
export function refuseBody(req: Readable & { headers: IncomingHttpHeaders }, res: ServerResponse, limit = BODY_LIMIT): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const declared = req.headers["content-length"];
  const drain = declared === undefined || (/^\d+$/.test(declared) && Number(declared) <= DRAIN_LIMIT);
  if (drain) {
    let drained = 0;
    req.on("data", (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > DRAIN_LIMIT) req.destroy();
    });
    req.resume();
  }
  const body = JSON.stringify({ error: `The request body is larger than ${limit / (1024 * 1024)} MiB.` });
  res.writeHead(413, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
    ...(drain ? {} : { Connection: "close" }),
  });
  res.end(body);
}

/**
 * Reads a whole request body, up to the limit, before any route sees it: "too large" as soon
 * as it grows past the limit (the rest is left unread), null when the client went away.
 */
export function readBody(source: Readable, limit = BODY_LIMIT): Promise<Buffer | "too large" | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (result: Buffer | "too large" | null) => {
      source.off("data", onData).off("end", onEnd).off("error", onGone).off("close", onGone);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        source.pause();
        finish("too large");
      } else chunks.push(chunk);
    };
    const onEnd = () => finish(Buffer.concat(chunks, received));
    const onGone = () => finish(null);
    source.on("data", onData).once("end", onEnd).once("error", onGone).once("close", onGone);
  });
}
