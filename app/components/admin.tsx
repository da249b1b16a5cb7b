import { NavLink } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { msg } from "~/i18n";

/** The administration's pages; labels are translation keys (namespace "admin"). */
const PAGES = [
  { to: "/admin", label: msg("Overview") },
  { to: "/admin/users", label: msg("Users") },
  { to: "/admin/guidelines", label: msg("Guidelines") },
] as const;

/** The administration's heading and its pages. */
export function AdminNav() {
  const { t } = useTranslation("admin");
  return (
    <>
      <h1>{t("Administration")}</h1>
      <nav aria-label={t("Administration")} className="tabs">
        {PAGES.map(({ to, label }) => (
          <NavLink key={to} to={to} end>
            {t(label)}
          </NavLink>
        ))}
      </nav>
    </>
  );
}

/** A link shown once, right after it was made, for the admin to copy and pass on. */
export function LinkToCopy({ id, label, link, children }: { id: string; label: string; link: string; children: ReactNode }) {
  const { t } = useTranslation("admin");
  return (
    <section className="notice link-to-copy" role="status" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{label}</h2>
      <div className="field">
        <label htmlFor={id}>{t("Link (shown only now)")}</label>
        <input id={id} type="text" readOnly value={link} />
      </div>
      {children}
    </section>
  );
}
