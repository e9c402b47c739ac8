-- A request from the public form carries a key of its own (random, in a hidden field), so
-- that the same form sent twice (a refresh, the back button, a double click) files one
-- request. Only the key's SHA-256 is kept, since the key opens the request's
-- acknowledgement page, with the SHA-256 of what the form said, to tell a form sent again
-- from one changed before it was sent again (a new request).
ALTER TABLE cases ADD COLUMN request_key_sha256 TEXT;
ALTER TABLE cases ADD COLUMN request_form_sha256 TEXT;
CREATE UNIQUE INDEX cases_by_request_key ON cases (request_key_sha256);
