/**
 * A statement's fields in the guideline's other languages, on the new and edit forms: its text
 * and rationale per language, marked when the translation was written for an earlier wording.
 * Plain named fields (translation.zh.text), read on the server by readTranslations.
 */
import { useTranslation } from "react-i18next";
import { translationField } from "~/server/statement-form";
import { useErrorText } from "./form";
import { langTag, ownName } from "./statement-text";

export type TranslationValue = { language: string; text: string; rationale: string; confirmed: boolean };

export function TranslationFieldInputs({
  languages,
  current,
  errors,
}: {
  languages: string[];
  current: TranslationValue[];
  errors?: Record<string, string[] | null>;
}) {
  const { t } = useTranslation("statements");
  const errorText = useErrorText();
  return (
    <>
      {languages.map((language) => {
        const value = current.find((c) => c.language === language);
        const name = ownName(language);
        return (
          <fieldset key={language} className="stmt-translation">
            <legend>{t("In {{language}}", { language: name })}</legend>
            {value && !value.confirmed ? (
              <p className="notice notice-locked">
                {t("Written for an earlier wording: revise it, or confirm below that it still says the same.")}
              </p>
            ) : null}
            {(["text", "rationale"] as const).map((part) => {
              const field = translationField(language, part);
              const id = `translation-${language}-${part}`;
              const problems = errors?.[field];
              return (
                <div className="field" key={part}>
                  <label htmlFor={id}>{part === "text" ? t("Statement") : t("Rationale and evidence summary")}</label>
                  <textarea
                    id={id}
                    name={field}
                    lang={langTag(language)}
                    rows={part === "text" ? 4 : 3}
                    defaultValue={value?.[part] ?? ""}
                    aria-invalid={problems ? true : undefined}
                    aria-describedby={problems ? `${id}-error` : undefined}
                  />
                  {problems ? (
                    <p className="field-error" id={`${id}-error`}>
                      {problems.map(errorText).join(" ")}
                    </p>
                  ) : null}
                </div>
              );
            })}
          </fieldset>
        );
      })}
    </>
  );
}
