-- 0013_scoring_reads: narrow, covering indexes for the full score read (every lead and
-- activity: a recompute, the daily decay, the first impact preview of a model).
--
-- Without them that read walks the wide lead rows (~650 bytes, 567 MiB at 1M leads), the
-- companies and the whole activities table (413 MiB): pages spread over the first 1.4 GiB of
-- the file, interleaved with each other and the search index, so a read with a cold page
-- cache read 1.4 GiB from disk (7-10 s). These hold only what scoring reads, and an index
-- built at once lies in one run of pages. Each costs a B-tree entry per row written; the
-- bulk loads (demo, large imports) build them after the rows, as they do the others.

-- The lead columns fit rules can read (custom fields excepted: they are read from the row)
-- and the stored scores, in id order.
CREATE INDEX leads_scoring ON leads (
    id, company_id, title, department, email, prefecture, source, website,
    engagement_score, fit_score, grade, is_mql
);

-- The company columns fit rules can read.
CREATE INDEX companies_scoring ON companies (id, industry, employee_band, prefecture, domain, name);

-- Activities with a detail (page URL, content name …), for rules with a detail condition.
-- Activities of the other counted types are read from activities_by_type_time (0005).
-- Lead before time: activities are mostly written lead by lead (demo, imports), so building
-- the index sorts nearly sorted input (half the CPU of ordering by detail, measured), and a
-- read gives each type's activities lead by lead.
CREATE INDEX activities_by_type_detail ON activities (type_id, lead_id, occurred_at, detail)
    WHERE detail <> '';
