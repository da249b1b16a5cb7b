ALTER TABLE `outbox_mails` ADD `attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `outbox_mails` ADD `next_attempt_at` integer;--> statement-breakpoint
ALTER TABLE `outbox_mails` ADD `last_error` text;--> statement-breakpoint
ALTER TABLE `outbox_mails` ADD `failed_at` integer;--> statement-breakpoint
ALTER TABLE `outbox_mails` ADD `sending_at` integer;--> statement-breakpoint
CREATE INDEX `outbox_mails_due_idx` ON `outbox_mails` (`next_attempt_at`) WHERE "outbox_mails"."sent_at" is null and "outbox_mails"."failed_at" is null;