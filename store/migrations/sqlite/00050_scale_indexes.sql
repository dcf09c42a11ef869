-- +goose Up
-- The indexes PostgreSQL gets in 00050–00056, but the trigram one: SQLite has no trigram index for a
-- LIKE, so the admin search's substring match reads the users table (newest first, so it stops at a
-- page of matches; one that matches nobody reads every row). A search that is a phone number uses the
-- unique index on either database. See 00052, 00054 and 00055 of PostgreSQL for what the others serve.
CREATE INDEX audit_events_at_id_idx ON audit_events (at, id);
DROP INDEX audit_events_at_idx;
CREATE INDEX sessions_expires_id_idx ON sessions (expires_at, id);
CREATE INDEX sessions_ended_id_idx ON sessions (ended_at, id) WHERE ended_at IS NOT NULL;
DROP INDEX sessions_expires_at_idx;
DROP INDEX sessions_ended_at_idx;

-- +goose Down
CREATE INDEX sessions_ended_at_idx ON sessions (ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
DROP INDEX sessions_ended_id_idx;
DROP INDEX sessions_expires_id_idx;
CREATE INDEX audit_events_at_idx ON audit_events (at);
DROP INDEX audit_events_at_id_idx;
