-- 0006_board: the sales handoff board — qualification answers per lead, a free-text note on
-- each stage move, and the access path of the board's columns.
--
-- The board's settings (stage names, SLA days, reason lists, the MQL rule) are one JSON value
-- in `settings` under the key 'board.config' (none yet = the built-in defaults).

-- BANT and CHAMP answers of a lead (one row per lead that has any). Answers are free text;
-- an empty answer is an unanswered question.
CREATE TABLE lead_qualification (
    lead_id        INTEGER PRIMARY KEY REFERENCES leads (id) ON DELETE CASCADE,
    budget         TEXT NOT NULL DEFAULT '',
    authority      TEXT NOT NULL DEFAULT '',
    need           TEXT NOT NULL DEFAULT '',
    timeline       TEXT NOT NULL DEFAULT '',
    challenges     TEXT NOT NULL DEFAULT '',
    champ_authority TEXT NOT NULL DEFAULT '',
    money          TEXT NOT NULL DEFAULT '',
    prioritisation TEXT NOT NULL DEFAULT '',
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL DEFAULT ''
);

-- The free text the user adds to a move's reason (the reason itself comes from the list of
-- the target stage). Adding a column with a constant default rewrites nothing.
ALTER TABLE lifecycle_history ADD COLUMN note TEXT NOT NULL DEFAULT '';

-- A board column reads the leads of one stage, longest in the stage first, filtered by owner:
-- leads_by_stage (lifecycle_stage, stage_changed_at) from 0001 already serves the order and
-- the overdue count (a range of stage_changed_at). No new index on leads.
