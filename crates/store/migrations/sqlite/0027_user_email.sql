-- Where a person is told by e-mail of work waiting for them (a download to authorise), if
-- anywhere. Personal data: kept on the account only, never in the ledger.
ALTER TABLE users ADD COLUMN email TEXT;
