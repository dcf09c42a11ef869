-- +goose Up
-- Passkeys (WebAuthn credentials). credential_id and public_key (COSE) are base64url; the counter only
-- moves forward. transports is comma-separated.
CREATE TABLE passkeys (
    id               text        PRIMARY KEY,
    user_id          text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name             text        NOT NULL,
    credential_id    text        NOT NULL,
    public_key       text        NOT NULL,
    sign_count       bigint      NOT NULL DEFAULT 0,
    transports       text        NOT NULL DEFAULT '',
    aaguid           text        NOT NULL DEFAULT '',
    attestation_type text        NOT NULL DEFAULT '',
    backup_eligible  boolean     NOT NULL DEFAULT 0,
    backup_state     boolean     NOT NULL DEFAULT 0,
    user_verified    boolean     NOT NULL DEFAULT 0,
    created_at       datetime    NOT NULL,
    last_used_at     datetime
);
CREATE UNIQUE INDEX passkeys_credential_key ON passkeys (credential_id);
CREATE INDEX passkeys_user_idx ON passkeys (user_id, created_at);

-- Ceremonies between their two steps, by SHA-256 of the challenge: taken (deleted) once. A registration
-- names the user and the session that asked for it.
CREATE TABLE webauthn_challenges (
    hash          text   PRIMARY KEY,
    purpose       text   NOT NULL,
    user_id       text   REFERENCES users (id) ON DELETE CASCADE,
    session_id    text   REFERENCES sessions (id) ON DELETE CASCADE,
    state         text   NOT NULL,
    expires_at_ms bigint NOT NULL
);
CREATE INDEX webauthn_challenges_expires_idx ON webauthn_challenges (expires_at_ms);
CREATE INDEX webauthn_challenges_user_idx ON webauthn_challenges (user_id) WHERE user_id IS NOT NULL;

-- +goose Down
DROP TABLE webauthn_challenges;
DROP TABLE passkeys;
