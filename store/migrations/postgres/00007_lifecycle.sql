-- +goose Up
-- A code challenge bound to one user (a purpose "<name>:<user id>": a re-authentication, a phone change)
-- names that user, so that it goes with the user and cannot be stored for one already deleted.
ALTER TABLE otp_challenges ADD COLUMN user_id uuid REFERENCES users (id) ON DELETE CASCADE;

-- The audit trail stays append-only, with exactly two exceptions, each declared by the transaction
-- that needs it in a transaction-local setting (set_config(…, true)), which ends with the transaction:
--
--   phoneauth.audit_purge_before = T  the retention purge: DELETE of events from before T, nothing newer;
--   phoneauth.audit_erase_user = ID   the deletion of user ID: UPDATE of that user's events (about them or
--                                     acted by them) that clears ip and user_agent and removes the phone
--                                     from details, and changes nothing else, column by column.
--
-- Every other UPDATE or DELETE is refused as before. A setting, not a SECURITY DEFINER function: the
-- service's role owns the table either way (it could drop the trigger), so the trigger is a guard
-- against mistakes, a bug's or an operator's, and a setting keeps both exceptions narrow and visible in
-- the statement that uses them, in one function that states them all.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
DECLARE
    purge_before text := coalesce(current_setting('phoneauth.audit_purge_before', true), '');
    erase_user   text := coalesce(current_setting('phoneauth.audit_erase_user', true), '');
BEGIN
    IF TG_OP = 'DELETE' AND purge_before <> '' AND OLD.at < purge_before::timestamptz THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND erase_user <> ''
       AND (OLD.user_id = erase_user::uuid OR OLD.actor_id = erase_user::uuid)
       AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.type = OLD.type
       AND NEW.user_id IS NOT DISTINCT FROM OLD.user_id AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
       AND NEW.reference_id = OLD.reference_id
       AND NEW.ip = '' AND NEW.user_agent = '' AND NEW.details = (OLD.details::jsonb - 'phone')::text THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
ALTER TABLE otp_challenges DROP COLUMN user_id;
