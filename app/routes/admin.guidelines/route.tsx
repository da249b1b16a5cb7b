import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { getDb } from "@db/client.server";
import { AdminNav, LinkToCopy } from "~/components/admin";
import { requireAdmin } from "~/server/auth.server";
import { publicOrigin } from "~/server/env.server";
import { attempt, invalid, readForm } from "~/server/forms.server";
import { listAllGuidelines, resendSecretaryInvitation } from "~/server/guidelines.server";
import { deliverOutbox } from "~/server/mail.server";
import { smtpConfigured } from "~/server/panel.server";
import styles from "~/styles/admin.css";
import { GuidelineTable } from "./guideline-table";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction = () => [{ title: "Guidelines · Administration · Delphi consensus" }];

const ResendSchema = z.object({
  intent: z.literal("resend", { error: "Choose an invitation to resend" }),
  invitationId: z.string({ error: "Choose an invitation to resend" }).min(1, "Choose an invitation to resend"),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  return { smtpConfigured: smtpConfigured(), guidelines: listAllGuidelines(getDb()) };
}

/** Resends a secretary's invitation: a new link (the old one stops working), mailed and shown once. */
export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const submission = parseWithZod(await readForm(request), { schema: ResendSchema });
  if (submission.status !== "success") return invalid(submission);
  const resent = await attempt(submission, () =>
    resendSecretaryInvitation(getDb(), {
      invitationId: submission.value.invitationId,
      admin: { id: admin.id, name: admin.name },
      origin: publicOrigin(request),
    }),
  );
  if (resent instanceof Response) return resent;
  void deliverOutbox();
  return { resent };
}

type Resent = { email: string; guideline: string; link: string };
type ActionData = SubmissionResult<string[]> | { resent: Resent };

function Outcome({ data, smtpConfigured }: { data: ActionData; smtpConfigured: boolean }) {
  if ("resent" in data) {
    const { resent } = data;
    return (
      <LinkToCopy id="invitation-link" label={`New invitation for ${resent.email} to “${resent.guideline}”`} link={resent.link}>
        <p>
          The old link no longer works; this one works once, for 14 days.{" "}
          {smtpConfigured ? "It is being mailed to them too." : "SMTP is not configured, so no mail goes out: send it yourself."}
        </p>
      </LinkToCopy>
    );
  }
  const messages = Object.values(data.error ?? {}).flatMap((errors) => errors ?? []);
  return messages.length > 0 ? (
    <p className="form-error" role="alert">
      {messages.join(" ")}
    </p>
  ) : null;
}

export default function Guidelines() {
  const { guidelines, smtpConfigured } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ActionData | undefined;
  return (
    <div className="admin stack">
      <AdminNav />
      {actionData ? <Outcome data={actionData} smtpConfigured={smtpConfigured} /> : null}
      <section className="panel" aria-labelledby="guidelines-heading">
        <h2 id="guidelines-heading">Guidelines ({guidelines.length})</h2>
        {guidelines.length === 0 ? (
          <p className="muted">
            No guidelines yet: <Link to="/admin">create one</Link>.
          </p>
        ) : (
          <GuidelineTable guidelines={guidelines} />
        )}
      </section>
    </div>
  );
}
