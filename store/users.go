package store

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/phoneauth/phoneauth/auth"
)

type userRow struct {
	ID              uuid.UUID `gorm:"primaryKey"`
	Phone           string
	Name            string
	Email           *string
	Gender          *string
	DateOfBirth     *time.Time
	Place           *string
	PasswordHash    string
	IsActive        bool
	HasGivenConsent bool
	ConsentGivenAt  *time.Time
	LastLoginAt     *time.Time
	Roles           string
	CreatedAt       time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt       time.Time `gorm:"autoUpdateTime:false"`
}

func (userRow) TableName() string { return "users" }

func toUserRow(u *auth.User) *userRow {
	return &userRow{
		ID: u.ID, Phone: u.Phone, Name: u.Name, Email: u.Email, Gender: u.Gender, DateOfBirth: utcPtr(u.DateOfBirth),
		Place: u.Place, PasswordHash: u.PasswordHash, IsActive: u.IsActive, HasGivenConsent: u.HasGivenConsent,
		ConsentGivenAt: utcPtr(u.ConsentGivenAt), LastLoginAt: utcPtr(u.LastLoginAt), Roles: strings.Join(u.Roles, ","),
		CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC(),
	}
}

func (r *userRow) toUser() *auth.User {
	u := &auth.User{
		ID: r.ID, Phone: r.Phone, Name: r.Name, Email: r.Email, Gender: r.Gender, DateOfBirth: utcPtr(r.DateOfBirth),
		Place: r.Place, PasswordHash: r.PasswordHash, IsActive: r.IsActive, HasGivenConsent: r.HasGivenConsent,
		ConsentGivenAt: utcPtr(r.ConsentGivenAt), LastLoginAt: utcPtr(r.LastLoginAt),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.Roles != "" {
		u.Roles = strings.Split(r.Roles, ",")
	}
	return u
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Users is the GORM repository of accounts.
type Users struct{ db *DB }

var _ auth.Users = (*Users)(nil)

// Users returns the accounts repository.
func (db *DB) Users() *Users { return &Users{db: db} }

func (r *Users) q(ctx context.Context) *gorm.DB { return r.db.conn(ctx) }

// Create implements auth.Users.
func (r *Users) Create(ctx context.Context, u *auth.User) error {
	return translate(r.q(ctx).Create(toUserRow(u)).Error)
}

// ByPhone implements auth.Users.
func (r *Users) ByPhone(ctx context.Context, phone string) (*auth.User, error) {
	return r.first(ctx, "phone = ?", phone)
}

// ByEmail implements auth.Users (case-insensitive, as the unique index).
func (r *Users) ByEmail(ctx context.Context, email string) (*auth.User, error) {
	return r.first(ctx, "lower(email) = lower(?)", email)
}

// ByID implements auth.Users.
func (r *Users) ByID(ctx context.Context, id uuid.UUID) (*auth.User, error) {
	return r.first(ctx, "id = ?", id)
}

func (r *Users) first(ctx context.Context, where string, arg any) (*auth.User, error) {
	var row userRow
	if err := r.q(ctx).Where(where, arg).Take(&row).Error; err != nil {
		return nil, translate(err)
	}
	return row.toUser(), nil
}

// SetPassword implements auth.Users.
func (r *Users) SetPassword(ctx context.Context, userID uuid.UUID, hash string, at time.Time, keepSession uuid.UUID) error {
	at = at.UTC()
	return translate(r.db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&userRow{}).Where("id = ?", userID).Updates(map[string]any{"password_hash": hash, "updated_at": at})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return gorm.ErrRecordNotFound
		}
		_, err := endSessions(tx, userID, at, keepSession, auth.EndPasswordChanged)
		return err
	}))
}

// RecordLogin implements auth.Users.
func (r *Users) RecordLogin(ctx context.Context, userID uuid.UUID, at time.Time, rehash string) error {
	set := map[string]any{"last_login_at": at.UTC()}
	if rehash != "" {
		set["password_hash"] = rehash
	}
	res := r.q(ctx).Model(&userRow{}).Where("id = ?", userID).Updates(set)
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return auth.ErrNotFound
	}
	return nil
}
