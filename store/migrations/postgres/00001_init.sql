-- +goose Up
CREATE TABLE users (
    id                uuid PRIMARY KEY,
    phone             text        NOT NULL,
    name              text        NOT NULL,
    email             text,
    gender            text,
    date_of_birth     date,
    place             text,
    password_hash     text        NOT NULL,
    is_active         boolean     NOT NULL DEFAULT true,
    has_given_consent boolean     NOT NULL DEFAULT false,
    consent_given_at  timestamptz,
    last_login_at     timestamptz,
    roles             text        NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
-- phone is stored normalized to E.164, so a plain unique index is the uniqueness rule.
CREATE UNIQUE INDEX users_phone_key ON users (phone);
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

CREATE TABLE sessions (
    id           uuid PRIMARY KEY,
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    amr          text        NOT NULL,
    ip           text        NOT NULL DEFAULT '',
    user_agent   text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    ended_at     timestamptz
);
CREATE INDEX sessions_user_active_idx ON sessions (user_id) WHERE ended_at IS NULL;

CREATE TABLE signing_keys (
    id          text PRIMARY KEY,
    algorithm   text        NOT NULL,
    private_key text        NOT NULL,
    created_at  timestamptz NOT NULL
);

-- +goose Down
DROP TABLE signing_keys;
DROP TABLE sessions;
DROP TABLE users;
