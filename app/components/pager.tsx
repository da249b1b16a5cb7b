import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";

/** Links to the previous and next page of a long list, and where the reader is; nothing for one page. */
export function Pager({
  label,
  page,
  pages,
  href,
}: {
  label: string;
  page: number;
  pages: number;
  href: (page: number) => string;
}) {
  const { t } = useTranslation("common");
  if (pages <= 1) return null;
  return (
    <nav aria-label={label} className="row pager">
      {page > 1 ? <Link to={href(page - 1)}>{t("Previous page")}</Link> : <span />}
      <span>{t("Page {{page}} of {{pages}}", { page, pages })}</span>
      {page < pages ? <Link to={href(page + 1)}>{t("Next page")}</Link> : <span />}
    </nav>
  );
}
