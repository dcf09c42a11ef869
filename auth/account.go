package auth

import (
	"context"
	"errors"
	"net/mail"
	"slices"
	"strings"
)

// ChangePassword replaces the caller's password after checking the current one. Every other session
// of the user ends (their tokens stop working at once); the caller's own session goes on.
func (s *Service) ChangePassword(ctx context.Context, p *Principal, current, next string) error {
	if p == nil {
		return errNoCredentials
	}
	u := p.User
	ok, _, err := s.Hasher.Verify(ctx, current, u.PasswordHash)
	if err != nil {
		return hashErr(err)
	}
	if !ok {
		return newError(ErrBadRequest, "Incorrect current password")
	}
	if next == current {
		return newError(ErrBadRequest, "New password must be different from the current password")
	}
	if err := s.checkPassword("new_password", next, u.Phone, u.Name); err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(ctx, next)
	if err != nil {
		return hashErr(err)
	}
	if err := s.Users.SetPassword(ctx, u.ID, hash, s.Clock.Now(), p.Session.ID); err != nil {
		return err
	}
	s.audit(ctx, EventPasswordChanged, u.ID, "", "", map[string]string{"kept_session": p.Session.ID})
	return nil
}

// ResetPassword sets another user's password (admins only) and ends all of that user's sessions.
func (s *Service) ResetPassword(ctx context.Context, actor *Principal, rawPhone, next string) error {
	if actor == nil {
		return errNoCredentials
	}
	if !actor.User.HasRole(RoleAdmin) {
		return newError(ErrForbidden, "Not enough permissions")
	}
	e164, err := s.ParsePhone("phone", rawPhone)
	fields := fieldsOf(nil, err)
	fields = fieldsOf(fields, s.checkPassword("new_password", next, e164))
	if len(fields) > 0 {
		return &ValidationError{Fields: fields} // every bad field at once, as request validation does
	}
	u, err := s.Users.ByPhone(ctx, e164)
	if errors.Is(err, ErrNotFound) {
		return newError(ErrNotFound, "User not found")
	} else if err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(ctx, next)
	if err != nil {
		return hashErr(err)
	}
	if err := s.Users.SetPassword(ctx, u.ID, hash, s.Clock.Now(), ""); err != nil {
		return err
	}
	s.clearThrottle(ctx, u.Phone)
	s.audit(ctx, EventPasswordReset, u.ID, actor.User.ID, "", map[string]string{"by": "admin"})
	return nil
}

// NewUser is what CreateUser needs.
type NewUser struct {
	Phone           string // any format ParsePhone accepts
	Name            string
	Email           string // optional
	Password        string
	Roles           []string // beyond RoleUser
	HasGivenConsent bool
}

// KnownRoles are the roles that may be granted.
var KnownRoles = []string{RoleUser, RoleAdmin}

// CreateUser validates and stores a new active user. ErrConflict when the phone or email is taken.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (*User, error) {
	e164, err := s.ParsePhone("phone", in.Phone)
	fields := fieldsOf(nil, err)
	name := strings.TrimSpace(in.Name)
	if name == "" || len(name) > 200 {
		fields = append(fields, FieldError{Field: "name", Msg: "Name must be 1 to 200 characters", Type: "value_error"})
	}
	var email *string
	if e := strings.TrimSpace(in.Email); e != "" {
		if !ValidEmail(e) {
			fields = append(fields, FieldError{Field: "email", Msg: "value is not a valid email address", Type: "value_error"})
		}
		email = &e
	}
	fields = fieldsOf(fields, s.checkPassword("password", in.Password, e164, name))
	var roles []string
	for _, r := range in.Roles {
		if !slices.Contains(KnownRoles, r) {
			fields = append(fields, FieldError{Field: "roles", Msg: "unknown role " + r, Type: "value_error"})
		} else if r != RoleUser && !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	if len(fields) > 0 {
		return nil, &ValidationError{Fields: fields}
	}
	slices.Sort(roles)
	hash, err := s.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return nil, hashErr(err)
	}
	return s.insertUser(ctx, &User{Phone: e164, Name: name, Email: email, PasswordHash: hash, HasGivenConsent: in.HasGivenConsent, Roles: roles})
}

// insertUser stores a new active user from u's profile fields, setting its id and timestamps (and
// the consent time when consent is given). ErrConflict when the phone or email is taken.
func (s *Service) insertUser(ctx context.Context, u *User) (*User, error) {
	now := s.Clock.Now()
	u.ID, u.IsActive, u.CreatedAt, u.UpdatedAt = newID(now), true, now, now
	if u.HasGivenConsent {
		u.ConsentGivenAt = &now
	}
	if err := s.Users.Create(ctx, u); err != nil {
		if errors.Is(err, ErrConflict) {
			return nil, &Error{Kind: ErrConflict, Detail: "Phone number or email already registered", Cause: err}
		}
		return nil, err
	}
	return u, nil
}

// ValidEmail is a pragmatic check: one addr-spec with a dotted domain, no display name.
func ValidEmail(e string) bool {
	if len(e) > 254 {
		return false
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" {
		return false
	}
	_, domain, _ := strings.Cut(e, "@")
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}
