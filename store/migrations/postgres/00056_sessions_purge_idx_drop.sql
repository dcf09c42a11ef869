-- +goose NO TRANSACTION
-- +goose Up
-- Superseded by sessions_expires_id_idx and sessions_ended_id_idx (00054, 00055).
DROP INDEX CONCURRENTLY IF EXISTS sessions_expires_at_idx;
DROP INDEX CONCURRENTLY IF EXISTS sessions_ended_at_idx;

-- +goose Down
CREATE INDEX CONCURRENTLY IF NOT EXISTS sessions_expires_at_idx ON sessions (expires_at);
CREATE INDEX CONCURRENTLY IF NOT EXISTS sessions_ended_at_idx ON sessions (ended_at) WHERE ended_at IS NOT NULL;
