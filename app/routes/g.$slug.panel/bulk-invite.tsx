import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { INVITE_COLUMNS, MAX_INVITE_ROWS } from "~/server/invite-csv";
import { ROLE_LABEL, panelHref, type BulkState, type PanelData, type Result } from "./shared";
import { slot, withElements } from "~/components/translations";

const EXAMPLE =
  "name,email,discipline,affiliation,group\nAda Lovelace,ada@example.org,Pathology,Lyon University Hospital,Clinicians";

/** Step 2: the checked rows, each with its problems, and the button that invites those without. */
function BulkPreview({ bulk, data, errors }: { bulk: BulkState; data: PanelData; errors: string[] }) {
  const { t } = useTranslation("panel");
  const leftOut = bulk.rows.length - bulk.ready;
  return (
    <section aria-labelledby="bulk-preview-heading" className="bulk-preview" id="bulk-preview">
      <h4 id="bulk-preview-heading">
        {t("Preview: {{ready}} of {{count}} rows can be invited", { ready: bulk.ready, count: bulk.rows.length })}
      </h4>
      {errors.length > 0 ? (
        <p className="form-error" role="alert">
          {errors.join(" ")}
        </p>
      ) : null}
      <table className="data-table bulk-table">
        <caption className="visually-hidden">{t("The rows of the CSV, each with what stops it from being invited")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("Row")}</th>
            <th scope="col">{t("Name")}</th>
            <th scope="col">{t("E-mail")}</th>
            <th scope="col">{t("Discipline")}</th>
            <th scope="col">{t("Affiliation")}</th>
            <th scope="col">{t("Group")}</th>
            <th scope="col">{t("Role")}</th>
            <th scope="col">{t("Check")}</th>
          </tr>
        </thead>
        <tbody>
          {bulk.rows.map((row) => (
            <tr key={row.row} className={row.problems.length > 0 ? "bulk-problem" : undefined}>
              <th scope="row" data-label={t("Row")}>
                {row.row}
              </th>
              <td data-label={t("Name")}>{row.name || <span className="muted">—</span>}</td>
              <td data-label={t("E-mail")} className="member-email">
                {row.email || <span className="muted">—</span>}
              </td>
              <td data-label={t("Discipline")}>{row.discipline ?? <span className="muted">—</span>}</td>
              <td data-label={t("Affiliation")}>{row.affiliation ?? <span className="muted">—</span>}</td>
              <td data-label={t("Group")}>{row.group ?? <span className="muted">—</span>}</td>
              <td data-label={t("Role")}>{row.role ? t(ROLE_LABEL[row.role]) : <span className="muted">—</span>}</td>
              <td data-label={t("Check")}>
                {row.problems.length === 0 ? (
                  t("ready")
                ) : (
                  <ul className="bulk-problems">
                    {row.problems.map((problem) => (
                      <li key={problem}>{problem}</li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {bulk.ready === 0 ? (
        <p>{t("No row can be invited: correct the rows above and preview them again.")}</p>
      ) : (
        <Form method="post" action={panelHref(data)} className="bulk-send">
          <input type="hidden" name="intent" value="bulk-send" />
          <input type="hidden" name="csv" value={bulk.csv} />
          <input type="hidden" name="expected" value={bulk.readyRows} />
          {leftOut > 0 ? (
            <p>
              {t("{{count}} rows with a problem will be left out: correct them above and preview again to include them.", {
                count: leftOut,
              })}
            </p>
          ) : null}
          <button type="submit" className="button">
            {t("Send {{count}} invitations", { count: bulk.ready })}
          </button>
        </Form>
      )}
    </section>
  );
}

/**
 * Invitations from a spreadsheet: step 1 previews pasted or uploaded CSV (nothing is written),
 * step 2 sends the invitations of the rows without a problem.
 */
export function BulkInvite({ bulk, data, result }: { bulk?: BulkState; data: PanelData; result: Result }) {
  const { t } = useTranslation("panel");
  const intent = result?.initialValue?.intent;
  const mine = intent === "bulk-preview" || intent === "bulk-send" ? result : undefined;
  const fieldErrors = (field: string) => (mine?.error?.[field] ?? []).map((error) => t(error));
  const csvErrors = fieldErrors("csv");
  const fileErrors = fieldErrors("file");
  const formErrors = [...fieldErrors(""), ...fieldErrors("expected")];
  const submitted = mine?.initialValue?.csv;
  const csv = bulk?.csv ?? (typeof submitted === "string" ? submitted : "");
  return (
    <section aria-labelledby="bulk-heading" className="panel-section">
      <h3 id="bulk-heading">{t("Invite many at once")}</h3>
      <p className="muted">
        {withElements(
          t(
            "From a spreadsheet saved as CSV (UTF-8), up to {{max}} people: a header row naming the columns, in any order — {{columns}}.",
            {
              max: MAX_INVITE_ROWS,
              columns: slot("columns"),
            },
          ),
          {
            columns: INVITE_COLUMNS.map((column, i) => (
              <span key={column}>
                {i === 0 ? "" : ", "}
                <code>{column}</code>
              </span>
            )),
          },
        )}{" "}
        {t(
          "Name and e-mail are needed; the role is panelist when empty; the group is a panelist's stakeholder group (empty: their discipline).",
        )}{" "}
        {t("Nothing is sent before you have checked the preview.")}
      </p>
      <Form
        key={csv}
        method="post"
        action={`${panelHref(data)}#bulk-preview`}
        encType="multipart/form-data"
        className="bulk-form"
      >
        <input type="hidden" name="intent" value="bulk-preview" />
        {bulk || formErrors.length === 0 ? null : (
          <p className="form-error" role="alert">
            {formErrors.join(" ")}
          </p>
        )}
        <div className="field">
          <label htmlFor="bulk-csv">{t("Rows to invite (CSV, header row first)")}</label>
          <textarea
            id="bulk-csv"
            name="csv"
            rows={6}
            defaultValue={csv}
            // CSV as typed: its column names are the format's, in any interface language.
            translate="no"
            placeholder={EXAMPLE}
            aria-invalid={csvErrors.length > 0 || undefined}
            aria-describedby={csvErrors.length > 0 ? "bulk-csv-error" : undefined}
          />
          {csvErrors.length > 0 ? (
            <p className="field-error" id="bulk-csv-error">
              {csvErrors.join(" ")}
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="bulk-file">{t("Or a .csv file")}</label>
          <input
            id="bulk-file"
            name="file"
            type="file"
            accept=".csv,text/csv"
            aria-invalid={fileErrors.length > 0 || undefined}
            aria-describedby={fileErrors.length > 0 ? "bulk-file-error" : undefined}
          />
          {fileErrors.length > 0 ? (
            <p className="field-error" id="bulk-file-error">
              {fileErrors.join(" ")}
            </p>
          ) : null}
        </div>
        <button type="submit" className="button button-secondary">
          {t("Preview")}
        </button>
      </Form>
      {bulk ? <BulkPreview bulk={bulk} data={data} errors={formErrors} /> : null}
    </section>
  );
}
