-- 0008_journeys: personas, customer journey maps bound to live data, the history of which
-- lead was in which stage when, and the nurture scenario steps marked sent.
-- (0006-0008 belong to other capabilities.)

-- Personas: who a journey map is drawn for.
CREATE TABLE personas (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL,
    role                TEXT NOT NULL DEFAULT '',
    company_profile     TEXT NOT NULL DEFAULT '',
    demographics        TEXT NOT NULL DEFAULT '',
    psychographics      TEXT NOT NULL DEFAULT '',
    challenges          TEXT NOT NULL DEFAULT '',
    goals               TEXT NOT NULL DEFAULT '',
    information_sources TEXT NOT NULL DEFAULT '',
    icon                TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);

-- A map belongs to a persona. `doc` is the editor's document (sodate_core::journeys::
-- JourneyDoc): stages in order, each with its id, name, emotion (-2..+2), binding (a segment
-- filter, e.g. {"segment": 7}) and scenario steps; lanes with their cells by stage id.
CREATE TABLE journey_maps (
    id           INTEGER PRIMARY KEY,
    persona_id   INTEGER NOT NULL REFERENCES personas (id),
    name         TEXT NOT NULL,
    template     TEXT NOT NULL DEFAULT 'custom',
    doc          TEXT NOT NULL CHECK (json_valid(doc)),
    refreshed_at INTEGER,                 -- Unix seconds of the last membership refresh
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX journey_maps_by_persona ON journey_maps (persona_id);

-- Stage membership intervals: a lead entered stage `stage_id` (an id inside the map's doc)
-- at `entered_at` and left it at `exited_at` (NULL while it is still there) for `exit_to`
-- (the stage it moved to; NULL when it left every stage). A lead has at most one open
-- interval per map. No foreign key to leads: a deleted lead's interval is closed by the
-- next refresh, and history stays countable.
CREATE TABLE journey_stage_members (
    id         INTEGER PRIMARY KEY,
    map_id     INTEGER NOT NULL REFERENCES journey_maps (id) ON DELETE CASCADE,
    stage_id   TEXT NOT NULL,
    lead_id    INTEGER NOT NULL,
    entered_at INTEGER NOT NULL,
    exited_at  INTEGER,
    exit_to    TEXT
);
-- The refresh reads every open interval of a map.
CREATE INDEX journey_members_open ON journey_stage_members (map_id, lead_id, stage_id)
    WHERE exited_at IS NULL;
-- Metrics (count now, entries, exits and durations per stage) and the due list (open
-- intervals of a stage entered before a day) read this index only.
CREATE INDEX journey_members_by_stage
    ON journey_stage_members (map_id, stage_id, exited_at, entered_at, exit_to);

-- Scenario steps confirmed as sent, per stage visit, so a step is due once per visit.
CREATE TABLE journey_sends (
    member_id INTEGER NOT NULL REFERENCES journey_stage_members (id) ON DELETE CASCADE,
    step_id   TEXT NOT NULL,
    map_id    INTEGER NOT NULL,
    sent_at   INTEGER NOT NULL,
    PRIMARY KEY (member_id, step_id)
) WITHOUT ROWID;
-- The due list reads the sends of one map at once.
CREATE INDEX journey_sends_by_map ON journey_sends (map_id);
