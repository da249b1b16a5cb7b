import { Form } from "@remix-run/react";
import { INVITE_COLUMNS, MAX_INVITE_ROWS } from "~/server/invite-csv";
import { ROLE_LABEL, panelHref, type BulkState, type PanelData, type Result } from "./shared";

const EXAMPLE =
  "name,email,discipline,affiliation,group\nAda Lovelace,ada@example.org,Pathology,Lyon University Hospital,Clinicians";

/** Step 2: the checked rows, each with its problems, and the button that invites those without. */
function BulkPreview({ bulk, data, errors }: { bulk: BulkState; data: PanelData; errors: string[] }) {
  const leftOut = bulk.rows.length - bulk.ready;
  const invitations = `${bulk.ready} invitation${bulk.ready === 1 ? "" : "s"}`;
  return (
    <section aria-labelledby="bulk-preview-heading" className="bulk-preview" id="bulk-preview">
      <h4 id="bulk-preview-heading">
        Preview: {bulk.ready} of {bulk.rows.length} row{bulk.rows.length === 1 ? "" : "s"} can be invited
      </h4>
      {errors.length > 0 ? (
        <p className="form-error" role="alert">
          {errors.join(" ")}
        </p>
      ) : null}
      <table className="data-table bulk-table">
        <caption className="visually-hidden">The rows of the CSV, each with what stops it from being invited</caption>
        <thead>
          <tr>
            <th scope="col">Row</th>
            <th scope="col">Name</th>
            <th scope="col">E-mail</th>
            <th scope="col">Discipline</th>
            <th scope="col">Affiliation</th>
            <th scope="col">Group</th>
            <th scope="col">Role</th>
            <th scope="col">Check</th>
          </tr>
        </thead>
        <tbody>
          {bulk.rows.map((row) => (
            <tr key={row.row} className={row.problems.length > 0 ? "bulk-problem" : undefined}>
              <th scope="row" data-label="Row">
                {row.row}
              </th>
              <td data-label="Name">{row.name || <span className="muted">—</span>}</td>
              <td data-label="E-mail" className="member-email">
                {row.email || <span className="muted">—</span>}
              </td>
              <td data-label="Discipline">{row.discipline ?? <span className="muted">—</span>}</td>
              <td data-label="Affiliation">{row.affiliation ?? <span className="muted">—</span>}</td>
              <td data-label="Group">{row.group ?? <span className="muted">—</span>}</td>
              <td data-label="Role">{row.role ? ROLE_LABEL[row.role] : <span className="muted">—</span>}</td>
              <td data-label="Check">
                {row.problems.length === 0 ? (
                  "ready"
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
        <p>No row can be invited: correct the rows above and preview them again.</p>
      ) : (
        <Form method="post" action={panelHref(data)} className="bulk-send">
          <input type="hidden" name="intent" value="bulk-send" />
          <input type="hidden" name="csv" value={bulk.csv} />
          <input type="hidden" name="expected" value={bulk.readyRows} />
          {leftOut > 0 ? (
            <p>
              {leftOut} row{leftOut === 1 ? "" : "s"} with a problem will be left out: correct {leftOut === 1 ? "it" : "them"}{" "}
              above and preview again to include {leftOut === 1 ? "it" : "them"}.
            </p>
          ) : null}
          <button type="submit" className="button">
            Send {invitations}
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
  const intent = result?.initialValue?.intent;
  const mine = intent === "bulk-preview" || intent === "bulk-send" ? result : undefined;
  const fieldErrors = (field: string) => mine?.error?.[field] ?? [];
  const csvErrors = fieldErrors("csv");
  const fileErrors = fieldErrors("file");
  const formErrors = [...fieldErrors(""), ...fieldErrors("expected")];
  const submitted = mine?.initialValue?.csv;
  const csv = bulk?.csv ?? (typeof submitted === "string" ? submitted : "");
  return (
    <section aria-labelledby="bulk-heading" className="panel-section">
      <h3 id="bulk-heading">Invite many at once</h3>
      <p className="muted">
        From a spreadsheet saved as CSV (UTF-8), up to {MAX_INVITE_ROWS} people: a header row naming the columns, in any order —{" "}
        {INVITE_COLUMNS.map((column, i) => (
          <span key={column}>
            {i === 0 ? "" : ", "}
            <code>{column}</code>
          </span>
        ))}
        . Name and e-mail are needed; the role is panelist when empty; the group is a panelist&apos;s stakeholder group (empty:
        their discipline). Nothing is sent before you have checked the preview.
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
          <label htmlFor="bulk-csv">Rows to invite (CSV, header row first)</label>
          <textarea
            id="bulk-csv"
            name="csv"
            rows={6}
            defaultValue={csv}
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
          <label htmlFor="bulk-file">Or a .csv file</label>
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
          Preview
        </button>
      </Form>
      {bulk ? <BulkPreview bulk={bulk} data={data} errors={formErrors} /> : null}
    </section>
  );
}
