package auth

import (
	"context"
	"errors"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth/password"
	"github.com/phoneauth/phoneauth/auth/phone"
)

// AccountDeps are what AccountService works with.
type AccountDeps struct {
	Users    Users
	Hasher   *password.Hasher
	Policy   *password.Policy
	Throttle Throttle // nil: no login lockout to clear
	Phones   phone.Parser
	Codes    *CodeService
	Sessions *SessionService
}

// AccountService creates accounts (sign-up by code, and users made by an operator) and changes and
// resets their passwords. It is safe for concurrent use.
type AccountService struct {
	env  Env
	d    AccountDeps
	lock lockout
}

// NewAccountService returns an AccountService; cfg is the login lockout, which every check of a
// password here counts toward.
func NewAccountService(env Env, cfg LockoutConfig, d AccountDeps) (*AccountService, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Users == nil || d.Hasher == nil || d.Policy == nil || d.Codes == nil || d.Sessions == nil {
		return nil, errors.New("auth: AccountService needs Users, a Hasher, a Policy, a CodeService and a SessionService")
	}
	env = env.WithDefaults()
	return &AccountService{env: env, d: d, lock: lockout{env: env, t: d.Throttle, cfg: cfg}}, nil
}

var errWrongCurrentPassword = newError(ErrBadRequest, "Incorrect current password")

// verifyPassword checks the password of a logged-in user as login does: it counts toward the phone's
// lockout (so a stolen access token cannot guess past it), a locked phone is refused without hashing,
// a success clears the count, and every failure is audited. where names the operation, for the audit.
func (s *AccountService) verifyPassword(ctx context.Context, u *User, pw, where string, wrong error) error {
	fail := func(reason string) {
		s.env.Record(ctx, EventPasswordCheckFailed, u.ID, uuid.Nil, "", map[string]string{"where": where, "reason": reason})
	}
	allowed, until, err := s.lock.attempt(ctx, u.Phone)
	if err != nil {
		return err
	}
	if !allowed {
		fail("locked_out")
		return rateLimited("Too many wrong passwords", until.Sub(s.env.Clock.Now()))
	}
	if u.PasswordHash == "" {
		// No password to match (a user made without one): wrong, in the time a check takes.
		if err := s.d.Hasher.VerifyDummy(ctx, pw); err != nil {
			return hashErr(err)
		}
		fail("no_password")
		return wrong
	}
	ok, _, err := s.d.Hasher.Verify(ctx, pw, u.PasswordHash)
	if err != nil {
		return hashErr(err)
	}
	if !ok {
		fail("wrong_password")
		return wrong
	}
	s.lock.clear(ctx, u.Phone)
	return nil
}

// ChangePassword replaces the caller's password after checking the current one. Every other session
// of the user ends (their tokens stop working at once); the caller's own session goes on.
func (s *AccountService) ChangePassword(ctx context.Context, current, next string) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	u := p.User
	if err := checkNewPassword(s.d.Policy, "new_password", next, u.Phone, u.Name); err != nil {
		return err // refused for its other field before the password check counts
	}
	if err := s.verifyPassword(ctx, u, current, "change_password", errWrongCurrentPassword); err != nil {
		return err
	}
	if next == current {
		return newError(ErrBadRequest, "New password must be different from the current password")
	}
	hash, err := s.d.Hasher.Hash(ctx, next)
	if err != nil {
		return hashErr(err)
	}
	return s.env.InTx(ctx, func(ctx context.Context) error {
		if err := s.d.Users.SetPassword(ctx, u.ID, hash, s.env.Clock.Now(), p.Session.ID); err != nil {
			return err
		}
		s.env.Record(ctx, EventPasswordChanged, u.ID, uuid.Nil, "", map[string]string{"kept_session": p.Session.ID.String()})
		return s.env.Emit(ctx, TypePasswordChanged, u.ID, passwordData{By: "user"})
	})
}

// ResetWithCode sets a new password for the holder of a password-reset code, ends every session of
// the user, and tells them by SMS. It does not log in. It returns the code's reference id.
func (s *AccountService) ResetWithCode(ctx context.Context, rawPhone, code, next, confirm string) (string, error) {
	n, err := parsePhone(s.d.Phones, "phone", rawPhone)
	fields := fieldsOf(nil, err)
	fields = fieldsOf(fields, checkNewPassword(s.d.Policy, "new_password", next, n.E164))
	if next != confirm {
		fields = append(fields, FieldError{Field: "confirm_password", Msg: "Value error, passwords do not match", Type: "value_error"})
	}
	if len(fields) > 0 {
		return "", &ValidationError{Fields: fields}
	}
	phone := n.E164
	hash, ref, err := s.d.Codes.check(ctx, phone, PurposeReset, code)
	if err != nil {
		return "", err
	}
	u, err := s.d.Users.ByPhone(ctx, phone)
	if errors.Is(err, ErrNotFound) || (err == nil && !u.IsActive) {
		return "", errCodeInvalid
	} else if err != nil {
		return "", err
	}
	pwHash, err := s.d.Hasher.Hash(ctx, next)
	if err != nil {
		s.d.Codes.release(ctx, phone, PurposeReset, hash)
		return "", hashErr(err)
	}
	// One transaction: the code consumed, the password replaced (the sessions ended with it), the
	// lockout cleared, or none of it and the code stays live.
	if err := s.env.InTx(ctx, func(ctx context.Context) error {
		if err := s.d.Codes.consume(ctx, phone, PurposeReset, hash); err != nil {
			return err
		}
		if err := s.d.Users.SetPassword(ctx, u.ID, pwHash, s.env.Clock.Now(), uuid.Nil); err != nil {
			return err
		}
		s.lock.clear(ctx, phone)
		s.env.Record(ctx, EventPasswordReset, u.ID, uuid.Nil, ref, map[string]string{"by": "code"})
		return s.env.Emit(ctx, TypePasswordChanged, u.ID, passwordData{By: "code"})
	}); err != nil {
		return "", err
	}
	s.d.Codes.notify(ctx, phone, noticePasswordReset, ref)
	return ref, nil
}

// NewUser is what CreateUser needs.
type NewUser struct {
	Phone       string // any format the phone parser accepts
	Name        string
	Email       string // optional
	Gender      *string
	DateOfBirth *time.Time
	Place       *string
	// Password is optional: a user without one logs in by code (and can set one by a password reset);
	// a password login for it fails as a wrong password does.
	Password        string
	Roles           []string // beyond RoleUser
	HasGivenConsent bool
}

// CreateUser validates and stores a new active user (for the operator: `phoneauth users create`).
// ErrConflict when the phone or email is taken.
func (s *AccountService) CreateUser(ctx context.Context, in NewUser) (*User, error) {
	return s.createUser(ctx, in, func(ctx context.Context, u *User) error {
		return s.env.Emit(ctx, TypeUserCreated, u.ID, userCreated(u, "operator", uuid.Nil))
	})
}

// createUser is CreateUser with what to write in the user's transaction (created; see insertUser).
func (s *AccountService) createUser(ctx context.Context, in NewUser, created func(context.Context, *User) error) (*User, error) {
	u, fields := s.checkNewUser(in)
	if len(fields) > 0 {
		return nil, &ValidationError{Fields: fields}
	}
	if in.Password != "" {
		var err error
		if u.PasswordHash, err = s.d.Hasher.Hash(ctx, in.Password); err != nil {
			return nil, hashErr(err)
		}
	}
	return s.insertUser(ctx, u, created)
}

// NewUserErrors reports every field of in that CreateUser would refuse, looking nothing up: for a
// request whose other fields its schema refused, so that one answer names them all.
func (s *AccountService) NewUserErrors(in NewUser) []FieldError {
	_, fields := s.checkNewUser(in)
	return fields
}

// checkNewUser validates and normalizes in into a user to store (without its password hash).
func (s *AccountService) checkNewUser(in NewUser) (*User, []FieldError) {
	n, err := parsePhone(s.d.Phones, "phone", in.Phone)
	fields := fieldsOf(nil, err)
	c := ProfileChange{Name: &in.Name}
	if strings.TrimSpace(in.Email) != "" {
		c.Email = To(in.Email)
	}
	if in.Gender != nil {
		c.Gender = To(*in.Gender)
	}
	if in.DateOfBirth != nil {
		c.DateOfBirth = To(*in.DateOfBirth)
	}
	if in.Place != nil {
		c.Place = To(*in.Place)
	}
	c, profileFields := normalizeProfile(c, s.env.Clock.Now())
	fields = append(fields, profileFields...)
	if in.Password != "" {
		fields = fieldsOf(fields, checkNewPassword(s.d.Policy, "password", in.Password, n.E164, *c.Name))
	}
	var roles []string
	for _, r := range in.Roles {
		if !slices.Contains(KnownRoles, r) {
			fields = append(fields, FieldError{Field: "roles", Msg: "unknown role " + r, Type: "value_error"})
		} else if r != RoleUser && !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	slices.Sort(roles)
	return &User{Phone: n.E164, Name: *c.Name, Email: c.Email.Value, Gender: c.Gender.Value, DateOfBirth: c.DateOfBirth.Value,
		Place: c.Place.Value, HasGivenConsent: in.HasGivenConsent, Roles: roles}, fields
}

// insertUser stores a new active user from u's profile fields, setting its id (unless set) and timestamps (and
// the consent time when consent is given), and runs created (the audit record and the event) in the
// same transaction. ErrConflict when the phone or email is taken.
func (s *AccountService) insertUser(ctx context.Context, u *User, created func(context.Context, *User) error) (*User, error) {
	now := s.env.Clock.Now()
	if u.ID == uuid.Nil { // a sign-up has chosen it already
		u.ID = NewID(now)
	}
	u.IsActive, u.CreatedAt, u.UpdatedAt = true, now, now
	if u.HasGivenConsent {
		u.ConsentGivenAt = &now
	}
	err := s.env.InTx(ctx, func(ctx context.Context) error {
		if err := s.d.Users.Create(ctx, u); err != nil {
			return err
		}
		return created(ctx, u)
	})
	if err != nil {
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
