import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Field, FormErrors } from "~/components/form";
import { msg, namespaces } from "~/i18n";
import { getUser, login, safeRedirect, verifyLogin } from "~/server/auth.server";
import { tr } from "~/server/i18n.server";
import { beginAttempt } from "~/server/login-throttle.server";
import { readForm } from "~/server/forms.server";

export const handle = namespaces("panelist");

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Log in · Delphi consensus" }];

const LoginSchema = z.object({
  email: z
    .string({ error: msg("Enter your email address") })
    .trim()
    .pipe(z.email(msg("Enter a valid email address"))),
  password: z
    .string({ error: msg("Enter your password") })
    .min(1, msg("Enter your password"))
    .max(128, msg("A password has at most 128 characters")),
  redirectTo: z.string().optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getUser(request)) {
    throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  }
  return { title: `${tr("Log in", undefined, "panelist")} · ${tr("Delphi consensus", undefined, "common")}` };
}

// A page answering a throttled form post (no JavaScript) keeps the action's Retry-After.
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retry = actionHeaders.get("Retry-After");
  return retry ? { "Retry-After": retry } : new Headers();
};

export async function action({ request, context }: ActionFunctionArgs) {
  const submission = parseWithZod(await readForm(request), { schema: LoginSchema });
  if (submission.status !== "success") {
    return Response.json(submission.reply({ hideFields: ["password"] }), { status: 400 });
  }
  const { email, password, redirectTo } = submission.value;
  const attempt = beginAttempt(email, context.clientAddress ?? "unknown");
  if (!attempt.allowed) {
    const wait = attempt.retryAfter;
    const minutes = Math.ceil(wait / 60);
    return Response.json(
      submission.reply({
        formErrors: [tr("Too many failed attempts. Try again in {{count}} minutes.", { count: minutes }, "panelist")],
        hideFields: ["password"],
      }),
      { status: 429, headers: { "Retry-After": String(wait) } },
    );
  }
  const user = await verifyLogin(email, password);
  if (!user) {
    return Response.json(
      submission.reply({ formErrors: [tr("Email or password is incorrect.", undefined, "panelist")], hideFields: ["password"] }),
      { status: 401 },
    );
  }
  attempt.succeeded();
  return login(request, user.id, safeRedirect(redirectTo));
}

export default function Login() {
  const lastResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const [form, fields] = useForm({
    id: "login",
    lastResult,
    constraint: getZodConstraint(LoginSchema),
    shouldValidate: "onBlur",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: LoginSchema }),
  });
  const { t } = useTranslation("panelist");
  return (
    <section className="panel narrow">
      <h1>{t("Log in")}</h1>
      {searchParams.get("reset") === "done" && !lastResult ? (
        <p className="notice" role="status">
          {t("Your new password is set and every earlier session has ended: log in with it.")}
        </p>
      ) : null}
      <Form method="post" {...getFormProps(form)}>
        <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
        <FormErrors id={form.errorId} errors={form.errors} />
        <Field id={fields.email.id} label={t("Email")} errorId={fields.email.errorId} errors={fields.email.errors}>
          <input {...getInputProps(fields.email, { type: "email" })} autoComplete="email" />
        </Field>
        <Field id={fields.password.id} label={t("Password")} errorId={fields.password.errorId} errors={fields.password.errors}>
          <input {...getInputProps(fields.password, { type: "password" })} autoComplete="current-password" />
        </Field>
        <button type="submit" className="button">
          {t("Log in")}
        </button>
      </Form>
    </section>
  );
}
