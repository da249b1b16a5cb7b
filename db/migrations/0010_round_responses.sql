CREATE TABLE `round_responses` (
	`round_id` text NOT NULL,
	`membership_id` text NOT NULL,
	`ballots` integer NOT NULL,
	PRIMARY KEY(`round_id`, `membership_id`)
);
--> statement-breakpoint
CREATE INDEX `ballots_commented_idx` ON `ballots` (`round_item_id`) WHERE trim(coalesce("ballots"."comment", '')) <> '';--> statement-breakpoint
INSERT INTO `round_responses` (`round_id`, `membership_id`, `ballots`)
SELECT i.round_id, b.membership_id, count(*) FROM ballots b JOIN round_items i ON i.id = b.round_item_id
GROUP BY i.round_id, b.membership_id;--> statement-breakpoint
CREATE TRIGGER round_responses_ballot_insert AFTER INSERT ON ballots
BEGIN
  INSERT INTO round_responses (round_id, membership_id, ballots)
  SELECT i.round_id, NEW.membership_id, 1 FROM round_items i WHERE i.id = NEW.round_item_id
  ON CONFLICT (round_id, membership_id) DO UPDATE SET ballots = ballots + 1;
END;
--> statement-breakpoint
CREATE TRIGGER round_responses_ballot_delete AFTER DELETE ON ballots
BEGIN
  UPDATE round_responses SET ballots = ballots - 1
  WHERE round_id = (SELECT round_id FROM round_items WHERE id = OLD.round_item_id) AND membership_id = OLD.membership_id;
END;
