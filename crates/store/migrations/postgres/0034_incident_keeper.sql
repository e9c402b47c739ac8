-- The incident log (BDC-18): the account of the person who recorded each incident, so that
-- the countersignature is always someone else's, whether the incident was recorded on a
-- page, through the API or from the console in that person's name. Incidents recorded
-- before this step take it from the ledger actor in `recorded_by` when that was a person
-- ('user:NAME'); one recorded from the console before it has none.
ALTER TABLE incidents ADD COLUMN recorded_by_user TEXT;
UPDATE incidents SET recorded_by_user = substr(recorded_by, 6) WHERE recorded_by LIKE 'user:%';
