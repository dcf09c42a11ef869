package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/phoneauth/phoneauth/auth/limit"
	"github.com/phoneauth/phoneauth/auth/password"
	"github.com/phoneauth/phoneauth/auth/phone"
	"github.com/phoneauth/phoneauth/auth/token"
)

// Config holds the service's settings.
type Config struct {
	Issuer         string        // "iss" of every token
	AccessTokenTTL time.Duration // lifetime of an access token
	SessionMaxAge  time.Duration // absolute lifetime of a session
	// SessionIdleTimeout ends a session that has not refreshed its tokens for this long (0: never).
	SessionIdleTimeout time.Duration
	// RefreshReuseInterval is how long a spent refresh token may be presented again (concurrent
	// refreshes of one client) before that counts as reuse and ends the session.
	RefreshReuseInterval time.Duration
	// SessionRetention is how long Purge keeps a session's record (IP, user agent, why it ended) and
	// its refresh tokens after it ended or expired, for investigations.
	SessionRetention time.Duration
	OTP              OTPConfig // one-time-code rules
	// LoginLockoutThreshold is the number of consecutive wrong passwords for a phone after which
	// password logins for it are locked out for a growing time (0: no lockout).
	LoginLockoutThreshold int
}

// Validate reports the first bad setting.
func (c Config) Validate() error {
	switch {
	case c.Issuer == "":
		return errors.New("issuer must not be empty")
	case c.AccessTokenTTL < time.Minute || c.AccessTokenTTL > 24*time.Hour:
		return fmt.Errorf("access token TTL %s must be between 1m and 24h", c.AccessTokenTTL)
	case c.SessionMaxAge < c.AccessTokenTTL:
		return fmt.Errorf("session max age %s must be at least the access token TTL", c.SessionMaxAge)
	case c.SessionIdleTimeout != 0 && c.SessionIdleTimeout < c.AccessTokenTTL:
		return fmt.Errorf("session idle timeout %s must be at least the access token TTL", c.SessionIdleTimeout)
	case c.RefreshReuseInterval < 0 || c.RefreshReuseInterval > time.Minute:
		return fmt.Errorf("refresh reuse interval %s must be between 0 and 1m", c.RefreshReuseInterval)
	case c.SessionRetention < 0:
		return fmt.Errorf("session retention %s must not be negative", c.SessionRetention)
	case c.LoginLockoutThreshold < 0 || c.LoginLockoutThreshold > MaxConsecutiveFailures:
		return fmt.Errorf("login lockout threshold %d must be between 0 and %d", c.LoginLockoutThreshold, MaxConsecutiveFailures)
	}
	return c.OTP.Validate()
}

// Deps are the service's collaborators.
type Deps struct {
	Users      Users
	Sessions   Sessions
	Keys       Keys
	Challenges Challenges
	Secrets    Secrets
	SMS        SMSSender // nil: sending a code answers 503
	Audit      Audit     // nil: no audit trail
	Admin      UserAdmin // nil: the admin API answers 503
	Throttle   Throttle  // nil: no login lockout
	Purger     Purger    // nil: Purge fails
	Limiter    Limiter   // default: in memory (one instance's limits)
	Hasher     *password.Hasher
	Policy     *password.Policy
	Phones     phone.Parser
	Clock      Clock        // default SystemClock
	Logger     *slog.Logger // default slog.Default()
	// SigningKey, if set, is the only signing key (an operator-supplied PEM file), never stored.
	SigningKey *token.Key
	// OnSMS, if set, is told of every provider call (for metrics).
	OnSMS func(purpose string, took time.Duration, err error)
}

// Service carries out phoneauth's rules. It is safe for concurrent use.
type Service struct {
	cfg Config
	Deps
	keys *keyring
	otp  otpState
}

// New returns a Service; it loads the signing keys, creating the first one if there is none.
func New(ctx context.Context, cfg Config, d Deps) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Users == nil || d.Sessions == nil || d.Keys == nil || d.Challenges == nil || d.Secrets == nil || d.Hasher == nil || d.Policy == nil {
		return nil, errors.New("auth: missing dependency")
	}
	if d.Clock == nil {
		d.Clock = SystemClock{}
	}
	if d.Limiter == nil {
		d.Limiter = limit.NewMemory(d.Clock.Now, 0)
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	s := &Service{cfg: cfg, Deps: d, keys: &keyring{keys: d.Keys, issuer: cfg.Issuer, clock: d.Clock, ttl: cfg.AccessTokenTTL,
		fileKey: d.SigningKey, onError: func(err error) { d.Logger.Warn("reloading signing keys", "err", err) },
		verified: newVerifiedCache(100_000)}}
	if err := s.keys.load(ctx); err != nil {
		return nil, err
	}
	if err := s.loadOTPKey(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// JWKS returns the public keys as a JSON Web Key Set.
func (s *Service) JWKS() ([]byte, error) { return s.keys.signer().JWKS() }

// Issuer is the "iss" of every token.
func (s *Service) Issuer() string { return s.cfg.Issuer }

// ParsePhone normalizes raw to E.164; the error is a *ValidationError on field.
func (s *Service) ParsePhone(field, raw string) (string, error) {
	n, err := s.Phones.Parse(raw)
	if err != nil {
		return "", invalidField(field, "Value error, "+err.Error(), "value_error")
	}
	return n.E164, nil
}

// checkPassword applies the policy to a new password, reporting a failure on field.
func (s *Service) checkPassword(field, pw string, context ...string) error {
	var pe *password.PolicyError
	if err := s.Policy.Check(pw, context...); errors.As(err, &pe) {
		return invalidField(field, pe.Reason, pe.Type)
	} else if err != nil {
		return err
	}
	return nil
}

// hashErr turns a saturated hashing gate into a 503 the client can retry.
func hashErr(err error) error {
	if errors.Is(err, password.ErrBusy) {
		return &Error{Kind: ErrUnavailable, Detail: "Service is busy; please retry shortly", RetryAfter: time.Second, Cause: err}
	}
	return err
}

// newID returns a UUIDv7 (time-ordered, so index-friendly) from crypto/rand.
func newID(now time.Time) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	ms := uint64(now.UnixMilli())
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], ms<<16)
	copy(b[:6], ts[:6])
	b[6] = (b[6] & 0x0f) | 0x70
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// randomToken returns n random bytes, base64url-encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
