package store

import (
	"context"
	"time"

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
		res := r.db.gorm.WithContext(ctx).Exec(`
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
	res := r.db.gorm.WithContext(ctx).Exec(`
		DELETE FROM otp_challenges WHERE expires_at_ms < ? AND last_sent_at_ms < ?`, ms(before), ms(before))
	return res.RowsAffected, translate(res.Error)
}

// PurgeThrottle implements auth.Purger.
func (r *Purger) PurgeThrottle(ctx context.Context, before, now time.Time) (int64, error) {
	res := r.db.gorm.WithContext(ctx).Exec(`
		DELETE FROM login_throttle
		WHERE updated_at_ms < ? AND locked_until_ms <= ?
		  AND NOT EXISTS (SELECT 1 FROM users WHERE users.phone = login_throttle.phone)`, ms(before), ms(now))
	return res.RowsAffected, translate(res.Error)
}
