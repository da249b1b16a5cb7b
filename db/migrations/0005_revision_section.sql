ALTER TABLE `statement_revisions` ADD `section` text DEFAULT '' NOT NULL;--> statement-breakpoint
-- The section moves from the statement to each revision, so that a voted revision keeps the section
-- it was voted under. Every revision takes its statement's section: what every page and published
-- set showed for it until now. Voted revisions are frozen by 0001's trigger, which is set aside for
-- this one copy and put back as it was (the migration runs in one transaction).
DROP TRIGGER `statement_revisions_voted_update`;--> statement-breakpoint
UPDATE `statement_revisions`
SET `section` = (SELECT s.`section` FROM `statements` s WHERE s.`id` = `statement_revisions`.`statement_id`);--> statement-breakpoint
CREATE TRIGGER statement_revisions_voted_update BEFORE UPDATE ON statement_revisions
WHEN EXISTS (SELECT 1 FROM round_items i JOIN rounds r ON r.id = i.round_id
             WHERE i.revision_id = OLD.id AND r.status <> 'draft')
BEGIN
  SELECT RAISE(ABORT, 'a revision that went to a vote never changes; add a new revision');
END;
--> statement-breakpoint
ALTER TABLE `statements` DROP COLUMN `section`;
