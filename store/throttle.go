package store

import (
	"context"
	"time"

	"github.com/phoneauth/phoneauth/auth"
)

// Throttle is the login-lockout counter per phone, shared by every instance through the database.
type Throttle struct{ db *DB }

var _ auth.Throttle = (*Throttle)(nil)

// Throttle returns the login-lockout repository.
func (db *DB) Throttle() *Throttle { return &Throttle{db: db} }

type throttleRow struct {
	Failures      int
	LockedUntilMs int64 `gorm:"column:locked_until_ms"`
}

// Attempt implements auth.Throttle in one statement: the upsert counts the attempt only while the
// phone is not locked, and computes the new lock from the new count, so concurrent attempts cannot
// slip past the threshold.
func (r *Throttle) Attempt(ctx context.Context, phone string, now time.Time, threshold int) (bool, time.Time, error) {
	n := ms(now)
	// The absolute end of the lock for each count from the threshold on (1, 2, 4, 8, then 15
	// minutes; for good at the maximum), computed here so the statement only compares and picks.
	lockAt := func(count int) int64 {
		if d := auth.LockoutDelay(count, threshold); d > 0 {
			return n + int64(d/time.Millisecond)
		}
		return 0
	}
	var rows []throttleRow
	err := r.db.conn(ctx).Raw(`
		INSERT INTO login_throttle (phone, failures, locked_until_ms, updated_at_ms)
		VALUES (?, 1, CAST(? AS BIGINT), CAST(? AS BIGINT))
		ON CONFLICT (phone) DO UPDATE SET
			failures = login_throttle.failures + 1,
			updated_at_ms = excluded.updated_at_ms,
			locked_until_ms = CASE
				WHEN login_throttle.failures + 1 < CAST(? AS INTEGER) THEN 0
				WHEN login_throttle.failures + 1 >= CAST(? AS INTEGER) THEN CAST(? AS BIGINT)
				WHEN login_throttle.failures + 1 = CAST(? AS INTEGER) THEN CAST(? AS BIGINT)
				WHEN login_throttle.failures + 1 = CAST(? AS INTEGER) THEN CAST(? AS BIGINT)
				WHEN login_throttle.failures + 1 = CAST(? AS INTEGER) THEN CAST(? AS BIGINT)
				WHEN login_throttle.failures + 1 = CAST(? AS INTEGER) THEN CAST(? AS BIGINT)
				ELSE CAST(? AS BIGINT) END
		WHERE login_throttle.locked_until_ms <= CAST(? AS BIGINT)
		RETURNING failures, locked_until_ms`,
		phone, lockAt(1), n,
		threshold,
		auth.MaxConsecutiveFailures, lockAt(auth.MaxConsecutiveFailures),
		threshold, lockAt(threshold),
		threshold+1, lockAt(threshold+1),
		threshold+2, lockAt(threshold+2),
		threshold+3, lockAt(threshold+3),
		lockAt(threshold+4),
		n,
	).Scan(&rows).Error
	if err != nil {
		return false, time.Time{}, translate(err)
	}
	if len(rows) == 1 {
		return true, fromMs(rows[0].LockedUntilMs), nil
	}
	_, until, err := r.State(ctx, phone)
	return false, until, err
}

// Clear implements auth.Throttle.
func (r *Throttle) Clear(ctx context.Context, phone string) error {
	return translate(r.db.conn(ctx).Exec("DELETE FROM login_throttle WHERE phone = ?", phone).Error)
}

// State implements auth.Throttle.
func (r *Throttle) State(ctx context.Context, phone string) (int, time.Time, error) {
	var rows []throttleRow
	if err := r.db.conn(ctx).Raw("SELECT failures, locked_until_ms FROM login_throttle WHERE phone = ?", phone).Scan(&rows).Error; err != nil {
		return 0, time.Time{}, translate(err)
	}
	if len(rows) == 0 {
		return 0, time.Time{}, nil
	}
	return rows[0].Failures, fromMs(rows[0].LockedUntilMs), nil
}
