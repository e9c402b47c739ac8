-- Why a request about footage of the requester has none to hold or to review (LBU-18,
-- BJS-10, ALT-10, BDC-29), found when the case is opened and told to the requester in the
-- acknowledgement: 'past-retention' (older than the cameras keep footage, with the days
-- they keep it) or 'none-recorded' (nothing recorded then). NULL when footage was found, or
-- none was looked for.
ALTER TABLE cases ADD COLUMN footage_absent TEXT;
ALTER TABLE cases ADD COLUMN footage_kept_days INTEGER;
