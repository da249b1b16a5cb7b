-- Rating scales (DESIGN §3.1–3.4): a guideline's scale, a round's scale snapshot, a member's
-- stakeholder group; a ballot is an agreement choice, a rating 1..N or "unable" (to score); a
-- round result is its tally as JSON (counts per choice, or per rating point), its groups' tallies
-- and its whole frozen verdict. ballots and round_results are rebuilt, so their triggers from 0001
-- and 0004 are dropped with them and made again below, as they were but for the result's verdict:
-- set once for results frozen before verdicts were (by the app, from the tally and the round's
-- rule), never changed after. rounds_close_complete reads round_results: it is set aside while
-- the table is rebuilt and put back as it was (the migration runs in one transaction).
DROP TRIGGER `rounds_close_complete`;--> statement-breakpoint
CREATE TABLE `__new_ballots` (
	`id` text PRIMARY KEY NOT NULL,
	`round_item_id` text NOT NULL,
	`membership_id` text NOT NULL,
	`choice` text,
	`rating` integer,
	`comment` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`round_item_id`) REFERENCES `round_items`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`membership_id`) REFERENCES `memberships`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "ballots_choice" CHECK(choice in ('agree', 'disagree', 'abstain', 'unable')),
	CONSTRAINT "ballots_answer" CHECK((choice is null) <> (rating is null) and (rating is null or rating between 1 and 10))
);
--> statement-breakpoint
INSERT INTO `__new_ballots`("id", "round_item_id", "membership_id", "choice", "rating", "comment", "created_at", "updated_at")
SELECT "id", "round_item_id", "membership_id", "choice", NULL, "comment", "created_at", "updated_at" FROM `ballots`;--> statement-breakpoint
DROP TABLE `ballots`;--> statement-breakpoint
ALTER TABLE `__new_ballots` RENAME TO `ballots`;--> statement-breakpoint
CREATE UNIQUE INDEX `ballots_item_member_unique` ON `ballots` (`round_item_id`,`membership_id`);--> statement-breakpoint
CREATE INDEX `ballots_member_idx` ON `ballots` (`membership_id`);--> statement-breakpoint
CREATE TRIGGER ballots_insert_open BEFORE INSERT ON ballots
WHEN (SELECT r.status FROM round_items i JOIN rounds r ON r.id = i.round_id WHERE i.id = NEW.round_item_id) <> 'open'
BEGIN
  SELECT RAISE(ABORT, 'ballots are cast only while their round is open');
END;
--> statement-breakpoint
CREATE TRIGGER ballots_update_open BEFORE UPDATE ON ballots
WHEN (SELECT r.status FROM round_items i JOIN rounds r ON r.id = i.round_id WHERE i.id = OLD.round_item_id) <> 'open'
  OR NEW.round_item_id <> OLD.round_item_id
  OR NEW.membership_id <> OLD.membership_id
BEGIN
  SELECT RAISE(ABORT, 'a ballot changes only while its round is open, and only its answer and comment');
END;
--> statement-breakpoint
CREATE TRIGGER ballots_delete_open BEFORE DELETE ON ballots
WHEN (SELECT r.status FROM round_items i JOIN rounds r ON r.id = i.round_id WHERE i.id = OLD.round_item_id) <> 'open'
BEGIN
  SELECT RAISE(ABORT, 'ballots are withdrawn only while their round is open');
END;
--> statement-breakpoint
CREATE TRIGGER ballots_key_frozen_insert BEFORE INSERT ON ballots
WHEN EXISTS (SELECT 1 FROM ballots b
             WHERE (b.id = NEW.id OR (b.round_item_id = NEW.round_item_id AND b.membership_id = NEW.membership_id))
               AND (SELECT r.status FROM round_items i JOIN rounds r ON r.id = i.round_id WHERE i.id = b.round_item_id) = 'closed')
BEGIN
  SELECT RAISE(ABORT, 'UNIQUE key taken by a ballot of a closed round (id, or round_item_id and membership_id): ballots change only while their round is open');
END;
--> statement-breakpoint
CREATE TRIGGER ballots_key_frozen_update BEFORE UPDATE OF id, round_item_id, membership_id ON ballots
WHEN EXISTS (SELECT 1 FROM ballots b
             WHERE (b.id = NEW.id OR (b.round_item_id = NEW.round_item_id AND b.membership_id = NEW.membership_id))
               AND b.id <> OLD.id
               AND (SELECT r.status FROM round_items i JOIN rounds r ON r.id = i.round_id WHERE i.id = b.round_item_id) = 'closed')
BEGIN
  SELECT RAISE(ABORT, 'UNIQUE key taken by a ballot of a closed round (id, or round_item_id and membership_id): ballots change only while their round is open');
END;
--> statement-breakpoint
CREATE TABLE `__new_round_results` (
	`round_item_id` text PRIMARY KEY NOT NULL,
	`eligible` integer NOT NULL,
	`tally` text NOT NULL,
	`groups` text,
	`adopted` integer NOT NULL,
	`verdict` text,
	FOREIGN KEY (`round_item_id`) REFERENCES `round_items`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "round_results_json" CHECK(json_valid(tally) and (groups is null or json_valid(groups)))
);
--> statement-breakpoint
INSERT INTO `__new_round_results`("round_item_id", "eligible", "tally", "groups", "adopted", "verdict")
SELECT "round_item_id", "eligible", json_object('agree', "agree", 'disagree', "disagree", 'abstain', "abstain"), NULL, "adopted", NULL
FROM `round_results`;--> statement-breakpoint
DROP TABLE `round_results`;--> statement-breakpoint
ALTER TABLE `__new_round_results` RENAME TO `round_results`;--> statement-breakpoint
CREATE TRIGGER round_results_insert_open BEFORE INSERT ON round_results
WHEN (SELECT r.status FROM round_items i JOIN rounds r ON r.id = i.round_id WHERE i.id = NEW.round_item_id) <> 'open'
BEGIN
  SELECT RAISE(ABORT, 'results are frozen while their round closes');
END;
--> statement-breakpoint
CREATE TRIGGER round_results_insert_verdict BEFORE INSERT ON round_results
WHEN NEW.verdict IS NULL
BEGIN
  SELECT RAISE(ABORT, 'a result is frozen with its verdict');
END;
--> statement-breakpoint
CREATE TRIGGER round_results_frozen_update BEFORE UPDATE ON round_results
WHEN OLD.verdict IS NOT NULL OR NEW.verdict IS NULL
  OR NEW.round_item_id IS NOT OLD.round_item_id OR NEW.eligible IS NOT OLD.eligible
  OR NEW.tally IS NOT OLD.tally OR NEW.groups IS NOT OLD.groups OR NEW.adopted IS NOT OLD.adopted
BEGIN
  SELECT RAISE(ABORT, 'round results never change (a result frozen before verdicts were gets its verdict once)');
END;
--> statement-breakpoint
CREATE TRIGGER round_results_frozen_delete BEFORE DELETE ON round_results
BEGIN
  SELECT RAISE(ABORT, 'round results never change');
END;
--> statement-breakpoint
CREATE TRIGGER round_results_key_frozen BEFORE INSERT ON round_results
WHEN EXISTS (SELECT 1 FROM round_results res WHERE res.round_item_id = NEW.round_item_id)
BEGIN
  SELECT RAISE(ABORT, 'UNIQUE key taken by a round result (round_item_id): round results never change');
END;
--> statement-breakpoint
CREATE TRIGGER rounds_close_complete BEFORE UPDATE OF status ON rounds
WHEN NEW.status = 'closed' AND EXISTS (
  SELECT 1 FROM round_items i WHERE i.round_id = OLD.id
    AND NOT EXISTS (SELECT 1 FROM round_results res WHERE res.round_item_id = i.id))
BEGIN
  SELECT RAISE(ABORT, 'a round closes only with a frozen result for every item');
END;
--> statement-breakpoint
ALTER TABLE `guidelines` ADD `scale` text DEFAULT '{"kind":"agreement"}' NOT NULL;--> statement-breakpoint
ALTER TABLE `memberships` ADD `stakeholder_group` text;--> statement-breakpoint
ALTER TABLE `rounds` ADD `scale_snapshot` text;
