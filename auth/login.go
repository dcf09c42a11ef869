package auth

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth/password"
	"github.com/phoneauth/phoneauth/auth/phone"
)

var errBadLogin = &Error{Kind: ErrInvalidCredentials, Detail: "Incorrect phone number or password"}

// LoginDeps are what LoginService works with.
type LoginDeps struct {
	Users    Users
	Hasher   *password.Hasher
	Throttle Throttle // nil: no login lockout
	Phones   phone.Parser
	Codes    *CodeService
	Sessions *SessionService
	MFA      *MFAService // nil: no second factors
}

// LoginService logs users in by password or by a login code. It is safe for concurrent use.
type LoginService struct {
	env  Env
	d    LoginDeps
	lock lockout
}

// NewLoginService returns a LoginService.
func NewLoginService(env Env, cfg LockoutConfig, d LoginDeps) (*LoginService, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Users == nil || d.Hasher == nil || d.Codes == nil || d.Sessions == nil {
		return nil, errors.New("auth: LoginService needs Users, a Hasher, a CodeService and a SessionService")
	}
	env = env.WithDefaults()
	return &LoginService{env: env, d: d, lock: lockout{env: env, t: d.Throttle, cfg: cfg}}, nil
}

// PasswordLogin authenticates by phone and password. Unknown phone, wrong password, an account without
// a password, inactive account and a locked-out phone fail alike; all but the last in the same time (a
// missing user or password still costs one hash), a locked-out phone without hashing at all, so a
// flood against it costs nothing.
func (s *LoginService) PasswordLogin(ctx context.Context, rawPhone, pw string) (*Login, error) {
	n, err := parsePhone(s.d.Phones, "phone", rawPhone)
	if err != nil {
		return nil, err
	}
	e164 := n.E164
	fail := func(ctx context.Context, userID uuid.UUID, reason string) (*Login, error) {
		s.env.Record(ctx, EventLoginFailed, userID, uuid.Nil, "", map[string]string{"method": AMRPassword, "reason": reason})
		s.env.Observer.Login(AMRPassword, "failed")
		return nil, errBadLogin
	}
	// One transaction before the hash: the attempt counted toward the lockout and the user read (with
	// the failure of a locked-out phone, which hashes nothing), and one after it (SessionService.start).
	var u *User
	locked := false
	err = s.env.InTx(ctx, func(ctx context.Context) error {
		if allowed, _, err := s.lock.attempt(ctx, e164); err != nil {
			return err
		} else if !allowed {
			locked = true
			_, err := fail(ctx, uuid.Nil, "locked_out")
			return keep(err)
		}
		var err error
		if u, err = s.d.Users.ByPhone(ctx, e164); errors.Is(err, ErrNotFound) {
			u = nil
			return nil
		}
		return err
	})
	if locked || err != nil {
		return nil, err
	}
	if u == nil {
		if err := s.d.Hasher.VerifyDummy(ctx, pw); err != nil {
			return nil, hashErr(err)
		}
		return fail(ctx, uuid.Nil, "unknown_phone")
	}
	if u.PasswordHash == "" {
		// A user without a password logs in by code only; here it fails as a wrong password does, in
		// the same time.
		if err := s.d.Hasher.VerifyDummy(ctx, pw); err != nil {
			return nil, hashErr(err)
		}
		return fail(ctx, u.ID, "no_password")
	}
	ok, rehash, err := s.d.Hasher.Verify(ctx, pw, u.PasswordHash)
	if err != nil {
		return nil, hashErr(err)
	}
	if !ok {
		return fail(ctx, u.ID, "wrong_password")
	}
	if !u.IsActive {
		return fail(ctx, u.ID, "inactive")
	}
	newHash := ""
	if rehash {
		if newHash, err = s.d.Hasher.Hash(ctx, pw); err != nil {
			// The login itself succeeded; upgrading the hash can wait for the next one.
			s.env.Logger.WarnContext(ctx, "password rehash skipped", "user_id", u.ID, "err", err)
			newHash = ""
		}
	}
	var l *Login
	err = s.d.Sessions.loginTx(ctx, nil, func(ctx context.Context) error {
		var err error
		l, err = s.finish(ctx, u, AMRPassword, newHash)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		// The account was deleted while this login ran: recorded as a login for no account, so that
		// nothing about its client joins the erased account's events.
		return fail(ctx, uuid.Nil, "deleted")
	}
	return l, err
}

// finish completes u's login by the first factor amr, which clears the phone's lockout: a session, or
// the challenge of u's second factor (mfa.go). Its writes join the caller's transaction (loginTx).
func (s *LoginService) finish(ctx context.Context, u *User, amr, rehash string) (*Login, error) {
	s.lock.clear(ctx, u.Phone)
	if s.d.MFA == nil {
		return s.d.Sessions.start(ctx, u, amr, rehash)
	}
	return s.d.MFA.complete(ctx, u, []string{amr}, AAL1, rehash)
}

// CodeLogin logs in an active user with a login code.
func (s *LoginService) CodeLogin(ctx context.Context, rawPhone, code string) (*Login, error) {
	n, err := parsePhone(s.d.Phones, "phone", rawPhone)
	if err != nil {
		return nil, err
	}
	// The guess counted (and kept when it is refused), the code consumed, the lockout cleared and the
	// session opened, or none of it: one transaction (two with the claims hook, see loginTx).
	var (
		u *User
		l *Login
	)
	verify := func(ctx context.Context) error {
		if _, err := s.d.Codes.verify(ctx, n.E164, PurposeLogin, code); err != nil {
			return err
		}
		var err error
		u, err = s.d.Users.ByPhone(ctx, n.E164)
		if errors.Is(err, ErrNotFound) || (err == nil && !u.IsActive) {
			return keep(errCodeInvalid) // the code is spent all the same
		}
		return err
	}
	err = s.d.Sessions.loginTx(ctx, verify, func(ctx context.Context) error {
		// Proving the phone clears a password lockout: a lockout must not shut its owner out.
		var err error
		l, err = s.finish(ctx, u, AMROTP, "")
		if errors.Is(err, ErrNotFound) {
			return errCodeInvalid // the account was deleted while this login ran
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}
