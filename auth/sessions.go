package auth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth/token"
)

const refreshBytes = 32 // 256 random bits

var (
	errNoCredentials = &Error{Kind: ErrUnauthenticated, Detail: "Not authenticated"}
	errBadToken      = &Error{Kind: ErrInvalidToken, Detail: "Could not validate credentials"}
	errBadRefresh    = &Error{Kind: ErrInvalidToken, Detail: "Invalid or expired refresh token"}
)

// SessionService opens sessions, resolves bearer tokens to their caller, rotates refresh tokens and
// ends sessions. It is safe for concurrent use.
type SessionService struct {
	env      Env
	cfg      SessionConfig
	sessions Sessions
	users    Users
	keys     *KeyService
}

// NewSessionService returns a SessionService issuing tokens with keys.
func NewSessionService(env Env, cfg SessionConfig, sessions Sessions, users Users, keys *KeyService) (*SessionService, error) {
	if sessions == nil || users == nil || keys == nil {
		return nil, errors.New("auth: SessionService needs Sessions, Users and a KeyService")
	}
	if err := cfg.Validate(keys.cfg.AccessTokenTTL); err != nil {
		return nil, err
	}
	return &SessionService{env: env.WithDefaults(), cfg: cfg, sessions: sessions, users: users, keys: keys}, nil
}

// newRefreshToken returns a fresh refresh token and the hash under which it is stored.
func newRefreshToken() (raw, hash string) {
	raw = randomToken(refreshBytes)
	return raw, refreshHash(raw)
}

// refreshHash is SHA-256: the token has 256 random bits, so a slow hash would add nothing.
func refreshHash(raw string) string {
	h := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(h[:])
}

// start opens a session for u (its client from ctx), records the login and issues its first tokens,
// in one transaction (the caller's, when it has one): the session, its refresh token, the login time
// and the audit event are stored together or not at all. rehash, when not "", replaces the user's
// password hash. This is the one place a session begins.
func (s *SessionService) start(ctx context.Context, u *User, amr, rehash string) (*Login, error) {
	now := s.env.Clock.Now()
	ci := ClientFrom(ctx)
	sess := &Session{
		ID: NewID(now), UserID: u.ID, AMR: amr, IP: ci.IP, UserAgent: truncate(ci.UserAgent, 512),
		CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(s.cfg.MaxAge),
	}
	refresh, refreshHash := newRefreshToken()
	var (
		tok string
		ttl time.Duration
	)
	err := s.env.InTx(ctx, func(ctx context.Context) error {
		if err := s.sessions.Create(ctx, sess, refreshHash); err != nil {
			return err // ErrNotFound: the user was deleted meanwhile (no session is stored)
		}
		if err := s.users.RecordLogin(ctx, u.ID, now, rehash); err != nil {
			return err // ErrNotFound: deleted meanwhile, and the session with it. No token is issued.
		}
		u.LastLoginAt = &now
		var err error
		if tok, ttl, err = s.keys.issue(u, sess, now); err != nil {
			return err
		}
		s.env.Record(ctx, EventLoginSucceeded, u.ID, uuid.Nil, "", map[string]string{"method": amr, "session_id": sess.ID.String()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.env.Observer.Login(amr, "succeeded")
	return &Login{AccessToken: tok, RefreshToken: refresh, ExpiresIn: ttl, User: u, Session: sess}, nil
}

// Authenticate resolves an Authorization header value to the caller. It refuses a token whose session
// has ended or expired or whose user is inactive, at once: one indexed lookup per call.
func (s *SessionService) Authenticate(ctx context.Context, authorization string) (*Principal, error) {
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
	sess, u, err := s.sessions.WithUser(ctx, c.session)
	if errors.Is(err, ErrNotFound) {
		return nil, errBadToken
	} else if err != nil {
		return nil, err
	}
	if u.ID != c.user || !u.IsActive || !sess.Active(s.env.Clock.Now(), s.cfg.IdleTimeout) {
		return nil, errBadToken
	}
	return &Principal{User: u, Session: sess}, nil
}

// Refresh exchanges a refresh token for a new access token and a new refresh token. A token used a
// second time after the grace period means it leaked: the whole session ends.
func (s *SessionService) Refresh(ctx context.Context, raw string) (*Login, error) {
	if b, err := base64.RawURLEncoding.DecodeString(raw); err != nil || len(b) != refreshBytes {
		return nil, errBadRefresh
	}
	oldHash := refreshHash(raw)
	// One transaction: the token looked up, spent and replaced (or, reused, its session ended and
	// audited).
	var (
		sess *Session
		u    *User
		next string
	)
	now := s.env.Clock.Now()
	err := s.env.InTx(ctx, func(ctx context.Context) error {
		var err error
		sess, u, err = s.sessions.ByRefreshToken(ctx, oldHash)
		if errors.Is(err, ErrNotFound) {
			return errBadRefresh
		} else if err != nil {
			return err
		}
		if !sess.Active(now, s.cfg.IdleTimeout) || !u.IsActive {
			return errBadRefresh
		}
		var nextHash string
		next, nextHash = newRefreshToken()
		outcome, err := s.sessions.Rotate(ctx, sess.ID, oldHash, nextHash, now, s.cfg.RefreshReuseInterval)
		if errors.Is(err, ErrNotFound) {
			return errBadRefresh // the session went meanwhile (its user was deleted)
		} else if err != nil {
			return err
		}
		if outcome == Reused {
			s.env.Logger.WarnContext(ctx, "refresh token reused: session ended", "session_id", sess.ID, "user_id", u.ID)
			s.env.Record(ctx, EventSessionEnded, u.ID, uuid.Nil, "", map[string]string{"reason": EndRefreshReuse, "session_id": sess.ID.String()})
			return keep(errBadRefresh) // the session stays ended
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sess.LastUsedAt = now
	tok, ttl, err := s.keys.issue(u, sess, now)
	if err != nil {
		return nil, err
	}
	return &Login{AccessToken: tok, RefreshToken: next, ExpiresIn: ttl, User: u, Session: sess}, nil
}

// Logout scopes.
const (
	ScopeLocal  = "local"  // the caller's session
	ScopeOthers = "others" // every other session of the caller
	ScopeGlobal = "global" // all of the caller's sessions
)

// Logout ends sessions of the caller; their access tokens stop working at once.
func (s *SessionService) Logout(ctx context.Context, scope string) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	now := s.env.Clock.Now()
	ended := 1
	switch scope {
	case "", ScopeLocal:
		scope = ScopeLocal
		if err = s.sessions.End(ctx, p.User.ID, p.Session.ID, now, EndLogout); errors.Is(err, ErrNotFound) {
			return nil // ended concurrently: the caller's wish is fulfilled
		}
	case ScopeOthers:
		ended, err = s.sessions.EndAll(ctx, p.User.ID, now, p.Session.ID, EndLogout)
	case ScopeGlobal:
		ended, err = s.sessions.EndAll(ctx, p.User.ID, now, uuid.Nil, EndLogout)
	default:
		return invalidField("scope", "Input should be 'local', 'others' or 'global'", "enum")
	}
	if err != nil {
		return err
	}
	s.env.Record(ctx, EventSessionEnded, p.User.ID, uuid.Nil, "", map[string]string{"reason": EndLogout, "scope": scope, "count": fmt.Sprint(ended)})
	return nil
}

// List returns the caller's live sessions, newest first.
func (s *SessionService) List(ctx context.Context) ([]*Session, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	all, err := s.sessions.ListActive(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	now := s.env.Clock.Now()
	live := all[:0]
	for _, sess := range all {
		if sess.Active(now, s.cfg.IdleTimeout) {
			live = append(live, sess)
		}
	}
	return live, nil
}

// End ends one of the caller's own sessions; anyone else's is ErrNotFound.
func (s *SessionService) End(ctx context.Context, sessionID uuid.UUID) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	err = s.sessions.End(ctx, p.User.ID, sessionID, s.env.Clock.Now(), EndRevoked)
	if errors.Is(err, ErrNotFound) {
		return newError(ErrNotFound, "Session not found")
	} else if err != nil {
		return err
	}
	s.env.Record(ctx, EventSessionEnded, p.User.ID, uuid.Nil, "", map[string]string{"reason": EndRevoked, "session_id": sessionID.String()})
	return nil
}
