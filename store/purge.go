package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/phoneauth/phoneauth/auth"
)

// Purger deletes the rows the service no longer needs; see auth.Purger for what each kind means.
type Purger struct{ db *DB }

var _ auth.Purger = (*Purger)(nil)

// Purger returns the retention repository.
func (db *DB) Purger() *Purger { return &Purger{db: db} }

// PurgeSessions implements auth.Purger: first the sessions that expired before `before`, then those
// ended early before it. Each pass walks its index in key order, (expires_at, id) or (ended_at, id),
// one batch per statement, and each batch starts after the last key of the one before, so that every
// batch reads only the rows it deletes: one that looked the candidates up again from the start of the
// range would step over every row deleted before it (and vacuum may not have run), and the purge would
// cost the square of its backlog. The batch's refresh tokens are deleted by the same statement, in one
// set: the foreign key's ON DELETE CASCADE would delete them too, but one session at a time, a query
// each, which was two thirds of a batch's time (its per-row check then finds nothing left to do). A
// batch's locks end with its statement.
func (r *Purger) PurgeSessions(ctx context.Context, before time.Time, batch int) (int64, error) {
	before = before.UTC()
	expired, err := r.purgeSessionsBy(ctx, "expires_at", "expires_at < ?", before, batch)
	if err != nil {
		return expired, err
	}
	ended, err := r.purgeSessionsBy(ctx, "ended_at", "ended_at IS NOT NULL AND ended_at < ?", before, batch)
	return expired + ended, err
}

// sessionKey is the last key of a purge batch, and what the batch selected and deleted.
type sessionKey struct {
	K        time.Time
	ID       uuid.UUID
	Selected int
	Deleted  int64
}

// purgeSessionsBy deletes the sessions matching where (its one parameter before), batch by batch in
// (col, id) order.
func (r *Purger) purgeSessionsBy(ctx context.Context, col, where string, before time.Time, batch int) (int64, error) {
	var (
		total int64
		last  = sessionKey{K: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)} // below every key
	)
	for {
		k, err := r.purgeSessionBatch(ctx, col, where, before, last, batch)
		if err != nil {
			return total, translate(err)
		}
		total += k.Deleted
		if k.Selected < batch {
			return total, nil
		}
		last = k
	}
}

// sessionBatchSQL is one batch of purgeSessionsBy on PostgreSQL; its parameters are before, the last
// key (k, id) of the batch before, and the batch size.
func sessionBatchSQL(col, where string) string {
	return fmt.Sprintf(`
		WITH batch AS (
			SELECT id, %[1]s AS k FROM sessions
			WHERE %[2]s AND (%[1]s, id) > (?, ?)
			ORDER BY %[1]s, id LIMIT ?),
		tokens AS (DELETE FROM refresh_tokens WHERE session_id IN (SELECT id FROM batch)),
		gone AS (DELETE FROM sessions WHERE id IN (SELECT id FROM batch) RETURNING 1)
		SELECT b.k, b.id, (SELECT count(*) FROM batch) AS selected, (SELECT count(*) FROM gone) AS deleted
		FROM batch b ORDER BY b.k DESC, b.id DESC LIMIT 1`, col, where)
}

func (r *Purger) purgeSessionBatch(ctx context.Context, col, where string, before time.Time, after sessionKey, batch int) (sessionKey, error) {
	if r.db.dialect == Postgres {
		// One statement: the batch, its deletion, and where the next one starts.
		var keys []sessionKey
		err := r.db.conn(ctx).Raw(sessionBatchSQL(col, where), before, after.K, after.ID, batch).Scan(&keys).Error
		if err != nil || len(keys) == 0 {
			return sessionKey{}, err
		}
		return keys[0], nil
	}
	// SQLite has no DELETE inside WITH: the batch's keys, then its deletion, in one transaction.
	var k sessionKey
	err := r.db.tx(ctx, func(tx *gorm.DB) error {
		var rows []struct {
			ID uuid.UUID
			K  time.Time
		}
		if err := tx.Raw(fmt.Sprintf(`SELECT id, %[1]s AS k FROM sessions WHERE %[2]s AND (%[1]s, id) > (?, ?) ORDER BY %[1]s, id LIMIT ?`, col, where),
			before, after.K, after.ID, batch).Scan(&rows).Error; err != nil || len(rows) == 0 {
			return err
		}
		ids := make([]uuid.UUID, len(rows))
		for i, row := range rows {
			ids[i] = row.ID
		}
		if err := tx.Exec("DELETE FROM refresh_tokens WHERE session_id IN ?", ids).Error; err != nil {
			return err
		}
		res := tx.Exec("DELETE FROM sessions WHERE id IN ?", ids)
		k = sessionKey{K: rows[len(rows)-1].K, ID: rows[len(rows)-1].ID, Selected: len(rows), Deleted: res.RowsAffected}
		return res.Error
	})
	return k, err
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
