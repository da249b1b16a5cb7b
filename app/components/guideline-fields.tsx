import { getInputProps, getTextareaProps, type FieldMetadata } from "@conform-to/react";
import { useTranslation } from "react-i18next";
import { ANONYMITY } from "~/consensus/anonymity";
import { msg } from "~/i18n";
import { Field, useErrorText } from "./form";

type TextField = FieldMetadata<string | null | undefined, Record<string, unknown>, string[]>;

/** What each anonymity means, in English: translation keys (show them with `t(ANONYMITY_HELP[anonymity])`). */
export const ANONYMITY_HELP = {
  anonymous: msg(
    "Nobody sees who chose what, nor any count before a round closes; secretaries see who has responded, to remind them.",
  ),
  named: msg("Secretaries can see each panelist's ballots; panelists still never see each other's."),
} as const;

/** Each anonymity's name, in English: translation keys. */
export const ANONYMITY_LABEL = { anonymous: msg("Anonymous"), named: msg("Named") } as const;

/**
 * A guideline's descriptive fields (app/server/guideline-form.ts), as on the admin's "new
 * guideline" form and the settings page.
 */
export function GuidelineFieldInputs({
  fields,
}: {
  fields: {
    title: TextField;
    description: TextField;
    language: TextField;
    translations: TextField;
    registration: TextField;
    source: TextField;
  };
}) {
  const { t } = useTranslation("settings");
  return (
    <>
      <Field id={fields.title.id} label={t("Title")} errorId={fields.title.errorId} errors={fields.title.errors}>
        <input {...getInputProps(fields.title, { type: "text" })} />
      </Field>
      <Field
        id={fields.description.id}
        label={t("Description (optional)")}
        errorId={fields.description.errorId}
        errors={fields.description.errors}
      >
        <textarea {...getTextareaProps(fields.description)} rows={4} />
      </Field>
      <Field
        id={fields.language.id}
        label={t("Language (e.g. en, fr, pt-BR)")}
        errorId={fields.language.errorId}
        errors={fields.language.errors}
      >
        <input {...getInputProps(fields.language, { type: "text" })} autoComplete="off" />
      </Field>
      <Field
        id={fields.translations.id}
        label={t("Other languages the statements are translated into (optional, e.g. zh)")}
        errorId={fields.translations.errorId}
        errors={fields.translations.errors}
      >
        <input {...getInputProps(fields.translations, { type: "text" })} autoComplete="off" />
      </Field>
      <Field
        id={fields.registration.id}
        label={t("Registration (optional: a registry number, e.g. PREPARE-2024CN902)")}
        errorId={fields.registration.errorId}
        errors={fields.registration.errors}
      >
        <input {...getInputProps(fields.registration, { type: "text" })} autoComplete="off" />
      </Field>
      <Field
        id={fields.source.id}
        label={t("Source (optional: where the consensus is published)")}
        errorId={fields.source.errorId}
        errors={fields.source.errors}
      >
        <textarea {...getTextareaProps(fields.source)} rows={2} />
      </Field>
    </>
  );
}

/** Anonymous or named, each with what it means for who sees what. */
export function AnonymityChoice({ field }: { field: TextField }) {
  const { t } = useTranslation("settings");
  const errorText = useErrorText();
  const invalid = Boolean(field.errors?.length);
  return (
    <fieldset className="choices" aria-describedby={invalid ? field.errorId : undefined}>
      <legend>{t("Anonymity")}</legend>
      {ANONYMITY.map((anonymity) => (
        <label key={anonymity} className="choice">
          <input type="radio" name={field.name} value={anonymity} defaultChecked={field.initialValue === anonymity} />
          <span>
            <strong>{t(ANONYMITY_LABEL[anonymity])}</strong>
            <span className="muted"> — {t(ANONYMITY_HELP[anonymity])}</span>
          </span>
        </label>
      ))}
      {invalid ? (
        <p className="field-error" id={field.errorId}>
          {field.errors!.map(errorText).join(" ")}
        </p>
      ) : null}
    </fieldset>
  );
}
