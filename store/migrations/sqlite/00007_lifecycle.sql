-- +goose Up
-- A code challenge bound to one user (a purpose "<name>:<user id>": a re-authentication, a phone change)
-- names that user, so that it goes with the user and cannot be stored for one already deleted.
ALTER TABLE otp_challenges ADD COLUMN user_id text REFERENCES users (id) ON DELETE CASCADE;
CREATE INDEX otp_challenges_user_idx ON otp_challenges (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, id) WHERE actor_id IS NOT NULL;

-- The audit trail stays append-only, with exactly two exceptions, each declared by the transaction that
-- needs it with a row here, which it deletes again before it commits (so no other transaction ever sees
-- one; SQLite runs one writing transaction at a time):
--
--   ('purge', T)  the retention purge: DELETE of events from before T (as stored: the same text form), nothing newer;
--   ('erase', ID) the deletion of user ID: UPDATE of that user's events (about them or acted by them) that
--                 clears ip and user_agent and removes the phone from details, and changes nothing else.
--
-- Every other UPDATE or DELETE is refused as before. (SQLite has no session settings, and its triggers
-- cannot read temporary tables: hence a table.)
CREATE TABLE audit_permits (
    kind  text NOT NULL,
    value text NOT NULL
);

DROP TRIGGER audit_events_no_update;
DROP TRIGGER audit_events_no_delete;
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
WHEN NOT (
    EXISTS (SELECT 1 FROM audit_permits p WHERE p.kind = 'erase' AND (p.value = OLD.user_id OR p.value = OLD.actor_id))
    AND NEW.id = OLD.id AND NEW.at IS OLD.at AND NEW.type IS OLD.type
    AND NEW.user_id IS OLD.user_id AND NEW.actor_id IS OLD.actor_id AND NEW.reference_id IS OLD.reference_id
    AND NEW.ip = '' AND NEW.user_agent = '' AND NEW.details IS json_remove(OLD.details, '$.phone'))
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
WHEN NOT EXISTS (SELECT 1 FROM audit_permits p WHERE p.kind = 'purge' AND OLD.at < p.value)
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_events_no_delete;
DROP TRIGGER audit_events_no_update;
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
-- +goose StatementEnd
DROP TABLE audit_permits;
DROP INDEX audit_events_actor_idx;
DROP INDEX otp_challenges_user_idx;
ALTER TABLE otp_challenges DROP COLUMN user_id;
