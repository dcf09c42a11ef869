-- +goose NO TRANSACTION
-- +goose Up
-- The same for the sessions ended early, in (ended_at, id) order (see 00054).
CREATE INDEX CONCURRENTLY IF NOT EXISTS sessions_ended_id_idx ON sessions (ended_at, id) WHERE ended_at IS NOT NULL;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS sessions_ended_id_idx;
