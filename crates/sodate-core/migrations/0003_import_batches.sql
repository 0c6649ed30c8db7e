-- Import batches: what the user chose, what happened, and enough to undo it exactly.
ALTER TABLE import_batches ADD COLUMN sheet TEXT NOT NULL DEFAULT '';
ALTER TABLE import_batches ADD COLUMN preset TEXT NOT NULL DEFAULT '';
ALTER TABLE import_batches ADD COLUMN options TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(options)); -- mapping, tags, source, event, keep-existing fields
ALTER TABLE import_batches ADD COLUMN rows_skipped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE import_batches ADD COLUMN undo_report TEXT CHECK (undo_report IS NULL OR json_valid(undo_report));

-- import_changes.before, for an update: {"field": [value before, value the import wrote], …}
-- (tags the import added under "+tags"), so undo restores a field only while it still holds
-- what the import wrote, and says which it kept because they were changed since.
CREATE INDEX import_changes_by_lead ON import_changes (lead_id);

-- Rows an import could not take, with the reason, to download as a CSV in the file's encoding.
CREATE TABLE import_failures (
    batch_id   INTEGER NOT NULL REFERENCES import_batches (id) ON DELETE CASCADE,
    row_number INTEGER NOT NULL,   -- as the user sees it in the file (header = row 1)
    reason     TEXT NOT NULL,
    cells      TEXT NOT NULL CHECK (json_valid(cells)), -- the row's cells as read
    PRIMARY KEY (batch_id, row_number)
) WITHOUT ROWID;

-- Column mappings the user saved (built-in presets live in the code).
CREATE TABLE import_presets (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    preset     TEXT NOT NULL CHECK (json_valid(preset)),
    created_at TEXT NOT NULL
) WITHOUT ROWID;
