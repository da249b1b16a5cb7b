import type { StatementStatus } from "~/consensus/values";

export const STATUS_LABEL: Record<StatementStatus, string> = {
  draft: "Draft",
  in_round: "In round",
  adopted: "Adopted",
  not_adopted: "Not adopted",
  retired: "Retired",
};

export function StatusBadge({ status }: { status: StatementStatus }) {
  return <span className={`badge stmt-status stmt-status-${status}`}>{STATUS_LABEL[status]}</span>;
}

/** Shown wherever a statement's wording cannot change because a round is voting on it. */
export function LockBadge({ round }: { round: number }) {
  return <span className="badge stmt-locked">Locked: round {round} open</span>;
}

/** Shown where a statement waits in a draft round: it is put to the vote when that round opens, not before. */
export function DraftRoundBadge({ round }: { round: number }) {
  return <span className="badge stmt-draft-round">In draft round {round}</span>;
}
