CREATE TABLE `password_resets` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `password_resets_user_idx` ON `password_resets` (`user_id`);--> statement-breakpoint
CREATE TABLE `reminder_schedules` (
	`id` text PRIMARY KEY NOT NULL,
	`round_id` text NOT NULL,
	`hours_before` integer NOT NULL,
	`sent_at` integer,
	`recipients` integer,
	`created_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`round_id`) REFERENCES `rounds`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "reminder_schedules_hours" CHECK("reminder_schedules"."hours_before" between 1 and 720)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reminder_schedules_round_hours_unique` ON `reminder_schedules` (`round_id`,`hours_before`);--> statement-breakpoint
ALTER TABLE `invitations` ADD `stakeholder_group` text;--> statement-breakpoint
ALTER TABLE `users` ADD `deactivated_at` integer;