-- What must never happen, refused by the database whatever the code does:
-- a round goes draft -> open -> closed only; a closed round, its items, ballots and results
-- never change; items change only while their round is a draft; ballots only while it is open;
-- a revision that went to a vote never changes; a published recommendation set never changes.
CREATE TRIGGER rounds_status_one_way BEFORE UPDATE OF status ON rounds
WHEN NOT ((OLD.status = 'draft' AND NEW.status IN ('draft', 'open'))
       OR (OLD.status = 'open' AND NEW.status IN ('open', 'closed')))
BEGIN
  SELECT RAISE(ABORT, 'round status moves only draft -> open -> closed');
END;
--> statement-breakpoint
CREATE TRIGGER rounds_closed_frozen BEFORE UPDATE ON rounds
WHEN OLD.status = 'closed'
BEGIN
  SELECT RAISE(ABORT, 'a closed round never changes');
END;
--> statement-breakpoint
CREATE TRIGGER rounds_voted_kept BEFORE DELETE ON rounds
WHEN OLD.status <> 'draft'
BEGIN
  SELECT RAISE(ABORT, 'only a draft round can be deleted');
END;
--> statement-breakpoint
CREATE TRIGGER rounds_created_as_draft BEFORE INSERT ON rounds
WHEN NEW.status <> 'draft'
BEGIN
  SELECT RAISE(ABORT, 'a round starts as a draft');
END;
--> statement-breakpoint
CREATE TRIGGER round_items_insert_draft BEFORE INSERT ON round_items
WHEN (SELECT status FROM rounds WHERE id = NEW.round_id) <> 'draft'
BEGIN
  SELECT RAISE(ABORT, 'items change only while their round is a draft');
END;
--> statement-breakpoint
CREATE TRIGGER round_items_update_draft BEFORE UPDATE ON round_items
WHEN (SELECT status FROM rounds WHERE id = OLD.round_id) <> 'draft'
  OR (SELECT status FROM rounds WHERE id = NEW.round_id) <> 'draft'
BEGIN
  SELECT RAISE(ABORT, 'items change only while their round is a draft');
END;
--> statement-breakpoint
CREATE TRIGGER round_items_delete_draft BEFORE DELETE ON round_items
WHEN (SELECT status FROM rounds WHERE id = OLD.round_id) <> 'draft'
BEGIN
  SELECT RAISE(ABORT, 'items change only while their round is a draft');
END;
--> statement-breakpoint
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
  SELECT RAISE(ABORT, 'a ballot changes only while its round is open, and only its choice and comment');
END;
--> statement-breakpoint
CREATE TRIGGER ballots_delete_open BEFORE DELETE ON ballots
WHEN (SELECT r.status FROM round_items i JOIN rounds r ON r.id = i.round_id WHERE i.id = OLD.round_item_id) <> 'open'
BEGIN
  SELECT RAISE(ABORT, 'ballots are withdrawn only while their round is open');
END;
--> statement-breakpoint
CREATE TRIGGER round_results_insert_open BEFORE INSERT ON round_results
WHEN (SELECT r.status FROM round_items i JOIN rounds r ON r.id = i.round_id WHERE i.id = NEW.round_item_id) <> 'open'
BEGIN
  SELECT RAISE(ABORT, 'results are frozen while their round closes');
END;
--> statement-breakpoint
CREATE TRIGGER round_results_frozen_update BEFORE UPDATE ON round_results
BEGIN
  SELECT RAISE(ABORT, 'round results never change');
END;
--> statement-breakpoint
CREATE TRIGGER round_results_frozen_delete BEFORE DELETE ON round_results
BEGIN
  SELECT RAISE(ABORT, 'round results never change');
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
CREATE TRIGGER statement_revisions_voted_update BEFORE UPDATE ON statement_revisions
WHEN EXISTS (SELECT 1 FROM round_items i JOIN rounds r ON r.id = i.round_id
             WHERE i.revision_id = OLD.id AND r.status <> 'draft')
BEGIN
  SELECT RAISE(ABORT, 'a revision that went to a vote never changes; add a new revision');
END;
--> statement-breakpoint
CREATE TRIGGER statement_revisions_voted_delete BEFORE DELETE ON statement_revisions
WHEN EXISTS (SELECT 1 FROM round_items WHERE revision_id = OLD.id)
BEGIN
  SELECT RAISE(ABORT, 'a revision that is in a round is kept');
END;
--> statement-breakpoint
CREATE TRIGGER recommendation_sets_immutable_update BEFORE UPDATE ON recommendation_sets
BEGIN
  SELECT RAISE(ABORT, 'a published recommendation set never changes');
END;
--> statement-breakpoint
CREATE TRIGGER recommendation_sets_immutable_delete BEFORE DELETE ON recommendation_sets
BEGIN
  SELECT RAISE(ABORT, 'a published recommendation set never changes');
END;
