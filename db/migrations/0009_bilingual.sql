CREATE TABLE `statement_translations` (
	`revision_id` text NOT NULL,
	`language` text NOT NULL,
	`text` text NOT NULL,
	`rationale` text DEFAULT '' NOT NULL,
	`confirmed` integer DEFAULT true NOT NULL,
	`updated_by` text,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`revision_id`, `language`),
	FOREIGN KEY (`revision_id`) REFERENCES `statement_revisions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`updated_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `guidelines` ADD `languages` text DEFAULT '["en"]' NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `locale` text;--> statement-breakpoint
UPDATE `guidelines` SET `languages` = json_array(`language`);--> statement-breakpoint
CREATE TRIGGER statement_translations_voted_insert BEFORE INSERT ON statement_translations
WHEN EXISTS (SELECT 1 FROM round_items i JOIN rounds r ON r.id = i.round_id
             WHERE i.revision_id = NEW.revision_id AND r.status <> 'draft')
BEGIN
  SELECT RAISE(ABORT, 'the translations of a revision that went to a vote never change');
END;
--> statement-breakpoint
CREATE TRIGGER statement_translations_voted_update BEFORE UPDATE ON statement_translations
WHEN EXISTS (SELECT 1 FROM round_items i JOIN rounds r ON r.id = i.round_id
             WHERE i.revision_id = OLD.revision_id AND r.status <> 'draft')
BEGIN
  SELECT RAISE(ABORT, 'the translations of a revision that went to a vote never change');
END;
--> statement-breakpoint
CREATE TRIGGER statement_translations_voted_delete BEFORE DELETE ON statement_translations
WHEN EXISTS (SELECT 1 FROM round_items i JOIN rounds r ON r.id = i.round_id
             WHERE i.revision_id = OLD.revision_id AND r.status <> 'draft')
BEGIN
  SELECT RAISE(ABORT, 'the translations of a revision that went to a vote never change');
END;
