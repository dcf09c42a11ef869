package store

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/phoneauth/phoneauth/auth"
)

var _ auth.Erasure = (*Users)(nil)

// userRows is every row that is a user's, by table: what DeleteUser deletes, in this order, before the
// user's own row. A feature that stores rows of a user (passkeys, second factors) adds its table here,
// and this is the one place to read what deleting an account deletes. @id is the user's id, @phone its
// number. Rows that refer to the user by foreign key would also go by ON DELETE CASCADE; naming them
// keeps this list complete whatever the constraints say.
var userRows = []struct{ table, where string }{
	{"refresh_tokens", "session_id IN (SELECT id FROM sessions WHERE user_id = @id)"},
	{"webauthn_challenges", "user_id = @id OR session_id IN (SELECT id FROM sessions WHERE user_id = @id)"},
	{"sessions", "user_id = @id"},
	{"otp_challenges", "user_id = @id OR phone = @phone"},     // bound to the user (reauth, phone change), or of its number
	{"login_throttle", "phone = @phone OR phone = @mfa_lock"}, // the phone's lockout, and the user's of second factors
	{"recovery_codes", "user_id = @id"},
	{"totp_factors", "user_id = @id"},
	{"mfa_challenges", "user_id = @id"},
	{"passkeys", "user_id = @id"},
}

// DeleteUser implements auth.Erasure in one transaction. On PostgreSQL it locks the user's row first:
// a session (a login, a refresh's new token) or a challenge that refers to the user waits for the
// deletion and then fails its foreign key, so nothing is created for a user being deleted.
func (r *Users) DeleteUser(ctx context.Context, userID uuid.UUID) (*auth.User, error) {
	var row userRow
	err := r.db.tx(ctx, func(tx *gorm.DB) error {
		q := tx
		if r.db.dialect == Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		if err := q.Where("id = ?", userID).Take(&row).Error; err != nil {
			return err
		}
		args := map[string]any{"id": userID, "phone": row.Phone, "mfa_lock": auth.MFALockKey(userID)}
		for _, rows := range userRows {
			if err := tx.Exec("DELETE FROM "+rows.table+" WHERE "+rows.where, args).Error; err != nil {
				return err
			}
		}
		if err := eraseAudit(tx, r.db.dialect, userID); err != nil {
			return err
		}
		if err := eraseEvents(tx, userID); err != nil {
			return err
		}
		return tx.Exec("DELETE FROM users WHERE id = ?", userID).Error
	})
	if err != nil {
		return nil, translate(err)
	}
	return row.toUser(), nil
}

// eraseAudit clears, in the audit events about the user or acted by them, what identifies a person:
// the IP address, the user agent and the masked phone number some events' details hold (no event
// holds a name or an email). Type, time, ids, reference and the other details stay: the trail of what
// happened to the account, under an id that no longer names anyone. The triggers allow exactly this
// change under the permit (migrations 00007).
func eraseAudit(tx *gorm.DB, dialect string, userID uuid.UUID) error {
	removePhone := "json_remove(details, '$.phone')"
	if dialect == Postgres {
		removePhone = "(details::jsonb - 'phone')::text"
	}
	return withAuditPermit(tx, dialect, permitErase, userID, func() error {
		return tx.Exec(`UPDATE audit_events SET ip = '', user_agent = '', details = `+removePhone+`
			WHERE (user_id = ? OR actor_id = ?) AND (ip <> '' OR user_agent <> '' OR details LIKE '%"phone"%')`,
			userID, userID).Error
	})
}
