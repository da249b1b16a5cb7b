import { useTranslation } from "react-i18next";
import { Time } from "./time";

/** The deadline with how long is left, or that there is none. */
export function Deadline({ closesAt, left }: { closesAt: string | null; left: string | null }) {
  const { t } = useTranslation();
  if (!closesAt) return <span>{t("No deadline set")}</span>;
  return (
    <span>
      <Time value={closesAt} />
      {left ? <strong>{t(" ({{left}})", { left })}</strong> : null}
    </span>
  );
}
