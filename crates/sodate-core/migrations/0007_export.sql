-- 0007_export: export and compliance (issue 10): mail-result imports, consent edits, and the
-- lookups that suppression and person requests need.

-- Every mail-tool results file imported (Mailchimp, Brevo, generic email/event/timestamp),
-- with what it did; its activities carry source 'mail_result'.
CREATE TABLE mail_result_imports (
    id                 INTEGER PRIMARY KEY,
    file_name          TEXT NOT NULL,
    format             TEXT NOT NULL,           -- mailchimp | brevo | generic
    rows_total         INTEGER NOT NULL DEFAULT 0,
    activities         INTEGER NOT NULL DEFAULT 0,
    unsubscribes       INTEGER NOT NULL DEFAULT 0,
    hard_bounces       INTEGER NOT NULL DEFAULT 0,
    unknown_emails     INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL
);

-- Consent records can be corrected; the time of the last edit (NULL: never edited).
ALTER TABLE consents ADD COLUMN updated_at TEXT;

-- Which suppression entries still name their email (plain export; leads marked on import).
CREATE INDEX suppressions_by_key ON suppressions (email_key) WHERE email_key IS NOT NULL;
