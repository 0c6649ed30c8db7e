-- 0010_suppressed_leads: the leads no mail may reach (opted out, bounced, erased), found
-- without reading every lead: journey due lists leave them out, a few percent of a million.
-- (0009-0012 belong to other capabilities.)
CREATE INDEX leads_suppressed ON leads (id)
    WHERE consent_state IN ('opted_out', 'bounced', 'erased');
