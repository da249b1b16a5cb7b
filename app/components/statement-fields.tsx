import { getInputProps, getTextareaProps, type FieldMetadata } from "@conform-to/react";
import { useTranslation } from "react-i18next";
import { Field } from "./form";

type TextField = FieldMetadata<string, Record<string, unknown>, string[]>;

/** The section, text, rationale and references of a statement, as on the new and edit forms. */
export function StatementFieldInputs({
  fields,
}: {
  fields: { section: TextField; text: TextField; rationale: TextField; references: TextField };
}) {
  const { t } = useTranslation("statements");
  return (
    <>
      <Field
        id={fields.section.id}
        label={t("Section (e.g. Radiotherapy)")}
        errorId={fields.section.errorId}
        errors={fields.section.errors}
      >
        <input {...getInputProps(fields.section, { type: "text" })} />
      </Field>
      <Field id={fields.text.id} label={t("Statement")} errorId={fields.text.errorId} errors={fields.text.errors}>
        <textarea {...getTextareaProps(fields.text)} rows={5} />
      </Field>
      <Field
        id={fields.rationale.id}
        label={t("Rationale and evidence summary")}
        errorId={fields.rationale.errorId}
        errors={fields.rationale.errors}
      >
        <textarea {...getTextareaProps(fields.rationale)} rows={6} />
      </Field>
      <Field
        id={fields.references.id}
        label={t("References")}
        errorId={fields.references.errorId}
        errors={fields.references.errors}
      >
        <textarea {...getTextareaProps(fields.references)} rows={4} />
      </Field>
    </>
  );
}
