package auth

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// User management that creates, edits and deletes whole accounts, by the rules users are held to
// (AccountService.CreateUser, the profile rules, the deletion), audited with the acting admin.

// CreateUser creates an active user (without a password when in.Password is ""), with the lockout
// state of a new user. ErrConflict when the phone or email is taken.
func (s *AdminService) CreateUser(ctx context.Context, in NewUser) (*AdminUser, error) {
	p, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	in.HasGivenConsent = false // consent is the user's to give
	u, err := s.d.Accounts.createUser(ctx, in, func(ctx context.Context, u *User) error {
		s.env.Record(ctx, EventUserCreated, u.ID, p.User.ID, "", map[string]string{
			"password": strconv.FormatBool(u.PasswordHash != ""), "roles": strings.Join(u.AllRoles(), ",")})
		return s.env.Emit(ctx, TypeUserCreated, u.ID, userCreated(u, "admin", p.User.ID))
	})
	if err != nil {
		return nil, err
	}
	return s.user(ctx, u.ID)
}

// UpdateUser changes a user's profile fields and phone number (c.Consent is ignored: consent is the
// user's to give). A new phone ends every session of the user and is told to both numbers.
func (s *AdminService) UpdateUser(ctx context.Context, id uuid.UUID, c ProfileChange) (*AdminUser, error) {
	p, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	c.Consent = nil
	if _, err := s.d.Lifecycle.updateProfile(ctx, id, p.User.ID, c); err != nil {
		return nil, err
	}
	return s.user(ctx, id)
}

// DeleteUser deletes a user as DeleteAccount does, recording the admin. Not the caller's own account:
// that needs the proof of DeleteAccount.
func (s *AdminService) DeleteUser(ctx context.Context, id uuid.UUID) error {
	p, err := admin(ctx)
	if err != nil {
		return err
	}
	if id == p.User.ID {
		return newError(ErrBadRequest, "You cannot delete your own account here; use delete-account")
	}
	err = s.d.Lifecycle.erase(ctx, id, p.User.ID, map[string]string{"by": "admin"})
	if errors.Is(err, ErrNotFound) {
		return errUserNotFound
	}
	return err
}
