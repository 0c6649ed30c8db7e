-- Fewer indexes to maintain on every insert and to rebuild after a bulk load.
--
-- "Registered" order is the order leads entered Sodate: leads are numbered as they arrive and
-- created_at is the time of arrival, so the row id serves that order without an index.
DROP INDEX leads_by_created;
-- Indexes for capabilities that are not built yet (the sales board, the funnel per stage and
-- per event) come back with those capabilities, sized by the queries they run.
DROP INDEX leads_by_stage;
DROP INDEX leads_by_first_event;
DROP INDEX lifecycle_history_by_stage;
