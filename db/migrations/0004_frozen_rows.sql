-- 0001's delete and update triggers are not enough: the REPLACE conflict resolution (REPLACE INTO,
-- INSERT OR REPLACE, UPDATE OR REPLACE) deletes the row holding a unique key without firing any
-- delete trigger, and an upsert updates that row. So an insert, or an update of a key column,
-- whose primary or unique key is held by a frozen row is refused whatever its conflict clause.
-- Frozen: published recommendation sets; rounds that have been opened and their items; round
-- results; ballots of closed rounds; revisions in a round that has been opened; audit events
-- (append-only). A plain INSERT of such a key is refused here before its UNIQUE constraint is
-- checked, hence messages that start with UNIQUE as SQLite's own do. Each trigger looks the key
-- up first, through its index, and only then asks whether the row holding it is frozen.
CREATE TRIGGER recommendation_sets_key_frozen BEFORE INSERT ON recommendation_sets
WHEN EXISTS (SELECT 1 FROM recommendation_sets s
             WHERE s.id = NEW.id OR (s.guideline_id = NEW.guideline_id AND s.version = NEW.version))
BEGIN
  SELECT RAISE(ABORT, 'UNIQUE key taken by a published recommendation set (id, or guideline_id and version), which never changes');
END;
--> statement-breakpoint
CREATE TRIGGER rounds_key_frozen_insert BEFORE INSERT ON rounds
WHEN EXISTS (SELECT 1 FROM rounds r
             WHERE (r.id = NEW.id OR (r.guideline_id = NEW.guideline_id AND r.number = NEW.number))
               AND r.status <> 'draft')
BEGIN
  SELECT RAISE(ABORT, 'UNIQUE key taken by a round that has been opened (id, or guideline_id and number): only a draft round is replaced');
END;
--> statement-breakpoint
CREATE TRIGGER rounds_key_frozen_update BEFORE UPDATE OF id, guideline_id, number ON rounds
WHEN EXISTS (SELECT 1 FROM rounds r
             WHERE (r.id = NEW.id OR (r.guideline_id = NEW.guideline_id AND r.number = NEW.number))
               AND r.id <> OLD.id AND r.status <> 'draft')
BEGIN
  SELECT RAISE(ABORT, 'UNIQUE key taken by a round that has been opened (id, or guideline_id and number): only a draft round is replaced');
END;
--> statement-breakpoint
CREATE TRIGGER round_items_key_frozen_insert BEFORE INSERT ON round_items
WHEN EXISTS (SELECT 1 FROM round_items i
             WHERE (i.id = NEW.id
                    OR (i.round_id = NEW.round_id AND i.revision_id = NEW.revision_id)
                    OR (i.round_id = NEW.round_id AND i.position = NEW.position))
               AND (SELECT r.status FROM rounds r WHERE r.id = i.round_id) <> 'draft')
BEGIN
  SELECT RAISE(ABORT, 'UNIQUE key taken by an item of a round that has been opened (id, or round_id with revision_id or position): items change only while their round is a draft');
END;
--> statement-breakpoint
CREATE TRIGGER round_items_key_frozen_update BEFORE UPDATE OF id, round_id, revision_id, position ON round_items
WHEN EXISTS (SELECT 1 FROM round_items i
             WHERE (i.id = NEW.id
                    OR (i.round_id = NEW.round_id AND i.revision_id = NEW.revision_id)
                    OR (i.round_id = NEW.round_id AND i.position = NEW.position))
               AND i.id <> OLD.id
               AND (SELECT r.status FROM rounds r WHERE r.id = i.round_id) <> 'draft')
BEGIN
  SELECT RAISE(ABORT, 'UNIQUE key taken by an item of a round that has been opened (id, or round_id with revision_id or position): items change only while their round is a draft');
END;
--> statement-breakpoint
CREATE TRIGGER round_results_key_frozen BEFORE INSERT ON round_results
WHEN EXISTS (SELECT 1 FROM round_results res WHERE res.round_item_id = NEW.round_item_id)
BEGIN
  SELECT RAISE(ABORT, 'UNIQUE key taken by a round result (round_item_id): round results never change');
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
CREATE TRIGGER statement_revisions_key_frozen_insert BEFORE INSERT ON statement_revisions
WHEN EXISTS (SELECT 1 FROM statement_revisions v
             WHERE (v.id = NEW.id OR (v.statement_id = NEW.statement_id AND v.revision = NEW.revision))
               AND EXISTS (SELECT 1 FROM round_items i JOIN rounds r ON r.id = i.round_id
                           WHERE i.revision_id = v.id AND r.status <> 'draft'))
BEGIN
  SELECT RAISE(ABORT, 'UNIQUE key taken by a revision that went to a vote (id, or statement_id and revision): it never changes; add a new revision');
END;
--> statement-breakpoint
CREATE TRIGGER statement_revisions_key_frozen_update BEFORE UPDATE OF id, statement_id, revision ON statement_revisions
WHEN EXISTS (SELECT 1 FROM statement_revisions v
             WHERE (v.id = NEW.id OR (v.statement_id = NEW.statement_id AND v.revision = NEW.revision))
               AND v.id <> OLD.id
               AND EXISTS (SELECT 1 FROM round_items i JOIN rounds r ON r.id = i.round_id
                           WHERE i.revision_id = v.id AND r.status <> 'draft'))
BEGIN
  SELECT RAISE(ABORT, 'UNIQUE key taken by a revision that went to a vote (id, or statement_id and revision): it never changes; add a new revision');
END;
--> statement-breakpoint
CREATE TRIGGER audit_events_key_frozen_insert BEFORE INSERT ON audit_events
WHEN EXISTS (SELECT 1 FROM audit_events e WHERE e.id = NEW.id OR (e.chain = NEW.chain AND e.seq = NEW.seq))
BEGIN
  SELECT RAISE(ABORT, 'UNIQUE key taken by an audit event (id, or chain and seq): the audit trail is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER audit_events_key_frozen_update BEFORE UPDATE OF id, chain, seq ON audit_events
WHEN EXISTS (SELECT 1 FROM audit_events e
             WHERE (e.id = NEW.id OR (e.chain = NEW.chain AND e.seq = NEW.seq)) AND e.id <> OLD.id)
BEGIN
  SELECT RAISE(ABORT, 'UNIQUE key taken by an audit event (id, or chain and seq): the audit trail is append-only');
END;
