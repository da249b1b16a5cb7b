import { Form, Link } from "@remix-run/react";
import { Time } from "~/components/time";

type Guideline = {
  slug: string;
  title: string;
  createdAt: string;
  secretaries: { name: string; email: string }[];
  invitedSecretaries: { id: string; email: string; state: "valid" | "expired" | "used" | "revoked" }[];
  rounds: { draft: number; open: number; closed: number };
  versions: { count: number; latest: number | null };
};

function Secretaries({ guideline }: { guideline: Guideline }) {
  if (guideline.secretaries.length + guideline.invitedSecretaries.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="plain-list">
      {guideline.secretaries.map((s) => (
        <li key={s.email}>
          {s.name} <span className="muted">({s.email})</span>
        </li>
      ))}
      {guideline.invitedSecretaries.map((invitation) => (
        <li key={invitation.id}>
          {invitation.email} <span className="badge">{invitation.state === "valid" ? "invited" : "invitation expired"}</span>
          <Form method="post" className="inline-form">
            <input type="hidden" name="intent" value="resend" />
            <input type="hidden" name="invitationId" value={invitation.id} />
            <button
              type="submit"
              className="button-link"
              aria-label={`Resend the invitation to ${invitation.email} for “${guideline.title}”`}
            >
              Resend
            </button>
          </Form>
        </li>
      ))}
    </ul>
  );
}

function Rounds({ rounds }: { rounds: Guideline["rounds"] }) {
  const parts = [
    rounds.closed > 0 ? `${rounds.closed} closed` : null,
    rounds.open > 0 ? `${rounds.open} open` : null,
    rounds.draft > 0 ? `${rounds.draft} draft` : null,
  ].filter(Boolean);
  return parts.length === 0 ? <span className="muted">none</span> : <>{parts.join(", ")}</>;
}

/** Every guideline of the instance, newest first. */
export function GuidelineTable({ guidelines }: { guidelines: Guideline[] }) {
  return (
    <table className="data-table labelled-table guidelines-table">
      <thead>
        <tr>
          <th scope="col">Title</th>
          <th scope="col">Slug</th>
          <th scope="col">Secretaries</th>
          <th scope="col">Rounds</th>
          <th scope="col">Published</th>
          <th scope="col">Created</th>
        </tr>
      </thead>
      <tbody>
        {guidelines.map((g) => (
          <tr key={g.slug} id={`guideline-${g.slug}`}>
            <td>
              <strong>{g.title}</strong>
            </td>
            <td data-label="Slug">
              <code>{g.slug}</code>
            </td>
            <td data-label="Secretaries">
              <Secretaries guideline={g} />
            </td>
            <td data-label="Rounds">
              <Rounds rounds={g.rounds} />
            </td>
            <td data-label="Published">
              {g.versions.latest === null ? (
                <span className="muted">none</span>
              ) : (
                <>
                  {g.versions.count} version{g.versions.count === 1 ? "" : "s"} (
                  <Link to={`/g/${encodeURIComponent(g.slug)}/v/${g.versions.latest}`}>latest: {g.versions.latest}</Link>)
                </>
              )}
            </td>
            <td data-label="Created">
              <Time value={g.createdAt} dateOnly />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
