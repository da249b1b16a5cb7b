import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { FormErrors } from "~/components/form";
import { DraftRoundBadge, LockBadge, STATUS_LABEL, StatusBadge } from "~/components/statement-status";
import { attempt, invalid, readForm } from "~/server/forms.server";
import { requireMember } from "~/server/permissions.server";
import { MoveSchema } from "~/server/statement-form";
import { listStatements, moveStatement, type StatementStatus } from "~/server/statements.server";
import { getDb } from "@db/client.server";
import { STATEMENT_STATUSES } from "~/consensus/values";
import { msg, namespaces } from "~/i18n";
import { tr } from "~/server/i18n.server";
import styles from "~/styles/statements.css";

export const handle = namespaces("statements");

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Statements · Delphi consensus" }];

/** What the list says when no statement has the chosen status: translation keys. */
const NONE_WITH_STATUS: Record<StatementStatus, string> = {
  draft: msg("No statement is draft."),
  in_round: msg("No statement is in round."),
  adopted: msg("No statement is adopted."),
  not_adopted: msg("No statement is not adopted."),
  retired: msg("No statement is retired."),
};

function statusFilter(url: URL): StatementStatus | null {
  const value = url.searchParams.get("status");
  return STATEMENT_STATUSES.find((status) => status === value) ?? null;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline, membership } = await requireMember(request, params.slug, ["secretary", "observer"]);
  const status = statusFilter(new URL(request.url));
  return {
    title: `${tr("Statements", {}, "statements")} · ${tr("Delphi consensus", {}, "statements")}`,
    slug: guideline.slug,
    canEdit: membership.role === "secretary",
    status,
    statements: listStatements(getDb(), { guidelineId: guideline.id, status }),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { guideline } = await requireMember(request, params.slug, "secretary");
  const submission = parseWithZod(await readForm(request), { schema: MoveSchema });
  if (submission.status !== "success") return invalid(submission);
  const { statementId, direction } = submission.value;
  return attempt(submission, () => {
    moveStatement(getDb(), { guidelineId: guideline.id, statementId, direction });
    return redirect(`/g/${guideline.slug}/statements#statement-${statementId}`);
  });
}

/** The start of a statement, cut at a word, for the overview. */
function excerpt(text: string, length = 160): string {
  if (text.length <= length) return text;
  const cut = text.slice(0, length);
  const lastSpace = cut.lastIndexOf(" ");
  return (lastSpace > length / 2 ? cut.slice(0, lastSpace) : cut).trimEnd() + "…";
}

type Summary = ReturnType<typeof useLoaderData<typeof loader>>["statements"][number];

function MoveButton({ statement, direction }: { statement: Summary; direction: "up" | "down" }) {
  const { t } = useTranslation("statements");
  const number = statement.position;
  return (
    <Form method="post" className="stmt-move">
      <input type="hidden" name="intent" value="move" />
      <input type="hidden" name="statementId" value={statement.id} />
      <input type="hidden" name="direction" value={direction} />
      <button
        type="submit"
        className="button button-secondary"
        aria-label={
          direction === "up" ? t("Move statement {{number}} up", { number }) : t("Move statement {{number}} down", { number })
        }
      >
        {direction === "up" ? t("↑ Up") : t("↓ Down")}
      </button>
    </Form>
  );
}

export default function Statements() {
  const { slug, canEdit, status, statements } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation("statements");
  const reorder = canEdit && status === null;
  return (
    <section className="panel stmt-page">
      <div className="row stmt-heading">
        <h2>{t("Statements")}</h2>
        {canEdit ? (
          <Link to={`/g/${slug}/statements/new`} className="button">
            {t("New statement")}
          </Link>
        ) : null}
      </div>
      <FormErrors id="statements-error" errors={actionData?.error?.[""] ?? undefined} />
      <Form method="get" className="row stmt-filter">
        <label htmlFor="status-filter">{t("Status")}</label>
        <select id="status-filter" name="status" defaultValue={status ?? ""}>
          <option value="">{t("All statuses")}</option>
          {STATEMENT_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(STATUS_LABEL[s])}
            </option>
          ))}
        </select>
        <button type="submit" className="button button-secondary">
          {t("Show")}
        </button>
        {status ? <Link to={`/g/${slug}/statements`}>{t("Show all")}</Link> : null}
      </Form>
      {statements.length === 0 ? (
        <p className="muted">{status ? t(NONE_WITH_STATUS[status]) : t("No statements yet.")}</p>
      ) : (
        <table className="data-table stmt-table">
          <caption className="muted">
            {t("{{count}} statements", { count: statements.length })}
            {status ? ` · ${t(STATUS_LABEL[status])}` : ""}
            {canEdit && !reorder ? ` · ${t("show all statuses to change their order")}` : ""}
          </caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t("Section")}</th>
              <th scope="col">{t("Statement")}</th>
              <th scope="col">{t("Status")}</th>
              <th scope="col">{t("Revision")}</th>
              {reorder ? <th scope="col">{t("Order")}</th> : null}
            </tr>
          </thead>
          <tbody>
            {statements.map((statement, index) => (
              <tr key={statement.id} id={`statement-${statement.id}`}>
                <td data-label="#">{statement.position}</td>
                <td data-label={t("Section")}>{statement.section || <span className="muted">—</span>}</td>
                <td data-label={t("Statement")}>
                  <Link to={`/g/${slug}/statements/${statement.id}`}>{excerpt(statement.text)}</Link>
                </td>
                <td data-label={t("Status")}>
                  <StatusBadge status={statement.status} />
                  {statement.lockedInRound !== null ? <LockBadge round={statement.lockedInRound} /> : null}
                  {statement.inDraftRound !== null ? <DraftRoundBadge round={statement.inDraftRound} /> : null}
                </td>
                <td data-label={t("Revision")}>{t("r{{revision}}", { revision: statement.revision })}</td>
                {reorder ? (
                  <td data-label={t("Order")}>
                    <div className="row stmt-order">
                      {index > 0 ? <MoveButton statement={statement} direction="up" /> : null}
                      {index < statements.length - 1 ? <MoveButton statement={statement} direction="down" /> : null}
                    </div>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
