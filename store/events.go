package store

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/phoneauth/phoneauth/auth"
)

type eventRow struct {
	Seq             int64 `gorm:"primaryKey;autoIncrement"`
	ID              uuid.UUID
	Type            string
	UserID          *uuid.UUID
	AtMs            int64 `gorm:"column:at_ms"`
	Data            string
	State           string
	Attempts        int
	NextAttemptAtMs int64 `gorm:"column:next_attempt_at_ms"`
	RetryUntilMs    int64 `gorm:"column:retry_until_ms"`
	Claim           string
	ClaimedUntilMs  int64 `gorm:"column:claimed_until_ms"`
	LastError       string
	DeliveredAtMs   int64 `gorm:"column:delivered_at_ms"`
}

func (eventRow) TableName() string { return "events" }

func (row *eventRow) toEvent() auth.OutboundEvent {
	e := auth.OutboundEvent{Seq: row.Seq, ID: row.ID, Type: row.Type, At: time.UnixMilli(row.AtMs).UTC(),
		Data: json.RawMessage(row.Data), State: row.State, Attempts: row.Attempts,
		NextAttemptAt: time.UnixMilli(row.NextAttemptAtMs).UTC(), RetryUntil: time.UnixMilli(row.RetryUntilMs).UTC(),
		LastError: row.LastError}
	if row.UserID != nil {
		e.UserID = *row.UserID
	}
	if row.DeliveredAtMs > 0 {
		e.DeliveredAt = time.UnixMilli(row.DeliveredAtMs).UTC()
	}
	return e
}

// Events is the GORM repository of the outbound events' outbox.
type Events struct{ db *DB }

var _ auth.Outbox = (*Events)(nil)

// Events returns the outbox repository.
func (db *DB) Events() *Events { return &Events{db: db} }

// Append implements auth.Outbox: in ctx's transaction, the change's own.
func (r *Events) Append(ctx context.Context, e *auth.OutboundEvent) error {
	data := string(e.Data)
	if data == "" {
		data = "{}"
	}
	row := &eventRow{ID: e.ID, Type: e.Type, UserID: nullID(e.UserID), AtMs: ms(e.At), Data: data, State: auth.EventPending,
		NextAttemptAtMs: ms(e.NextAttemptAt), RetryUntilMs: ms(e.RetryUntil)}
	if err := r.db.conn(ctx).Create(row).Error; err != nil {
		return translate(err)
	}
	e.Seq = row.Seq
	return nil
}

// dueEvents selects the claimable events: pending, due, not leased, and the earliest pending event of
// their user (a user's later events wait for it, so that they arrive in order).
const dueEvents = `
	SELECT seq FROM events e
	WHERE e.state = 'pending' AND e.next_attempt_at_ms <= @now AND e.claimed_until_ms <= @now
	  AND NOT EXISTS (SELECT 1 FROM events p WHERE p.user_id = e.user_id AND p.state = 'pending' AND p.seq < e.seq)
	ORDER BY e.seq LIMIT @limit`

// Claim implements auth.Outbox. On PostgreSQL the due rows are locked FOR UPDATE SKIP LOCKED, so
// concurrent claims take disjoint rows without waiting for each other; on SQLite the one statement
// runs under the database's single write lock, so claims are taken one at a time.
func (r *Events) Claim(ctx context.Context, now, until time.Time, claim string, limit int) ([]auth.OutboundEvent, error) {
	args := map[string]any{"now": ms(now), "until": ms(until), "claim": claim, "limit": limit}
	var rows []eventRow
	err := r.db.tx(ctx, func(tx *gorm.DB) error {
		if r.db.dialect == Postgres {
			return tx.Raw(`WITH due AS (`+dueEvents+` FOR UPDATE SKIP LOCKED)
				UPDATE events SET claim = @claim, claimed_until_ms = @until FROM due WHERE events.seq = due.seq
				RETURNING events.*`, args).Scan(&rows).Error
		}
		return tx.Raw(`UPDATE events SET claim = @claim, claimed_until_ms = @until WHERE seq IN (`+dueEvents+`)
			RETURNING *`, args).Scan(&rows).Error
	})
	if err != nil {
		return nil, translate(err)
	}
	slices.SortFunc(rows, func(a, b eventRow) int { return int(a.Seq - b.Seq) })
	out := make([]auth.OutboundEvent, len(rows))
	for i := range rows {
		out[i] = rows[i].toEvent()
	}
	return out, nil
}

// Finish implements auth.Outbox.
func (r *Events) Finish(ctx context.Context, seq int64, claim string, o auth.DeliveryOutcome) (bool, error) {
	attempted, delivered := 0, int64(0)
	if o.Attempted {
		attempted = 1
	}
	if o.State == auth.EventDelivered {
		delivered = ms(o.At)
	}
	res := r.db.conn(ctx).Exec(`
		UPDATE events SET state = ?, attempts = attempts + ?, next_attempt_at_ms = ?, last_error = ?, delivered_at_ms = ?,
			claim = '', claimed_until_ms = 0
		WHERE seq = ? AND claim = ? AND state = 'pending'`,
		o.State, attempted, ms(o.NextAttemptAt), o.LastError, delivered, seq, claim)
	if res.Error != nil {
		return false, translate(res.Error)
	}
	return res.RowsAffected == 1, nil
}

// List implements auth.Outbox.
func (r *Events) List(ctx context.Context, f auth.OutboundFilter) ([]auth.OutboundEvent, error) {
	q := r.db.conn(ctx).Model(&eventRow{})
	if f.Type != "" {
		q = q.Where("type = ?", f.Type)
	}
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	if f.UserID != uuid.Nil {
		q = q.Where("user_id = ?", f.UserID)
	}
	if f.BeforeSeq > 0 {
		q = q.Where("seq < ?", f.BeforeSeq)
	}
	var rows []eventRow
	if err := q.Order("seq DESC").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]auth.OutboundEvent, len(rows))
	for i := range rows {
		out[i] = rows[i].toEvent()
	}
	return out, nil
}

// Redeliver implements auth.Outbox. A lease in force is kept: the delivery under way finishes (and
// records its outcome) before anyone else may take the event.
func (r *Events) Redeliver(ctx context.Context, id uuid.UUID, now, until time.Time) (*auth.OutboundEvent, error) {
	var row eventRow
	err := r.db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE events SET state = 'pending', next_attempt_at_ms = ?, retry_until_ms = ?, delivered_at_ms = 0 WHERE id = ?`,
			ms(now), ms(until), id)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return gorm.ErrRecordNotFound
		}
		return tx.Where("id = ?", id).Take(&row).Error
	})
	if err != nil {
		return nil, translate(err)
	}
	e := row.toEvent()
	return &e, nil
}

// Backlog implements auth.Outbox.
func (r *Events) Backlog(ctx context.Context) (int64, time.Time, error) {
	var out struct {
		N      int64
		Oldest *int64
	}
	if err := r.db.conn(ctx).Raw(`SELECT count(*) AS n, min(at_ms) AS oldest FROM events WHERE state = 'pending'`).Scan(&out).Error; err != nil {
		return 0, time.Time{}, translate(err)
	}
	if out.Oldest == nil {
		return out.N, time.Time{}, nil
	}
	return out.N, time.UnixMilli(*out.Oldest).UTC(), nil
}

// PurgeEvents implements auth.Purger.
func (r *Purger) PurgeEvents(ctx context.Context, before time.Time, batch int) (int64, error) {
	var total int64
	for {
		res := r.db.conn(ctx).Exec(`
			DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE state = 'delivered' AND delivered_at_ms < ? LIMIT ?)`, ms(before), batch)
		if res.Error != nil {
			return total, translate(res.Error)
		}
		total += res.RowsAffected
		if res.RowsAffected < int64(batch) {
			return total, nil
		}
	}
}

// eraseEvents empties the data of the user's events (a deleted user's phone, name and email go with
// them), keeping what happened and when.
func eraseEvents(tx *gorm.DB, userID uuid.UUID) error {
	return tx.Exec(`UPDATE events SET data = '{}' WHERE user_id = ? AND data <> '{}'`, userID).Error
}

// InTransaction reports whether ctx carries a transaction of db (what must not wait on the network).
func (db *DB) InTransaction(ctx context.Context) bool {
	_, ok := db.txFrom(ctx)
	return ok
}
