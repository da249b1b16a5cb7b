/**
 * The language of each request and the translations the server writes itself: refusals, mails,
 * exports. The page's own text is translated by React (entry.server.tsx) with the same resources.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { createCookie, type Cookie } from "@remix-run/node";
import { eq, sql } from "drizzle-orm";
import i18next, { type TFunction } from "i18next";
import { RemixI18Next } from "remix-i18next/server";
import { getDb, prepared } from "@db/client.server";
import { sessions, users } from "@db/schema";
import { DEFAULT_LANGUAGE, i18nOptions, languageOf, LANGUAGES, NAMESPACES, type Language, type Namespace } from "~/i18n";
import { resources } from "~/locales/resources.server";
import { zodMessagesIn } from "~/zod-config";
import { hashToken } from "./session-token";

/** A visitor's choice before (or without) an account: one year, readable by the server only. */
export const languageCookie = createCookie("lng", { path: "/", sameSite: "lax", httpOnly: true, maxAge: 365 * 24 * 3600 });

const translations = i18next.createInstance();
void translations.init({ ...i18nOptions, ns: [...NAMESPACES], resources, initImmediate: false });

const translators = new Map<string, TFunction>();

/**
 * A translator fixed to one language, looking in `ns` first and then in every other namespace:
 * the server holds them all, so text built from several areas (a rule inside a mail) is found.
 */
export function translator(language: Language, ns: Namespace = "errors"): TFunction {
  const key = `${language} ${ns}`;
  let fixed = translators.get(key);
  if (!fixed) {
    fixed = translations.getFixedT(language, [ns, ...NAMESPACES.filter((other) => other !== ns)]);
    translators.set(key, fixed);
  }
  return fixed;
}

/** The language a signed-in user saved, read without touching the session (auth renews it). */
async function savedLanguage(request: Request, session: Cookie): Promise<string | null> {
  const cookies = request.headers.get("Cookie");
  if (!cookies?.includes(`${session.name}=`)) return null;
  const token: unknown = await session.parse(cookies);
  if (typeof token !== "string" || !token) return null;
  return localeOfSession(getDb()).get({ id: hashToken(token) })?.locale ?? null;
}

const localeOfSession = prepared((db) =>
  db
    .select({ locale: users.locale })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, sql.placeholder("id")))
    .prepare(),
);

/** The account's saved language, else the visitor's cookie, else Accept-Language, else English: one detector per session cookie. */
const detectors = new WeakMap<Cookie, RemixI18Next>();
function languageDetector(session: Cookie): RemixI18Next {
  let detector = detectors.get(session);
  if (!detector) {
    detector = new RemixI18Next({
      detection: {
        supportedLanguages: [...LANGUAGES],
        fallbackLanguage: DEFAULT_LANGUAGE,
        cookie: languageCookie,
        order: ["custom", "cookie", "header"],
        findLocale: (request) => savedLanguage(request, session),
      },
    });
    detectors.set(session, detector);
  }
  return detector;
}

const requestLanguage = new AsyncLocalStorage<Language>();
zodMessagesIn(currentLanguage);

/** Runs one request's handling with its language known to every server module it reaches. */
export function withLanguage<T>(language: Language, run: () => T): T {
  return requestLanguage.run(language, run);
}

/** The current request's language; English outside a request (the CLI, tests calling functions). */
export function currentLanguage(): Language {
  return requestLanguage.getStore() ?? DEFAULT_LANGUAGE;
}

/** Translates a key in the current request's language. */
export function tr(key: string, values?: Record<string, unknown>, ns: Namespace = "errors"): string {
  return translator(currentLanguage(), ns)(key, values ?? {}) as string;
}

/** The detected language, as one of ours. */
export async function detectLanguage(request: Request, session: Cookie): Promise<Language> {
  return languageOf(await languageDetector(session).getLocale(request)) ?? DEFAULT_LANGUAGE;
}
