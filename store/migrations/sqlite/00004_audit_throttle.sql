-- +goose Up
-- Security events. Append-only: the triggers refuse updates and deletes, whoever asks.
CREATE TABLE audit_events (
    id           integer  PRIMARY KEY AUTOINCREMENT,
    at           datetime NOT NULL,
    type         text     NOT NULL,
    user_id      text,
    actor_id     text,
    ip           text     NOT NULL DEFAULT '',
    user_agent   text     NOT NULL DEFAULT '',
    reference_id text     NOT NULL DEFAULT '',
    details      text     NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_at_idx ON audit_events (at);
CREATE INDEX audit_events_user_idx ON audit_events (user_id, id);
CREATE INDEX audit_events_type_idx ON audit_events (type, id);

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

CREATE TABLE login_throttle (
    phone           text    PRIMARY KEY,
    failures        integer NOT NULL DEFAULT 0,
    locked_until_ms bigint  NOT NULL DEFAULT 0,
    updated_at_ms   bigint  NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE login_throttle;
DROP TRIGGER audit_events_no_delete;
DROP TRIGGER audit_events_no_update;
DROP TABLE audit_events;
