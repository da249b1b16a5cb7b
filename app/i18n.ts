/**
 * The interface's languages and the i18next options shared by the server and the browser.
 *
 * Keys are the English text itself (gettext style): `t("Log out")`, `t("{{count}} members", { count })`.
 * English resources hold every key (identical text, or the plural forms); Chinese resources hold
 * the translation of every key. `npm run i18n:check` and the test suite fail on any key used in
 * the code but missing in either language.
 */
import type { InitOptions } from "i18next";

export const LANGUAGES = ["en", "zh"] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = "en";

/** The names a switcher shows, each in its own language. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: "English", zh: "中文" };

/** The BCP 47 tag for `<html lang>`, `lang` attributes and `Intl`: Simplified Chinese is zh-Hans. */
export const LANGUAGE_TAGS: Record<Language, string> = { en: "en", zh: "zh-Hans" };

/**
 * Namespaces, one per area of the product. `common` and `errors` are on every page; a route
 * names the others it needs in `handle.i18n`.
 */
export const NAMESPACES = [
  "common",
  "errors",
  "panelist",
  "rounds",
  "panel",
  "admin",
  "statements",
  "settings",
  "rules",
  "publication",
  "mail",
] as const;
export type Namespace = (typeof NAMESPACES)[number];
export const ALWAYS_LOADED: Namespace[] = ["common", "errors"];

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

/** The language a stored or requested tag means: "zh-CN", "zh-Hans" and "zh" are Chinese. */
export function languageOf(tag: string | null | undefined): Language | null {
  if (!tag) return null;
  const primary = tag.toLowerCase().split(/[-_]/)[0];
  return isLanguage(primary) ? primary : null;
}

export const i18nOptions = {
  supportedLngs: [...LANGUAGES],
  fallbackLng: DEFAULT_LANGUAGE,
  defaultNS: "common",
  fallbackNS: ["common", "errors"],
  keySeparator: false,
  nsSeparator: false,
  returnEmptyString: false,
  interpolation: { escapeValue: false },
  // useTranslation(["publication", "rules"]) looks in both, in that order, not in the first only.
  react: { nsMode: "fallback" },
} satisfies InitOptions;

/** Marks a string as a translation key where it is defined (a schema's message, a refusal) and translated later. */
export function msg<T extends string>(key: T): T {
  return key;
}

/** A route's `handle` naming the namespaces its page needs besides `common` and `errors`. */
export function namespaces(...ns: Namespace[]): { i18n: Namespace[] } {
  return { i18n: ns };
}

/** A translate function as pure modules take it: i18next's `t`, or `english` by default. */
export type Translate = (key: string, values?: Record<string, unknown>) => string;

/**
 * What a browser needs of a namespace's translations. The keys are the English text, so in
 * English only the entries that differ from their key (the plural forms) are needed: i18next
 * answers a missing key with the key itself, interpolated.
 */
export function neededTranslations(language: Language, entries: Record<string, string>): Record<string, string> {
  if (language !== DEFAULT_LANGUAGE) return entries;
  return Object.fromEntries(Object.entries(entries).filter(([key, value]) => key !== value));
}
