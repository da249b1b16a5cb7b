import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { getDb } from "@db/client.server";
import { AdminNav, LinkToCopy } from "~/components/admin";
import { slot, withElements } from "~/components/translations";
import { msg, namespaces } from "~/i18n";
import { requireAdmin } from "~/server/auth.server";
import { publicOrigin } from "~/server/env.server";
import { attempt, invalid, readForm } from "~/server/forms.server";
import { listAllGuidelines, resendSecretaryInvitation } from "~/server/guidelines.server";
import { tr } from "~/server/i18n.server";
import { deliverOutbox } from "~/server/mail.server";
import { smtpConfigured } from "~/server/panel.server";
import styles from "~/styles/admin.css";
import { GuidelineTable } from "./guideline-table";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const handle = namespaces("admin");

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.title ?? "Guidelines · Administration · Delphi consensus" },
];

const CHOOSE = msg("Choose an invitation to resend");
const ResendSchema = z.object({
  intent: z.literal("resend", { error: CHOOSE }),
  invitationId: z.string({ error: CHOOSE }).min(1, CHOOSE),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  return {
    title: [tr("Guidelines", {}, "admin"), tr("Administration", {}, "admin"), tr("Delphi consensus", {}, "common")].join(" · "),
    smtpConfigured: smtpConfigured(),
    guidelines: listAllGuidelines(getDb()),
  };
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
  const { t } = useTranslation("admin");
  if ("resent" in data) {
    const { resent } = data;
    return (
      <LinkToCopy
        id="invitation-link"
        label={t("New invitation for {{email}} to “{{guideline}}”", { email: resent.email, guideline: resent.guideline })}
        link={resent.link}
      >
        <p>
          {t("The old link no longer works; this one works once, for 14 days.")}{" "}
          {smtpConfigured
            ? t("It is being mailed to them too.")
            : t("SMTP is not configured, so no mail goes out: send it yourself.")}
        </p>
      </LinkToCopy>
    );
  }
  const messages = Object.values(data.error ?? {}).flatMap((errors) => (errors ?? []).map((error) => t(error)));
  return messages.length > 0 ? (
    <p className="form-error" role="alert">
      {messages.join(" ")}
    </p>
  ) : null;
}

export default function Guidelines() {
  const { guidelines, smtpConfigured } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ActionData | undefined;
  const { t } = useTranslation("admin");
  return (
    <div className="admin stack">
      <AdminNav />
      {actionData ? <Outcome data={actionData} smtpConfigured={smtpConfigured} /> : null}
      <section className="panel" aria-labelledby="guidelines-heading">
        <h2 id="guidelines-heading">{t("Guidelines ({{number}})", { number: guidelines.length })}</h2>
        {guidelines.length === 0 ? (
          <p className="muted">
            {withElements(t("No guidelines yet: {{link}}.", { link: slot("link") }), {
              link: <Link to="/admin">{t("create one")}</Link>,
            })}
          </p>
        ) : (
          <GuidelineTable guidelines={guidelines} />
        )}
      </section>
    </div>
  );
}
