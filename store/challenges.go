package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/phoneauth/phoneauth/auth"
)

type challengeRow struct {
	Phone        string `gorm:"primaryKey"`
	Purpose      string `gorm:"primaryKey"`
	CodeHash     *string
	ReferenceID  string
	ExpiresAtMs  int64 `gorm:"column:expires_at_ms"`
	Attempts     int
	LastSentAtMs int64 `gorm:"column:last_sent_at_ms"`
}

func (challengeRow) TableName() string { return "otp_challenges" }

// Challenges is the GORM repository of one-time-code challenges. Every state change is a single
// conditional UPDATE, so concurrent sends and verifies need no locks and cannot overshoot a limit.
type Challenges struct{ db *DB }

var _ auth.Challenges = (*Challenges)(nil)

// Challenges returns the one-time-code repository.
func (db *DB) Challenges() *Challenges { return &Challenges{db: db} }

func (r *Challenges) q(ctx context.Context) *gorm.DB { return r.db.conn(ctx) }

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMs(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func (r *Challenges) where(ctx context.Context, phone, purpose string) *gorm.DB {
	return r.q(ctx).Model(&challengeRow{}).Where("phone = ? AND purpose = ?", phone, purpose)
}

// Get implements auth.Challenges.
func (r *Challenges) Get(ctx context.Context, phone, purpose string) (*auth.Challenge, error) {
	var row challengeRow
	if err := r.where(ctx, phone, purpose).Take(&row).Error; err != nil {
		return nil, translate(err)
	}
	c := &auth.Challenge{
		Phone: row.Phone, Purpose: row.Purpose, ReferenceID: row.ReferenceID, Attempts: row.Attempts,
		ExpiresAt: fromMs(row.ExpiresAtMs), LastSentAt: fromMs(row.LastSentAtMs),
	}
	if row.CodeHash != nil {
		c.CodeHash = *row.CodeHash
	}
	return c, nil
}

// ClaimSend implements auth.Challenges in one statement on the success path: the upsert takes the
// send slot only when the last send is older than the interval, keeping the time it replaced.
func (r *Challenges) ClaimSend(ctx context.Context, phone, purpose string, now time.Time, interval time.Duration) (bool, time.Time, error) {
	var rows []struct{ PrevSentAtMs int64 }
	err := r.q(ctx).Raw(`
		INSERT INTO otp_challenges (phone, purpose, user_id, last_sent_at_ms, prev_sent_at_ms)
		VALUES (?, ?, ?, CAST(? AS BIGINT), 0)
		ON CONFLICT (phone, purpose) DO UPDATE SET
			prev_sent_at_ms = otp_challenges.last_sent_at_ms,
			last_sent_at_ms = excluded.last_sent_at_ms
		WHERE otp_challenges.last_sent_at_ms <= CAST(? AS BIGINT)
		RETURNING prev_sent_at_ms`, phone, purpose, owner(purpose), ms(now), ms(now.Add(-interval))).Scan(&rows).Error
	if err != nil {
		return false, time.Time{}, translate(err)
	}
	if len(rows) == 1 {
		return true, fromMs(rows[0].PrevSentAtMs), nil
	}
	var row challengeRow
	if err := r.where(ctx, phone, purpose).Take(&row).Error; err != nil {
		return false, time.Time{}, translate(err)
	}
	return false, fromMs(row.LastSentAtMs), nil
}

// ReleaseSend implements auth.Challenges.
func (r *Challenges) ReleaseSend(ctx context.Context, phone, purpose string, at, previous time.Time) error {
	prev := int64(0)
	if !previous.IsZero() {
		prev = ms(previous)
	}
	return translate(r.where(ctx, phone, purpose).Where("last_sent_at_ms = ?", ms(at)).Update("last_sent_at_ms", prev).Error)
}

// SetCode implements auth.Challenges in one upsert.
func (r *Challenges) SetCode(ctx context.Context, phone, purpose, hash, referenceID string, expires time.Time, resetAttempts bool) error {
	return translate(r.q(ctx).Exec(`
		INSERT INTO otp_challenges (phone, purpose, user_id, code_hash, reference_id, expires_at_ms, attempts)
		VALUES (?, ?, ?, ?, ?, CAST(? AS BIGINT), 0)
		ON CONFLICT (phone, purpose) DO UPDATE SET
			code_hash = excluded.code_hash,
			reference_id = excluded.reference_id,
			expires_at_ms = excluded.expires_at_ms,
			attempts = CASE WHEN ? THEN 0 ELSE otp_challenges.attempts END`,
		phone, purpose, owner(purpose), hash, referenceID, ms(expires), resetAttempts).Error)
}

// owner is the user_id of a challenge row: the user its purpose is bound to, or NULL. The foreign key
// refuses a bound challenge for a user that does not exist (translated to auth.ErrNotFound).
func owner(purpose string) *uuid.UUID { return nullID(auth.PurposeOwner(purpose)) }

// ClearCode implements auth.Challenges.
func (r *Challenges) ClearCode(ctx context.Context, phone, purpose, hash string) error {
	return translate(r.where(ctx, phone, purpose).Where("code_hash = ?", hash).Update("code_hash", nil).Error)
}

// ReserveAttempt implements auth.Challenges.
func (r *Challenges) ReserveAttempt(ctx context.Context, phone, purpose, hash string, max int, now time.Time) (bool, error) {
	res := r.where(ctx, phone, purpose).
		Where("code_hash = ? AND attempts < ? AND expires_at_ms > ?", hash, max, ms(now)).
		Update("attempts", gorm.Expr("attempts + 1"))
	return res.RowsAffected == 1, translate(res.Error)
}

// ReleaseAttempt implements auth.Challenges.
func (r *Challenges) ReleaseAttempt(ctx context.Context, phone, purpose, hash string) error {
	return translate(r.where(ctx, phone, purpose).Where("code_hash = ? AND attempts > 0", hash).
		Update("attempts", gorm.Expr("attempts - 1")).Error)
}

// Consume implements auth.Challenges.
func (r *Challenges) Consume(ctx context.Context, phone, purpose, hash string) (bool, error) {
	res := r.where(ctx, phone, purpose).Where("code_hash = ?", hash).
		Updates(map[string]any{"code_hash": nil, "attempts": 0})
	return res.RowsAffected == 1, translate(res.Error)
}

type secretRow struct {
	Name      string `gorm:"primaryKey"`
	Value     string
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
}

func (secretRow) TableName() string { return "server_secrets" }

// Secrets is the GORM repository of server secrets.
type Secrets struct{ db *DB }

var _ auth.Secrets = (*Secrets)(nil)

// Secrets returns the server-secrets repository.
func (db *DB) Secrets() *Secrets { return &Secrets{db: db} }

// GetOrCreate implements auth.Secrets.
func (r *Secrets) GetOrCreate(ctx context.Context, name, fresh string, now time.Time) (string, error) {
	q := r.db.conn(ctx)
	sealed, err := r.db.box.Seal([]byte(fresh), secretContext(name))
	if err != nil {
		return "", err
	}
	if err := q.Clauses(clause.OnConflict{DoNothing: true}).Create(&secretRow{Name: name, Value: sealed, CreatedAt: now.UTC()}).Error; err != nil {
		return "", translate(err)
	}
	var row secretRow
	if err := q.Where("name = ?", name).Take(&row).Error; err != nil {
		return "", translate(err)
	}
	value, err := r.db.box.Open(row.Value, secretContext(name))
	if err != nil {
		return "", fmt.Errorf("server secret %s: %w", name, err)
	}
	if len(value) == 0 {
		return "", errors.New("store: empty server secret " + name)
	}
	return string(value), nil
}

// secretContext binds a sealed server secret to its row.
func secretContext(name string) string { return "server_secrets/" + name }
