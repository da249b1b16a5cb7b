/**
 * Express → Remix, as @remix-run/express does it, but with the request body read first, up to
 * the size limit: a body that grows past it while streaming is answered 413 before any route
 * runs, whatever the route would have done (a redirect to /login included). A Host header that
 * is not a host is a 400, not the adapter's 500.
 */
import { createRequestHandler, writeReadableStreamToWritable, type AppLoadContext, type ServerBuild } from "@remix-run/node";
import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from "express";
import { sessionCookie } from "./auth.server";
import { detectLanguage, withLanguage } from "./i18n.server";
import { mayHaveBody, readBody, refuseBody } from "./request-body.server";

function headersOf(req: ExpressRequest): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) value.forEach((v) => headers.append(name, v));
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

function urlOf(req: ExpressRequest): URL | null {
  try {
    const url = new URL(req.originalUrl, `${req.protocol}://${req.get("host") ?? "localhost"}`);
    return url.hostname ? url : null;
  } catch {
    return null;
  }
}

async function send(res: ExpressResponse, response: Response): Promise<void> {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [name, value] of response.headers.entries()) res.append(name, value);
  if (response.body) await writeReadableStreamToWritable(response.body, res);
  else res.end();
}

export function remixHandler(input: {
  build: ServerBuild;
  mode: string;
  getLoadContext: (req: ExpressRequest, res: ExpressResponse) => AppLoadContext;
}) {
  const handle = createRequestHandler(input.build, input.mode);
  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    const url = urlOf(req);
    if (!url) {
      res.status(400).type("text/plain").send("Bad Host header.\n");
      return;
    }
    const body = mayHaveBody(req.method) ? await readBody(req) : undefined;
    if (body === "too large") return refuseBody(req, res);
    if (body === null) return;
    const controller = new AbortController();
    // Abort loaders and actions once no response can be written (closed before finishing).
    res.on("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    const init: RequestInit = {
      method: req.method,
      headers: headersOf(req),
      signal: controller.signal,
      body: body && new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength),
    };
    try {
      const request = new Request(url.href, init);
      // Every loader, action and render of this request knows its language (i18n.server).
      const language = await detectLanguage(request, sessionCookie());
      await send(res, await withLanguage(language, () => handle(request, input.getLoadContext(req, res))));
    } catch (error) {
      next(error);
    }
  };
}
