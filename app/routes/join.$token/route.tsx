import { getFormProps, getInputProps, getTextareaProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useLocation } from "@remix-run/react";
import { z } from "zod";
import { getDb } from "@db/client.server";
import { Field, FormErrors } from "~/components/form";
import type { Role } from "~/consensus/values";
import { getUser, hashPassword, login } from "~/server/auth.server";
import { attempt, invalid, readForm } from "~/server/forms.server";
import { acceptInvitation, hasAccount, invitationRefusal } from "~/server/joining.server";
import { findInvitationByToken } from "~/server/panel.server";
import { COMMON_PASSWORD, isCommonPassword } from "~/server/password-policy.server";

export const meta: MetaFunction = () => [{ title: "Join a guideline · Delphi consensus" }];

const Coi = z
  .string({ error: "Declare your conflicts of interest, or write “None”" })
  .trim()
  .min(1, "Declare your conflicts of interest, or write “None”")
  .max(4000, "At most 4000 characters");

const NewAccountSchema = z.object({
  intent: z.literal("create"),
  name: z.string({ error: "Enter your name" }).trim().min(1, "Enter your name").max(200, "At most 200 characters"),
  // NIST SP 800-63B: at least 8 characters, a generous maximum; the server also refuses common ones.
  password: z
    .string({ error: "Choose a password" })
    .min(8, "A password has at least 8 characters")
    .max(128, "A password has at most 128 characters"),
  coi: Coi,
});

const AcceptSchema = z.object({ intent: z.literal("accept"), coi: Coi });

/** What joining means for each role: only panelists vote, so only they hear about their votes. */
const ROLE_INTRO: Record<Role, { as: string; does: string }> = {
  panelist: {
    as: "a panelist",
    does: "You vote on the statements of each round. Your votes are anonymous to the other panelists; your declaration of interests is seen by the secretaries.",
  },
  observer: {
    as: "an observer",
    does: "You read the guideline's drafts and closed rounds; you do not vote. Your declaration of interests is seen by the secretaries.",
  },
  secretary: {
    as: "a secretary",
    does: "You run the process — the panel, the statements, the rounds and what is published — and do not vote. Your declaration of interests is seen by the other secretaries.",
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
  const found = findInvitationByToken(db, params.token ?? "");
  const refusal = invitationRefusal(found?.state ?? null);
  if (refusal || !found) {
    return { state: "refused" as const, message: refusal, guideline: found?.guideline.title ?? null };
  }
  const user = await getUser(request);
  return {
    state: "valid" as const,
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

  if (data.state === "refused") {
    return (
      <section className="panel narrow">
        <h1>This link cannot be used</h1>
        <p role="alert">{data.message}</p>
        <p>
          Ask the secretary of {data.guideline ? `“${data.guideline}”` : "your guideline"} to send you a new invitation: from the
          panel page they can resend it, and the new link works for 14 days. If you already joined,{" "}
          <Link to="/login">log in</Link>.
        </p>
      </section>
    );
  }

  const coiField = (
    <Field
      id={fields.coi.id}
      label="Conflicts of interest (financial or not) relevant to this guideline — or “None”"
      errorId={fields.coi.errorId}
      errors={fields.coi.errors}
    >
      <textarea {...getTextareaProps(fields.coi)} rows={4} />
    </Field>
  );
  const wrongAccount = data.signedInAs && data.signedInAs !== data.email;

  return (
    <section className="panel narrow">
      <h1>Join “{data.guideline}”</h1>
      <p>
        You are invited as <strong>{ROLE_INTRO[data.role].as}</strong>
        {data.discipline || data.group
          ? ` (${[data.discipline, data.group ? `stakeholder group: ${data.group}` : null].filter(Boolean).join("; ")})`
          : ""}{" "}
        with the address <strong>{data.email}</strong>. {ROLE_INTRO[data.role].does}
      </p>
      {wrongAccount ? (
        <p className="form-error" role="alert">
          You are logged in as {data.signedInAs}. Log out first, then open this link again.
        </p>
      ) : data.hasAccount && !data.signedInAs ? (
        <p>
          You already have an account. <Link to={`/login?redirectTo=${encodeURIComponent(location.pathname)}`}>Log in</Link> to
          accept it.
        </p>
      ) : (
        <Form method="post" {...getFormProps(form)}>
          <FormErrors id={form.errorId} errors={form.errors} />
          {data.hasAccount ? (
            <input type="hidden" name="intent" value="accept" />
          ) : (
            <>
              <input type="hidden" name="intent" value="create" />
              <Field id={fields.name.id} label="Your name" errorId={fields.name.errorId} errors={fields.name.errors}>
                <input {...getInputProps(fields.name, { type: "text" })} autoComplete="name" />
              </Field>
              <Field
                id={fields.password.id}
                label="Choose a password (8 to 128 characters)"
                errorId={fields.password.errorId}
                errors={fields.password.errors}
              >
                <input {...getInputProps(fields.password, { type: "password" })} autoComplete="new-password" />
              </Field>
            </>
          )}
          {coiField}
          <button type="submit" className="button">
            {data.hasAccount ? "Accept the invitation" : "Create my account and join"}
          </button>
        </Form>
      )}
    </section>
  );
}
