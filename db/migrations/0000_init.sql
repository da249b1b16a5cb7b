CREATE TABLE `audit_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guideline_id` text,
	`actor_id` text,
	`action` text NOT NULL,
	`details` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`guideline_id`) REFERENCES `guidelines`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `audit_events_guideline_idx` ON `audit_events` (`guideline_id`,`id`);--> statement-breakpoint
CREATE TABLE `ballots` (
	`id` text PRIMARY KEY NOT NULL,
	`round_item_id` text NOT NULL,
	`membership_id` text NOT NULL,
	`choice` text NOT NULL,
	`comment` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`round_item_id`) REFERENCES `round_items`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`membership_id`) REFERENCES `memberships`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "ballots_choice" CHECK(choice in ('agree', 'disagree', 'abstain'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ballots_item_member_unique` ON `ballots` (`round_item_id`,`membership_id`);--> statement-breakpoint
CREATE INDEX `ballots_member_idx` ON `ballots` (`membership_id`);--> statement-breakpoint
CREATE TABLE `guidelines` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`language` text DEFAULT 'en' NOT NULL,
	`registration` text,
	`source` text,
	`rule` text NOT NULL,
	`rule_text` text,
	`anonymity` text DEFAULT 'anonymous' NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "guidelines_slug_format" CHECK("guidelines"."slug" glob '[a-z0-9]*' and "guidelines"."slug" not glob '*[^a-z0-9-]*'),
	CONSTRAINT "guidelines_anonymity" CHECK(anonymity in ('anonymous', 'named'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `guidelines_slug_unique` ON `guidelines` (`slug`);--> statement-breakpoint
CREATE TABLE `invitations` (
	`id` text PRIMARY KEY NOT NULL,
	`guideline_id` text NOT NULL,
	`email` text NOT NULL,
	`role` text NOT NULL,
	`discipline` text,
	`affiliation` text,
	`token_hash` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`revoked_at` integer,
	`invited_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`guideline_id`) REFERENCES `guidelines`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`invited_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "invitations_role" CHECK(role in ('secretary', 'panelist', 'observer'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invitations_token_hash_unique` ON `invitations` (`token_hash`);--> statement-breakpoint
CREATE INDEX `invitations_guideline_idx` ON `invitations` (`guideline_id`);--> statement-breakpoint
CREATE TABLE `memberships` (
	`id` text PRIMARY KEY NOT NULL,
	`guideline_id` text NOT NULL,
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	`discipline` text,
	`affiliation` text,
	`coi_text` text,
	`coi_declared_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`guideline_id`) REFERENCES `guidelines`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "memberships_role" CHECK(role in ('secretary', 'panelist', 'observer'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `memberships_guideline_user_unique` ON `memberships` (`guideline_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `memberships_user_idx` ON `memberships` (`user_id`);--> statement-breakpoint
CREATE TABLE `outbox_mails` (
	`id` text PRIMARY KEY NOT NULL,
	`guideline_id` text,
	`kind` text NOT NULL,
	`to` text NOT NULL,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	FOREIGN KEY (`guideline_id`) REFERENCES `guidelines`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `outbox_mails_guideline_idx` ON `outbox_mails` (`guideline_id`);--> statement-breakpoint
CREATE TABLE `recommendation_sets` (
	`id` text PRIMARY KEY NOT NULL,
	`guideline_id` text NOT NULL,
	`version` integer NOT NULL,
	`published_at` integer NOT NULL,
	`published_by` text,
	`body` text NOT NULL,
	`content_hash` text NOT NULL,
	FOREIGN KEY (`guideline_id`) REFERENCES `guidelines`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`published_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "recommendation_sets_version" CHECK("recommendation_sets"."version" >= 1)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `recommendation_sets_version_unique` ON `recommendation_sets` (`guideline_id`,`version`);--> statement-breakpoint
CREATE TABLE `recusals` (
	`membership_id` text NOT NULL,
	`statement_id` text NOT NULL,
	`reason` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`membership_id`, `statement_id`),
	FOREIGN KEY (`membership_id`) REFERENCES `memberships`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`statement_id`) REFERENCES `statements`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `round_items` (
	`id` text PRIMARY KEY NOT NULL,
	`round_id` text NOT NULL,
	`revision_id` text NOT NULL,
	`position` integer NOT NULL,
	`eligible` integer,
	FOREIGN KEY (`round_id`) REFERENCES `rounds`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`revision_id`) REFERENCES `statement_revisions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `round_items_revision_unique` ON `round_items` (`round_id`,`revision_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `round_items_position_unique` ON `round_items` (`round_id`,`position`);--> statement-breakpoint
CREATE TABLE `round_results` (
	`round_item_id` text PRIMARY KEY NOT NULL,
	`agree` integer NOT NULL,
	`disagree` integer NOT NULL,
	`abstain` integer NOT NULL,
	`eligible` integer NOT NULL,
	`adopted` integer NOT NULL,
	`reasons` text NOT NULL,
	`agree_percent` real,
	`disagree_percent` real,
	FOREIGN KEY (`round_item_id`) REFERENCES `round_items`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "round_results_counts" CHECK("round_results"."agree" >= 0 and "round_results"."disagree" >= 0 and "round_results"."abstain" >= 0 and "round_results"."agree" + "round_results"."disagree" + "round_results"."abstain" <= "round_results"."eligible")
);
--> statement-breakpoint
CREATE TABLE `rounds` (
	`id` text PRIMARY KEY NOT NULL,
	`guideline_id` text NOT NULL,
	`number` integer NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`origin` text DEFAULT 'online' NOT NULL,
	`closes_at` integer,
	`opened_at` integer,
	`closed_at` integer,
	`panel_size` integer,
	`panel_snapshot` text,
	`rule_snapshot` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`guideline_id`) REFERENCES `guidelines`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "rounds_status" CHECK(status in ('draft', 'open', 'closed')),
	CONSTRAINT "rounds_origin" CHECK("rounds"."origin" in ('online', 'import')),
	CONSTRAINT "rounds_number" CHECK("rounds"."number" >= 1)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rounds_guideline_number_unique` ON `rounds` (`guideline_id`,`number`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	`absolute_expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `statement_revisions` (
	`id` text PRIMARY KEY NOT NULL,
	`statement_id` text NOT NULL,
	`revision` integer NOT NULL,
	`text` text NOT NULL,
	`rationale` text DEFAULT '' NOT NULL,
	`references` text DEFAULT '' NOT NULL,
	`author_id` text,
	`change_note` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`statement_id`) REFERENCES `statements`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "statement_revisions_number" CHECK("statement_revisions"."revision" >= 1)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `statement_revisions_unique` ON `statement_revisions` (`statement_id`,`revision`);--> statement-breakpoint
CREATE TABLE `statements` (
	`id` text PRIMARY KEY NOT NULL,
	`guideline_id` text NOT NULL,
	`position` integer NOT NULL,
	`section` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`guideline_id`) REFERENCES `guidelines`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "statements_status" CHECK(status in ('draft', 'in_round', 'adopted', 'not_adopted', 'retired'))
);
--> statement-breakpoint
CREATE INDEX `statements_guideline_idx` ON `statements` (`guideline_id`,`position`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`password_hash` text NOT NULL,
	`is_admin` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);