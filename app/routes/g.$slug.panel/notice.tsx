import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import type { PanelData } from "./shared";

/** What the last action did, from the address it returned to (`?done=`). */
export function Notice({
  search,
  data,
}: {
  search: URLSearchParams;
  data: Pick<PanelData, "slug" | "smtpConfigured" | "openRound">;
}) {
  const outbox = (
    <>
      SMTP is not configured: copy the link from the <Link to={`/g/${data.slug}/outbox`}>outbox</Link> and send it yourself.
    </>
  );
  const sent = Number(search.get("sent"));
  const invitations = `${sent} invitation${sent === 1 ? "" : "s"}`;
  const nextRound =
    data.openRound === null
      ? "A new role, discipline or group applies from the next round that opens."
      : `Round ${data.openRound} keeps the panel it opened with: a new role, discipline or group applies from the next round that opens.`;
  const messages: Record<string, ReactNode> = {
    invite: data.smtpConfigured ? "Invitation sent." : <>Invitation created. {outbox}</>,
    bulk: data.smtpConfigured ? (
      `${invitations} sent.`
    ) : (
      <>
        {invitations} created. SMTP is not configured: copy the links from the <Link to={`/g/${data.slug}/outbox`}>outbox</Link>{" "}
        and send them yourself.
      </>
    ),
    resend: data.smtpConfigured ? (
      "A new link was sent; the old one no longer works."
    ) : (
      <>A new link was created; the old one no longer works. {outbox}</>
    ),
    revoke: "Invitation revoked: its link no longer works.",
    remove: "Member removed from the guideline.",
    recuse: "Recusal recorded.",
    unrecuse: "Recusal withdrawn.",
    edit: `Member saved. ${nextRound}`,
  };
  const done = search.get("done");
  const message = done ? messages[done] : undefined;
  return message ? (
    <p className="notice" role="status">
      {message}
    </p>
  ) : null;
}
