package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/phoneauth/phoneauth/auth"
)

// Purger deletes the rows the service no longer needs; see auth.Purger for what each kind means.
type Purger struct{ db *DB }

var _ auth.Purger = (*Purger)(nil)

// Purger returns the retention repository.
func (db *DB) Purger() *Purger { return &Purger{db: db} }

// PurgeSessions implements auth.Purger. Each batch is one statement; the sessions' refresh tokens go
// with them (ON DELETE CASCADE), so a batch stays a short transaction however long the chains are.
func (r *Purger) PurgeSessions(ctx context.Context, before time.Time, batch int) (int64, error) {
	before = before.UTC()
	var total int64
	for {
		res := r.db.conn(ctx).Exec(`
			DELETE FROM sessions WHERE id IN (
				SELECT id FROM sessions WHERE expires_at < ?
				UNION
				SELECT id FROM sessions WHERE ended_at IS NOT NULL AND ended_at < ?
				LIMIT ?)`, before, before, batch)
		if res.Error != nil {
			return total, translate(res.Error)
		}
		total += res.RowsAffected
		if res.RowsAffected < int64(batch) {
			return total, nil
		}
	}
}

// PurgeChallenges implements auth.Purger.
func (r *Purger) PurgeChallenges(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for _, q := range []string{
		`DELETE FROM otp_challenges WHERE expires_at_ms < @before AND last_sent_at_ms < @before`,
		`DELETE FROM mfa_challenges WHERE expires_at_ms < @before`,
		`DELETE FROM webauthn_challenges WHERE expires_at_ms < @before`,
	} {
		res := r.db.conn(ctx).Exec(q, map[string]any{"before": ms(before)})
		if res.Error != nil {
			return total, translate(res.Error)
		}
		total += res.RowsAffected
	}
	return total, nil
}

// PurgeThrottle implements auth.Purger.
func (r *Purger) PurgeThrottle(ctx context.Context, before, now time.Time) (int64, error) {
	res := r.db.conn(ctx).Exec(`
		DELETE FROM login_throttle
		WHERE updated_at_ms < ? AND locked_until_ms <= ?
		  AND NOT EXISTS (SELECT 1 FROM users WHERE users.phone = login_throttle.phone)`, ms(before), ms(now))
	return res.RowsAffected, translate(res.Error)
}

// PurgeAudit implements auth.Purger: each batch is one transaction that declares its cut-off to the
// append-only trigger (withAuditPermit), which lets it delete the events from before it and nothing
// else.
func (r *Purger) PurgeAudit(ctx context.Context, before time.Time, batch int) (int64, error) {
	before = before.UTC()
	var total int64
	for {
		var n int64
		err := r.db.tx(ctx, func(tx *gorm.DB) error {
			return withAuditPermit(tx, r.db.dialect, permitPurge, before, func() error {
				res := tx.Exec(`DELETE FROM audit_events WHERE id IN (
					SELECT id FROM audit_events WHERE at < ? ORDER BY id LIMIT ?)`, before, batch)
				n = res.RowsAffected
				return res.Error
			})
		})
		if err != nil {
			return total, translate(err)
		}
		total += n
		if n < int64(batch) {
			return total, nil
		}
	}
}
