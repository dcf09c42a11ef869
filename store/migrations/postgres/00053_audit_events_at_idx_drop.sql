-- +goose NO TRANSACTION
-- +goose Up
-- Superseded by audit_events_at_id_idx (00052), which serves every query it served.
DROP INDEX CONCURRENTLY IF EXISTS audit_events_at_idx;

-- +goose Down
CREATE INDEX CONCURRENTLY IF NOT EXISTS audit_events_at_idx ON audit_events (at);
