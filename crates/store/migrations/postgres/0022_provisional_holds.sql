-- A hold placed for a request from the public form is provisional (BDC-28): short, until
-- staff accept the request, when it is confirmed for the class's whole period.
ALTER TABLE holds ADD COLUMN provisional BIGINT NOT NULL DEFAULT 0;
