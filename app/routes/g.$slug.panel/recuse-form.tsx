import { getFormProps, getSelectProps, getTextareaProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import { Form } from "@remix-run/react";
import { Field, FormErrors } from "~/components/form";
import { RecuseSchema } from "./schemas";
import { resultFor, type PanelData, type Result } from "./shared";

export function RecuseForm({ data, result }: { data: PanelData; result: Result }) {
  const schema = RecuseSchema;
  const [form, fields] = useForm({
    id: "recuse",
    lastResult: resultFor(result, "recuse"),
    constraint: getZodConstraint(schema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
  });
  const panelists = data.members.filter((m) => m.role === "panelist");
  return (
    <section aria-labelledby="recuse-heading" className="panel-section">
      <h3 id="recuse-heading">Recuse a panelist from a statement</h3>
      <p className="muted">A recused panelist is not counted for that statement: neither their ballot nor as eligible.</p>
      {panelists.length === 0 || data.statements.length === 0 ? (
        <p className="muted">This needs at least one panelist and one statement.</p>
      ) : (
        <Form method="post" {...getFormProps(form)} className="recuse-form">
          <input type="hidden" name="intent" value="recuse" />
          <FormErrors id={form.errorId} errors={form.errors} />
          <Field
            id={fields.membershipId.id}
            label="Panelist"
            errorId={fields.membershipId.errorId}
            errors={fields.membershipId.errors}
          >
            <select {...getSelectProps(fields.membershipId)}>
              <option value="">Choose a panelist</option>
              {panelists.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                  {m.discipline ? ` (${m.discipline})` : ""}
                </option>
              ))}
            </select>
          </Field>
          <Field
            id={fields.statementId.id}
            label="Statement"
            errorId={fields.statementId.errorId}
            errors={fields.statementId.errors}
          >
            <select {...getSelectProps(fields.statementId)}>
              <option value="">Choose a statement</option>
              {data.statements.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.position}. {s.text.length > 80 ? `${s.text.slice(0, 79)}…` : s.text}
                </option>
              ))}
            </select>
          </Field>
          <Field id={fields.reason.id} label="Reason" errorId={fields.reason.errorId} errors={fields.reason.errors}>
            <textarea {...getTextareaProps(fields.reason)} rows={2} />
          </Field>
          <button type="submit" className="button">
            Recuse
          </button>
        </Form>
      )}
    </section>
  );
}
