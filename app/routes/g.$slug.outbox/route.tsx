import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getDb } from "@db/client.server";
import { Time } from "~/components/time";
import { listOutbox } from "~/server/panel.server";
import { requireMember } from "~/server/permissions.server";
import styles from "~/styles/panel.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction = () => [{ title: "Outbox · Delphi consensus" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline } = await requireMember(request, params.slug, "secretary");
  return { ...listOutbox(getDb(), { guidelineId: guideline.id }) };
}

type Mail = ReturnType<typeof useLoaderData<typeof loader>>["mails"][number];

function Delivery({ mail, smtpConfigured }: { mail: Mail; smtpConfigured: boolean }) {
  if (mail.sentAt) {
    return (
      <span className="badge badge-done">
        sent <Time value={mail.sentAt} />
      </span>
    );
  }
  return <span className="badge badge-todo">{smtpConfigured ? "not sent yet" : "kept here — SMTP is not configured"}</span>;
}

export default function Outbox() {
  const { mails, smtpConfigured } = useLoaderData<typeof loader>();
  return (
    <section className="panel outbox" aria-labelledby="outbox-heading">
      <div className="row page-heading">
        <h2 id="outbox-heading">Outbox</h2>
      </div>
      <p className="notice" role="status">
        {smtpConfigured
          ? "SMTP is configured: mails are sent as soon as they are written. Those not sent yet are retried with the next mail."
          : "SMTP is not configured: mails are kept here. Copy an invitation's link from its text and send it yourself."}
      </p>
      {mails.length === 0 ? <p className="muted">No mails yet.</p> : null}
      <ol className="card-list outbox-list">
        {mails.map((mail) => (
          <li key={mail.id} className="card">
            <h3 className="outbox-subject">{mail.subject}</h3>
            <p className="meta">
              To <span className="member-email">{mail.to}</span> · {mail.kind} · written <Time value={mail.createdAt} />
            </p>
            <p>
              <Delivery mail={mail} smtpConfigured={smtpConfigured} />
            </p>
            <label htmlFor={`mail-${mail.id}`}>Text of the mail to {mail.to}</label>
            <textarea id={`mail-${mail.id}`} readOnly value={mail.body} rows={Math.min(14, mail.body.split("\n").length + 1)} />
          </li>
        ))}
      </ol>
    </section>
  );
}
