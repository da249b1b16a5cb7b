-- The audit trail becomes a hash chain (docs/decisions/004-audit-chain.md). SQLite has no SHA-256,
-- so events recorded before this migration cannot be chained here: a database holding any is
-- refused (development databases are disposable; start from a new file).
CREATE TEMP TABLE `audit_chain_guard` (
	`legacy_events` integer NOT NULL,
	CONSTRAINT "this database holds audit events from before the audit chain (migration 0003): delete it and start from a new one" CHECK(`legacy_events` = 0)
);
--> statement-breakpoint
INSERT INTO temp.`audit_chain_guard` SELECT count(*) FROM `audit_events`;--> statement-breakpoint
DROP TABLE temp.`audit_chain_guard`;--> statement-breakpoint
CREATE TABLE `audit_heads` (
	`chain` text PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `__new_audit_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`chain` text NOT NULL,
	`seq` integer NOT NULL,
	`guideline_id` text,
	`actor_id` text,
	`action` text NOT NULL,
	`details` text NOT NULL,
	`created_at` integer NOT NULL,
	`prev_hash` text,
	`hash` text NOT NULL,
	FOREIGN KEY (`guideline_id`) REFERENCES `guidelines`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "audit_events_seq" CHECK("__new_audit_events"."seq" >= 1)
);
--> statement-breakpoint
DROP TABLE `audit_events`;--> statement-breakpoint
ALTER TABLE `__new_audit_events` RENAME TO `audit_events`;--> statement-breakpoint
CREATE INDEX `audit_events_guideline_idx` ON `audit_events` (`guideline_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `audit_events_chain_seq_unique` ON `audit_events` (`chain`,`seq`);
