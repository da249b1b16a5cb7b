import { getFormProps, getSelectProps, getTextareaProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Field, FormErrors } from "~/components/form";
import { RecuseSchema } from "./schemas";
import { resultFor, type PanelData, type Result } from "./shared";

export function RecuseForm({ data, result }: { data: PanelData; result: Result }) {
  const { t } = useTranslation("panel");
  const errors = (list?: string[]) => list?.map((error) => t(error));
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
      <h3 id="recuse-heading">{t("Recuse a panelist from a statement")}</h3>
      <p className="muted">{t("A recused panelist is not counted for that statement: neither their ballot nor as eligible.")}</p>
      {panelists.length === 0 || data.statements.length === 0 ? (
        <p className="muted">{t("This needs at least one panelist and one statement.")}</p>
      ) : (
        <Form method="post" {...getFormProps(form)} className="recuse-form">
          <input type="hidden" name="intent" value="recuse" />
          <FormErrors id={form.errorId} errors={errors(form.errors)} />
          <Field
            id={fields.membershipId.id}
            label={t("Panelist")}
            errorId={fields.membershipId.errorId}
            errors={errors(fields.membershipId.errors)}
          >
            <select {...getSelectProps(fields.membershipId)}>
              <option value="">{t("Choose a panelist")}</option>
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
            label={t("Statement")}
            errorId={fields.statementId.errorId}
            errors={errors(fields.statementId.errors)}
          >
            <select {...getSelectProps(fields.statementId)}>
              <option value="">{t("Choose a statement")}</option>
              {data.statements.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.position}. {s.text.length > 80 ? `${s.text.slice(0, 79)}…` : s.text}
                </option>
              ))}
            </select>
          </Field>
          <Field id={fields.reason.id} label={t("Reason")} errorId={fields.reason.errorId} errors={errors(fields.reason.errors)}>
            <textarea {...getTextareaProps(fields.reason)} rows={2} />
          </Field>
          <button type="submit" className="button">
            {t("Recuse")}
          </button>
        </Form>
      )}
    </section>
  );
}
