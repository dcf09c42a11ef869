-- +goose Up
-- The message log: one row per SMS handed to a provider, never its text. Updated by the providers'
-- delivery receipts; purged after PHONEAUTH_SMS_LOG_RETENTION. Times are unix milliseconds.
CREATE TABLE sms_messages (
    id                  integer PRIMARY KEY AUTOINCREMENT,
    reference_id        text    NOT NULL,
    purpose             text    NOT NULL,
    provider            text    NOT NULL DEFAULT '',
    provider_message_id text    NOT NULL DEFAULT '',
    country             text    NOT NULL DEFAULT '',
    phone               text    NOT NULL DEFAULT '',
    status              text    NOT NULL,
    error_code          text    NOT NULL DEFAULT '',
    sent_at_ms          bigint  NOT NULL,
    updated_at_ms       bigint  NOT NULL
);
CREATE INDEX sms_messages_reference_idx ON sms_messages (reference_id, id);
CREATE INDEX sms_messages_provider_idx ON sms_messages (provider, provider_message_id);
CREATE INDEX sms_messages_sent_idx ON sms_messages (sent_at_ms);

-- The SMS guard's code sends and verifications per destination prefix, in buckets of a fixed length
-- (when no Redis is configured).
CREATE TABLE sms_guard_counts (
    prefix    text    NOT NULL,
    bucket_ms bigint  NOT NULL,
    region    text    NOT NULL DEFAULT '',
    sends     bigint  NOT NULL DEFAULT 0,
    verified  bigint  NOT NULL DEFAULT 0,
    PRIMARY KEY (prefix, bucket_ms)
);
CREATE INDEX sms_guard_counts_bucket_idx ON sms_guard_counts (bucket_ms);

-- The prefixes the guard refuses codes to, until until_ms, with the counts that blocked them.
CREATE TABLE sms_guard_blocks (
    prefix        text   PRIMARY KEY,
    region        text   NOT NULL DEFAULT '',
    blocked_at_ms bigint NOT NULL,
    until_ms      bigint NOT NULL,
    sends         bigint NOT NULL DEFAULT 0,
    verified      bigint NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE sms_guard_blocks;
DROP TABLE sms_guard_counts;
DROP TABLE sms_messages;
