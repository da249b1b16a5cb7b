import { getFormProps, getInputProps, getTextareaProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useLocation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { getDb } from "@db/client.server";
import { Field, FormErrors } from "~/components/form";
import type { Role } from "~/consensus/values";
import { msg, namespaces } from "~/i18n";
import { getUser, hashPassword, login } from "~/server/auth.server";
import { tr } from "~/server/i18n.server";
import { attempt, invalid, readForm } from "~/server/forms.server";
import { acceptInvitation, hasAccount, invitationRefusal } from "~/server/joining.server";
import { findInvitationByToken } from "~/server/panel.server";
import { COMMON_PASSWORD, isCommonPassword } from "~/server/password-policy.server";

export const handle = namespaces("panelist");

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Join a guideline · Delphi consensus" }];

const Coi = z
  .string({ error: msg("Declare your conflicts of interest, or write “None”") })
  .trim()
  .min(1, msg("Declare your conflicts of interest, or write “None”"))
  .max(4000, msg("At most 4000 characters"));

const NewAccountSchema = z.object({
  intent: z.literal("create"),
  name: z
    .string({ error: msg("Enter your name") })
    .trim()
    .min(1, msg("Enter your name"))
    .max(200, msg("At most 200 characters")),
  // NIST SP 800-63B: at least 8 characters, a generous maximum; the server also refuses common ones.
  password: z
    .string({ error: msg("Choose a password") })
    .min(8, msg("A password has at least 8 characters"))
    .max(128, msg("A password has at most 128 characters")),
  coi: Coi,
});

const AcceptSchema = z.object({ intent: z.literal("accept"), coi: Coi });

/** What joining means for each role: only panelists vote, so only they hear about their votes. Translation keys. */
const ROLE_INTRO: Record<Role, { as: string; does: string }> = {
  panelist: {
    as: msg("a panelist"),
    does: msg(
      "You vote on the statements of each round. Your votes are anonymous to the other panelists; your declaration of interests is seen by the secretaries.",
    ),
  },
  observer: {
    as: msg("an observer"),
    does: msg(
      "You read the guideline's drafts and closed rounds; you do not vote. Your declaration of interests is seen by the secretaries.",
    ),
  },
  secretary: {
    as: msg("a secretary"),
    does: msg(
      "You run the process — the panel, the statements, the rounds and what is published — and do not vote. Your declaration of interests is seen by the other secretaries.",
    ),
  },
};

const JoinSchema = z.discriminatedUnion("intent", [NewAccountSchema, AcceptSchema]);

/** The action's schema: the form's, plus the common-password list that stays on the server. */
const ServerJoinSchema = JoinSchema.superRefine(
  (value, ctx) => {
    if (value.intent === "create" && typeof value.password === "string" && isCommonPassword(value.password)) {
      ctx.addIssue({ code: "custom", path: ["password"], message: COMMON_PASSWORD });
    }
  },
  { when: () => true },
);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const db = getDb();
  const title = `${tr("Join a guideline", undefined, "panelist")} · ${tr("Delphi consensus", undefined, "common")}`;
  const found = findInvitationByToken(db, params.token ?? "");
  const refusal = invitationRefusal(found?.state ?? null);
  if (refusal || !found) {
    // The refusal is a key of the errors namespace, as when acceptInvitation refuses it.
    return { state: "refused" as const, title, message: refusal && tr(refusal), guideline: found?.guideline.title ?? null };
  }
  const user = await getUser(request);
  return {
    state: "valid" as const,
    title,
    guideline: found.guideline.title,
    email: found.invitation.email,
    role: found.invitation.role,
    discipline: found.invitation.discipline,
    group: found.invitation.stakeholderGroup,
    hasAccount: hasAccount(db, found.invitation.email),
    signedInAs: user?.email ?? null,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const submission = parseWithZod(await readForm(request), { schema: ServerJoinSchema });
  if (submission.status !== "success") return invalid(submission);
  const value = submission.value;
  const user = await getUser(request);
  const account =
    value.intent === "accept"
      ? { existingUserId: user?.id ?? "" }
      : { name: value.name, passwordHash: await hashPassword(value.password) };
  const joined = await attempt(submission, () =>
    acceptInvitation(getDb(), { token: params.token ?? "", account, coiText: value.coi }),
  );
  if (joined instanceof Response) return joined;
  return login(request, joined.userId, `/g/${joined.slug}`);
}

export default function Join() {
  const data = useLoaderData<typeof loader>();
  const location = useLocation();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "join",
    lastResult,
    constraint: getZodConstraint(JoinSchema),
    shouldValidate: "onBlur",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: JoinSchema }),
  });
  const { t } = useTranslation("panelist");

  if (data.state === "refused") {
    return (
      <section className="panel narrow">
        <h1>{t("This link cannot be used")}</h1>
        <p role="alert">{data.message}</p>
        <p>
          {data.guideline
            ? t(
                "Ask the secretary of “{{guideline}}” to send you a new invitation: from the panel page they can resend it, and the new link works for 14 days. If you already joined,",
                { guideline: data.guideline },
              )
            : t(
                "Ask the secretary of your guideline to send you a new invitation: from the panel page they can resend it, and the new link works for 14 days. If you already joined,",
              )}{" "}
          <Link to="/login">{t("log in")}</Link>
          {t(".")}
        </p>
      </section>
    );
  }

  const coiField = (
    <Field
      id={fields.coi.id}
      label={t("Conflicts of interest (financial or not) relevant to this guideline — or “None”")}
      errorId={fields.coi.errorId}
      errors={fields.coi.errors}
    >
      <textarea {...getTextareaProps(fields.coi)} rows={4} />
    </Field>
  );
  const wrongAccount = data.signedInAs && data.signedInAs !== data.email;

  return (
    <section className="panel narrow">
      <h1>{t("Join “{{guideline}}”", { guideline: data.guideline })}</h1>
      <p>
        {t("You are invited as")} <strong>{t(ROLE_INTRO[data.role].as)}</strong>
        {data.discipline || data.group
          ? t(" ({{details}})", {
              details: [data.discipline, data.group ? t("stakeholder group: {{group}}", { group: data.group }) : null]
                .filter(Boolean)
                .join(t("; ")),
            })
          : ""}
        {t(" with the address")} <strong>{data.email}</strong>
        {t(".")} {t(ROLE_INTRO[data.role].does)}
      </p>
      {wrongAccount ? (
        <p className="form-error" role="alert">
          {t("You are logged in as {{email}}. Log out first, then open this link again.", { email: data.signedInAs })}
        </p>
      ) : data.hasAccount && !data.signedInAs ? (
        <p>
          {t("You already have an account.")}{" "}
          <Link to={`/login?redirectTo=${encodeURIComponent(location.pathname)}`}>{t("Log in")}</Link> {t("to accept it.")}
        </p>
      ) : (
        <Form method="post" {...getFormProps(form)}>
          <FormErrors id={form.errorId} errors={form.errors} />
          {data.hasAccount ? (
            <input type="hidden" name="intent" value="accept" />
          ) : (
            <>
              <input type="hidden" name="intent" value="create" />
              <Field id={fields.name.id} label={t("Your name")} errorId={fields.name.errorId} errors={fields.name.errors}>
                <input {...getInputProps(fields.name, { type: "text" })} autoComplete="name" />
              </Field>
              <Field
                id={fields.password.id}
                label={t("Choose a password (8 to 128 characters)")}
                errorId={fields.password.errorId}
                errors={fields.password.errors}
              >
                <input {...getInputProps(fields.password, { type: "password" })} autoComplete="new-password" />
              </Field>
            </>
          )}
          {coiField}
          <button type="submit" className="button">
            {data.hasAccount ? t("Accept the invitation") : t("Create my account and join")}
          </button>
        </Form>
      )}
    </section>
  );
}
