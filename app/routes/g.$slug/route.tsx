import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { requireMember } from "~/server/permissions.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.guideline.title} · Delphi consensus` : "Delphi consensus" },
];

const TABS = {
  secretary: [
    ["", "Overview"],
    ["rounds", "Rounds"],
    ["statements", "Statements"],
    ["panel", "Panel"],
    ["publish", "Publish"],
    ["report", "Report"],
    ["settings", "Settings"],
    ["audit", "Audit log"],
    ["outbox", "Outbox"],
  ],
  observer: [
    ["", "Overview"],
    ["rounds", "Rounds"],
    ["statements", "Statements"],
    ["report", "Report"],
  ],
  panelist: [
    ["", "Overview"],
    ["vote", "Vote"],
    ["results", "Results"],
  ],
} as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { guideline, membership } = await requireMember(request, params.slug, ["secretary", "panelist", "observer"]);
  return {
    guideline: { slug: guideline.slug, title: guideline.title },
    role: membership.role,
  };
}

/** The guideline workspace: its title, the member's role, and the sections that role may open. */
export default function GuidelineLayout() {
  const { guideline, role } = useLoaderData<typeof loader>();
  const base = `/g/${guideline.slug}`;
  return (
    <div className="workspace">
      <header className="workspace-header">
        <p className="eyebrow">
          <span className="badge">{role[0]!.toUpperCase() + role.slice(1)}</span>
        </p>
        <h1 className="workspace-title">{guideline.title}</h1>
        <nav aria-label="Guideline" className="tabs">
          {TABS[role].map(([path, label]) => (
            <NavLink key={path} to={path ? `${base}/${path}` : base} end={!path} prefetch="intent">
              {label}
            </NavLink>
          ))}
        </nav>
      </header>
      <Outlet />
    </div>
  );
}
