import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { slot, withElements } from "~/components/translations";
import { Time } from "~/components/time";

type Account = {
  id: string;
  name: string;
  email: string;
  isAdmin: boolean;
  deactivatedAt: string | null;
  createdAt: string;
  memberships: number;
};

/** One action's button; `label` is already translated. */
function Action({ account, intent, label }: { account: Account; intent: string; label: string }) {
  const { t } = useTranslation("admin");
  return (
    <Form method="post" className="inline-form">
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="userId" value={account.id} />
      <button
        type="submit"
        className="button button-secondary"
        aria-label={t("{{action}}: {{name}} ({{email}})", { action: label, name: account.name, email: account.email })}
      >
        {label}
      </button>
    </Form>
  );
}

/** The accounts of one page, each with what an admin can do to it. */
export function UserTable({ users, me }: { users: Account[]; me: string }) {
  const { t } = useTranslation("admin");
  return (
    <table className="data-table labelled-table users-table">
      <thead>
        <tr>
          <th scope="col">{t("Name")}</th>
          <th scope="col">{t("E-mail")}</th>
          <th scope="col">{t("Admin")}</th>
          <th scope="col">{t("Memberships")}</th>
          <th scope="col">{t("Status")}</th>
          <th scope="col">{t("Created")}</th>
          <th scope="col">{t("Actions")}</th>
        </tr>
      </thead>
      <tbody>
        {users.map((account) => (
          <tr key={account.id}>
            <td>
              <strong>{account.name}</strong>
              {account.id === me ? <span className="badge">{t("you")}</span> : null}
            </td>
            <td data-label={t("E-mail")} className="email">
              {account.email}
            </td>
            <td data-label={t("Admin")}>{account.isAdmin ? t("yes") : t("no")}</td>
            <td data-label={t("Memberships")}>{account.memberships}</td>
            <td data-label={t("Status")}>
              {account.deactivatedAt ? (
                <span className="badge account-deactivated">
                  {withElements(t("deactivated {{date}}", { date: slot("date") }), {
                    date: <Time value={account.deactivatedAt} dateOnly />,
                  })}
                </span>
              ) : (
                <span className="badge account-active">{t("active")}</span>
              )}
            </td>
            <td data-label={t("Created")}>
              <Time value={account.createdAt} dateOnly />
            </td>
            <td>
              <div className="row">
                {account.deactivatedAt ? (
                  <Action account={account} intent="reactivate" label={t("Reactivate")} />
                ) : (
                  <>
                    <Action account={account} intent="reset" label={t("Password-reset link")} />
                    {account.id === me ? null : <Action account={account} intent="deactivate" label={t("Deactivate")} />}
                  </>
                )}
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
