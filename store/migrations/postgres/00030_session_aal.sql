-- +goose Up
-- The assurance level of a session's login (1: one factor, 2: two); sessions.amr now lists every method
-- the login used, comma-separated ("pwd,totp"), so the rows written before keep their meaning.
ALTER TABLE sessions ADD COLUMN aal smallint NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE sessions DROP COLUMN aal;
