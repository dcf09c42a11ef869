package auth

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/phoneauth/phoneauth/auth/token"
)

// ClientInfo describes where a request came from, for sessions and the audit trail.
type ClientInfo struct {
	IP        string
	UserAgent string
}

// Login is the result of a successful authentication.
type Login struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    time.Duration
	User         *User
	Session      *Session
}

var errBadLogin = &Error{Kind: ErrInvalidCredentials, Detail: "Incorrect phone number or password"}

// PasswordLogin authenticates by phone and password. Unknown phone, wrong password, inactive account
// and a locked-out phone fail alike; the first three in the same time (a missing user still costs
// one hash), a locked-out phone without hashing at all, so a flood against it costs nothing.
func (s *Service) PasswordLogin(ctx context.Context, rawPhone, pw string, ci ClientInfo) (*Login, error) {
	e164, err := s.ParsePhone("phone", rawPhone)
	if err != nil {
		return nil, err
	}
	fail := func(userID, reason string) (*Login, error) {
		s.audit(ctx, EventLoginFailed, userID, "", "", map[string]string{"method": AMRPassword, "reason": reason})
		return nil, errBadLogin
	}
	if s.Throttle != nil && s.cfg.LoginLockoutThreshold > 0 {
		allowed, _, err := s.Throttle.Attempt(ctx, e164, s.Clock.Now(), s.cfg.LoginLockoutThreshold)
		if err != nil {
			return nil, err
		}
		if !allowed {
			return fail("", "locked_out")
		}
	}
	u, err := s.Users.ByPhone(ctx, e164)
	if errors.Is(err, ErrNotFound) {
		if err := s.Hasher.VerifyDummy(ctx, pw); err != nil {
			return nil, hashErr(err)
		}
		return fail("", "unknown_phone")
	} else if err != nil {
		return nil, err
	}
	ok, rehash, err := s.Hasher.Verify(ctx, pw, u.PasswordHash)
	if err != nil {
		return nil, hashErr(err)
	}
	if !ok {
		return fail(u.ID, "wrong_password")
	}
	if !u.IsActive {
		return fail(u.ID, "inactive")
	}
	s.clearThrottle(ctx, e164)
	newHash := ""
	if rehash {
		if newHash, err = s.Hasher.Hash(ctx, pw); err != nil {
			// The login itself succeeded; upgrading the hash can wait for the next one.
			s.Logger.WarnContext(ctx, "password rehash skipped", "user_id", u.ID, "err", err)
			newHash = ""
		}
	}
	return s.startSession(ctx, u, AMRPassword, ci, newHash)
}

// clearThrottle forgets a phone's wrong passwords; a failure only delays that, so it is logged.
func (s *Service) clearThrottle(ctx context.Context, phone string) {
	if s.Throttle == nil {
		return
	}
	if err := s.Throttle.Clear(ctx, phone); err != nil {
		s.Logger.WarnContext(ctx, "clearing the login throttle", "err", err)
	}
}

// startSession opens a session for u, records the login and issues its first tokens.
func (s *Service) startSession(ctx context.Context, u *User, amr string, ci ClientInfo, rehash string) (*Login, error) {
	now := s.Clock.Now()
	sess := &Session{
		ID: newID(now), UserID: u.ID, AMR: amr, IP: ci.IP, UserAgent: truncate(ci.UserAgent, 512),
		CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(s.cfg.SessionMaxAge),
	}
	refresh, refreshHash := newRefreshToken()
	if err := s.Sessions.Create(ctx, sess, refreshHash); err != nil {
		return nil, err
	}
	if err := s.Users.RecordLogin(ctx, u.ID, now, rehash); err != nil {
		return nil, err
	}
	u.LastLoginAt = &now
	tok, ttl, err := s.issueAccessToken(u, sess, now)
	if err != nil {
		return nil, err
	}
	s.audit(ctx, EventLoginSucceeded, u.ID, "", "", map[string]string{"method": amr, "session_id": sess.ID})
	return &Login{AccessToken: tok, RefreshToken: refresh, ExpiresIn: ttl, User: u, Session: sess}, nil
}

var (
	errNoCredentials = &Error{Kind: ErrUnauthenticated, Detail: "Not authenticated"}
	errBadToken      = &Error{Kind: ErrInvalidToken, Detail: "Could not validate credentials"}
)

// Authenticate resolves an Authorization header value to the caller. It refuses a token whose session
// has ended or expired or whose user is inactive, at once: one indexed lookup per call.
func (s *Service) Authenticate(ctx context.Context, authorization string) (*Principal, error) {
	scheme, raw, found := strings.Cut(strings.TrimSpace(authorization), " ")
	if authorization == "" || !found || !strings.EqualFold(scheme, "bearer") || strings.TrimSpace(raw) == "" {
		return nil, errNoCredentials
	}
	c, err := s.keys.verify(ctx, strings.TrimSpace(raw))
	if err != nil {
		if errors.Is(err, token.ErrInvalid) || errors.Is(err, token.ErrExpired) || errors.Is(err, token.ErrUnknownKey) {
			return nil, errBadToken
		}
		return nil, err
	}
	sess, u, err := s.Sessions.WithUser(ctx, c.SessionID)
	if errors.Is(err, ErrNotFound) {
		return nil, errBadToken
	} else if err != nil {
		return nil, err
	}
	if u.ID != c.Subject || !u.IsActive || !sess.Active(s.Clock.Now(), s.cfg.SessionIdleTimeout) {
		return nil, errBadToken
	}
	return &Principal{User: u, Session: sess}, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary.
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
