-- +goose Up
-- What the purge (phoneauth purge, and the janitor in serve) looks sessions up by: every session ends
-- by expires_at, and one ended early by ended_at.
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
CREATE INDEX sessions_ended_at_idx ON sessions (ended_at) WHERE ended_at IS NOT NULL;

-- +goose Down
DROP INDEX sessions_ended_at_idx;
DROP INDEX sessions_expires_at_idx;
