import { getFormProps, getInputProps, getTextareaProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { getDb } from "@db/client.server";
import { AdminNav } from "~/components/admin";
import { Field, FormErrors } from "~/components/form";
import { AnonymityChoice, GuidelineFieldInputs } from "~/components/guideline-fields";
import { requireAdmin } from "~/server/auth.server";
import { env, publicOrigin } from "~/server/env.server";
import { attempt, invalid, readForm } from "~/server/forms.server";
import { newGuidelineSchema } from "~/server/guideline-form";
import { adminOverview, createGuideline, slugInUse } from "~/server/guidelines.server";
import { deliverOutbox } from "~/server/mail.server";
import styles from "~/styles/admin.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction = () => [{ title: "Administration · Delphi consensus" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const created = new URL(request.url).searchParams.get("created");
  return { ...adminOverview(getDb(), { createdSlug: created }), backupSealed: Boolean(env().BACKUP_PUBLIC_KEY) };
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
      <p>
        It is listed under{" "}
        <Link to={`/admin/guidelines#guideline-${created.slug}`}>
          Guidelines: <code>{created.slug}</code>
        </Link>
        , with its secretaries.
      </p>
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

function Counts({ counts }: { counts: Overview["counts"] }) {
  return (
    <section className="panel" aria-labelledby="instance-heading">
      <h2 id="instance-heading">This instance</h2>
      <ul className="plain-list counts">
        <li>
          <Link to="/admin/guidelines">
            {counts.guidelines} guideline{counts.guidelines === 1 ? "" : "s"}
          </Link>
        </li>
        <li>
          <Link to="/admin/users">
            {counts.users} account{counts.users === 1 ? "" : "s"}
          </Link>
          {counts.deactivatedUsers > 0 ? <span className="muted"> ({counts.deactivatedUsers} deactivated)</span> : null}
        </li>
      </ul>
    </section>
  );
}

/** The form starts empty; after a refused submission it keeps what was typed, with the errors. */
function NewGuidelineForm() {
  const lastResult = useActionData<typeof action>();
  const schema = newGuidelineSchema();
  const [form, fields] = useForm({
    id: "new-guideline",
    lastResult,
    defaultValue: { language: "en", anonymity: "anonymous" },
    constraint: getZodConstraint(schema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
  });
  return (
    <section className="panel" aria-labelledby="new-heading">
      <h2 id="new-heading">New guideline</h2>
      <p className="muted">
        It starts with the IMT rule (at least 50% of participants agree and under 20% disagree) on agree / disagree / abstain; its
        secretaries can change the rule, the ballot scale and anonymity until round 1 opens.
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
        <GuidelineFieldInputs fields={fields} />
        <AnonymityChoice field={fields.anonymity} />
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

function Backup({ sealed }: { sealed: boolean }) {
  return (
    <section className="panel" aria-labelledby="backup-heading">
      <h2 id="backup-heading">Backup</h2>
      <p className="muted">
        A consistent copy of the whole database, taken while the platform keeps running and passed through SQLite&apos;s integrity
        check. It names who cast every ballot, so it is sealed to the operator&apos;s public key (<code>BACKUP_PUBLIC_KEY</code>):
        only the holder of the private key opens it, with <code>npm run -s cli -- backup:open</code>.
      </p>
      {sealed ? (
        // A plain form: the browser itself posts it and saves the file that comes back.
        <form method="post" action="/admin/backup">
          <button type="submit" className="button button-secondary">
            Download a sealed backup
          </button>
        </form>
      ) : (
        <p>
          <strong>BACKUP_PUBLIC_KEY is not set</strong>, so no backup can be downloaded here; the operator takes one on the server
          with <code>npm run -s cli -- backup FILE</code>.
        </p>
      )}
    </section>
  );
}

export default function Admin() {
  const { counts, created, smtpConfigured, backupSealed } = useLoaderData<typeof loader>();
  return (
    <div className="admin stack">
      <AdminNav />
      {created ? <Created created={created} smtpConfigured={smtpConfigured} /> : null}
      <Counts counts={counts} />
      {/* A new key after each guideline created: the form comes back empty, not with the last one's values. */}
      <NewGuidelineForm key={created?.slug ?? "new"} />
      <Backup sealed={backupSealed} />
    </div>
  );
}
