-- 0009_capture: card capture at trade shows (issue 9).

-- Each card captured at an event: a new lead or a further visit of an existing one. The
-- event's "captured today" counts and `sodate events` read this table (it stays small:
-- one row per card, not per activity).
CREATE TABLE captures (
    id           INTEGER PRIMARY KEY,
    lead_id      INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    event_id     INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    captured_at  TEXT NOT NULL,                      -- UTC ISO-8601
    interest     TEXT NOT NULL CHECK (interest IN ('hot', 'warm', 'cold')),
    products     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(products)), -- ["product", …]
    memo         TEXT NOT NULL DEFAULT '',
    created_lead INTEGER NOT NULL,                   -- 1: the card made a new lead; 0: a visit
    incomplete   INTEGER NOT NULL DEFAULT 0          -- 1: saved with fields still to complete
);
CREATE INDEX captures_by_event ON captures (event_id, captured_at);
CREATE INDEX captures_by_time ON captures (captured_at);
CREATE INDEX captures_by_lead ON captures (lead_id);

-- Products of interest offered as chips on the capture form (user-defined, reused).
CREATE TABLE capture_products (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    last_used_at TEXT NOT NULL
);

-- Card photos, JPEG, in the database so that every backup holds them. A photo attached to
-- a card still being typed belongs to the event's draft (lead_id NULL) until the card is
-- saved; at most one photo per side and owner.
CREATE TABLE lead_photos (
    id             INTEGER PRIMARY KEY,
    lead_id        INTEGER REFERENCES leads (id) ON DELETE CASCADE,
    draft_event_id INTEGER REFERENCES events (id) ON DELETE CASCADE,
    side           TEXT NOT NULL CHECK (side IN ('front', 'back')),
    image          BLOB NOT NULL,                    -- JPEG, upright, long side ≤ 1600 px
    thumbnail      BLOB NOT NULL,                    -- JPEG, long side ≤ 320 px
    width          INTEGER NOT NULL,
    height         INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    CHECK (lead_id IS NOT NULL OR draft_event_id IS NOT NULL)
);
CREATE INDEX lead_photos_by_lead ON lead_photos (lead_id) WHERE lead_id IS NOT NULL;
CREATE UNIQUE INDEX lead_photos_pending ON lead_photos (draft_event_id, side) WHERE lead_id IS NULL;

-- The card being typed at an event, saved as the user types so that it survives a crash
-- or a close (one draft per event; the capture form's values as JSON).
CREATE TABLE capture_drafts (
    event_id   INTEGER PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    form       TEXT NOT NULL CHECK (json_valid(form)),
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
