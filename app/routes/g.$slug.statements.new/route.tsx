import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormErrors } from "~/components/form";
import { StatementFieldInputs } from "~/components/statement-fields";
import { invalid, readForm } from "~/server/forms.server";
import { requireMember } from "~/server/permissions.server";
import { StatementFieldsSchema } from "~/server/statement-form";
import { createStatement } from "~/server/statements.server";
import { getDb } from "@db/client.server";
import styles from "~/styles/statements.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction = () => [{ title: "New statement · Delphi consensus" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline } = await requireMember(request, params.slug, "secretary");
  return { slug: guideline.slug };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, guideline } = await requireMember(request, params.slug, "secretary");
  const submission = parseWithZod(await readForm(request), { schema: StatementFieldsSchema });
  if (submission.status !== "success") return invalid(submission);
  const { statement } = createStatement(getDb(), { guidelineId: guideline.id, actorId: user.id, fields: submission.value });
  return redirect(`/g/${guideline.slug}/statements/${statement.id}?done=created`);
}

export default function NewStatement() {
  const { slug } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
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
        <Link to={`/g/${slug}/statements`}>← All statements</Link>
      </p>
      <h2>New statement</h2>
      <p className="muted">It is added at the end of the list as a draft; you can edit it freely until a round votes on it.</p>
      <Form method="post" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <StatementFieldInputs fields={fields} />
        <button type="submit" className="button">
          Create statement
        </button>
      </Form>
    </section>
  );
}
