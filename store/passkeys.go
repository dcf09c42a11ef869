package store

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/phoneauth/phoneauth/auth"
)

type passkeyRow struct {
	ID              uuid.UUID `gorm:"primaryKey"`
	UserID          uuid.UUID
	Name            string
	CredentialID    string
	PublicKey       string
	SignCount       int64
	Transports      string
	AAGUID          string `gorm:"column:aaguid"`
	AttestationType string
	BackupEligible  bool
	BackupState     bool
	UserVerified    bool
	CreatedAt       time.Time `gorm:"autoCreateTime:false"`
	LastUsedAt      *time.Time
}

func (passkeyRow) TableName() string { return "passkeys" }

var b64 = base64.RawURLEncoding

func (r *passkeyRow) toPasskey() (*auth.Passkey, error) {
	id, err := b64.DecodeString(r.CredentialID)
	if err != nil {
		return nil, fmt.Errorf("passkey %s: credential id: %w", r.ID, err)
	}
	key, err := b64.DecodeString(r.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("passkey %s: public key: %w", r.ID, err)
	}
	aaguid, err := b64.DecodeString(r.AAGUID)
	if err != nil {
		return nil, fmt.Errorf("passkey %s: aaguid: %w", r.ID, err)
	}
	pk := &auth.Passkey{ID: r.ID, UserID: r.UserID, Name: r.Name, CredentialID: id, PublicKey: key, SignCount: uint32(r.SignCount),
		AAGUID: aaguid, AttestationType: r.AttestationType, BackupEligible: r.BackupEligible, BackupState: r.BackupState,
		UserVerified: r.UserVerified, CreatedAt: r.CreatedAt.UTC(), LastUsedAt: utcPtr(r.LastUsedAt)}
	if r.Transports != "" {
		pk.Transports = strings.Split(r.Transports, ",")
	}
	return pk, nil
}

// Passkeys is the GORM repository of passkeys.
type Passkeys struct{ db *DB }

var _ auth.Passkeys = (*Passkeys)(nil)

// Passkeys returns the passkeys repository.
func (db *DB) Passkeys() *Passkeys { return &Passkeys{db: db} }

func (r *Passkeys) q(ctx context.Context) *gorm.DB { return r.db.conn(ctx) }

// Add implements auth.Passkeys.
func (r *Passkeys) Add(ctx context.Context, pk *auth.Passkey) error {
	row := &passkeyRow{ID: pk.ID, UserID: pk.UserID, Name: pk.Name, CredentialID: b64.EncodeToString(pk.CredentialID),
		PublicKey: b64.EncodeToString(pk.PublicKey), SignCount: int64(pk.SignCount), Transports: strings.Join(pk.Transports, ","),
		AAGUID: b64.EncodeToString(pk.AAGUID), AttestationType: pk.AttestationType, BackupEligible: pk.BackupEligible,
		BackupState: pk.BackupState, UserVerified: pk.UserVerified, CreatedAt: pk.CreatedAt.UTC(), LastUsedAt: utcPtr(pk.LastUsedAt)}
	return translate(r.q(ctx).Create(row).Error)
}

func (r *Passkeys) take(q *gorm.DB) (*auth.Passkey, error) {
	var row passkeyRow
	if err := q.Take(&row).Error; err != nil {
		return nil, translate(err)
	}
	return row.toPasskey()
}

// ByCredentialID implements auth.Passkeys.
func (r *Passkeys) ByCredentialID(ctx context.Context, credentialID []byte) (*auth.Passkey, error) {
	return r.take(r.q(ctx).Where("credential_id = ?", b64.EncodeToString(credentialID)))
}

// List implements auth.Passkeys.
func (r *Passkeys) List(ctx context.Context, userID uuid.UUID) ([]*auth.Passkey, error) {
	var rows []passkeyRow
	if err := r.q(ctx).Where("user_id = ?", userID).Order("created_at, id").Limit(1000).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]*auth.Passkey, 0, len(rows))
	for i := range rows {
		pk, err := rows[i].toPasskey()
		if err != nil {
			return nil, err
		}
		out = append(out, pk)
	}
	return out, nil
}

// Rename implements auth.Passkeys.
func (r *Passkeys) Rename(ctx context.Context, userID, id uuid.UUID, name string) (*auth.Passkey, error) {
	res := r.q(ctx).Model(&passkeyRow{}).Where("id = ? AND user_id = ?", id, userID).Update("name", name)
	if res.Error != nil {
		return nil, translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, auth.ErrNotFound
	}
	return r.take(r.q(ctx).Where("id = ?", id))
}

// Delete implements auth.Passkeys.
func (r *Passkeys) Delete(ctx context.Context, userID, id uuid.UUID) error {
	res := r.q(ctx).Where("id = ? AND user_id = ?", id, userID).Delete(&passkeyRow{})
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return auth.ErrNotFound
	}
	return nil
}

// RecordUse implements auth.Passkeys in one conditional UPDATE, so that of two logins racing with one
// counter value, one moves it.
func (r *Passkeys) RecordUse(ctx context.Context, id uuid.UUID, count uint32, backedUp bool, at time.Time) (bool, error) {
	res := r.q(ctx).Model(&passkeyRow{}).
		Where("id = ? AND (sign_count < ? OR (sign_count = 0 AND ? = 0))", id, int64(count), int64(count)).
		Updates(map[string]any{"sign_count": int64(count), "backup_state": backedUp, "last_used_at": at.UTC()})
	return res.RowsAffected == 1, translate(res.Error)
}

type webauthnChallengeRow struct {
	Hash        string `gorm:"primaryKey"`
	Purpose     string
	UserID      *uuid.UUID
	SessionID   *uuid.UUID
	State       string
	ExpiresAtMs int64 `gorm:"column:expires_at_ms"`
}

func (webauthnChallengeRow) TableName() string { return "webauthn_challenges" }

// WebAuthnChallenges is the GORM repository of passkey ceremonies between their two steps.
type WebAuthnChallenges struct{ db *DB }

var _ auth.WebAuthnChallenges = (*WebAuthnChallenges)(nil)

// WebAuthnChallenges returns the repository of passkey ceremonies.
func (db *DB) WebAuthnChallenges() *WebAuthnChallenges { return &WebAuthnChallenges{db: db} }

func optionalUUID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// Put implements auth.WebAuthnChallenges.
func (r *WebAuthnChallenges) Put(ctx context.Context, c *auth.WebAuthnChallenge) error {
	row := &webauthnChallengeRow{Hash: c.Hash, Purpose: c.Purpose, UserID: optionalUUID(c.UserID), SessionID: optionalUUID(c.SessionID),
		State: string(c.State), ExpiresAtMs: ms(c.ExpiresAt)}
	return translate(r.db.conn(ctx).Create(row).Error)
}

// Take implements auth.WebAuthnChallenges: DELETE … RETURNING is the single use.
func (r *WebAuthnChallenges) Take(ctx context.Context, hash string) (*auth.WebAuthnChallenge, error) {
	var rows []webauthnChallengeRow
	err := r.db.conn(ctx).Raw(`DELETE FROM webauthn_challenges WHERE hash = ?
		RETURNING hash, purpose, user_id, session_id, state, expires_at_ms`, hash).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	if len(rows) == 0 {
		return nil, auth.ErrNotFound
	}
	row := rows[0]
	c := &auth.WebAuthnChallenge{Hash: row.Hash, Purpose: row.Purpose, State: []byte(row.State), ExpiresAt: fromMs(row.ExpiresAtMs)}
	if row.UserID != nil {
		c.UserID = *row.UserID
	}
	if row.SessionID != nil {
		c.SessionID = *row.SessionID
	}
	return c, nil
}
