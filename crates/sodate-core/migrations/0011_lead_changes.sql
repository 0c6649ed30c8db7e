-- 0011_lead_changes: a journal of which leads changed, so that aggregates kept in memory
-- (the dashboard's per-lead facts) are brought up to date by re-reading only those leads
-- instead of the whole database after every edit.
--
-- Every committed change to what those aggregates read appends the lead's id: a lead
-- created, deleted, or given another stage, source, owner, first event or registration
-- time; an activity added, removed or changed (lead, type, time, event); a stage-history
-- row written or removed. `lead_id = 0` means "every lead": a bulk load that ran without
-- these triggers, or a change of activity type codes. Scores are not journalled (a full
-- rescore rewrites most leads and nothing here reads them).
--
-- AUTOINCREMENT keeps `seq` increasing even after old rows are pruned; pruning records the
-- highest removed `seq`, so a reader that last saw an older one knows it must read all.
CREATE TABLE lead_changes (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    lead_id INTEGER NOT NULL
);
CREATE TABLE lead_changes_pruned (
    upto INTEGER NOT NULL
);
INSERT INTO lead_changes_pruned (upto) VALUES (0);

CREATE TRIGGER lead_changes_lead_insert AFTER INSERT ON leads BEGIN
    INSERT INTO lead_changes (lead_id) VALUES (new.id);
END;
CREATE TRIGGER lead_changes_lead_delete AFTER DELETE ON leads BEGIN
    INSERT INTO lead_changes (lead_id) VALUES (old.id);
END;
CREATE TRIGGER lead_changes_lead_update
AFTER UPDATE OF lifecycle_stage, source, first_event_id, owner, created_at ON leads
WHEN old.lifecycle_stage IS NOT new.lifecycle_stage
  OR old.source IS NOT new.source
  OR old.first_event_id IS NOT new.first_event_id
  OR old.owner IS NOT new.owner
  OR old.created_at IS NOT new.created_at
BEGIN
    INSERT INTO lead_changes (lead_id) VALUES (new.id);
END;

CREATE TRIGGER lead_changes_activity_insert AFTER INSERT ON activities BEGIN
    INSERT INTO lead_changes (lead_id) VALUES (new.lead_id);
END;
CREATE TRIGGER lead_changes_activity_delete AFTER DELETE ON activities BEGIN
    INSERT INTO lead_changes (lead_id) VALUES (old.lead_id);
END;
CREATE TRIGGER lead_changes_activity_update
AFTER UPDATE OF lead_id, type_id, occurred_at, event_id ON activities
BEGIN
    INSERT INTO lead_changes (lead_id) VALUES (old.lead_id);
    INSERT INTO lead_changes (lead_id) SELECT new.lead_id WHERE new.lead_id <> old.lead_id;
END;

CREATE TRIGGER lead_changes_history_insert AFTER INSERT ON lifecycle_history BEGIN
    INSERT INTO lead_changes (lead_id) VALUES (new.lead_id);
END;
CREATE TRIGGER lead_changes_history_delete AFTER DELETE ON lifecycle_history BEGIN
    INSERT INTO lead_changes (lead_id) VALUES (old.lead_id);
END;
CREATE TRIGGER lead_changes_history_update AFTER UPDATE ON lifecycle_history BEGIN
    INSERT INTO lead_changes (lead_id) VALUES (old.lead_id);
    INSERT INTO lead_changes (lead_id) SELECT new.lead_id WHERE new.lead_id <> old.lead_id;
END;

CREATE TRIGGER lead_changes_activity_types AFTER UPDATE OF code ON activity_types BEGIN
    INSERT INTO lead_changes (lead_id) VALUES (0);
END;
CREATE TRIGGER lead_changes_activity_types_delete AFTER DELETE ON activity_types BEGIN
    INSERT INTO lead_changes (lead_id) VALUES (0);
END;
