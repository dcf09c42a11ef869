-- +goose Up
-- Security events. Append-only: the trigger refuses updates and deletes, whoever asks.
CREATE TABLE audit_events (
    id           bigserial   PRIMARY KEY,
    at           timestamptz NOT NULL,
    type         text        NOT NULL,
    user_id      uuid,
    actor_id     uuid,
    ip           text        NOT NULL DEFAULT '',
    user_agent   text        NOT NULL DEFAULT '',
    reference_id text        NOT NULL DEFAULT '',
    details      text        NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_at_idx ON audit_events (at);
CREATE INDEX audit_events_user_idx ON audit_events (user_id, id);
CREATE INDEX audit_events_type_idx ON audit_events (type, id);

-- +goose StatementBegin
CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- Consecutive wrong passwords per phone (whether or not it has an account), and the lockout they cause.
CREATE TABLE login_throttle (
    phone           text    PRIMARY KEY,
    failures        integer NOT NULL DEFAULT 0,
    locked_until_ms bigint  NOT NULL DEFAULT 0,
    updated_at_ms   bigint  NOT NULL DEFAULT 0
);

-- Admin search lists users newest first by id (UUIDv7 ids are time-ordered).
CREATE INDEX users_id_desc_idx ON users (id DESC);

-- +goose Down
DROP INDEX users_id_desc_idx;
DROP TABLE login_throttle;
DROP TRIGGER audit_events_append_only ON audit_events;
DROP FUNCTION audit_events_append_only();
DROP TABLE audit_events;
