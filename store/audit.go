package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/phoneauth/phoneauth/auth"
)

type auditRow struct {
	ID          int64 `gorm:"primaryKey;autoIncrement"`
	At          time.Time
	Type        string
	UserID      *uuid.UUID
	ActorID     *uuid.UUID
	IP          string `gorm:"column:ip"`
	UserAgent   string
	ReferenceID string
	Details     string
}

func (auditRow) TableName() string { return "audit_events" }

// Audit is the GORM repository of the append-only audit log. It has no way to change or delete an
// event, and the schema's triggers refuse it from anyone else, except the two changes they allow (see
// withAuditPermit): Purger.PurgeAudit and Users.DeleteUser.
type Audit struct{ db *DB }

var _ auth.Audit = (*Audit)(nil)

// Audit returns the audit-log repository.
func (db *DB) Audit() *Audit { return &Audit{db: db} }

// nullID stores uuid.Nil as NULL.
func nullID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// Record implements auth.Audit.
func (r *Audit) Record(ctx context.Context, e auth.AuditEvent) error {
	details := "{}"
	if len(e.Details) > 0 {
		b, err := json.Marshal(e.Details)
		if err != nil {
			return err
		}
		details = string(b)
	}
	row := &auditRow{At: e.At.UTC(), Type: e.Type, UserID: nullID(e.UserID), ActorID: nullID(e.ActorID), IP: e.IP,
		UserAgent: e.UserAgent, ReferenceID: e.ReferenceID, Details: details}
	return translate(r.db.conn(ctx).Create(row).Error)
}

// List implements auth.Audit. A filter by user, actor or type is served by that column's index,
// (user_id, id), (actor_id, id) or (type, id), walked newest first, or by a walk of the primary key
// newest first that stops at a page of matches, whichever the planner reckons cheaper for the value:
// a common type is the walk, a rare one the index; so it is planned for its values every time
// (DB.forValues). A filter by time orders by (at, id), which
// audit_events_at_id_idx gives from the end of the range: ordered by the id, a range long ago would be
// found by a walk of the primary key through every later event (the planner takes the matches to be
// spread evenly along the walk). An event's at and id rise together, so (at, id) is the id order but
// for events written in the same moment by different instances. TestQueryPlans holds the plans.
func (r *Audit) List(ctx context.Context, f auth.AuditFilter) ([]auth.AuditEvent, error) {
	var rows []auditRow
	if err := r.db.forValues(ctx, func(tx *gorm.DB) error { return auditQuery(tx, f).Find(&rows).Error }); err != nil {
		return nil, translate(err)
	}
	out := make([]auth.AuditEvent, len(rows))
	for i, row := range rows {
		e := auth.AuditEvent{ID: row.ID, At: row.At.UTC(), Type: row.Type, IP: row.IP, UserAgent: row.UserAgent,
			ReferenceID: row.ReferenceID, Details: map[string]string{}}
		if row.UserID != nil {
			e.UserID = *row.UserID
		}
		if row.ActorID != nil {
			e.ActorID = *row.ActorID
		}
		_ = json.Unmarshal([]byte(row.Details), &e.Details) // written by Record: always an object of strings
		out[i] = e
	}
	return out, nil
}

// auditQuery is List's statement on q.
func auditQuery(q *gorm.DB, f auth.AuditFilter) *gorm.DB {
	q = q.Model(&auditRow{})
	if f.UserID != uuid.Nil {
		q = q.Where("user_id = ?", f.UserID)
	}
	if f.ActorID != uuid.Nil {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.Type != "" {
		q = q.Where("type = ?", f.Type)
	}
	if !f.Since.IsZero() {
		q = q.Where("at >= ?", f.Since.UTC())
	}
	if !f.Until.IsZero() {
		q = q.Where("at < ?", f.Until.UTC())
	}
	if f.Since.IsZero() && f.Until.IsZero() {
		if f.BeforeID > 0 {
			q = q.Where("id < ?", f.BeforeID)
		}
		return q.Order("id DESC").Limit(f.Limit)
	}
	if f.BeforeID > 0 {
		// The page goes on below the cursor's event in (at, id) order.
		q = q.Where("(at, id) < (SELECT c.at, c.id FROM audit_events c WHERE c.id = ?)", f.BeforeID)
	}
	return q.Order("at DESC, id DESC").Limit(f.Limit)
}

// The two changes the append-only audit trail allows (migrations 00007), each declared by the
// transaction that makes it: the retention purge deletes events from before a cut-off, and a user's
// deletion erases what identifies a person from that user's events.
const (
	permitPurge = "purge"
	permitErase = "erase"
)

// withAuditPermit runs fn in tx with the permit the audit trail's triggers read: on PostgreSQL a
// transaction-local setting, on SQLite a row of audit_permits that fn's transaction deletes again
// before it commits. value is the purge's cut-off or the erased user's id.
func withAuditPermit(tx *gorm.DB, dialect, kind string, value any, fn func() error) error {
	if dialect == Postgres {
		setting := map[string]string{permitPurge: "phoneauth.audit_purge_before", permitErase: "phoneauth.audit_erase_user"}[kind]
		if t, ok := value.(time.Time); ok {
			value = t.UTC().Format(time.RFC3339Nano)
		}
		if err := tx.Exec("SELECT set_config(?, ?, true)", setting, fmt.Sprint(value)).Error; err != nil {
			return err
		}
		return fn()
	}
	if err := tx.Exec("INSERT INTO audit_permits (kind, value) VALUES (?, ?)", kind, value).Error; err != nil {
		return err
	}
	if err := fn(); err != nil {
		return err
	}
	return tx.Exec("DELETE FROM audit_permits WHERE kind = ? AND value = ?", kind, value).Error
}
