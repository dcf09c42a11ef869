-- +goose Up
-- Why a session ended (logout, password_changed, refresh_token_reuse, …), for users and auditors.
ALTER TABLE sessions ADD COLUMN end_reason text NOT NULL DEFAULT '';

-- One row per refresh token ever issued, by SHA-256 of the token (the token itself is never stored).
-- used_at_ms = 0 while unused; rotation marks it used and inserts its successor.
CREATE TABLE refresh_tokens (
    hash          text   PRIMARY KEY,
    session_id    uuid    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at_ms bigint NOT NULL,
    used_at_ms    bigint NOT NULL DEFAULT 0
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- +goose Down
DROP TABLE refresh_tokens;
ALTER TABLE sessions DROP COLUMN end_reason;
