import { getInputProps, getSelectProps, type FieldMetadata } from "@conform-to/react";
import { useTranslation } from "react-i18next";
import { Field } from "~/components/form";

type MemberFieldsMeta = {
  role: FieldMetadata<string | undefined>;
  discipline: FieldMetadata<string | undefined>;
  affiliation: FieldMetadata<string | undefined>;
  group: FieldMetadata<string | undefined>;
};

/**
 * What a member is on the panel — role, discipline, affiliation, stakeholder group — as an
 * invitation sets it and the edit form changes it. `optional` marks the free fields so in the
 * labels (an invitation may leave them empty).
 */
export function MemberFields({
  fields,
  optional = false,
  groupPlaceholder,
}: {
  fields: MemberFieldsMeta;
  optional?: boolean;
  /** The group field's placeholder; "e.g. Patients" when none is given. */
  groupPlaceholder?: string;
}) {
  const { t } = useTranslation("panel");
  const errors = (list?: string[]) => list?.map((error) => t(error));
  return (
    <>
      <Field id={fields.role.id} label={t("Role")} errorId={fields.role.errorId} errors={errors(fields.role.errors)}>
        <select {...getSelectProps(fields.role)}>
          <option value="panelist">{t("Panelist (votes)")}</option>
          <option value="observer">{t("Observer (reads closed rounds and drafts)")}</option>
          <option value="secretary">{t("Secretary (runs the process)")}</option>
        </select>
      </Field>
      <Field
        id={fields.discipline.id}
        label={optional ? t("Discipline (optional)") : t("Discipline")}
        errorId={fields.discipline.errorId}
        errors={errors(fields.discipline.errors)}
      >
        <input {...getInputProps(fields.discipline, { type: "text" })} placeholder={optional ? t("e.g. Radiology") : undefined} />
      </Field>
      <Field
        id={fields.affiliation.id}
        label={optional ? t("Affiliation (optional)") : t("Affiliation")}
        errorId={fields.affiliation.errorId}
        errors={errors(fields.affiliation.errors)}
      >
        <input {...getInputProps(fields.affiliation, { type: "text" })} />
      </Field>
      <Field
        id={fields.group.id}
        label={
          optional
            ? t("Stakeholder group (optional; panelists only; empty: their discipline)")
            : t("Stakeholder group (panelists only; empty: their discipline)")
        }
        errorId={fields.group.errorId}
        errors={errors(fields.group.errors)}
      >
        <input {...getInputProps(fields.group, { type: "text" })} placeholder={groupPlaceholder ?? t("e.g. Patients")} />
      </Field>
    </>
  );
}
