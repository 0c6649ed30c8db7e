-- 0012_board_owners: the board's owner filter lists the owners of leads on the board. Read
-- through leads_by_stage that walked every lead in a board stage (0.8 s on a million leads,
-- most of the board's load). This index holds the owned leads only, with their stage: the
-- owners are found by skipping from one owner to the next in it (a few lookups per owner).
CREATE INDEX leads_by_owner ON leads (owner, lifecycle_stage) WHERE owner <> '';
