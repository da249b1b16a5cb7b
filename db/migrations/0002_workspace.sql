ALTER TABLE `guidelines` ADD `show_running_counts` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `memberships` ADD `removed_at` integer;