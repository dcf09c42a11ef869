-- +goose Up
-- The transactional outbox of outbound events (PHONEAUTH_EVENTS_WEBHOOK_URL): a row is written in the
-- transaction of the change it reports, and the dispatcher of some instance delivers it. seq orders
-- the events (per user, delivery keeps it) and pages the admin list; id is the event's public id,
-- the receivers' de-duplication key. user_id has no foreign key: a user.deleted event outlives its
-- user. A claim leases a pending event to one dispatcher (claim, claimed_until_ms) while it posts.
-- Times are unix milliseconds.
CREATE TABLE events (
    seq                bigserial PRIMARY KEY,
    id                 uuid    NOT NULL UNIQUE,
    type               text    NOT NULL,
    user_id            uuid,
    at_ms              bigint  NOT NULL,
    data               text    NOT NULL DEFAULT '{}',
    state              text    NOT NULL DEFAULT 'pending',
    attempts           integer NOT NULL DEFAULT 0,
    next_attempt_at_ms bigint  NOT NULL,
    retry_until_ms     bigint  NOT NULL,
    claim              text    NOT NULL DEFAULT '',
    claimed_until_ms   bigint  NOT NULL DEFAULT 0,
    last_error         text    NOT NULL DEFAULT '',
    delivered_at_ms    bigint  NOT NULL DEFAULT 0,
    CHECK (state IN ('pending', 'delivered', 'dead'))
);
-- The dispatcher's claim: pending events by due time, and each user's earliest pending one.
CREATE INDEX events_due_idx ON events (next_attempt_at_ms) WHERE state = 'pending';
CREATE INDEX events_user_pending_idx ON events (user_id, seq) WHERE state = 'pending';
-- The admin list's filters, and the purge of delivered events.
CREATE INDEX events_user_idx ON events (user_id, seq);
CREATE INDEX events_type_idx ON events (type, seq);
CREATE INDEX events_state_idx ON events (state, seq);
CREATE INDEX events_delivered_idx ON events (delivered_at_ms) WHERE state = 'delivered';

-- +goose Down
DROP TABLE events;
