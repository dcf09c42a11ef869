-- +goose NO TRANSACTION
-- +goose Up
-- The audit trail filtered by time is read newest first in (at, id) order: a walk of this index from
-- the end of the range, however far back the range lies and however few events it holds. (The index
-- on at alone gave the planner only a sort of every event in the range, or a walk of the primary key
-- that skips every event after it.) It also serves the retention purge (at < cut-off).
CREATE INDEX CONCURRENTLY IF NOT EXISTS audit_events_at_id_idx ON audit_events (at, id);

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS audit_events_at_id_idx;
