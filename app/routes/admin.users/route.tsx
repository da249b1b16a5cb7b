import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { getDb } from "@db/client.server";
import { AdminNav, LinkToCopy } from "~/components/admin";
import { slot, withElements } from "~/components/translations";
import { Time } from "~/components/time";
import { msg, namespaces } from "~/i18n";
import { deactivateAccount, issuePasswordReset, listUsers, reactivateAccount } from "~/server/accounts.server";
import { requireAdmin, type User } from "~/server/auth.server";
import { publicOrigin } from "~/server/env.server";
import { attempt, invalid, readForm } from "~/server/forms.server";
import { tr } from "~/server/i18n.server";
import { deliverOutbox } from "~/server/mail.server";
import styles from "~/styles/admin.css";
import { Pager } from "~/components/pager";
import { UserTable } from "./user-table";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const handle = namespaces("admin");

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.title ?? "Users · Administration · Delphi consensus" },
];

const userId = z.string({ error: msg("Choose the account") }).min(1, msg("Choose the account"));

const AccountChange = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("deactivate"), userId }),
    z.object({ intent: z.literal("reactivate"), userId }),
    z.object({ intent: z.literal("reset"), userId }),
  ],
  { error: msg("Choose what to do: deactivate, reactivate or send a password-reset link") },
);

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const search = new URL(request.url).searchParams;
  const page = Number.parseInt(search.get("page") ?? "1", 10);
  return {
    title: [tr("Users", {}, "admin"), tr("Administration", {}, "admin"), tr("Delphi consensus", {}, "common")].join(" · "),
    me: admin.id,
    ...listUsers(getDb(), { q: search.get("q") ?? "", page: Number.isSafeInteger(page) ? page : 1 }),
  };
}

type Done =
  | { intent: "deactivate"; email: string; sessionsEnded: number }
  | { intent: "reactivate"; email: string }
  | { intent: "reset"; email: string; link: string | null; expiresAt: string };

function change(admin: User, value: z.output<typeof AccountChange>, origin: string): Done {
  const db = getDb();
  switch (value.intent) {
    case "deactivate":
      return { intent: value.intent, ...deactivateAccount(db, { userId: value.userId, actorId: admin.id }) };
    case "reactivate":
      return { intent: value.intent, ...reactivateAccount(db, { userId: value.userId, actorId: admin.id }) };
    case "reset": {
      const reset = issuePasswordReset(db, { userId: value.userId, admin, origin });
      return { intent: value.intent, email: reset.email, link: reset.link, expiresAt: reset.expiresAt.toISOString() };
    }
  }
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const submission = parseWithZod(await readForm(request), { schema: AccountChange });
  if (submission.status !== "success") return invalid(submission);
  const done = await attempt(submission, () => change(admin, submission.value, publicOrigin(request)));
  if (done instanceof Response) return done;
  if (done.intent === "reset") void deliverOutbox();
  return { done };
}

type ActionData = SubmissionResult<string[]> | { done: Done };

function Outcome({ data }: { data: ActionData }) {
  const { t } = useTranslation("admin");
  if (!("done" in data)) {
    const messages = Object.values(data.error ?? {}).flatMap((errors) => (errors ?? []).map((error) => t(error)));
    return messages.length > 0 ? (
      <p className="form-error" role="alert">
        {messages.join(" ")}
      </p>
    ) : null;
  }
  const { done } = data;
  switch (done.intent) {
    case "deactivate":
      return (
        <p className="notice" role="status">
          {t("{{email}} is deactivated and can no longer log in.", { email: done.email })}{" "}
          {t("Its {{count}} sessions have ended.", { count: done.sessionsEnded })}
        </p>
      );
    case "reactivate":
      return (
        <p className="notice" role="status">
          {t("{{email}} can log in again, with the password it had.", { email: done.email })}
        </p>
      );
    case "reset": {
      const worksOnce = withElements(t("It works once, until {{date}}; a newer link replaces it.", { date: slot("date") }), {
        date: <Time value={done.expiresAt} />,
      });
      return done.link ? (
        <LinkToCopy id="reset-link" label={t("Password-reset link for {{email}}", { email: done.email })} link={done.link}>
          <p>
            {worksOnce} {t("Setting a password ends every session of the account.")}{" "}
            {t("SMTP is not configured, so no mail goes out: send it to them yourself.")}
          </p>
        </LinkToCopy>
      ) : (
        <p className="notice" role="status">
          {t("A password-reset link was mailed to {{email}}.", { email: done.email })} {worksOnce}{" "}
          {t("It is not shown here: only the account's owner should hold it.")}
        </p>
      );
    }
  }
}

function pageLink(q: string, page: number): string {
  const search = new URLSearchParams();
  if (q) search.set("q", q);
  if (page > 1) search.set("page", String(page));
  const query = search.toString();
  return query ? `/admin/users?${query}` : "/admin/users";
}

export default function Users() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ActionData | undefined;
  const first = data.total === 0 ? 0 : (data.page - 1) * data.pageSize + 1;
  const last = first === 0 ? 0 : first + data.users.length - 1;
  const { t } = useTranslation("admin");
  return (
    <div className="admin stack">
      <AdminNav />
      {actionData ? <Outcome data={actionData} /> : null}
      <section className="panel" aria-labelledby="users-heading">
        <h2 id="users-heading">{t("Users")}</h2>
        <Form method="get" className="search-form" role="search">
          <label htmlFor="user-search">{t("Name or e-mail address contains")}</label>
          <div className="search-row">
            <input id="user-search" name="q" type="search" defaultValue={data.q} autoComplete="off" />
            <button type="submit" className="button">
              {t("Search")}
            </button>
          </div>
        </Form>
        <p className="muted" aria-live="polite">
          {data.total === 0
            ? data.q
              ? t("No account matches “{{q}}”.", { q: data.q })
              : t("No accounts yet.")
            : data.q
              ? t("Accounts {{first}}–{{last}} of {{total}} matching “{{q}}”.", { first, last, total: data.total, q: data.q })
              : t("Accounts {{first}}–{{last}} of {{total}}.", { first, last, total: data.total })}
          {data.q ? (
            <>
              {" "}
              <Link to="/admin/users">{t("Show every account")}</Link>
            </>
          ) : null}
        </p>
        {data.users.length > 0 ? <UserTable users={data.users} me={data.me} /> : null}
        <Pager label={t("Pages of accounts")} page={data.page} pages={data.pageCount} href={(page) => pageLink(data.q, page)} />
      </section>
    </div>
  );
}
