-- 0004_scoring: the scoring model, each lead's MQL state, and the history of MQL crossings.

-- The current scoring model (one row; none yet = the built-in default model). `model` is the
-- versioned JSON of sodate_core::scoring::ScoringModel; `revision` counts the saves.
CREATE TABLE scoring_model (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    revision   INTEGER NOT NULL,
    model      TEXT NOT NULL CHECK (json_valid(model)),
    updated_at TEXT NOT NULL
);

-- Whether the lead meets the model's MQL definition now, and since when. (Scores and grade
-- were already on leads.) Adding a column with a constant default rewrites nothing.
ALTER TABLE leads ADD COLUMN is_mql INTEGER NOT NULL DEFAULT 0;
ALTER TABLE leads ADD COLUMN mql_since TEXT;
-- The board and the dashboard list the current MQLs: a partial index holds only them.
CREATE INDEX leads_mql ON leads (mql_since) WHERE is_mql = 1;

-- Every crossing of the MQL threshold (either way): when, the scores then, and why
-- (the cause: an activity, a model change, decay …).
CREATE TABLE score_history (
    id         INTEGER PRIMARY KEY,
    lead_id    INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    at         TEXT NOT NULL,
    from_mql   INTEGER NOT NULL,
    to_mql     INTEGER NOT NULL,
    engagement REAL NOT NULL,
    fit        REAL NOT NULL,
    grade      TEXT NOT NULL,
    reason     TEXT NOT NULL,
    model_revision INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX score_history_by_time ON score_history (at);
CREATE INDEX score_history_by_lead ON score_history (lead_id, at);

-- No new index on activities: scoring reads them in row order for a full recompute (one
-- sequential pass, no index) and through activities_by_lead (lead_id, occurred_at) for one
-- lead; another index would cost on each of the 10M rows written.
