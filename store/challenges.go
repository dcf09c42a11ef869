package store

import (
	"context"
	"errors"
	"time"

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

func (r *Challenges) q(ctx context.Context) *gorm.DB { return r.db.gorm.WithContext(ctx) }

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

// ClaimSend implements auth.Challenges.
func (r *Challenges) ClaimSend(ctx context.Context, phone, purpose string, now time.Time, interval time.Duration) (bool, time.Time, error) {
	err := r.q(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&challengeRow{Phone: phone, Purpose: purpose}).Error
	if err != nil {
		return false, time.Time{}, translate(err)
	}
	var before challengeRow
	if err := r.where(ctx, phone, purpose).Take(&before).Error; err != nil {
		return false, time.Time{}, translate(err)
	}
	res := r.where(ctx, phone, purpose).Where("last_sent_at_ms <= ?", ms(now.Add(-interval))).
		Update("last_sent_at_ms", ms(now))
	if res.Error != nil {
		return false, time.Time{}, translate(res.Error)
	}
	if res.RowsAffected == 0 {
		var row challengeRow
		if err := r.where(ctx, phone, purpose).Take(&row).Error; err != nil {
			return false, time.Time{}, translate(err)
		}
		return false, fromMs(row.LastSentAtMs), nil
	}
	return true, fromMs(before.LastSentAtMs), nil
}

// ReleaseSend implements auth.Challenges.
func (r *Challenges) ReleaseSend(ctx context.Context, phone, purpose string, at, previous time.Time) error {
	prev := int64(0)
	if !previous.IsZero() {
		prev = ms(previous)
	}
	return translate(r.where(ctx, phone, purpose).Where("last_sent_at_ms = ?", ms(at)).Update("last_sent_at_ms", prev).Error)
}

// SetCode implements auth.Challenges.
func (r *Challenges) SetCode(ctx context.Context, phone, purpose, hash, referenceID string, expires time.Time, resetAttempts bool) error {
	set := map[string]any{"code_hash": hash, "reference_id": referenceID, "expires_at_ms": ms(expires)}
	if resetAttempts {
		set["attempts"] = 0
	}
	err := r.q(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&challengeRow{Phone: phone, Purpose: purpose}).Error
	if err != nil {
		return translate(err)
	}
	return translate(r.where(ctx, phone, purpose).Updates(set).Error)
}

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
	q := r.db.gorm.WithContext(ctx)
	if err := q.Clauses(clause.OnConflict{DoNothing: true}).Create(&secretRow{Name: name, Value: fresh, CreatedAt: now.UTC()}).Error; err != nil {
		return "", translate(err)
	}
	var row secretRow
	if err := q.Where("name = ?", name).Take(&row).Error; err != nil {
		return "", translate(err)
	}
	if row.Value == "" {
		return "", errors.New("store: empty server secret " + name)
	}
	return row.Value, nil
}
