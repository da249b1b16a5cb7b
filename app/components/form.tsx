import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

/**
 * Shows a form error in the page's language: an error is a translation key (a schema's message,
 * found in any namespace the page has loaded) or text already translated, which comes back as it is.
 */
export function useErrorText(): (error: string) => string {
  const { t, i18n } = useTranslation();
  const loaded = i18n.options.ns;
  const ns = typeof loaded === "string" ? [loaded] : loaded ? [...loaded] : undefined;
  return (error) => t(error, ns ? { ns } : {});
}

/** A labelled control with its field errors, announced to screen readers. */
export function Field({
  id,
  label,
  errorId,
  errors,
  children,
}: {
  id: string;
  label: string;
  errorId: string;
  errors?: string[];
  children: ReactNode;
}) {
  const errorText = useErrorText();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {errors?.length ? (
        <p className="field-error" id={errorId}>
          {errors.map(errorText).join(" ")}
        </p>
      ) : null}
    </div>
  );
}

export function FormErrors({ id, errors }: { id: string; errors?: string[] }) {
  const errorText = useErrorText();
  if (!errors?.length) return null;
  return (
    <p className="form-error" role="alert" id={id}>
      {errors.map(errorText).join(" ")}
    </p>
  );
}
