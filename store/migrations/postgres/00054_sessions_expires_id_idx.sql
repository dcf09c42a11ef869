-- +goose NO TRANSACTION
-- +goose Up
-- The session purge walks the expired sessions in (expires_at, id) order, each batch starting where
-- the last one ended, so that a batch costs the same at the end of the backlog as at its start (a
-- batch that looked the candidates up again would step over every row deleted before it).
CREATE INDEX CONCURRENTLY IF NOT EXISTS sessions_expires_id_idx ON sessions (expires_at, id);

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS sessions_expires_id_idx;
