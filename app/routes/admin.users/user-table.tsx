import { Form } from "@remix-run/react";
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

function Action({ account, intent, label }: { account: Account; intent: string; label: string }) {
  return (
    <Form method="post" className="inline-form">
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="userId" value={account.id} />
      <button type="submit" className="button button-secondary" aria-label={`${label}: ${account.name} (${account.email})`}>
        {label}
      </button>
    </Form>
  );
}

/** The accounts of one page, each with what an admin can do to it. */
export function UserTable({ users, me }: { users: Account[]; me: string }) {
  return (
    <table className="data-table labelled-table users-table">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">E-mail</th>
          <th scope="col">Admin</th>
          <th scope="col">Memberships</th>
          <th scope="col">Status</th>
          <th scope="col">Created</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {users.map((account) => (
          <tr key={account.id}>
            <td>
              <strong>{account.name}</strong>
              {account.id === me ? <span className="badge">you</span> : null}
            </td>
            <td data-label="E-mail" className="email">
              {account.email}
            </td>
            <td data-label="Admin">{account.isAdmin ? "yes" : "no"}</td>
            <td data-label="Memberships">{account.memberships}</td>
            <td data-label="Status">
              {account.deactivatedAt ? (
                <span className="badge account-deactivated">
                  deactivated <Time value={account.deactivatedAt} dateOnly />
                </span>
              ) : (
                <span className="badge account-active">active</span>
              )}
            </td>
            <td data-label="Created">
              <Time value={account.createdAt} dateOnly />
            </td>
            <td>
              <div className="row">
                {account.deactivatedAt ? (
                  <Action account={account} intent="reactivate" label="Reactivate" />
                ) : (
                  <>
                    <Action account={account} intent="reset" label="Password-reset link" />
                    {account.id === me ? null : <Action account={account} intent="deactivate" label="Deactivate" />}
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
