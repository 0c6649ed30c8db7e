-- 0005_segments: saved segments (dynamic filters and frozen static lists) and the access
-- paths their conditions need.

-- A segment is either dynamic (`filter` is the JSON filter tree of
-- sodate_core::segments::SegmentFilter, evaluated whenever it is used) or static (a frozen
-- list of lead ids in segment_members; `filter` then keeps the filter it was frozen from,
-- for reference only, and `frozen_from` the segment).
CREATE TABLE segments (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('dynamic', 'static')),
    filter       TEXT CHECK (filter IS NULL OR json_valid(filter)),
    frozen_from  INTEGER,
    member_count INTEGER,                -- static: the number of leads frozen
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

-- Members of static segments. A deleted lead leaves every list it was in.
CREATE TABLE segment_members (
    segment_id INTEGER NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
    lead_id    INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    PRIMARY KEY (segment_id, lead_id)
) WITHOUT ROWID;
-- The cascade from a deleted lead looks its memberships up by lead.
CREATE INDEX segment_members_by_lead ON segment_members (lead_id);

-- Activity conditions of a type ("attended a seminar in the last 90 days"): one index range
-- per condition yields the leads without reading activity rows (the index covers lead_id).
-- At 1M leads / 10M activities the issue's example reads ~127k entries of it. (A correlated
-- EXISTS per lead with a type and a time would also match this index and scan its whole
-- range once per lead: the compiler never writes that shape; see docs/SEGMENTS.md.)
CREATE INDEX activities_by_type_time ON activities (type_id, occurred_at, lead_id);

-- Event conditions (the leads met at an event: first event, or an activity there). Only
-- the ~12% of activities that name an event are indexed.
CREATE INDEX activities_by_event ON activities (event_id, lead_id) WHERE event_id IS NOT NULL;

-- Stage conditions (lifecycle_stage = 'mql' …): 0002 dropped this index until a capability
-- needed it. Counting one stage then reads its index entries only (1M leads: ~5 ms instead
-- of a 300 ms scan of every lead row).
CREATE INDEX leads_by_stage ON leads (lifecycle_stage, stage_changed_at);
