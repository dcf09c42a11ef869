package auth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
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

// start opens a session for u (its client from ctx) authenticated by one factor, amr, records the
// login and issues its first tokens. rehash, when not "", replaces the user's password hash.
func (s *SessionService) start(ctx context.Context, u *User, amr, rehash string) (*Login, error) {
	return s.startWith(ctx, u, []string{amr}, AAL1, rehash)
}

// startWith is start for a login by methods, in the order used, at assurance level aal.
func (s *SessionService) startWith(ctx context.Context, u *User, methods []string, aal int, rehash string) (*Login, error) {
	l, err := s.prepare(ctx, u, methods, aal)
	if err != nil {
		return nil, err
	}
	return s.open(ctx, l, rehash)
}

// prepare makes the session of a login of u by methods at level aal and signs its tokens, storing
// nothing: outside any transaction, since the claims hook may take its deadline, and first, so that
// a refusal stores nothing (a sign-up prepares before it creates the account).
func (s *SessionService) prepare(ctx context.Context, u *User, methods []string, aal int) (*Login, error) {
	now := s.env.Clock.Now()
	ci := ClientFrom(ctx)
	sess := &Session{
		ID: NewID(now), UserID: u.ID, AMR: strings.Join(methods, ","), AAL: aal, IP: ci.IP, UserAgent: truncate(ci.UserAgent, 512),
		CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(s.cfg.MaxAge),
	}
	tok, ttl, err := s.keys.issue(ctx, u, sess, now)
	if err != nil {
		return nil, err
	}
	return &Login{AccessToken: tok, RefreshToken: randomToken(refreshBytes), ExpiresIn: ttl, User: u, Session: sess}, nil
}

// open stores a prepared login's session, with its event, and records the login.
func (s *SessionService) open(ctx context.Context, l *Login, rehash string) (*Login, error) {
	u, sess, now := l.User, l.Session, s.env.Clock.Now()
	err := s.env.InTx(ctx, func(ctx context.Context) error {
		if err := s.sessions.Create(ctx, sess, refreshHash(l.RefreshToken)); err != nil {
			return err // ErrNotFound: the user was deleted meanwhile (no session was stored)
		}
		if err := s.users.RecordLogin(ctx, u.ID, now, rehash); err != nil {
			return err // ErrNotFound: deleted meanwhile. No token is issued.
		}
		s.env.Record(ctx, EventLoginSucceeded, u.ID, uuid.Nil, "", map[string]string{"method": sess.AMR, "aal": strconv.Itoa(sess.AAL), "session_id": sess.ID.String()})
		return s.env.Emit(ctx, TypeSessionStarted, u.ID, sessionStartedData{SessionID: sess.ID, AMR: sess.Methods(), AAL: sess.Level()})
	})
	if err != nil {
		return nil, err
	}
	u.LastLoginAt = &now
	s.env.Observer.Login(sess.Methods()[0], "succeeded")
	return l, nil
}

// loginTx runs the two steps of a login, verify (the proof checked and spent; nil when it is checked
// already) and login (the session opened and its tokens signed), in one transaction. With the claims
// hook set they take two, verify's and then login's own (open), with the hook's call between them:
// an HTTP call must never hold a transaction open, and KeyService.issue refuses one inside it.
func (s *SessionService) loginTx(ctx context.Context, verify, login func(ctx context.Context) error) error {
	if !s.keys.hooked() {
		return s.env.InTx(ctx, func(ctx context.Context) error {
			if verify != nil {
				if err := verify(ctx); err != nil {
					return err
				}
			}
			return login(ctx)
		})
	}
	if verify != nil {
		if err := s.env.InTx(ctx, verify); err != nil {
			return err
		}
	}
	return login(ctx)
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
	return &Principal{User: u, Session: sess, NeedsSecondFactor: s.cfg.needsSecondFactor(u, sess)}, nil
}

// Refresh exchanges a refresh token for a new access token and a new refresh token. A token used a
// second time after the grace period means it leaked: the whole session ends.
func (s *SessionService) Refresh(ctx context.Context, raw string) (*Login, error) {
	if b, err := base64.RawURLEncoding.DecodeString(raw); err != nil || len(b) != refreshBytes {
		return nil, errBadRefresh
	}
	oldHash := refreshHash(raw)
	now := s.env.Clock.Now()
	var (
		sess *Session
		u    *User
		tok  string
		ttl  time.Duration
	)
	lookup := func(ctx context.Context) error {
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
		return nil
	}
	sign := func(ctx context.Context) error {
		sess.LastUsedAt = now
		var err error
		tok, ttl, err = s.keys.issue(ctx, u, sess, now)
		return err
	}
	// One transaction: the token looked up, spent and replaced (or, reused, its session ended and
	// audited), then the new access token signed. With the claims hook set, the token is looked up and
	// signed first, outside any transaction (see loginTx), so that a refusal of the hook leaves the
	// refresh token unspent: one read more.
	hooked := s.keys.hooked()
	if hooked {
		if err := lookup(ctx); err != nil {
			return nil, err
		}
		if err := sign(ctx); err != nil {
			return nil, err
		}
	}
	next, nextHash := newRefreshToken()
	err := s.env.InTx(ctx, func(ctx context.Context) error {
		if !hooked {
			if err := lookup(ctx); err != nil {
				return err
			}
		}
		outcome, err := s.sessions.Rotate(ctx, sess.ID, oldHash, nextHash, now, s.cfg.RefreshReuseInterval)
		if errors.Is(err, ErrNotFound) {
			return errBadRefresh // the session went meanwhile (its user was deleted)
		} else if err != nil {
			return err
		}
		if outcome == Reused {
			s.env.Logger.WarnContext(ctx, "refresh token reused: session ended", "session_id", sess.ID, "user_id", u.ID)
			s.env.Record(ctx, EventSessionEnded, u.ID, uuid.Nil, "", map[string]string{"reason": EndRefreshReuse, "session_id": sess.ID.String()})
			if err := s.env.Emit(ctx, TypeSessionEnded, u.ID, sessionEndedData{Reason: EndRefreshReuse, SessionID: &sess.ID}); err != nil {
				return err
			}
			return keep(errBadRefresh) // the session stays ended
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !hooked {
		if err := sign(ctx); err != nil {
			return nil, err
		}
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
	if scope == "" {
		scope = ScopeLocal
	}
	if scope != ScopeLocal && scope != ScopeOthers && scope != ScopeGlobal {
		return invalidField("scope", "Input should be 'local', 'others' or 'global'", "enum")
	}
	err = s.env.InTx(ctx, func(ctx context.Context) error {
		ended := 1
		var err error
		switch scope {
		case ScopeLocal:
			err = s.sessions.End(ctx, p.User.ID, p.Session.ID, now, EndLogout)
		case ScopeOthers:
			ended, err = s.sessions.EndAll(ctx, p.User.ID, now, p.Session.ID, EndLogout)
		case ScopeGlobal:
			ended, err = s.sessions.EndAll(ctx, p.User.ID, now, uuid.Nil, EndLogout)
		}
		if err != nil {
			return err
		}
		s.env.Record(ctx, EventSessionEnded, p.User.ID, uuid.Nil, "", map[string]string{"reason": EndLogout, "scope": scope, "count": fmt.Sprint(ended)})
		if ended == 0 {
			return nil // nothing ended: nothing to tell
		}
		return s.env.Emit(ctx, TypeSessionEnded, p.User.ID, logoutData(scope, p.Session.ID, ended))
	})
	if scope == ScopeLocal && errors.Is(err, ErrNotFound) {
		return nil // ended concurrently: the caller's wish is fulfilled
	}
	return err
}

// logoutData is the session.ended event of a logout.
func logoutData(scope string, session uuid.UUID, ended int) sessionEndedData {
	if scope == ScopeLocal {
		return sessionEndedData{Reason: EndLogout, SessionID: &session}
	}
	d := sessionEndedData{Reason: EndLogout, Scope: "others", Count: &ended}
	if scope == ScopeGlobal {
		d.Scope = "all"
	}
	return d
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
	err = s.env.InTx(ctx, func(ctx context.Context) error {
		if err := s.sessions.End(ctx, p.User.ID, sessionID, s.env.Clock.Now(), EndRevoked); err != nil {
			return err
		}
		s.env.Record(ctx, EventSessionEnded, p.User.ID, uuid.Nil, "", map[string]string{"reason": EndRevoked, "session_id": sessionID.String()})
		return s.env.Emit(ctx, TypeSessionEnded, p.User.ID, sessionEndedData{Reason: EndRevoked, SessionID: &sessionID})
	})
	if errors.Is(err, ErrNotFound) {
		return newError(ErrNotFound, "Session not found")
	}
	return err
}
