import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Time } from "~/components/time";
import { slots, withElements } from "~/components/translations";
import type { OutboxMail } from "./route";

/**
 * Where a mail is: sent (when), failed for good (why, and "Send again"), waiting for its next
 * attempt (which, when, and the last error), being sent, or not tried yet.
 */
export function Delivery({ mail, smtpConfigured }: { mail: OutboxMail; smtpConfigured: boolean }) {
  const { t } = useTranslation("rounds");
  if (mail.sentAt) {
    return (
      <p>
        <span className="badge badge-done">
          {withElements(t("sent {{when}}", slots("when")), { when: <Time value={mail.sentAt} /> })}
        </span>
      </p>
    );
  }
  if (mail.failedAt) {
    return (
      <div className="mail-delivery">
        <p>
          <span className="badge badge-failed">
            {withElements(t("failed {{when}}", slots("when")), { when: <Time value={mail.failedAt} /> })}
          </span>
        </p>
        <p className="mail-error">
          {mail.interrupted
            ? t(
                "The server restarted while sending this mail, so whether it arrived is unknown. It is not sent again by itself: check with the recipient, or send it again.",
              )
            : t("Last error: {{error}}", { error: mail.lastError ?? "" })}
        </p>
        <Form method="post" className="row">
          <input type="hidden" name="mailId" value={mail.id} />
          <button type="submit" className="button button-secondary">
            {t("Send again")}
            <span className="visually-hidden"> {t("the mail to {{to}}", { to: mail.to })}</span>
          </button>
        </Form>
      </div>
    );
  }
  if (!smtpConfigured) {
    return (
      <p>
        <span className="badge badge-todo">{t("kept here — SMTP is not configured")}</span>
      </p>
    );
  }
  if (mail.sendingAt) {
    return (
      <p>
        <span className="badge badge-todo">{t("being sent")}</span>
      </p>
    );
  }
  if (mail.attempts > 0 && mail.nextAttemptAt) {
    return (
      <div className="mail-delivery">
        <p>
          <span className="badge badge-todo">
            {withElements(
              t("waiting: attempt {{attempt}} failed, next try {{when}}", { ...slots("when"), attempt: mail.attempts }),
              { when: <Time value={mail.nextAttemptAt} /> },
            )}
          </span>
        </p>
        <p className="mail-error">{t("Last error: {{error}}", { error: mail.lastError ?? "" })}</p>
      </div>
    );
  }
  return (
    <p>
      <span className="badge badge-todo">{t("not sent yet")}</span>
    </p>
  );
}
