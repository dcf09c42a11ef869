-- +goose NO TRANSACTION
-- +goose Up
-- What the purge (phoneauth purge, and the janitor in serve) looks sessions up by: every session ends
-- by expires_at, and one ended early by ended_at. CONCURRENTLY: building them does not block logins on
-- a live database (which is why this migration runs outside a transaction).
CREATE INDEX CONCURRENTLY IF NOT EXISTS sessions_expires_at_idx ON sessions (expires_at);
CREATE INDEX CONCURRENTLY IF NOT EXISTS sessions_ended_at_idx ON sessions (ended_at) WHERE ended_at IS NOT NULL;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS sessions_ended_at_idx;
DROP INDEX CONCURRENTLY IF EXISTS sessions_expires_at_idx;
