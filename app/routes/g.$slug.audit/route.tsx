import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { getDb } from "@db/client.server";
import { namespaces } from "~/i18n";
import { readAuditLog } from "~/server/audit-log.server";
import { tr } from "~/server/i18n.server";
import { requireMember } from "~/server/permissions.server";
import styles from "~/styles/audit.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const handle = namespaces("publication");

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Audit log · Delphi consensus" }];

/** `?page=N`; anything else is the first page. */
function pageOf(request: Request): number {
  const page = Number(new URL(request.url).searchParams.get("page") ?? 1);
  return Number.isSafeInteger(page) && page >= 1 ? page : 1;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline } = await requireMember(request, params.slug, "secretary");
  const log = readAuditLog(getDb(), { guideline, page: pageOf(request) });
  return {
    ...log,
    anonymous: guideline.anonymity === "anonymous",
    title: `${tr("Audit log", undefined, "publication")} · ${tr("Delphi consensus", undefined, "common")}`,
  };
}

function utc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

function Pages({ page, pages }: { page: number; pages: number }) {
  const { t } = useTranslation("publication");
  if (pages === 1) return null;
  return (
    <nav aria-label={t("Audit log pages")} className="row audit-pages">
      {page > 1 ? (
        <Link to={`?page=${page - 1}`} rel="prev">
          {t("Newer events")}
        </Link>
      ) : null}
      <span className="muted">{t("Page {{page}} of {{pages}}", { page, pages })}</span>
      {page < pages ? (
        <Link to={`?page=${page + 1}`} rel="next">
          {t("Older events")}
        </Link>
      ) : null}
    </nav>
  );
}

export default function AuditLog() {
  const { entries, page, pages, total, anonymous } = useLoaderData<typeof loader>();
  const { t } = useTranslation("publication");
  return (
    <section className="panel stack audit" aria-labelledby="audit-heading">
      <h2 id="audit-heading">{t("Audit log")}</h2>
      <p className="meta">
        {t("{{count}} events, newest first.", { count: total })}
        {anonymous ? t(" This guideline is anonymous: ballot events never show what anyone chose.") : null}
      </p>
      {entries.length === 0 ? (
        <p className="muted">{t("Nothing has happened yet.")}</p>
      ) : (
        <table className="data-table audit-table">
          <thead>
            <tr>
              <th scope="col">{t("Time (UTC)")}</th>
              <th scope="col">{t("Who")}</th>
              <th scope="col">{t("What")}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td>
                  <time dateTime={e.at}>{utc(e.at)}</time>
                </td>
                <td>{e.who}</td>
                <td>{e.what}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pages page={page} pages={pages} />
    </section>
  );
}
