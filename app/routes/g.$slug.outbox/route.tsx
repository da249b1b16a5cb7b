import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useRef, useState, useSyncExternalStore } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { getDb } from "@db/client.server";
import { Time } from "~/components/time";
import { msg, namespaces } from "~/i18n";
import { attempt, invalid, readForm } from "~/server/forms.server";
import { tr } from "~/server/i18n.server";
import { deliverOutbox, INTERRUPTED, resendMail } from "~/server/mail.server";
import { listOutbox } from "~/server/panel.server";
import { requireMember } from "~/server/permissions.server";
import { slots, withElements } from "~/components/translations";
import styles from "~/styles/panel.css";
import { Delivery } from "./delivery";

export const handle = namespaces("rounds");

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Outbox · Delphi consensus" }];

/** The first address in a mail's text: its invitation, voting or reset link. */
function linkIn(body: string): string | null {
  return /https?:\/\/\S+/.exec(body)?.[0] ?? null;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline } = await requireMember(request, params.slug, "secretary");
  const outbox = listOutbox(getDb(), { guidelineId: guideline.id });
  // A delivery a restart interrupted is explained in the reader's language, not as stored.
  const mails = outbox.mails.map((mail) => ({ ...mail, interrupted: mail.lastError === INTERRUPTED }));
  // Every mail not sent yet that carries a link: recipient and link, one a line, oldest first.
  const pendingLinks = mails
    .filter((mail) => !mail.sentAt)
    .map((mail) => ({ to: mail.to, link: linkIn(mail.body) }))
    .filter((line): line is { to: string; link: string } => line.link !== null)
    .reverse();
  return {
    smtpConfigured: outbox.smtpConfigured,
    mails,
    failed: mails.filter((mail) => mail.failedAt).length,
    /** Back from "Send again". */
    resent: new URL(request.url).searchParams.get("done") === "resend",
    pendingLinks,
    title: tr("Outbox · Delphi consensus", undefined, "rounds"),
  };
}

const SendAgainSchema = z.object({
  mailId: z
    .string({ error: msg("Choose a mail.") })
    .trim()
    .min(1, msg("Choose a mail.")),
});

/** "Send again" for a failed mail: pending once more, then delivered like a new one. */
export async function action({ request, params }: ActionFunctionArgs) {
  const { guideline, user } = await requireMember(request, params.slug, "secretary");
  const submission = parseWithZod(await readForm(request), { schema: SendAgainSchema });
  if (submission.status !== "success") return invalid(submission);
  const result = await attempt(submission, () =>
    resendMail(getDb(), { guidelineId: guideline.id, mailId: submission.value.mailId, actorId: user.id }),
  );
  if (result instanceof Response) return result;
  void deliverOutbox();
  return redirect(`/g/${encodeURIComponent(guideline.slug)}/outbox?done=resend`);
}

/** What each kind of mail is called; a kind not listed shows as stored. */
const MAIL_KIND = new Map([
  ["invitation", msg("invitation")],
  ["reminder", msg("reminder")],
  ["round-opened", msg("round-opened")],
  ["password-reset", msg("password-reset")],
  ["password-changed", msg("password-changed")],
]);

const noSubscription = () => () => {};
const hasClipboard = () => navigator.clipboard !== undefined;

/**
 * Every pending link at once, to paste into one's own mail: a read-only text box to select and
 * copy (without JavaScript), and with it a button that puts the whole list on the clipboard.
 */
function CopyAllLinks({ lines }: { lines: { to: string; link: string }[] }) {
  const { t } = useTranslation("rounds");
  const text = lines.map((line) => `${line.to} ${line.link}`).join("\n");
  const box = useRef<HTMLTextAreaElement>(null);
  // False on the server and while hydrating, so the button appears only where a script can press it.
  const canCopy = useSyncExternalStore(noSubscription, hasClipboard, () => false);
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(t("Copied {{count}} links.", { count: lines.length }));
    } catch {
      box.current?.select();
      setCopied(t("The browser did not allow copying: the list is selected, copy it with your keyboard."));
    }
  };
  return (
    <section className="panel-section copy-links" aria-labelledby="copy-links-heading">
      <h3 id="copy-links-heading">{t("All links not sent yet ({{count}} mails)", { count: lines.length })}</h3>
      <label htmlFor="copy-links">{t("Recipient and link, one a line: select it all and copy")}</label>
      <textarea
        id="copy-links"
        ref={box}
        readOnly
        value={text}
        rows={Math.min(12, lines.length + 1)}
        onFocus={(event) => event.currentTarget.select()}
      />
      {canCopy ? (
        <p className="row">
          <button type="button" className="button button-secondary" onClick={copy}>
            {t("Copy all links")}
          </button>
          <span role="status">{copied}</span>
        </p>
      ) : null}
    </section>
  );
}

export type OutboxMail = ReturnType<typeof useLoaderData<typeof loader>>["mails"][number];

export default function Outbox() {
  const { mails, smtpConfigured, pendingLinks, failed, resent } = useLoaderData<typeof loader>();
  const refused = useActionData<typeof action>();
  const { t } = useTranslation("rounds");
  const refusals = Object.values(refused?.error ?? {}).flatMap((errors) => errors ?? []);
  return (
    <section className="panel outbox" aria-labelledby="outbox-heading">
      <div className="row page-heading">
        <h2 id="outbox-heading">{t("Outbox")}</h2>
      </div>
      <p className="notice" role="status">
        {smtpConfigured
          ? t(
              "SMTP is configured: mails are sent as soon as they are written. One the mail server does not take is tried again later, waiting longer each time; one it refuses is marked failed.",
            )
          : t("SMTP is not configured: mails are kept here. Copy an invitation's link from its text and send it yourself.")}
      </p>
      {resent ? (
        <p className="notice" role="status">
          {t("The mail is waiting to be sent again.")}
        </p>
      ) : null}
      {refusals.length > 0 ? (
        <p className="form-error" role="alert">
          {refusals.join(" ")}
        </p>
      ) : null}
      {failed > 0 ? (
        <p className="notice notice-failed" role="status">
          {t("{{count}} mails could not be delivered: they are marked failed below. Check the address, then send them again.", {
            count: failed,
          })}
        </p>
      ) : null}
      {pendingLinks.length > 0 ? <CopyAllLinks lines={pendingLinks} /> : null}
      {mails.length === 0 ? <p className="muted">{t("No mails yet.")}</p> : null}
      <ol className="card-list outbox-list">
        {mails.map((mail) => (
          <li key={mail.id} className={mail.failedAt ? "card outbox-failed" : "card"}>
            <h3 className="outbox-subject">{mail.subject}</h3>
            <p className="meta">
              {withElements(t("To {{to}} · {{kind}} · written {{when}}", slots("to", "kind", "when")), {
                to: <span className="member-email">{mail.to}</span>,
                kind: MAIL_KIND.has(mail.kind) ? t(MAIL_KIND.get(mail.kind)!) : mail.kind,
                when: <Time value={mail.createdAt} />,
              })}
            </p>
            <Delivery mail={mail} smtpConfigured={smtpConfigured} />
            <label htmlFor={`mail-${mail.id}`}>{t("Text of the mail to {{to}}", { to: mail.to })}</label>
            <textarea id={`mail-${mail.id}`} readOnly value={mail.body} rows={Math.min(14, mail.body.split("\n").length + 1)} />
          </li>
        ))}
      </ol>
    </section>
  );
}
