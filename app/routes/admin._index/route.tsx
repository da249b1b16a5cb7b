import { getFormProps, getInputProps, getTextareaProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { getDb } from "@db/client.server";
import { AdminNav } from "~/components/admin";
import { slot, withElements } from "~/components/translations";
import { Field, FormErrors } from "~/components/form";
import { AnonymityChoice, GuidelineFieldInputs } from "~/components/guideline-fields";
import { namespaces } from "~/i18n";
import { requireAdmin } from "~/server/auth.server";
import { env, publicOrigin } from "~/server/env.server";
import { attempt, invalid, readForm } from "~/server/forms.server";
import { newGuidelineSchema } from "~/server/guideline-form";
import { adminOverview, createGuideline, slugInUse } from "~/server/guidelines.server";
import { tr } from "~/server/i18n.server";
import { deliverOutbox } from "~/server/mail.server";
import styles from "~/styles/admin.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

/** The new-guideline form renders the shared guideline fields (namespace "settings"). */
export const handle = namespaces("admin", "settings");

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Administration · Delphi consensus" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const created = new URL(request.url).searchParams.get("created");
  return {
    title: `${tr("Administration", {}, "admin")} · ${tr("Delphi consensus", {}, "common")}`,
    ...adminOverview(getDb(), { createdSlug: created }),
    backupSealed: Boolean(env().BACKUP_PUBLIC_KEY),
  };
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
  const { t } = useTranslation("admin");
  const link = (
    <Link to={`/admin/guidelines#guideline-${created.slug}`}>
      {withElements(t("Guidelines: {{slug}}", { slug: slot("slug") }), { slug: <code>{created.slug}</code> })}
    </Link>
  );
  return (
    <section className="notice created" aria-labelledby="created-heading">
      <h2 id="created-heading">{t("Created “{{title}}”", { title: created.title })}</h2>
      <p>{withElements(t("It is listed under {{link}}, with its secretaries.", { link: slot("link") }), { link })}</p>
      {created.unsentInvitations.length === 0 ? (
        <p>{t("Its secretaries can open it now.")}</p>
      ) : smtpConfigured ? (
        <p>{t("Invitations to its secretaries are being sent.")}</p>
      ) : (
        <>
          <p>{t("SMTP is not configured: send each secretary their invitation yourself. Each link works once.")}</p>
          {created.unsentInvitations.map((mail) => (
            <div key={mail.id} className="field">
              <label htmlFor={`invitation-${mail.id}`}>{t("Invitation for {{email}}", { email: mail.to })}</label>
              <textarea id={`invitation-${mail.id}`} readOnly value={mail.body} rows={8} />
            </div>
          ))}
        </>
      )}
    </section>
  );
}

function Counts({ counts }: { counts: Overview["counts"] }) {
  const { t } = useTranslation("admin");
  return (
    <section className="panel" aria-labelledby="instance-heading">
      <h2 id="instance-heading">{t("This instance")}</h2>
      <ul className="plain-list counts">
        <li>
          <Link to="/admin/guidelines">{t("{{count}} guidelines", { count: counts.guidelines })}</Link>
        </li>
        <li>
          <Link to="/admin/users">{t("{{count}} accounts", { count: counts.users })}</Link>
          {counts.deactivatedUsers > 0 ? (
            <span className="muted"> {t("({{number}} deactivated)", { number: counts.deactivatedUsers })}</span>
          ) : null}
        </li>
      </ul>
    </section>
  );
}

/** The form starts empty; after a refused submission it keeps what was typed, with the errors. */
function NewGuidelineForm() {
  // The guideline's shared fields and their messages are in "settings".
  const { t } = useTranslation(["admin", "settings"]);
  const errors = (list?: string[]) => list?.map((error) => t(error));
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
      <h2 id="new-heading">{t("New guideline")}</h2>
      <p className="muted">
        {t(
          "It starts with the IMT rule (at least 50% of participants agree and under 20% disagree) on agree / disagree / abstain; its secretaries can change the rule, the ballot scale and anonymity until round 1 opens.",
        )}
      </p>
      <Form method="post" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={errors(form.errors)} />
        <Field
          id={fields.slug.id}
          label={t("Slug (used in addresses: lowercase letters, digits, hyphens)")}
          errorId={fields.slug.errorId}
          errors={errors(fields.slug.errors)}
        >
          <input {...getInputProps(fields.slug, { type: "text" })} autoComplete="off" placeholder="imt-consensus" />
        </Field>
        <GuidelineFieldInputs fields={fields} />
        <AnonymityChoice field={fields.anonymity} />
        <Field
          id={fields.secretaries.id}
          label={t("Secretaries' e-mail addresses (one per line, or separated by commas)")}
          errorId={fields.secretaries.errorId}
          errors={errors(fields.secretaries.errors)}
        >
          <textarea {...getTextareaProps(fields.secretaries)} rows={3} />
        </Field>
        <p className="muted field-help">
          {t("Addresses with an account here become secretaries at once; the others receive an invitation.")}
        </p>
        <button type="submit" className="button">
          {t("Create guideline")}
        </button>
      </Form>
    </section>
  );
}

function Backup({ sealed }: { sealed: boolean }) {
  const { t } = useTranslation("admin");
  return (
    <section className="panel" aria-labelledby="backup-heading">
      <h2 id="backup-heading">{t("Backup")}</h2>
      <p className="muted">
        {t(
          "A consistent copy of the whole database, taken while the platform keeps running and passed through SQLite's integrity check.",
        )}{" "}
        {withElements(
          t(
            "It names who cast every ballot, so it is sealed to the operator's public key ({{variable}}): only the holder of the private key opens it, with {{command}}.",
            { variable: slot("variable"), command: slot("command") },
          ),
          { variable: <code>BACKUP_PUBLIC_KEY</code>, command: <code>npm run -s cli -- backup:open</code> },
        )}
      </p>
      {sealed ? (
        // A plain form: the browser itself posts it and saves the file that comes back.
        <form method="post" action="/admin/backup">
          <button type="submit" className="button button-secondary">
            {t("Download a sealed backup")}
          </button>
        </form>
      ) : (
        <p>
          {withElements(
            t("{{notSet}}, so no backup can be downloaded here; the operator takes one on the server with {{command}}.", {
              notSet: slot("notSet"),
              command: slot("command"),
            }),
            { notSet: <strong>{t("BACKUP_PUBLIC_KEY is not set")}</strong>, command: <code>npm run -s cli -- backup FILE</code> },
          )}
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
