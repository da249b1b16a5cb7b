import { Form, Link, useSubmit } from "@remix-run/react";
import { useEffect, useRef, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Time } from "~/components/time";
import type { PanelStatus } from "~/consensus/values";
import { InvitationActions } from "./invitations";
import { EditMemberForm, RemoveConfirmation } from "./member-forms";
import {
  ForScreenReaders,
  panelHref,
  resultFor,
  ROLE_LABEL,
  RowErrors,
  STATUS_COUNT,
  STATUS_LABEL,
  type PanelData,
  type PanelPerson,
  type Result,
} from "./shared";
import { slot, withElements } from "~/components/translations";

const COLUMNS = 7;

/**
 * The search and status filter: a GET form, filtered on the server, so it works without
 * JavaScript; with it, the list follows as you type.
 */
function FilterForm({ data }: { data: PanelData }) {
  const { t } = useTranslation("panel");
  const submit = useSubmit();
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const search = useRef<HTMLInputElement>(null);
  const status = useRef<HTMLSelectElement>(null);
  useEffect(() => () => clearTimeout(timer.current), []);
  // A link that changes the filter ("Show everyone") updates the fields, except the one being used.
  useEffect(() => {
    if (search.current && document.activeElement !== search.current) search.current.value = data.filter.q;
    if (status.current && document.activeElement !== status.current) status.current.value = data.filter.status;
  }, [data.filter.q, data.filter.status]);
  const follow = (event: FormEvent<HTMLFormElement>) => {
    const form = event.currentTarget;
    clearTimeout(timer.current);
    timer.current = setTimeout(() => submit(form, { replace: true, preventScrollReset: true }), 300);
  };
  const filtered = data.filter.q !== "" || data.filter.status !== "all";
  return (
    <Form method="get" role="search" aria-label={t("The panel's list")} className="people-filter" onChange={follow}>
      <div className="field">
        <label htmlFor="people-q">{t("Search by name, e-mail, discipline, group or affiliation")}</label>
        <input ref={search} id="people-q" name="q" type="search" defaultValue={data.filter.q} maxLength={200} />
      </div>
      <div className="field">
        <label htmlFor="people-status">{t("Status")}</label>
        <select ref={status} id="people-status" name="status" defaultValue={data.filter.status}>
          <option value="all">{t("Everyone ({{number}})", { number: data.peopleTotal })}</option>
          {(Object.keys(STATUS_LABEL) as PanelStatus[]).map((status) => (
            <option key={status} value={status}>
              {t("{{status}} ({{number}})", { status: t(STATUS_LABEL[status]), number: data.statusCounts[status] })}
            </option>
          ))}
        </select>
      </div>
      <div className="row people-filter-buttons">
        <button type="submit" className="button button-secondary">
          {t("Filter")}
        </button>
        {filtered ? <Link to={`/g/${data.slug}/panel`}>{t("Show everyone")}</Link> : null}
      </div>
    </Form>
  );
}

function Coi({ person, result }: { person: PanelPerson; result: Result }) {
  const { t } = useTranslation("panel");
  if (person.status === "invited" || person.status === "expired") return <span className="muted">—</span>;
  const name = person.name ?? person.email;
  return (
    <>
      {person.coiDeclaredAt ? (
        <details className="coi">
          <summary>
            {withElements(t("Declared {{date}}", { date: slot("date") }), {
              date: <Time value={person.coiDeclaredAt} dateOnly />,
            })}
            <ForScreenReaders>{t(": {{name}}'s declaration", { name })}</ForScreenReaders>
          </summary>
          <p className="coi-text">{person.coiText || t("No conflicts declared.")}</p>
        </details>
      ) : (
        <span className="muted">{t("not declared yet")}</span>
      )}
      {person.recusals.length > 0 ? (
        <ul className="recusal-list">
          {person.recusals.map((recusal) => (
            <li key={recusal.statementId}>
              <span>
                {recusal.reason
                  ? t("Recused from statement {{number}}: {{reason}}", { number: recusal.position, reason: recusal.reason })
                  : t("Recused from statement {{number}}", { number: recusal.position })}
              </span>
              {person.status === "joined" ? (
                <Form method="post" className="inline-form">
                  <input type="hidden" name="intent" value="unrecuse" />
                  <input type="hidden" name="membershipId" value={person.membershipId ?? ""} />
                  <input type="hidden" name="statementId" value={recusal.statementId} />
                  <button
                    type="submit"
                    className="button-link"
                    aria-label={t("Withdraw {{name}}'s recusal from statement {{number}}", { name, number: recusal.position })}
                  >
                    {t("Withdraw")}
                  </button>
                </Form>
              ) : null}
              <RowErrors
                result={resultFor(result, "unrecuse", {
                  membershipId: person.membershipId ?? "",
                  statementId: recusal.statementId,
                })}
              />
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}

function Status({ person }: { person: PanelPerson }) {
  const { t } = useTranslation("panel");
  const date = person.statusAt ? { date: <Time value={person.statusAt} dateOnly /> } : null;
  return (
    <>
      <span className={`badge status-${person.status}`}>{t(STATUS_LABEL[person.status])}</span>
      {date ? (
        <span className="muted status-date">
          {" "}
          {person.status === "invited"
            ? withElements(t("until {{date}}", { date: slot("date") }), date)
            : withElements(t("on {{date}}", { date: slot("date") }), date)}
        </span>
      ) : null}
    </>
  );
}

/** The row's actions behind a menu that opens without JavaScript. */
function Actions({ person, data }: { person: PanelPerson; data: PanelData }) {
  const { t } = useTranslation("panel");
  const name = person.name ?? person.email;
  const membershipId = person.membershipId;
  if (person.status === "removed") return <span className="muted">—</span>;
  return (
    <details className="row-menu">
      <summary>
        {t("Actions")}
        <ForScreenReaders> {t("for {{name}}", { name })}</ForScreenReaders>
      </summary>
      <div className="row-menu-items">
        {person.status === "joined" && membershipId ? (
          <>
            <Link to={panelHref(data, { edit: membershipId }, `#edit-${membershipId}`)}>
              {t("Edit")}
              <ForScreenReaders> {name}</ForScreenReaders>
            </Link>
            {person.userId === data.me ? null : (
              <Link to={panelHref(data, { remove: membershipId }, `#remove-${membershipId}`)}>
                {t("Remove")}
                <ForScreenReaders> {name}</ForScreenReaders>…
              </Link>
            )}
          </>
        ) : null}
        {person.invitationId ? (
          <InvitationActions
            invitation={{
              id: person.invitationId,
              email: person.email,
              state: person.status === "invited" ? "valid" : "expired",
            }}
          />
        ) : null}
      </div>
    </details>
  );
}

function PersonRows({ person, data, result }: { person: PanelPerson; data: PanelData; result: Result }) {
  const { t } = useTranslation("panel");
  const membershipId = person.status === "joined" ? person.membershipId : null;
  const editing = membershipId !== null && data.editing === membershipId;
  const removing = membershipId !== null && data.removing === membershipId && person.userId !== data.me;
  const row = { membershipId: membershipId ?? "" };
  return (
    <>
      <tr className={`person person-${person.status}`}>
        <th scope="row" className="person-name">
          {person.name ?? <span className="muted">{t("not joined yet")}</span>}
          {person.userId !== null && person.userId === data.me ? <span className="muted"> {t("(you)")}</span> : null}
          {person.affiliation ? <span className="muted person-affiliation">{person.affiliation}</span> : null}
        </th>
        <td data-label={t("E-mail")} className="member-email">
          {person.email}
        </td>
        <td data-label={t("Discipline / group")}>
          {person.discipline ?? <span className="muted">—</span>}
          {person.stakeholderGroup ? (
            <span className="person-group">{t("group: {{group}}", { group: person.stakeholderGroup })}</span>
          ) : null}
        </td>
        <td data-label={t("Role")}>{t(ROLE_LABEL[person.role])}</td>
        <td data-label={t("Status")}>
          <Status person={person} />
        </td>
        <td data-label={t("Conflict of interest")}>
          <Coi person={person} result={result} />
        </td>
        <td className="person-actions">
          <Actions person={person} data={data} />
          {editing ? null : <RowErrors result={resultFor(result, "edit", row)} />}
          {removing ? null : <RowErrors result={resultFor(result, "remove", row)} />}
        </td>
      </tr>
      {editing && membershipId ? (
        <tr id={`edit-${membershipId}`} className="person-form-row">
          <td colSpan={COLUMNS}>
            <EditMemberForm person={{ ...person, membershipId }} data={data} result={result} />
          </td>
        </tr>
      ) : null}
      {removing && membershipId ? (
        <tr id={`remove-${membershipId}`} className="person-form-row">
          <td colSpan={COLUMNS}>
            <RemoveConfirmation person={{ ...person, membershipId }} data={data} result={result} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/**
 * Everyone on the panel's list in one compact table — members, invitations not taken up and
 * removed members — searchable and filtered by status, each row's actions in its own menu.
 * On a phone the rows become cards, each cell naming its column.
 */
export function PeopleSection({ data, result }: { data: PanelData; result: Result }) {
  const { t } = useTranslation("panel");
  const { people } = data;
  const count = (status: PanelStatus) => t(STATUS_COUNT[status], { number: data.statusCounts[status] });
  const counts = { joined: count("joined"), invited: count("invited"), expired: count("expired"), removed: count("removed") };
  return (
    <section aria-labelledby="members-heading" className="panel-section">
      <h3 id="members-heading">{t("Members ({{number}})", { number: data.members.length })}</h3>
      <FilterForm data={data} />
      <p className="muted people-count" aria-live="polite">
        {people.length === data.peopleTotal
          ? t("{{total}} on the list: {{joined}}, {{invited}}, {{expired}}, {{removed}}.", { total: data.peopleTotal, ...counts })
          : t("Showing {{shown}} of {{total}}: {{joined}}, {{invited}}, {{expired}}, {{removed}}.", {
              shown: people.length,
              total: data.peopleTotal,
              ...counts,
            })}
      </p>
      {people.length === 0 ? (
        <p>{t("No one on the list matches.")}</p>
      ) : (
        <table className="data-table people-table">
          <caption className="visually-hidden">{t("Members, invitations not taken up and removed members")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("Name")}</th>
              <th scope="col">{t("E-mail")}</th>
              <th scope="col">{t("Discipline / group")}</th>
              <th scope="col">{t("Role")}</th>
              <th scope="col">{t("Status")}</th>
              <th scope="col">{t("Conflict of interest")}</th>
              <th scope="col">
                <ForScreenReaders>{t("Actions")}</ForScreenReaders>
              </th>
            </tr>
          </thead>
          <tbody>
            {people.map((person) => (
              <PersonRows key={person.key} person={person} data={data} result={result} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
