import { getFormProps, getInputProps, getTextareaProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { getDb } from "@db/client.server";
import { Field, FormErrors } from "~/components/form";
import { Time } from "~/components/time";
import { requireUser } from "~/server/auth.server";
import { attempt, invalid, readForm } from "~/server/forms.server";
import { adminOverview, createGuideline, slugInUse } from "~/server/guidelines.server";
import { publicOrigin } from "~/server/env.server";
import { deliverOutbox } from "~/server/mail.server";
import styles from "~/styles/admin.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction = () => [{ title: "Administration · Delphi consensus" }];

async function requireAdmin(request: Request) {
  const user = await requireUser(request);
  if (!user.isAdmin) throw Response.json({ error: "Only instance administrators can open this page." }, { status: 403 });
  return user;
}

const SLUG = /^[a-z0-9][a-z0-9-]*$/;

function emailList(text: string, ctx: z.RefinementCtx): string[] {
  const addresses = [
    ...new Set(
      text
        .split(/[\s,;]+/)
        .map((a) => a.toLowerCase())
        .filter(Boolean),
    ),
  ];
  const bad = addresses.filter((address) => !z.email().safeParse(address).success);
  if (bad.length > 0) {
    const quoted = bad.map((address) => `"${address}"`).join(", ");
    ctx.addIssue({
      code: "custom",
      message: bad.length === 1 ? `${quoted} is not a valid e-mail address` : `These are not valid e-mail addresses: ${quoted}`,
    });
  } else if (addresses.length === 0) {
    ctx.addIssue({ code: "custom", message: "Enter at least one secretary's e-mail address" });
  }
  return addresses;
}

/** `slugTaken` checks the database (server only), so a slug in use is a field error like any other. */
function newGuidelineSchema(slugTaken: (slug: string) => boolean = () => false) {
  return z.object({
    slug: z
      .string({ error: "Enter a slug, e.g. imt-consensus" })
      .trim()
      .max(100, "A slug has at most 100 characters")
      .regex(SLUG, "Use lowercase letters, digits and hyphens, starting with a letter or digit")
      .superRefine((slug, ctx) => {
        if (slugTaken(slug)) ctx.addIssue({ code: "custom", message: `The slug "${slug}" is already in use` });
      }),
    title: z.string({ error: "Enter a title" }).trim().min(1, "Enter a title").max(200, "A title has at most 200 characters"),
    description: z.string().trim().max(5000, "A description has at most 5000 characters").default(""),
    language: z
      .string()
      .trim()
      .max(35, "A language tag has at most 35 characters")
      .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$/, "Use a language tag such as en, fr or pt-BR")
      .default("en"),
    secretaries: z.string({ error: "Enter at least one secretary's e-mail address" }).transform(emailList),
  });
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const created = new URL(request.url).searchParams.get("created");
  return adminOverview(getDb(), { createdSlug: created });
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const db = getDb();
  const submission = parseWithZod(await readForm(request), { schema: newGuidelineSchema((slug) => slugInUse(db, slug)) });
  if (submission.status !== "success") return invalid(submission);
  const { secretaries, ...guideline } = submission.value;
  const result = await attempt(submission, () =>
    createGuideline(db, {
      ...guideline,
      secretaryEmails: secretaries,
      admin: { id: admin.id, name: admin.name },
      origin: publicOrigin(request),
    }),
  );
  if (result instanceof Response) return result;
  void deliverOutbox();
  const slug = encodeURIComponent(result.guideline.slug);
  return redirect(result.adminIsSecretary ? `/g/${slug}/settings` : `/admin?created=${slug}`);
}

type Overview = ReturnType<typeof useLoaderData<typeof loader>>;

function Created({ created, smtpConfigured }: { created: NonNullable<Overview["created"]>; smtpConfigured: boolean }) {
  return (
    <section className="notice created" aria-labelledby="created-heading">
      <h2 id="created-heading">Created “{created.title}”</h2>
      {created.unsentInvitations.length === 0 ? (
        <p>Its secretaries can open it now.</p>
      ) : smtpConfigured ? (
        <p>Invitations to its secretaries are being sent.</p>
      ) : (
        <>
          <p>SMTP is not configured: send each secretary their invitation yourself. Each link works once.</p>
          {created.unsentInvitations.map((mail) => (
            <div key={mail.id} className="field">
              <label htmlFor={`invitation-${mail.id}`}>Invitation for {mail.to}</label>
              <textarea id={`invitation-${mail.id}`} readOnly value={mail.body} rows={8} />
            </div>
          ))}
        </>
      )}
    </section>
  );
}

function GuidelineList({ guidelines }: { guidelines: Overview["guidelines"] }) {
  if (guidelines.length === 0) return <p className="muted">No guidelines yet.</p>;
  return (
    <table className="data-table">
      <thead>
        <tr>
          <th scope="col">Slug</th>
          <th scope="col">Title</th>
          <th scope="col">Secretaries</th>
          <th scope="col">Created</th>
        </tr>
      </thead>
      <tbody>
        {guidelines.map((g) => (
          <tr key={g.slug}>
            <td>
              <code>{g.slug}</code>
            </td>
            <td>{g.title}</td>
            <td>
              <ul className="plain-list">
                {g.secretaries.map((s) => (
                  <li key={s.email}>
                    {s.name} <span className="muted">({s.email})</span>
                  </li>
                ))}
                {g.invitedSecretaries.map((s) => (
                  <li key={s.email}>
                    {s.email} <span className="badge">{s.state === "valid" ? "invited" : "invitation expired"}</span>
                  </li>
                ))}
              </ul>
              {g.secretaries.length + g.invitedSecretaries.length === 0 ? <span className="muted">none</span> : null}
            </td>
            <td>
              <Time value={g.createdAt} dateOnly />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NewGuidelineForm() {
  const lastResult = useActionData<typeof action>();
  const schema = newGuidelineSchema();
  const [form, fields] = useForm({
    id: "new-guideline",
    lastResult,
    defaultValue: { language: "en" },
    constraint: getZodConstraint(schema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
  });
  return (
    <section className="panel" aria-labelledby="new-heading">
      <h2 id="new-heading">New guideline</h2>
      <p className="muted">
        It starts with the IMT rule (at least 50% of participants agree and under 20% disagree) and anonymous voting; its
        secretaries can change both until round 1 opens.
      </p>
      <Form method="post" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <Field
          id={fields.slug.id}
          label="Slug (used in addresses: lowercase letters, digits, hyphens)"
          errorId={fields.slug.errorId}
          errors={fields.slug.errors}
        >
          <input {...getInputProps(fields.slug, { type: "text" })} autoComplete="off" placeholder="imt-consensus" />
        </Field>
        <Field id={fields.title.id} label="Title" errorId={fields.title.errorId} errors={fields.title.errors}>
          <input {...getInputProps(fields.title, { type: "text" })} />
        </Field>
        <Field
          id={fields.description.id}
          label="Description (optional)"
          errorId={fields.description.errorId}
          errors={fields.description.errors}
        >
          <textarea {...getTextareaProps(fields.description)} rows={3} />
        </Field>
        <Field
          id={fields.language.id}
          label="Language (e.g. en, fr, pt-BR)"
          errorId={fields.language.errorId}
          errors={fields.language.errors}
        >
          <input {...getInputProps(fields.language, { type: "text" })} autoComplete="off" />
        </Field>
        <Field
          id={fields.secretaries.id}
          label="Secretaries' e-mail addresses (one per line, or separated by commas)"
          errorId={fields.secretaries.errorId}
          errors={fields.secretaries.errors}
        >
          <textarea {...getTextareaProps(fields.secretaries)} rows={3} />
        </Field>
        <p className="muted field-help">
          Addresses with an account here become secretaries at once; the others receive an invitation.
        </p>
        <button type="submit" className="button">
          Create guideline
        </button>
      </Form>
    </section>
  );
}

export default function Admin() {
  const { guidelines, created, smtpConfigured } = useLoaderData<typeof loader>();
  return (
    <div className="admin stack">
      <h1>Administration</h1>
      {created ? <Created created={created} smtpConfigured={smtpConfigured} /> : null}
      <section className="panel" aria-labelledby="guidelines-heading">
        <h2 id="guidelines-heading">Guidelines ({guidelines.length})</h2>
        <GuidelineList guidelines={guidelines} />
      </section>
      <NewGuidelineForm />
    </div>
  );
}
