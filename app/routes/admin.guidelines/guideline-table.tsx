import { Form, Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { slot, withElements } from "~/components/translations";
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
  const { t } = useTranslation("admin");
  if (guideline.secretaries.length + guideline.invitedSecretaries.length === 0) return <span className="muted">{t("none")}</span>;
  return (
    <ul className="plain-list">
      {guideline.secretaries.map((s) => (
        <li key={s.email}>
          {s.name} <span className="muted">({s.email})</span>
        </li>
      ))}
      {guideline.invitedSecretaries.map((invitation) => (
        <li key={invitation.id}>
          {invitation.email}{" "}
          <span className="badge">{invitation.state === "valid" ? t("invited") : t("invitation expired")}</span>
          <Form method="post" className="inline-form">
            <input type="hidden" name="intent" value="resend" />
            <input type="hidden" name="invitationId" value={invitation.id} />
            <button
              type="submit"
              className="button-link"
              aria-label={t("Resend the invitation to {{email}} for “{{title}}”", {
                email: invitation.email,
                title: guideline.title,
              })}
            >
              {t("Resend")}
            </button>
          </Form>
        </li>
      ))}
    </ul>
  );
}

function Rounds({ rounds }: { rounds: Guideline["rounds"] }) {
  const { t } = useTranslation("admin");
  const parts = [
    rounds.closed > 0 ? t("{{number}} closed", { number: rounds.closed }) : null,
    rounds.open > 0 ? t("{{number}} open", { number: rounds.open }) : null,
    rounds.draft > 0 ? t("{{number}} draft", { number: rounds.draft }) : null,
  ].filter(Boolean);
  return parts.length === 0 ? <span className="muted">{t("none")}</span> : <>{parts.join(t(", "))}</>;
}

/** Every guideline of the instance, newest first. */
export function GuidelineTable({ guidelines }: { guidelines: Guideline[] }) {
  const { t } = useTranslation("admin");
  return (
    <table className="data-table labelled-table guidelines-table">
      <thead>
        <tr>
          <th scope="col">{t("Title")}</th>
          <th scope="col">{t("Slug")}</th>
          <th scope="col">{t("Secretaries")}</th>
          <th scope="col">{t("Rounds")}</th>
          <th scope="col">{t("Published")}</th>
          <th scope="col">{t("Created")}</th>
        </tr>
      </thead>
      <tbody>
        {guidelines.map((g) => (
          <tr key={g.slug} id={`guideline-${g.slug}`}>
            <td>
              <strong>{g.title}</strong>
            </td>
            <td data-label={t("Slug")}>
              <code>{g.slug}</code>
            </td>
            <td data-label={t("Secretaries")}>
              <Secretaries guideline={g} />
            </td>
            <td data-label={t("Rounds")}>
              <Rounds rounds={g.rounds} />
            </td>
            <td data-label={t("Published")}>
              {g.versions.latest === null ? (
                <span className="muted">{t("none")}</span>
              ) : (
                withElements(t("{{count}} versions ({{link}})", { count: g.versions.count, link: slot("link") }), {
                  link: (
                    <Link to={`/g/${encodeURIComponent(g.slug)}/v/${g.versions.latest}`}>
                      {t("latest: {{number}}", { number: g.versions.latest })}
                    </Link>
                  ),
                })
              )}
            </td>
            <td data-label={t("Created")}>
              <Time value={g.createdAt} dateOnly />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
