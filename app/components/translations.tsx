import { Form, useLocation } from "@remix-run/react";
import { Fragment, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useNonce } from "./nonce";
import {
  DEFAULT_LANGUAGE,
  isLanguage,
  LANGUAGE_NAMES,
  LANGUAGE_TAGS,
  LANGUAGES,
  neededTranslations,
  type Language,
} from "~/i18n";

const BOOT_ID = "i18n-boot";

type Boot = { language: Language; resources: Record<string, Record<string, string>> };

/** The page's language and what it needs of its loaded namespaces, as inert JSON the browser reads before hydrating. */
export function BootTranslations() {
  const { i18n } = useTranslation();
  const language = useLanguage();
  const loaded = (i18n.store?.data[language] as Boot["resources"] | undefined) ?? {};
  const resources = Object.fromEntries(
    Object.entries(loaded).map(([namespace, entries]) => [namespace, neededTranslations(language, entries)]),
  );
  const boot: Boot = { language, resources };
  // "<" is escaped so no translation can close the script element.
  const json = JSON.stringify(boot).replace(/</g, "\\u003c");
  // Inert, but nonced like every inline script, so the policy holds without an exception.
  return (
    <script
      id={BOOT_ID}
      type="application/json"
      nonce={useNonce()}
      suppressHydrationWarning
      dangerouslySetInnerHTML={{ __html: json }}
    />
  );
}

export function readBootTranslations(document: Document): Boot {
  const text = document.getElementById(BOOT_ID)?.textContent;
  const boot = text ? (JSON.parse(text) as Partial<Boot>) : {};
  return { language: isLanguage(boot.language) ? boot.language : DEFAULT_LANGUAGE, resources: boot.resources ?? {} };
}

/** The interface language of this page. */
export function useLanguage(): Language {
  const { i18n } = useTranslation();
  return isLanguage(i18n.language) ? i18n.language : DEFAULT_LANGUAGE;
}

/** The BCP 47 tag of this page's language, for `Intl` and `lang` attributes. */
export function useLanguageTag(): string {
  return LANGUAGE_TAGS[useLanguage()];
}

/** Buttons to read the interface in the other language; a plain form, so it works without JavaScript. */
export function LanguageSwitcher() {
  const { t } = useTranslation();
  const current = useLanguage();
  const location = useLocation();
  return (
    <Form method="post" action="/language" className="language-switcher" aria-label={t("Language")}>
      <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
      {LANGUAGES.filter((language) => language !== current).map((language) => (
        <button
          key={language}
          type="submit"
          name="language"
          value={language}
          lang={LANGUAGE_TAGS[language]}
          className="button-link"
        >
          {LANGUAGE_NAMES[language]}
        </button>
      ))}
    </Form>
  );
}

/** The value to pass for a `{{placeholder}}` that `withElements` then replaces with an element (marked with private-use characters). */
export function slot(name: string): string {
  return `\uE000${name}\uE001`;
}

/** `slot` for several placeholders at once: `t("Closed {{when}}", slots("when"))`. */
export function slots<K extends string>(...names: K[]): Record<K, string> {
  return Object.fromEntries(names.map((name) => [name, slot(name)])) as Record<K, string>;
}

/**
 * A translated sentence with elements (a link, a date, code) where its slots were: the whole
 * sentence is one key, so a translation may put them wherever its grammar needs.
 * `withElements(t("It is listed under {{link}}.", { link: slot("link") }), { link: <Link … /> })`.
 */
export function withElements(text: string, elements: Record<string, ReactNode>): ReactNode {
  const parts = text.split(/\uE000(\w+)\uE001/);
  if (parts.length === 1) return text;
  return parts.map((part, i) => (i % 2 === 1 ? <Fragment key={i}>{elements[part]}</Fragment> : part));
}
