package store

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/phoneauth/phoneauth/auth"
)

type totpRow struct {
	UserID      uuid.UUID `gorm:"primaryKey"`
	Secret      string
	Active      bool
	LastStep    int64
	CreatedAt   time.Time `gorm:"autoCreateTime:false"`
	ActivatedAt *time.Time
}

func (totpRow) TableName() string { return "totp_factors" }

type recoveryRow struct {
	UserID    uuid.UUID `gorm:"primaryKey"`
	Hash      string    `gorm:"primaryKey"`
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
}

func (recoveryRow) TableName() string { return "recovery_codes" }

// totpContext binds a sealed TOTP secret to its user's row.
func totpContext(userID string) string { return "totp_factors/" + userID }

// SecondFactors is the GORM repository of TOTP factors and recovery codes.
type SecondFactors struct{ db *DB }

var _ auth.SecondFactors = (*SecondFactors)(nil)

// SecondFactors returns the second-factor repository.
func (db *DB) SecondFactors() *SecondFactors { return &SecondFactors{db: db} }

func (r *SecondFactors) q(ctx context.Context) *gorm.DB { return r.db.conn(ctx) }

// TOTP implements auth.SecondFactors.
func (r *SecondFactors) TOTP(ctx context.Context, userID uuid.UUID) (*auth.TOTPFactor, error) {
	var row totpRow
	if err := r.q(ctx).Where("user_id = ?", userID).Take(&row).Error; err != nil {
		return nil, translate(err)
	}
	secret, err := r.db.box.Open(row.Secret, totpContext(userID.String()))
	if err != nil {
		return nil, err
	}
	return &auth.TOTPFactor{UserID: row.UserID, Secret: string(secret), Active: row.Active, LastStep: row.LastStep,
		CreatedAt: row.CreatedAt.UTC(), ActivatedAt: utcPtr(row.ActivatedAt)}, nil
}

// PutPendingTOTP implements auth.SecondFactors in one statement: the upsert replaces a pending factor
// and leaves an active one alone.
func (r *SecondFactors) PutPendingTOTP(ctx context.Context, userID uuid.UUID, secret string, at time.Time) error {
	sealed, err := r.db.box.Seal([]byte(secret), totpContext(userID.String()))
	if err != nil {
		return err
	}
	res := r.q(ctx).Exec(`
		INSERT INTO totp_factors (user_id, secret, active, last_step, created_at) VALUES (?, ?, ?, 0, ?)
		ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at, last_step = 0
		WHERE totp_factors.active = ?`, userID, sealed, false, at.UTC(), false)
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return auth.ErrConflict
	}
	return nil
}

func insertRecoveryCodes(tx *gorm.DB, userID uuid.UUID, hashes []string, at time.Time) error {
	if err := tx.Where("user_id = ?", userID).Delete(&recoveryRow{}).Error; err != nil {
		return err
	}
	rows := make([]recoveryRow, len(hashes))
	for i, h := range hashes {
		rows[i] = recoveryRow{UserID: userID, Hash: h, CreatedAt: at.UTC()}
	}
	if len(rows) == 0 {
		return nil
	}
	return tx.Create(&rows).Error
}

// ActivateTOTP implements auth.SecondFactors.
func (r *SecondFactors) ActivateTOTP(ctx context.Context, userID uuid.UUID, step int64, hashes []string, at time.Time) (bool, error) {
	ok := false
	err := r.db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&totpRow{}).Where("user_id = ? AND active = ?", userID, false).
			Updates(map[string]any{"active": true, "last_step": step, "activated_at": at.UTC()})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		ok = true
		return insertRecoveryCodes(tx, userID, hashes, at)
	})
	return ok, translate(err)
}

// UseTOTPStep implements auth.SecondFactors in one conditional UPDATE.
func (r *SecondFactors) UseTOTPStep(ctx context.Context, userID uuid.UUID, step int64) (bool, error) {
	res := r.q(ctx).Model(&totpRow{}).Where("user_id = ? AND active = ? AND last_step < ?", userID, true, step).
		Update("last_step", step)
	return res.RowsAffected == 1, translate(res.Error)
}

// DeleteTOTP implements auth.SecondFactors.
func (r *SecondFactors) DeleteTOTP(ctx context.Context, userID uuid.UUID) (bool, error) {
	ok := false
	err := r.db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Where("user_id = ? AND active = ?", userID, true).Delete(&totpRow{})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		ok = true
		return tx.Where("user_id = ?", userID).Delete(&recoveryRow{}).Error
	})
	return ok, translate(err)
}

// ReplaceRecoveryCodes implements auth.SecondFactors.
func (r *SecondFactors) ReplaceRecoveryCodes(ctx context.Context, userID uuid.UUID, hashes []string, at time.Time) error {
	return translate(r.db.tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&totpRow{}).Where("user_id = ? AND active = ?", userID, true).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return auth.ErrNotFound
		}
		return insertRecoveryCodes(tx, userID, hashes, at)
	}))
}

// UseRecoveryCode implements auth.SecondFactors: the DELETE is the single use.
func (r *SecondFactors) UseRecoveryCode(ctx context.Context, userID uuid.UUID, hash string) (bool, error) {
	res := r.q(ctx).Where("user_id = ? AND hash = ?", userID, hash).Delete(&recoveryRow{})
	return res.RowsAffected == 1, translate(res.Error)
}

// RecoveryCodesLeft implements auth.SecondFactors.
func (r *SecondFactors) RecoveryCodesLeft(ctx context.Context, userID uuid.UUID) (int, error) {
	var n int64
	err := r.q(ctx).Model(&recoveryRow{}).Where("user_id = ?", userID).Count(&n).Error
	return int(n), translate(err)
}

type mfaChallengeRow struct {
	Hash        string `gorm:"primaryKey"`
	UserID      uuid.UUID
	Methods     string
	Rehash      string
	ExpiresAtMs int64 `gorm:"column:expires_at_ms"`
	Attempts    int
}

func (mfaChallengeRow) TableName() string { return "mfa_challenges" }

// MFAChallenges is the GORM repository of logins waiting for a second factor.
type MFAChallenges struct{ db *DB }

var _ auth.MFAChallenges = (*MFAChallenges)(nil)

// MFAChallenges returns the repository of logins waiting for a second factor.
func (db *DB) MFAChallenges() *MFAChallenges { return &MFAChallenges{db: db} }

// Create implements auth.MFAChallenges.
func (r *MFAChallenges) Create(ctx context.Context, c *auth.MFAChallenge) error {
	row := &mfaChallengeRow{Hash: c.Hash, UserID: c.UserID, Methods: strings.Join(c.Methods, ","), Rehash: c.Rehash,
		ExpiresAtMs: ms(c.ExpiresAt), Attempts: c.Attempts}
	return translate(r.db.conn(ctx).Create(row).Error)
}

// Attempt implements auth.MFAChallenges in one conditional UPDATE.
func (r *MFAChallenges) Attempt(ctx context.Context, hash string, max int, now time.Time) (*auth.MFAChallenge, error) {
	var rows []mfaChallengeRow
	err := r.db.conn(ctx).Raw(`
		UPDATE mfa_challenges SET attempts = attempts + 1
		WHERE hash = ? AND attempts < CAST(? AS INTEGER) AND expires_at_ms > CAST(? AS BIGINT)
		RETURNING hash, user_id, methods, rehash, expires_at_ms, attempts`, hash, max, ms(now)).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	if len(rows) == 0 {
		return nil, auth.ErrNotFound
	}
	row := rows[0]
	return &auth.MFAChallenge{Hash: row.Hash, UserID: row.UserID, Methods: strings.Split(row.Methods, ","), Rehash: row.Rehash,
		ExpiresAt: fromMs(row.ExpiresAtMs), Attempts: row.Attempts}, nil
}

// Consume implements auth.MFAChallenges.
func (r *MFAChallenges) Consume(ctx context.Context, hash string) (bool, error) {
	res := r.db.conn(ctx).Where("hash = ?", hash).Delete(&mfaChallengeRow{})
	return res.RowsAffected == 1, translate(res.Error)
}
