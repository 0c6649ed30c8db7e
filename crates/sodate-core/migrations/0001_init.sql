-- 0001_init: the whole domain of Sodate, so that later capabilities extend it rather than
-- rework it. Conventions:
--   * display values are stored as typed; beside them `*_key` columns hold the normalised
--     keys (sodate_core::normalize) that search, sorting, dedupe and segments compare;
--   * timestamps are UTC ISO-8601 text ('2026-11-22T10:00:00Z'), which sorts correctly;
--   * rowids are the ids the UI sees; deleting a lead cascades to what only it owns.

-- Companies (accounts). The corporate form (株式会社, (株) …) is kept in `name` and dropped
-- from `name_key`, so ㈱サンプル and サンプル株式会社 share a key.
CREATE TABLE companies (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    name_key      TEXT NOT NULL,
    reading       TEXT NOT NULL DEFAULT '',
    reading_key   TEXT NOT NULL DEFAULT '',
    domain        TEXT NOT NULL DEFAULT '',
    industry      TEXT NOT NULL DEFAULT '',
    employee_band TEXT NOT NULL DEFAULT '',
    postal_code   TEXT NOT NULL DEFAULT '',
    prefecture    TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX companies_name_key ON companies (name_key);
CREATE INDEX companies_reading_key ON companies (reading_key, name_key);
CREATE INDEX companies_domain ON companies (domain) WHERE domain <> '';

-- Events: trade shows, seminars, webinars where leads are met.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL DEFAULT 'trade_show',  -- trade_show | seminar | webinar | other
    starts_on  TEXT,                                -- 'YYYY-MM-DD'
    ends_on    TEXT,
    place      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

-- Leads (people).
CREATE TABLE leads (
    id               INTEGER PRIMARY KEY,
    family_name      TEXT NOT NULL DEFAULT '',
    given_name       TEXT NOT NULL DEFAULT '',
    family_reading   TEXT NOT NULL DEFAULT '',
    given_reading    TEXT NOT NULL DEFAULT '',
    company_id       INTEGER REFERENCES companies (id) ON DELETE SET NULL,
    department       TEXT NOT NULL DEFAULT '',
    title            TEXT NOT NULL DEFAULT '',
    email            TEXT NOT NULL DEFAULT '',
    phone            TEXT NOT NULL DEFAULT '',
    mobile           TEXT NOT NULL DEFAULT '',
    postal_code      TEXT NOT NULL DEFAULT '',   -- 7 digits
    prefecture       TEXT NOT NULL DEFAULT '',
    address          TEXT NOT NULL DEFAULT '',
    website          TEXT NOT NULL DEFAULT '',
    notes            TEXT NOT NULL DEFAULT '',
    source           TEXT NOT NULL DEFAULT '',   -- trade_show, card_exchange, web_form, seminar, web, referral, import …
    first_event_id   INTEGER REFERENCES events (id) ON DELETE SET NULL,
    owner            TEXT NOT NULL DEFAULT '',
    lifecycle_stage  TEXT NOT NULL DEFAULT 'lead',
    stage_changed_at TEXT,
    consent_state    TEXT NOT NULL DEFAULT 'unknown', -- unknown | opted_in | opted_out | bounced | erased
    engagement_score REAL NOT NULL DEFAULT 0,
    fit_score        REAL NOT NULL DEFAULT 0,
    grade            TEXT NOT NULL DEFAULT '',
    custom           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(custom)), -- {"field name": "value"}
    -- normalised keys (see sodate_core::normalize)
    name_key         TEXT NOT NULL DEFAULT '',   -- family + given
    reading_key      TEXT NOT NULL DEFAULT '',   -- family + given reading, hiragana
    email_key        TEXT NOT NULL DEFAULT '',
    phone_key        TEXT NOT NULL DEFAULT '',   -- E.164
    mobile_key       TEXT NOT NULL DEFAULT '',   -- E.164
    sort_name_key    TEXT NOT NULL DEFAULT '',   -- reading_key, or name_key when there is no reading (list order)
    company_sort_key TEXT NOT NULL DEFAULT '',   -- the company's reading key, else its name key (list order)
    search_text      TEXT NOT NULL DEFAULT '',   -- search_key of name, reading, company, email, phones
    import_batch_id  INTEGER REFERENCES import_batches (id) ON DELETE SET NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
-- Sort orders of the list (each with id as tie-breaker for stable paging).
CREATE INDEX leads_by_name ON leads (sort_name_key, id);
CREATE INDEX leads_by_company_name ON leads (company_sort_key, id);
CREATE INDEX leads_by_updated ON leads (updated_at, id);
CREATE INDEX leads_by_created ON leads (created_at, id);
CREATE INDEX leads_by_email ON leads (email_key, id);
CREATE INDEX leads_by_engagement ON leads (engagement_score, id);
CREATE INDEX leads_by_company ON leads (company_id);
-- Lookups by key (dedupe, upsert on import, short-query search).
CREATE INDEX leads_by_name_key ON leads (name_key);
-- (Reading prefixes use leads_by_name: sort_name_key is the reading whenever there is one.)
CREATE INDEX leads_by_phone ON leads (phone_key) WHERE phone_key <> '';
CREATE INDEX leads_by_mobile ON leads (mobile_key) WHERE mobile_key <> '';
CREATE INDEX leads_by_stage ON leads (lifecycle_stage, stage_changed_at);
CREATE INDEX leads_by_first_event ON leads (first_event_id) WHERE first_event_id IS NOT NULL;

-- Substring search over leads.search_text: FTS5 trigram (3+ characters). The table holds no
-- copy of the text (external content); triggers keep it in step with `leads`.
CREATE VIRTUAL TABLE lead_search USING fts5 (
    search_text,
    content = 'leads',
    content_rowid = 'id',
    tokenize = 'trigram'
);
CREATE TRIGGER leads_search_insert AFTER INSERT ON leads BEGIN
    INSERT INTO lead_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER leads_search_delete AFTER DELETE ON leads BEGIN
    INSERT INTO lead_search (lead_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER leads_search_update AFTER UPDATE OF search_text ON leads BEGIN
    INSERT INTO lead_search (lead_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO lead_search (rowid, search_text) VALUES (new.id, new.search_text);
END;

-- Further emails and phones of a lead (kept when duplicates are merged).
CREATE TABLE lead_contacts (
    id        INTEGER PRIMARY KEY,
    lead_id   INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'mobile')),
    value     TEXT NOT NULL,
    value_key TEXT NOT NULL
);
CREATE INDEX lead_contacts_by_lead ON lead_contacts (lead_id);
CREATE INDEX lead_contacts_by_key ON lead_contacts (kind, value_key);

-- Tags.
CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE lead_tags (
    lead_id INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    tag_id  INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (lead_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX lead_tags_by_tag ON lead_tags (tag_id, lead_id);

-- Custom field definitions; values live in leads.custom (JSON) under `name`.
CREATE TABLE custom_fields (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    label      TEXT NOT NULL,
    field_type TEXT NOT NULL DEFAULT 'text', -- text | number | date | choice
    position   INTEGER NOT NULL DEFAULT 0
);

-- Activity types: built-in codes (translated by the UI) and user-defined ones.
CREATE TABLE activity_types (
    id       INTEGER PRIMARY KEY,
    code     TEXT NOT NULL UNIQUE,
    label_ja TEXT NOT NULL,
    label_en TEXT NOT NULL,
    builtin  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO activity_types (code, label_ja, label_en, builtin) VALUES
    ('booth_visit',        'ブース来訪',         'Booth visit',           1),
    ('card_exchange',      '名刺交換',           'Card exchange',         1),
    ('document_request',   '資料請求',           'Document request',      1),
    ('seminar_registered', 'セミナー申込',       'Seminar registration',  1),
    ('seminar_attended',   'セミナー参加',       'Seminar attended',      1),
    ('webinar_registered', 'ウェビナー申込',     'Webinar registration',  1),
    ('webinar_attended',   'ウェビナー参加',     'Webinar attended',      1),
    ('email_sent',         'メール送信',         'Email sent',            1),
    ('email_opened',       'メール開封',         'Email opened',          1),
    ('email_clicked',      'メールクリック',     'Email clicked',         1),
    ('email_bounced',      'メール不達',         'Email bounced',         1),
    ('email_unsubscribed', '配信停止',           'Unsubscribed',          1),
    ('page_view',          'ページ閲覧',         'Page view',             1),
    ('call',               '電話',               'Call',                  1),
    ('meeting',            '商談・面談',         'Meeting',               1),
    ('note',               'メモ',               'Note',                  1);

-- Activities (touchpoints). The volume table: 10 M rows at scale, so rows are kept narrow:
-- the type is an integer id and the time is integer Unix seconds (UTC), which makes the
-- indexes small and range scans for scoring, segments and the dashboard cheap.
CREATE TABLE activities (
    id              INTEGER PRIMARY KEY,
    lead_id         INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    type_id         INTEGER NOT NULL REFERENCES activity_types (id),
    occurred_at     INTEGER NOT NULL,           -- Unix seconds, UTC
    detail          TEXT NOT NULL DEFAULT '',   -- URL, content name, subject …
    event_id        INTEGER REFERENCES events (id) ON DELETE SET NULL,
    source          TEXT NOT NULL DEFAULT '',   -- manual | import | capture | mail_result | demo
    import_batch_id INTEGER REFERENCES import_batches (id) ON DELETE SET NULL
);
CREATE INDEX activities_by_lead ON activities (lead_id, occurred_at);
-- No other index yet: each one costs on every activity written (10 M rows), and the access
-- paths of segments, scoring and the dashboard (by type and time, by event) are added with
-- those capabilities, measured against their queries.

-- Lifecycle history: every stage move with who, when and why.
CREATE TABLE lifecycle_history (
    id         INTEGER PRIMARY KEY,
    lead_id    INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    from_stage TEXT,
    to_stage   TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    actor      TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT '',
    automatic  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX lifecycle_history_by_lead ON lifecycle_history (lead_id, changed_at);
CREATE INDEX lifecycle_history_by_stage ON lifecycle_history (to_stage, changed_at);

-- Consent records per lead and channel (特定電子メール法: method, date, evidence).
CREATE TABLE consents (
    id          INTEGER PRIMARY KEY,
    lead_id     INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    channel     TEXT NOT NULL DEFAULT 'email',
    state       TEXT NOT NULL,                 -- opted_in | opted_out | bounced
    method      TEXT NOT NULL DEFAULT '',      -- card_exchange | web_form | import | mail_result …
    recorded_at TEXT NOT NULL,
    evidence    TEXT NOT NULL DEFAULT '',
    event_id    INTEGER REFERENCES events (id) ON DELETE SET NULL
);
CREATE INDEX consents_by_lead ON consents (lead_id, channel, recorded_at);

-- Global suppression list; erased people are kept only as a hash of the normalised email.
CREATE TABLE suppressions (
    id         INTEGER PRIMARY KEY,
    email_key  TEXT,                 -- normalised email, NULL once erased
    email_hash TEXT NOT NULL UNIQUE, -- SHA-256 of the normalised email
    reason     TEXT NOT NULL,        -- opted_out | bounced | erased | manual
    created_at TEXT NOT NULL
);

-- Import batches and the changes each made, so an import can be undone exactly.
CREATE TABLE import_batches (
    id          INTEGER PRIMARY KEY,
    file_name   TEXT NOT NULL,
    format      TEXT NOT NULL,       -- csv | tsv | xlsx | vcard
    encoding    TEXT NOT NULL DEFAULT '',
    mode        TEXT NOT NULL,       -- create | upsert
    status      TEXT NOT NULL,       -- applied | undone
    rows_total  INTEGER NOT NULL DEFAULT 0,
    rows_created INTEGER NOT NULL DEFAULT 0,
    rows_updated INTEGER NOT NULL DEFAULT 0,
    rows_failed INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    undone_at   TEXT
);
CREATE TABLE import_changes (
    id       INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES import_batches (id) ON DELETE CASCADE,
    lead_id  INTEGER NOT NULL,
    change   TEXT NOT NULL CHECK (change IN ('created', 'updated')),
    before   TEXT CHECK (before IS NULL OR json_valid(before)) -- the lead's fields before an update
);
CREATE INDEX import_changes_by_batch ON import_changes (batch_id);

-- Merge journal: enough to unmerge exactly (the merged-away lead's snapshot and what moved).
CREATE TABLE merges (
    id            INTEGER PRIMARY KEY,
    survivor_id   INTEGER NOT NULL,
    merged_id     INTEGER NOT NULL,
    snapshot      TEXT NOT NULL CHECK (json_valid(snapshot)),
    created_at    TEXT NOT NULL,
    undone_at     TEXT
);
CREATE INDEX merges_by_survivor ON merges (survivor_id);

-- Pairs the user marked "not a duplicate" (smaller id first).
CREATE TABLE not_duplicates (
    lead_a INTEGER NOT NULL,
    lead_b INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (lead_a, lead_b)
) WITHOUT ROWID;

-- Demo data truth: which generated leads are variants of which (to evaluate dedupe).
CREATE TABLE demo_duplicates (
    lead_id     INTEGER PRIMARY KEY,
    original_id INTEGER NOT NULL,
    variation   TEXT NOT NULL
);

-- Audit log of user and system actions.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL DEFAULT '',
    action    TEXT NOT NULL,           -- lead.create, lead.update, lead.delete, demo.load …
    entity    TEXT NOT NULL DEFAULT '',
    entity_id INTEGER,
    detail    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail))
);
CREATE INDEX audit_log_by_entity ON audit_log (entity, entity_id);

-- Key/value settings of this database (language-independent preferences, thresholds …).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
