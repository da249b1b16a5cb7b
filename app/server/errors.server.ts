import { LANGUAGES, type Language, type Translate } from "~/i18n";
import { english } from "~/locales/english";
import { formatUtc } from "~/time";
import { currentLanguage, translator } from "./i18n.server";

/**
 * Translates a refusal's key, or a part of it, in `language`: looked up in errors first, then in
 * any namespace (a module may keep its keys with its pages). Nothing in it is read as a nested
 * `$t(...)`: a key that is not one (a message with data in it) comes back as it is.
 */
function translate(language: Language, key: string, values?: Record<string, unknown>): string {
  return translator(language, "errors")(key, { ...values, nest: false }) as string;
}

/** A day shown without its time ("12 March 2026"), as a refusal's value. */
export type Day = { day: Date };

/** A phrase written in every language, as a refusal's value: see `inEach`. */
export type Localized = { [L in Language]: string };

/** A refusal's values: text and numbers as they are, moments and phrases in the reader's language. */
type Values = Record<string, string | number | Date | Day | Localized>;

/**
 * A phrase of a refusal written in each language, for the part of its message that is itself
 * translated, such as a plural: `inEach((t) => t("{{count}} members", { count }))`.
 */
export function inEach(write: (t: Translate) => string): Localized {
  return Object.fromEntries(
    LANGUAGES.map((language) => [language, write((key, values) => translate(language, key, values))]),
  ) as Localized;
}

function writtenValue(value: Values[string], language: Language): string | number {
  if (typeof value !== "object") return value;
  if (value instanceof Date) return formatUtc(value, false, language);
  if ("day" in value) return formatUtc(value.day, true, language);
  return value[language];
}

/** The values as the text in `language` shows them. */
function written(values: Values | undefined, language: Language): Record<string, string | number> | undefined {
  return values && Object.fromEntries(Object.entries(values).map(([name, value]) => [name, writtenValue(value, language)]));
}

/**
 * A request the domain refuses (nothing was changed): carries the HTTP status a route should
 * answer with and a message fit to show the person who asked. The message is a translation key
 * (English, with `{{placeholders}}` filled from `values`, plural with `count`); `message` is the
 * English text and `text()` the text in the request's language.
 */
export class Refusal extends Error {
  readonly key: string;
  constructor(
    key: string,
    readonly status: 400 | 403 | 404 | 409 | 410 | 422 = 409,
    readonly values?: Values,
  ) {
    super(english(key, { ...written(values, "en"), nest: false }));
    this.key = key;
    this.name = "Refusal";
  }

  /** The message in the current request's language. */
  text(): string {
    const language = currentLanguage();
    return translate(language, this.key, written(this.values, language));
  }
}

/** The one response a refusal becomes: its message as JSON `{ error }`, with its status. */
export function refusalResponse(refusal: Refusal, headers?: HeadersInit): Response {
  return Response.json({ error: refusal.text() }, { status: refusal.status, headers });
}

/** Runs a loader's read; a refusal is thrown as its response (the route's error page shows it). */
export function refusing<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof Refusal) throw refusalResponse(error);
    throw error;
  }
}
