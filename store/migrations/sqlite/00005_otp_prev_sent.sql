-- +goose Up
-- The send time a claim replaced, so a failed send can give its cooldown back, read in the same
-- statement that claims (PostgreSQL 15's RETURNING sees only new values).
ALTER TABLE otp_challenges ADD COLUMN prev_sent_at_ms bigint NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE otp_challenges DROP COLUMN prev_sent_at_ms;
