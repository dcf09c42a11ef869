-- +goose Up
-- A user's TOTP secret (sealed under PHONEAUTH_ENCRYPTION_KEY when it is set): pending until a first
-- code confirmed it. last_step is the latest 30-second step a code was accepted for: each step once.
CREATE TABLE totp_factors (
    user_id      uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret       text        NOT NULL,
    active       boolean     NOT NULL DEFAULT false,
    last_step    bigint      NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL,
    activated_at timestamptz
);

-- Single-use recovery codes, by SHA-256 (bound to the user); a used one is deleted.
CREATE TABLE recovery_codes (
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash       text        NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, hash)
);

-- Logins waiting for their second factor, by SHA-256 of the mfa_token; methods are the first factor's.
-- rehash is a password hash to store once the login completes (a login that upgraded the hash).
CREATE TABLE mfa_challenges (
    hash          text    PRIMARY KEY,
    user_id       uuid    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    methods       text    NOT NULL,
    rehash        text    NOT NULL DEFAULT '',
    expires_at_ms bigint  NOT NULL,
    attempts      integer NOT NULL DEFAULT 0
);
CREATE INDEX mfa_challenges_user_idx ON mfa_challenges (user_id);
CREATE INDEX mfa_challenges_expires_idx ON mfa_challenges (expires_at_ms);

-- +goose Down
DROP TABLE mfa_challenges;
DROP TABLE recovery_codes;
DROP TABLE totp_factors;
