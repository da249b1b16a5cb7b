/**
 * Value lists that pages and the database share. The database's CHECK constraints name the same
 * values (db/schema.ts, which reads no app module); test/unit/value-lists.test.ts keeps them equal.
 */
export const ROLES = ["secretary", "panelist", "observer"] as const;
export type Role = (typeof ROLES)[number];

export const STATEMENT_STATUSES = ["draft", "in_round", "adopted", "not_adopted", "retired"] as const;
export type StatementStatus = (typeof STATEMENT_STATUSES)[number];

/** Where a person stands on a guideline's panel list: a member, an invitation (live or expired), or removed. */
export const PANEL_STATUSES = ["joined", "invited", "expired", "removed"] as const;
export type PanelStatus = (typeof PANEL_STATUSES)[number];
