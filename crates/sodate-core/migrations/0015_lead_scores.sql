-- 0015_lead_scores: each lead's scores in a narrow table of their own.
--
-- A rescore that changes most leads' scores (a model change, the daily decay) rewrote the
-- wide lead rows (~650 bytes each): at 1M leads nearly every page of `leads` and of
-- `leads_scoring` went through the WAL and back (~5–9 s, docs/BENCHMARKS.md). Here a row is
-- ~30 bytes, and the lead rows are not touched by scoring at all.
--
-- `id` is the lead's id (the same number, so `l.id` reads the same on either table). Every
-- lead has exactly one row: the triggers below add it with the lead and remove it with the
-- lead (bulk loads that drop the insert trigger add the rows of the new leads at the end).
CREATE TABLE lead_scores (
    id               INTEGER PRIMARY KEY,
    engagement_score REAL NOT NULL DEFAULT 0,
    fit_score        REAL NOT NULL DEFAULT 0,
    grade            TEXT NOT NULL DEFAULT '',
    is_mql           INTEGER NOT NULL DEFAULT 0,
    mql_since        TEXT
);
INSERT INTO lead_scores (id, engagement_score, fit_score, grade, is_mql, mql_since)
    SELECT id, engagement_score, fit_score, grade, is_mql, mql_since FROM leads ORDER BY id;

CREATE TRIGGER lead_scores_insert AFTER INSERT ON leads BEGIN
    INSERT INTO lead_scores (id) VALUES (new.id);
END;
CREATE TRIGGER lead_scores_delete AFTER DELETE ON leads BEGIN
    DELETE FROM lead_scores WHERE id = old.id;
END;

-- The list's score order and the current MQLs (board, dashboard), now on the narrow table.
DROP INDEX leads_by_engagement;
DROP INDEX leads_mql;
CREATE INDEX lead_scores_by_engagement ON lead_scores (engagement_score, id);
CREATE INDEX lead_scores_mql ON lead_scores (mql_since) WHERE is_mql = 1;

-- The scoring read of the lead columns (0013), without the scores.
DROP INDEX leads_scoring;
CREATE INDEX leads_scoring ON leads (id, company_id, title, department, email, prefecture, source, website);

-- The old columns stay in the lead rows (dropping a column rewrites every row of the
-- table), renamed so that nothing reads them by mistake; nothing writes them any more.
ALTER TABLE leads RENAME COLUMN engagement_score TO retired_engagement_score;
ALTER TABLE leads RENAME COLUMN fit_score TO retired_fit_score;
ALTER TABLE leads RENAME COLUMN grade TO retired_grade;
ALTER TABLE leads RENAME COLUMN is_mql TO retired_is_mql;
ALTER TABLE leads RENAME COLUMN mql_since TO retired_mql_since;
