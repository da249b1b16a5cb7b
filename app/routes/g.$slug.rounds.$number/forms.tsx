import { getFormProps, getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { Form, useActionData } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Field, FormErrors } from "~/components/form";
import type { RoundIntent } from "~/server/round-forms";
import { toDatetimeLocal } from "~/time";

/** The action's reply, when it answers the form with this intent. */
export function useResult(intent: RoundIntent): SubmissionResult<string[]> | undefined {
  const result = useActionData<SubmissionResult<string[]>>();
  return result?.initialValue?.intent === intent ? result : undefined;
}

/** Every error of a reply, the form's own and its fields', as one list to show beside a small form. */
export function allErrors(result: SubmissionResult<string[]> | undefined): string[] | undefined {
  const errors = Object.values(result?.error ?? {}).flatMap((list) => list ?? []);
  return errors.length ? errors : undefined;
}

/** A form of one button (and hidden inputs) for one intent; its refusal shows beside it unless shown elsewhere. */
export function IntentForm({
  intent,
  children,
  className,
  errors = true,
}: {
  intent: RoundIntent;
  children: ReactNode;
  className?: string;
  errors?: boolean;
}) {
  const result = useResult(intent);
  return (
    <Form method="post" className={className}>
      <input type="hidden" name="intent" value={intent} />
      {errors ? <FormErrors id={`${intent}-error`} errors={allErrors(result)} /> : null}
      {children}
    </Form>
  );
}

/** A form with one required "I understand" checkbox before an irreversible action. */
export function ConfirmForm({
  intent,
  confirm,
  button,
  danger,
}: {
  intent: "close" | "delete";
  confirm: string;
  button: string;
  danger?: boolean;
}) {
  const { t } = useTranslation("rounds");
  const [form, fields] = useForm<{ intent: string; confirm: boolean }>({
    id: intent,
    lastResult: useResult(intent),
    shouldValidate: "onSubmit",
  });
  return (
    <Form method="post" {...getFormProps(form)} className="stack">
      <input type="hidden" name="intent" value={intent} />
      <FormErrors id={form.errorId} errors={form.errors} />
      <div className="field">
        <label className="choice">
          <input {...getInputProps(fields.confirm, { type: "checkbox" })} required />
          <span>{confirm}</span>
        </label>
        {fields.confirm.errors ? (
          <p className="field-error" id={fields.confirm.errorId}>
            {fields.confirm.errors.map((error) => t(error)).join(" ")}
          </p>
        ) : null}
      </div>
      <p>
        <button type="submit" className={danger ? "button button-danger" : "button"}>
          {button}
        </button>
      </p>
    </Form>
  );
}

export function DeadlineForm({
  intent,
  current,
  label,
  button,
}: {
  intent: "set-deadline" | "extend-deadline";
  current: string | null;
  label: string;
  button: string;
}) {
  const [form, fields] = useForm<{ intent: string; closesAt: string }>({
    id: intent,
    lastResult: useResult(intent),
    defaultValue: { closesAt: toDatetimeLocal(current) },
    shouldValidate: "onSubmit",
  });
  return (
    <Form method="post" {...getFormProps(form)} className="deadline-form">
      <input type="hidden" name="intent" value={intent} />
      <FormErrors id={form.errorId} errors={form.errors} />
      <Field id={fields.closesAt.id} label={label} errorId={fields.closesAt.errorId} errors={fields.closesAt.errors}>
        <input {...getInputProps(fields.closesAt, { type: "datetime-local" })} required={intent === "extend-deadline"} />
      </Field>
      <button type="submit" className="button button-secondary">
        {button}
      </button>
    </Form>
  );
}

export function StatementText({ item }: { item: { section: string; revision: number; text: string } }) {
  const { t } = useTranslation("rounds");
  return (
    <>
      <p className="meta">
        {item.section ? `${item.section} · ` : ""}
        {t("revision {{revision}}", { revision: item.revision })}
      </p>
      <p className="statement-text">{item.text}</p>
    </>
  );
}
