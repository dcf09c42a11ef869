-- +goose NO TRANSACTION
-- +goose Up
-- What deleting a user looks rows up by: the challenges bound to the user (also what the foreign key's
-- cascade reads), and the audit events the user acted in as an admin (also the actor filter of the admin
-- API). CONCURRENTLY, as in 00006: building them does not block a live database.
CREATE INDEX CONCURRENTLY IF NOT EXISTS otp_challenges_user_idx ON otp_challenges (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS audit_events_actor_idx ON audit_events (actor_id, id) WHERE actor_id IS NOT NULL;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS audit_events_actor_idx;
DROP INDEX CONCURRENTLY IF EXISTS otp_challenges_user_idx;
