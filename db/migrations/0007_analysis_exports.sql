CREATE TABLE `respondent_codes` (
	`membership_id` text PRIMARY KEY NOT NULL,
	`guideline_id` text NOT NULL,
	`code` text NOT NULL,
	FOREIGN KEY (`membership_id`) REFERENCES `memberships`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`guideline_id`) REFERENCES `guidelines`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `respondent_codes_guideline_code_unique` ON `respondent_codes` (`guideline_id`,`code`);--> statement-breakpoint
CREATE TABLE `round_recusals` (
	`round_id` text NOT NULL,
	`membership_id` text NOT NULL,
	`statement_id` text NOT NULL,
	PRIMARY KEY(`round_id`, `membership_id`, `statement_id`),
	FOREIGN KEY (`round_id`) REFERENCES `rounds`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`membership_id`) REFERENCES `memberships`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`statement_id`) REFERENCES `statements`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
-- Rounds closed before this migration: the recusals that applied to their ballots are those
-- made before they closed (a recusal lifted since then is not known any more), and every member
-- who answered in one gets a pseudonym now.
INSERT INTO `round_recusals` (`round_id`, `membership_id`, `statement_id`)
SELECT DISTINCT i.`round_id`, r.`membership_id`, r.`statement_id`
FROM `recusals` r
JOIN `statement_revisions` rev ON rev.`statement_id` = r.`statement_id`
JOIN `round_items` i ON i.`revision_id` = rev.`id`
JOIN `rounds` o ON o.`id` = i.`round_id`
WHERE o.`status` = 'closed' AND r.`created_at` <= o.`closed_at`;--> statement-breakpoint
INSERT INTO `respondent_codes` (`membership_id`, `guideline_id`, `code`)
SELECT m.`id`, m.`guideline_id`, 'R-' || hex(randomblob(6))
FROM `memberships` m
WHERE EXISTS (SELECT 1 FROM `ballots` b
              JOIN `round_items` i ON i.`id` = b.`round_item_id`
              JOIN `rounds` o ON o.`id` = i.`round_id`
              WHERE b.`membership_id` = m.`id` AND o.`status` = 'closed');--> statement-breakpoint
CREATE TRIGGER respondent_codes_kept BEFORE UPDATE ON respondent_codes
BEGIN
  SELECT RAISE(ABORT, 'a respondent keeps their pseudonym');
END;
--> statement-breakpoint
CREATE TRIGGER respondent_codes_not_deleted BEFORE DELETE ON respondent_codes
BEGIN
  SELECT RAISE(ABORT, 'a respondent keeps their pseudonym');
END;
--> statement-breakpoint
CREATE TRIGGER round_recusals_while_open BEFORE INSERT ON round_recusals
WHEN (SELECT status FROM rounds WHERE id = NEW.round_id) <> 'open'
BEGIN
  SELECT RAISE(ABORT, 'a round''s recusals are recorded as it closes');
END;
--> statement-breakpoint
CREATE TRIGGER round_recusals_kept_update BEFORE UPDATE ON round_recusals
BEGIN
  SELECT RAISE(ABORT, 'a closed round never changes');
END;
--> statement-breakpoint
CREATE TRIGGER round_recusals_kept_delete BEFORE DELETE ON round_recusals
BEGIN
  SELECT RAISE(ABORT, 'a closed round never changes');
END;
