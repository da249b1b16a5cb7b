import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { msg } from "~/i18n";
import { tr } from "~/server/i18n.server";
import { requireMember } from "~/server/permissions.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Delphi consensus" }];

// Every guideline page shows these tabs: their names are in the common namespace.
const TABS = {
  secretary: [
    ["", msg("Overview")],
    ["rounds", msg("Rounds")],
    ["statements", msg("Statements")],
    ["panel", msg("Panel")],
    ["publish", msg("Publish")],
    ["report", msg("Report")],
    ["settings", msg("Settings")],
    ["audit", msg("Audit log")],
    ["outbox", msg("Outbox")],
  ],
  observer: [
    ["", msg("Overview")],
    ["rounds", msg("Rounds")],
    ["statements", msg("Statements")],
    ["report", msg("Report")],
  ],
  panelist: [
    ["", msg("Overview")],
    ["vote", msg("Vote")],
    ["results", msg("Results")],
  ],
} as const;

const ROLE_LABEL = { secretary: msg("Secretary"), panelist: msg("Panelist"), observer: msg("Observer") } as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline, membership } = await requireMember(request, params.slug, ["secretary", "panelist", "observer"]);
  return {
    guideline: { slug: guideline.slug, title: guideline.title },
    role: membership.role,
    title: `${guideline.title} · ${tr("Delphi consensus", undefined, "common")}`,
  };
}

/** The guideline workspace: its title, the member's role, and the sections that role may open. */
export default function GuidelineLayout() {
  const { guideline, role } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const base = `/g/${guideline.slug}`;
  return (
    <div className="workspace">
      <header className="workspace-header">
        <p className="eyebrow">
          <span className="badge">{t(ROLE_LABEL[role])}</span>
        </p>
        <h1 className="workspace-title">{guideline.title}</h1>
        <nav aria-label={t("Guideline")} className="tabs">
          {TABS[role].map(([path, label]) => (
            <NavLink key={path} to={path ? `${base}/${path}` : base} end={!path} prefetch="intent">
              {t(label)}
            </NavLink>
          ))}
        </nav>
      </header>
      <Outlet />
    </div>
  );
}
