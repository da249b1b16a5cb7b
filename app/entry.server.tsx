import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { createInstance } from "i18next";
import { renderToPipeableStream } from "react-dom/server";
import { I18nextProvider, initReactI18next } from "react-i18next";
import { NonceProvider } from "~/components/nonce";
import { ALWAYS_LOADED, i18nOptions, type Namespace } from "~/i18n";
import { resources } from "~/locales/resources.server";
import { currentLanguage } from "~/server/i18n.server";
import { log } from "~/server/log.server";

export const ABORT_DELAY = 5_000;

/**
 * An error a loader or action threw (or a render failed with), as one log line with the request's
 * id: never the request's URL, which can hold a token. A request the client gave up on is not one.
 */
export function handleError(error: unknown, { request }: { request: Request }): void {
  if (request.signal.aborted) return;
  log().error({ err: error }, "request failed");
}

/**
 * Remix's default entry arms `setTimeout(abort, 5000)` per render and never clears it, so every
 * response keeps its whole render tree reachable for five seconds and memory climbs under load.
 * Here the timer is cleared as soon as the stream has finished, failed or been closed.
 */
/** The namespaces this page's routes name in `handle.i18n`, besides the ones every page has. */
function routeNamespaces(context: EntryContext): Namespace[] {
  const named = context.staticHandlerContext.matches.flatMap((match) => {
    const handle: unknown = context.routeModules[match.route.id]?.handle;
    const ns = handle && typeof handle === "object" && "i18n" in handle ? handle.i18n : [];
    return Array.isArray(ns) ? (ns as Namespace[]) : [];
  });
  return [...new Set([...ALWAYS_LOADED, ...named])];
}

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext = {},
) {
  const nonce = loadContext.cspNonce ?? "";
  const waitForAll = isbot(request.headers.get("user-agent") ?? "");
  // One instance per response, holding only this page's namespaces in its language: the root
  // layout hands exactly these to the browser, which hydrates with the same text.
  const language = currentLanguage();
  const ns = routeNamespaces(remixContext);
  const i18n = createInstance();
  await i18n.use(initReactI18next).init({
    ...i18nOptions,
    lng: language,
    ns,
    resources: { [language]: Object.fromEntries(ns.map((name) => [name, resources[language][name]])) },
    initImmediate: false,
  });
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = () => clearTimeout(timer);

    const { pipe, abort } = renderToPipeableStream(
      <I18nextProvider i18n={i18n}>
        <NonceProvider value={nonce}>
          <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} />
        </NonceProvider>
      </I18nextProvider>,
      {
        nonce,
        [waitForAll ? "onAllReady" : "onShellReady"]() {
          shellRendered = true;
          const body = new PassThrough();
          body.once("finish", done).once("close", done).once("error", done);
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          resolve(
            new Response(createReadableStreamFromReadable(body), {
              headers: responseHeaders,
              status: responseStatusCode,
            }),
          );
          pipe(body);
        },
        onShellError(error: unknown) {
          done();
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors while streaming after the shell are logged; those before it are handled by onShellError.
          if (shellRendered) log().error({ err: error }, "rendering a page failed");
        },
      },
    );
    timer = setTimeout(abort, ABORT_DELAY);
  });
}
