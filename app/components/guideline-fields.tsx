import { getInputProps, getTextareaProps, type FieldMetadata } from "@conform-to/react";
import { ANONYMITY } from "~/consensus/anonymity";
import { Field } from "./form";

type TextField = FieldMetadata<string | null | undefined, Record<string, unknown>, string[]>;

export const ANONYMITY_HELP = {
  anonymous:
    "Nobody sees who chose what, nor any count before a round closes; secretaries see who has responded, to remind them.",
  named: "Secretaries can see each panelist's ballots; panelists still never see each other's.",
} as const;

/**
 * A guideline's descriptive fields (app/server/guideline-form.ts), as on the admin's "new
 * guideline" form and the settings page.
 */
export function GuidelineFieldInputs({
  fields,
}: {
  fields: { title: TextField; description: TextField; language: TextField; registration: TextField; source: TextField };
}) {
  return (
    <>
      <Field id={fields.title.id} label="Title" errorId={fields.title.errorId} errors={fields.title.errors}>
        <input {...getInputProps(fields.title, { type: "text" })} />
      </Field>
      <Field
        id={fields.description.id}
        label="Description (optional)"
        errorId={fields.description.errorId}
        errors={fields.description.errors}
      >
        <textarea {...getTextareaProps(fields.description)} rows={4} />
      </Field>
      <Field
        id={fields.language.id}
        label="Language (e.g. en, fr, pt-BR)"
        errorId={fields.language.errorId}
        errors={fields.language.errors}
      >
        <input {...getInputProps(fields.language, { type: "text" })} autoComplete="off" />
      </Field>
      <Field
        id={fields.registration.id}
        label="Registration (optional: a registry number, e.g. PREPARE-2024CN902)"
        errorId={fields.registration.errorId}
        errors={fields.registration.errors}
      >
        <input {...getInputProps(fields.registration, { type: "text" })} autoComplete="off" />
      </Field>
      <Field
        id={fields.source.id}
        label="Source (optional: where the consensus is published)"
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
  const invalid = Boolean(field.errors?.length);
  return (
    <fieldset className="choices" aria-describedby={invalid ? field.errorId : undefined}>
      <legend>Anonymity</legend>
      {ANONYMITY.map((anonymity) => (
        <label key={anonymity} className="choice">
          <input type="radio" name={field.name} value={anonymity} defaultChecked={field.initialValue === anonymity} />
          <span>
            <strong>{anonymity === "anonymous" ? "Anonymous" : "Named"}</strong>
            <span className="muted"> — {ANONYMITY_HELP[anonymity]}</span>
          </span>
        </label>
      ))}
      {invalid ? (
        <p className="field-error" id={field.errorId}>
          {field.errors!.join(" ")}
        </p>
      ) : null}
    </fieldset>
  );
}
