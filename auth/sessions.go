package auth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/phoneauth/phoneauth/auth/token"
)

const refreshBytes = 32 // 256 random bits

var errBadRefresh = &Error{Kind: ErrInvalidToken, Detail: "Invalid or expired refresh token"}

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

// issueAccessToken signs an access token for the session; it never outlives the session.
func (s *Service) issueAccessToken(u *User, sess *Session, now time.Time) (string, time.Duration, error) {
	exp := now.Add(s.cfg.AccessTokenTTL)
	if sess.ExpiresAt.Before(exp) {
		exp = sess.ExpiresAt
	}
	tok, err := s.keys.signer().Sign(token.Claims{
		Subject: u.ID, SessionID: sess.ID, Roles: u.AllRoles(), AMR: []string{sess.AMR},
		ID: randomToken(16), IssuedAt: now, ExpiresAt: exp,
	})
	return tok, exp.Sub(now), err
}

// Refresh exchanges a refresh token for a new access token and a new refresh token. A token used a
// second time after the grace period means it leaked: the whole session ends.
func (s *Service) Refresh(ctx context.Context, raw string) (*Login, error) {
	if b, err := base64.RawURLEncoding.DecodeString(raw); err != nil || len(b) != refreshBytes {
		return nil, errBadRefresh
	}
	oldHash := refreshHash(raw)
	sess, u, err := s.Sessions.ByRefreshToken(ctx, oldHash)
	if errors.Is(err, ErrNotFound) {
		return nil, errBadRefresh
	} else if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	if !sess.Active(now, s.cfg.SessionIdleTimeout) || !u.IsActive {
		return nil, errBadRefresh
	}
	next, nextHash := newRefreshToken()
	outcome, err := s.Sessions.Rotate(ctx, sess.ID, oldHash, nextHash, now, s.cfg.RefreshReuseInterval)
	if err != nil {
		return nil, err
	}
	if outcome == Reused {
		s.Logger.WarnContext(ctx, "refresh token reused: session ended", "session_id", sess.ID, "user_id", u.ID)
		s.audit(ctx, EventSessionEnded, u.ID, "", "", map[string]string{"reason": EndRefreshReuse, "session_id": sess.ID})
		return nil, errBadRefresh
	}
	sess.LastUsedAt = now
	tok, ttl, err := s.issueAccessToken(u, sess, now)
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
func (s *Service) Logout(ctx context.Context, p *Principal, scope string) error {
	if p == nil {
		return errNoCredentials
	}
	now := s.Clock.Now()
	var err error
	ended := 1
	switch scope {
	case "", ScopeLocal:
		scope = ScopeLocal
		if err = s.Sessions.End(ctx, p.User.ID, p.Session.ID, now, EndLogout); errors.Is(err, ErrNotFound) {
			return nil // ended concurrently: the caller's wish is fulfilled
		}
	case ScopeOthers:
		ended, err = s.Sessions.EndAll(ctx, p.User.ID, now, p.Session.ID, EndLogout)
	case ScopeGlobal:
		ended, err = s.Sessions.EndAll(ctx, p.User.ID, now, "", EndLogout)
	default:
		return invalidField("scope", "Input should be 'local', 'others' or 'global'", "enum")
	}
	if err != nil {
		return err
	}
	s.audit(ctx, EventSessionEnded, p.User.ID, "", "", map[string]string{"reason": EndLogout, "scope": scope, "count": fmt.Sprint(ended)})
	return nil
}

// ActiveSessions lists the caller's live sessions, newest first.
func (s *Service) ActiveSessions(ctx context.Context, p *Principal) ([]*Session, error) {
	if p == nil {
		return nil, errNoCredentials
	}
	all, err := s.Sessions.ListActive(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	live := all[:0]
	for _, sess := range all {
		if sess.Active(now, s.cfg.SessionIdleTimeout) {
			live = append(live, sess)
		}
	}
	return live, nil
}

// EndSession ends one of the caller's own sessions; anyone else's is ErrNotFound.
func (s *Service) EndSession(ctx context.Context, p *Principal, sessionID string) error {
	if p == nil {
		return errNoCredentials
	}
	err := s.Sessions.End(ctx, p.User.ID, sessionID, s.Clock.Now(), EndRevoked)
	if errors.Is(err, ErrNotFound) {
		return newError(ErrNotFound, "Session not found")
	} else if err != nil {
		return err
	}
	s.audit(ctx, EventSessionEnded, p.User.ID, "", "", map[string]string{"reason": EndRevoked, "session_id": sessionID})
	return nil
}
