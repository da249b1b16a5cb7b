import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { FormErrors } from "~/components/form";
import { StatementFieldInputs } from "~/components/statement-fields";
import { TranslationFieldInputs } from "~/components/translation-fields";
import { invalid, readForm } from "~/server/forms.server";
import { requireMember } from "~/server/permissions.server";
import { readTranslations, StatementFieldsSchema } from "~/server/statement-form";
import { createStatement } from "~/server/statements.server";
import { otherLanguages } from "~/server/translations.server";
import { getDb } from "@db/client.server";
import { namespaces } from "~/i18n";
import { tr } from "~/server/i18n.server";
import styles from "~/styles/statements.css";

export const handle = namespaces("statements");

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "New statement · Delphi consensus" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline } = await requireMember(request, params.slug, "secretary");
  return {
    title: `${tr("New statement", {}, "statements")} · ${tr("Delphi consensus", {}, "statements")}`,
    slug: guideline.slug,
    languages: otherLanguages(guideline),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, guideline } = await requireMember(request, params.slug, "secretary");
  const form = await readForm(request);
  const submission = parseWithZod(form, { schema: StatementFieldsSchema });
  if (submission.status !== "success") return invalid(submission);
  const translated = readTranslations(form, otherLanguages(guideline));
  if (!translated.ok) return Response.json(submission.reply({ fieldErrors: translated.errors }), { status: 400 });
  const { statement } = createStatement(getDb(), {
    guidelineId: guideline.id,
    actorId: user.id,
    fields: submission.value,
    translations: translated.translations,
  });
  return redirect(`/g/${guideline.slug}/statements/${statement.id}?done=created`);
}

export default function NewStatement() {
  const { slug, languages } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const { t } = useTranslation("statements");
  const [form, fields] = useForm({
    id: "new-statement",
    lastResult,
    constraint: getZodConstraint(StatementFieldsSchema),
    shouldValidate: "onBlur",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: StatementFieldsSchema }),
  });
  return (
    <section className="panel stmt-page">
      <p className="meta">
        <Link to={`/g/${slug}/statements`}>{t("← All statements")}</Link>
      </p>
      <h2>{t("New statement")}</h2>
      <p className="muted">
        {t("It is added at the end of the list as a draft; you can edit it freely until a round votes on it.")}
      </p>
      <Form method="post" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <StatementFieldInputs fields={fields} />
        <TranslationFieldInputs languages={languages} current={[]} errors={lastResult?.error ?? undefined} />
        <button type="submit" className="button">
          {t("Create statement")}
        </button>
      </Form>
    </section>
  );
}
