-- +goose Up
-- One row per phone and purpose: the live code (if any) and the counters that limit it. Times are
-- unix milliseconds so that the atomic conditional updates compare numbers in both dialects.
CREATE TABLE otp_challenges (
    phone           text    NOT NULL,
    purpose         text    NOT NULL,
    code_hash       text,
    reference_id    text    NOT NULL DEFAULT '',
    expires_at_ms   bigint  NOT NULL DEFAULT 0,
    attempts        integer NOT NULL DEFAULT 0,
    last_sent_at_ms bigint  NOT NULL DEFAULT 0,
    PRIMARY KEY (phone, purpose)
);

-- Server-side secrets shared by every instance (e.g. the key of the codes' HMAC).
CREATE TABLE server_secrets (
    name       text PRIMARY KEY,
    value      text NOT NULL,
    created_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE server_secrets;
DROP TABLE otp_challenges;
