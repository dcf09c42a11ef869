-- +goose Up
CREATE TABLE users (
    id                text PRIMARY KEY,
    phone             text     NOT NULL,
    name              text     NOT NULL,
    email             text,
    gender            text,
    date_of_birth     datetime,
    place             text,
    password_hash     text     NOT NULL,
    is_active         boolean  NOT NULL DEFAULT 1,
    has_given_consent boolean  NOT NULL DEFAULT 0,
    consent_given_at  datetime,
    last_login_at     datetime,
    roles             text     NOT NULL DEFAULT '',
    created_at        datetime NOT NULL,
    updated_at        datetime NOT NULL
);
CREATE UNIQUE INDEX users_phone_key ON users (phone);
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

CREATE TABLE sessions (
    id           text PRIMARY KEY,
    user_id      text     NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    amr          text     NOT NULL,
    ip           text     NOT NULL DEFAULT '',
    user_agent   text     NOT NULL DEFAULT '',
    created_at   datetime NOT NULL,
    last_used_at datetime NOT NULL,
    expires_at   datetime NOT NULL,
    ended_at     datetime
);
CREATE INDEX sessions_user_active_idx ON sessions (user_id) WHERE ended_at IS NULL;

CREATE TABLE signing_keys (
    id          text PRIMARY KEY,
    algorithm   text     NOT NULL,
    private_key text     NOT NULL,
    created_at  datetime NOT NULL
);

-- +goose Down
DROP TABLE signing_keys;
DROP TABLE sessions;
DROP TABLE users;
