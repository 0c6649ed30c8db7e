-- 0014_scoring_snapshot: what the impact preview needs to start without reading every lead
-- and activity (seconds at 1M leads).
--
-- 1. The changed-leads journal (0011) also records changes to what scoring reads, so that a
--    snapshot of per-lead rule weights and fit values is brought up to date lead by lead:
--    the fit fields of a lead (title, department, e-mail, prefecture, website, company,
--    custom fields), an activity's detail, and the fit fields of a company (each of its
--    leads). Per-lead score rewrites are journalled by the scoring code itself; a full
--    rescore instead advances the `score_generation` setting.
-- 2. `score_snapshot` keeps the last full read, written with each full rescore, in this
--    file: it is encrypted with it, restored with it and backed up with it.
CREATE TRIGGER lead_changes_lead_fit_update
AFTER UPDATE OF title, department, email, prefecture, website, company_id, custom ON leads
WHEN old.title IS NOT new.title
  OR old.department IS NOT new.department
  OR old.email IS NOT new.email
  OR old.prefecture IS NOT new.prefecture
  OR old.website IS NOT new.website
  OR old.company_id IS NOT new.company_id
  OR old.custom IS NOT new.custom
BEGIN
    INSERT INTO lead_changes (lead_id) VALUES (new.id);
END;

CREATE TRIGGER lead_changes_activity_detail_update
AFTER UPDATE OF detail ON activities
WHEN old.detail IS NOT new.detail
BEGIN
    INSERT INTO lead_changes (lead_id) VALUES (new.lead_id);
END;

CREATE TRIGGER lead_changes_company_update
AFTER UPDATE OF name, industry, employee_band, prefecture, domain ON companies
WHEN old.name IS NOT new.name
  OR old.industry IS NOT new.industry
  OR old.employee_band IS NOT new.employee_band
  OR old.prefecture IS NOT new.prefecture
  OR old.domain IS NOT new.domain
BEGIN
    INSERT INTO lead_changes (lead_id) SELECT id FROM leads WHERE company_id = new.id;
END;

CREATE TABLE score_snapshot (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    data BLOB NOT NULL
);
