import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { PanelData } from "./shared";
import { slot, withElements } from "~/components/translations";

/** What the last action did, from the address it returned to (`?done=`). */
export function Notice({
  search,
  data,
}: {
  search: URLSearchParams;
  data: Pick<PanelData, "slug" | "smtpConfigured" | "openRound">;
}) {
  const { t } = useTranslation("panel");
  const outboxLink = { outbox: <Link to={`/g/${data.slug}/outbox`}>{t("outbox")}</Link> };
  const outbox = withElements(
    t("SMTP is not configured: copy the link from the {{outbox}} and send it yourself.", { outbox: slot("outbox") }),
    outboxLink,
  );
  const sent = Number(search.get("sent"));
  const nextRound =
    data.openRound === null
      ? t("A new role, discipline or group applies from the next round that opens.")
      : t(
          "Round {{number}} keeps the panel it opened with: a new role, discipline or group applies from the next round that opens.",
          {
            number: data.openRound,
          },
        );
  const messages: Record<string, ReactNode> = {
    invite: data.smtpConfigured ? (
      t("Invitation sent.")
    ) : (
      <>
        {t("Invitation created.")} {outbox}
      </>
    ),
    bulk: data.smtpConfigured
      ? t("{{count}} invitations sent.", { count: sent })
      : withElements(
          t("{{count}} invitations created. SMTP is not configured: copy the links from the {{outbox}} and send them yourself.", {
            count: sent,
            outbox: slot("outbox"),
          }),
          outboxLink,
        ),
    resend: data.smtpConfigured ? (
      t("A new link was sent; the old one no longer works.")
    ) : (
      <>
        {t("A new link was created; the old one no longer works.")} {outbox}
      </>
    ),
    revoke: t("Invitation revoked: its link no longer works."),
    remove: t("Member removed from the guideline."),
    recuse: t("Recusal recorded."),
    unrecuse: t("Recusal withdrawn."),
    edit: `${t("Member saved.")} ${nextRound}`,
  };
  const done = search.get("done");
  const message = done ? messages[done] : undefined;
  return message ? (
    <p className="notice" role="status">
      {message}
    </p>
  ) : null;
}
