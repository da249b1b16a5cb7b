import { NavLink } from "@remix-run/react";
import type { ReactNode } from "react";

const PAGES = [
  { to: "/admin", label: "Overview" },
  { to: "/admin/users", label: "Users" },
  { to: "/admin/guidelines", label: "Guidelines" },
] as const;

/** The administration's heading and its pages. */
export function AdminNav() {
  return (
    <>
      <h1>Administration</h1>
      <nav aria-label="Administration" className="tabs">
        {PAGES.map(({ to, label }) => (
          <NavLink key={to} to={to} end>
            {label}
          </NavLink>
        ))}
      </nav>
    </>
  );
}

/** A link shown once, right after it was made, for the admin to copy and pass on. */
export function LinkToCopy({ id, label, link, children }: { id: string; label: string; link: string; children: ReactNode }) {
  return (
    <section className="notice link-to-copy" role="status" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{label}</h2>
      <div className="field">
        <label htmlFor={id}>Link (shown only now)</label>
        <input id={id} type="text" readOnly value={link} />
      </div>
      {children}
    </section>
  );
}
