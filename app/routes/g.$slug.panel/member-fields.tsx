import { getInputProps, getSelectProps, type FieldMetadata } from "@conform-to/react";
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
  groupPlaceholder = "e.g. Patients",
}: {
  fields: MemberFieldsMeta;
  optional?: boolean;
  groupPlaceholder?: string;
}) {
  const label = (name: string) => (optional ? `${name} (optional)` : name);
  return (
    <>
      <Field id={fields.role.id} label="Role" errorId={fields.role.errorId} errors={fields.role.errors}>
        <select {...getSelectProps(fields.role)}>
          <option value="panelist">Panelist (votes)</option>
          <option value="observer">Observer (reads closed rounds and drafts)</option>
          <option value="secretary">Secretary (runs the process)</option>
        </select>
      </Field>
      <Field
        id={fields.discipline.id}
        label={label("Discipline")}
        errorId={fields.discipline.errorId}
        errors={fields.discipline.errors}
      >
        <input {...getInputProps(fields.discipline, { type: "text" })} placeholder={optional ? "e.g. Radiology" : undefined} />
      </Field>
      <Field
        id={fields.affiliation.id}
        label={label("Affiliation")}
        errorId={fields.affiliation.errorId}
        errors={fields.affiliation.errors}
      >
        <input {...getInputProps(fields.affiliation, { type: "text" })} />
      </Field>
      <Field
        id={fields.group.id}
        label={`Stakeholder group (${optional ? "optional; " : ""}panelists only; empty: their discipline)`}
        errorId={fields.group.errorId}
        errors={fields.group.errors}
      >
        <input {...getInputProps(fields.group, { type: "text" })} placeholder={groupPlaceholder} />
      </Field>
    </>
  );
}
