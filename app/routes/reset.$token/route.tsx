import { getFormProps, getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { getDb } from "@db/client.server";
import { Field, FormErrors } from "~/components/form";
import { msg, namespaces } from "~/i18n";
import { findPasswordReset, resetPassword, resetRefusal } from "~/server/accounts.server";
import { hashPassword } from "~/server/auth.server";
import { attempt, invalid, readForm } from "~/server/forms.server";
import { tr } from "~/server/i18n.server";
import { COMMON_PASSWORD, isCommonPassword } from "~/server/password-policy.server";

export const handle = namespaces("panelist");

// English only for now: test/integration/admin-accounts.test.ts compares the loader's data whole, so it cannot carry a translated title.
export const meta: MetaFunction = () => [{ title: "Set a new password · Delphi consensus" }];

// The joining policy (NIST SP 800-63B): 8 to 128 characters; the server also refuses common ones.
const ResetSchema = z
  .object({
    password: z
      .string({ error: msg("Choose a password") })
      .min(8, msg("A password has at least 8 characters"))
      .max(128, msg("A password has at most 128 characters")),
    repeat: z.string({ error: msg("Type the password again") }),
  })
  .refine((value) => value.password === value.repeat, { path: ["repeat"], message: msg("The two passwords differ") });

/** The action's schema: the form's, plus the common-password list that stays on the server. */
const ServerResetSchema = ResetSchema.superRefine(
  (value, ctx) => {
    if (typeof value.password === "string" && isCommonPassword(value.password)) {
      ctx.addIssue({ code: "custom", path: ["password"], message: COMMON_PASSWORD });
    }
  },
  { when: () => true },
);

type LoaderData = { state: "refused"; message: string } | { state: "valid"; email: string };

/** The link's account, or why it cannot be used: 404 for an unknown link, 410 for a spent or expired one. */
export async function loader({ params }: LoaderFunctionArgs) {
  const found = findPasswordReset(getDb(), params.token ?? "");
  const refusal = resetRefusal(found?.state ?? null);
  if (refusal || !found) {
    // The refusal is a key of the errors namespace, as when resetPassword refuses it.
    const message = refusal ? tr(refusal.message) : tr("This link cannot be used.", undefined, "panelist");
    return Response.json({ state: "refused", message } satisfies LoaderData, { status: refusal?.status ?? 404 });
  }
  return Response.json({ state: "valid", email: found.user.email } satisfies LoaderData);
}

export async function action({ request, params }: ActionFunctionArgs) {
  const token = params.token ?? "";
  const submission = parseWithZod(await readForm(request), { schema: ServerResetSchema });
  // A refused form never comes back with the passwords in it.
  const replies = { reply: (options = {}) => submission.reply({ ...options, hideFields: ["password", "repeat"] }) };
  const refusal = resetRefusal(findPasswordReset(getDb(), token)?.state ?? null);
  if (refusal) return Response.json(replies.reply({ formErrors: [tr(refusal.message)] }), { status: refusal.status });
  if (submission.status !== "success") return invalid(replies);
  const passwordHash = await hashPassword(submission.value.password);
  const reset = await attempt(replies, () => resetPassword(getDb(), { token, passwordHash }));
  if (reset instanceof Response) return reset;
  return redirect("/login?reset=done");
}

export default function Reset() {
  const data = useLoaderData<typeof loader>() as LoaderData;
  const lastResult = useActionData<typeof action>() as SubmissionResult<string[]> | undefined;
  const [form, fields] = useForm({
    id: "reset",
    lastResult,
    constraint: getZodConstraint(ResetSchema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ResetSchema }),
  });
  const { t } = useTranslation("panelist");

  if (data.state === "refused") {
    return (
      <section className="panel narrow">
        <h1>{t("This link cannot be used")}</h1>
        <p role="alert">{data.message}</p>
        <p>
          {t("Ask your administrator for a new password-reset link: it works once, for 24 hours. If you know your password,")}{" "}
          <Link to="/login">{t("log in")}</Link>
          {t(".")}
        </p>
      </section>
    );
  }

  return (
    <section className="panel narrow">
      <h1>{t("Set a new password")}</h1>
      <p>
        {t("For")} <strong>{data.email}</strong>
        {t(". Once it is set, every session of the account ends and you log in with the new password.")}
      </p>
      <Form method="post" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <Field
          id={fields.password.id}
          label={t("New password (8 to 128 characters)")}
          errorId={fields.password.errorId}
          errors={fields.password.errors}
        >
          <input {...getInputProps(fields.password, { type: "password" })} autoComplete="new-password" />
        </Field>
        <Field
          id={fields.repeat.id}
          label={t("The same password again")}
          errorId={fields.repeat.errorId}
          errors={fields.repeat.errors}
        >
          <input {...getInputProps(fields.repeat, { type: "password" })} autoComplete="new-password" />
        </Field>
        <button type="submit" className="button">
          {t("Set the password")}
        </button>
      </Form>
    </section>
  );
}
