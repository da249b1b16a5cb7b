import { useTranslation } from "react-i18next";
import type { StatementStatus } from "~/consensus/values";
import { msg } from "~/i18n";

/** Each status's name, in English: a translation key (show it with `t(STATUS_LABEL[status])`). */
export const STATUS_LABEL: Record<StatementStatus, string> = {
  draft: msg("Draft"),
  in_round: msg("In round"),
  adopted: msg("Adopted"),
  not_adopted: msg("Not adopted"),
  retired: msg("Retired"),
};

export function StatusBadge({ status }: { status: StatementStatus }) {
  const { t } = useTranslation();
  return <span className={`badge stmt-status stmt-status-${status}`}>{t(STATUS_LABEL[status])}</span>;
}

/** Shown wherever a statement's wording cannot change because a round is voting on it. */
export function LockBadge({ round }: { round: number }) {
  const { t } = useTranslation();
  return <span className="badge stmt-locked">{t("Locked: round {{round}} open", { round })}</span>;
}

/** Shown where a statement waits in a draft round: it is put to the vote when that round opens, not before. */
export function DraftRoundBadge({ round }: { round: number }) {
  const { t } = useTranslation();
  return <span className="badge stmt-draft-round">{t("In draft round {{round}}", { round })}</span>;
}
