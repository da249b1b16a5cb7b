/**
 * A statement as a reader sees it in a bilingual guideline: in the reader's interface language
 * when the statement has a translation into it, else in the authoritative language; the other
 * languages a click away (a `<details>`, so it works without JavaScript). Every text carries its
 * `lang`, so screen readers and fonts treat Chinese and English each as what it is.
 */
import { LANGUAGE_TAGS, languageOf } from "~/i18n";
import { useLanguage } from "./translations";

export type Worded = { text: string; rationale?: string };
export type Translated = Worded & { translations?: ({ language: string } & Worded)[] };

/** The tag for a `lang` attribute: Chinese as Simplified (zh-Hans), anything else as stored. */
export function langTag(language: string): string {
  const known = languageOf(language);
  return known && language === known ? LANGUAGE_TAGS[known] : language;
}

/** A language's name in that language: "English", "中文", "français". */
export function ownName(language: string): string {
  try {
    return new Intl.DisplayNames([langTag(language)], { type: "language" }).of(langTag(language)) ?? language;
  } catch {
    return language;
  }
}

export type Reading = { language: string; text: string; rationale: string };

/** The version to show first, and the others, for a reader of `reader`'s language. */
export function readings(statement: Translated, authoritative: string, reader: string): { first: Reading; others: Reading[] } {
  const all: Reading[] = [
    { language: authoritative, text: statement.text, rationale: statement.rationale ?? "" },
    ...(statement.translations ?? []).map((t) => ({ language: t.language, text: t.text, rationale: t.rationale ?? "" })),
  ];
  const index = Math.max(
    0,
    all.findIndex((r) => languageOf(r.language) === reader),
  );
  return { first: all[index]!, others: all.filter((_, i) => i !== index) };
}

/** The reader's version of a statement: which one, and the rest for `OtherLanguages`. */
export function useReading(statement: Translated, authoritative: string) {
  return readings(statement, authoritative, useLanguage());
}

/** The `lang` attribute for text in `language` on this page: none when it is the page's own. */
export function useLangAttribute(language: string): string | undefined {
  return languageOf(language) === useLanguage() ? undefined : langTag(language);
}

/** The statement in its other languages, each behind its own name. */
export function OtherLanguages({ others, withRationale = false }: { others: Reading[]; withRationale?: boolean }) {
  return (
    <>
      {others.map((other) => (
        <details key={other.language} className="other-language" lang={langTag(other.language)}>
          <summary>{ownName(other.language)}</summary>
          <p className="statement-text">{other.text}</p>
          {withRationale && other.rationale ? <p className="muted">{other.rationale}</p> : null}
        </details>
      ))}
    </>
  );
}
