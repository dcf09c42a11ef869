package auth

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/phoneauth/phoneauth/auth/token"
)

// Each service takes a Config of plain values, checked by Validate before the service is built.

// KeyConfig configures token signing.
type KeyConfig struct {
	Issuer         string        // "iss" of every token
	AccessTokenTTL time.Duration // lifetime of an access token
	// FileKey, if set, is the only signing key (an operator-supplied PEM file), never stored.
	FileKey *token.Key
	// Hook asks the operator's URL for claims to add to each token (tokenhook.go); URL "": none.
	Hook TokenHookConfig
}

// Validate reports the first bad setting.
func (c KeyConfig) Validate() error {
	if err := c.Hook.Validate(); err != nil {
		return err
	}
	switch {
	case c.Issuer == "":
		return errors.New("issuer must not be empty")
	case c.AccessTokenTTL < time.Minute || c.AccessTokenTTL > 24*time.Hour:
		return fmt.Errorf("access token TTL %s must be between 1m and 24h", c.AccessTokenTTL)
	}
	return nil
}

// SessionConfig configures sessions.
type SessionConfig struct {
	MaxAge time.Duration // absolute lifetime of a session
	// IdleTimeout ends a session that has not refreshed its tokens for this long (0: never).
	IdleTimeout time.Duration
	// RefreshReuseInterval is how long a spent refresh token may be presented again (concurrent
	// refreshes of one client) before that counts as reuse and ends the session.
	RefreshReuseInterval time.Duration
	// MFARequiredRoles are the roles whose holders must log in with a second factor (AAL2) before they
	// may use what the role allows; none by default.
	MFARequiredRoles []string
}

// needsSecondFactor reports whether u, in sess, holds a role that needs a second factor it has not
// given.
func (c SessionConfig) needsSecondFactor(u *User, sess *Session) bool {
	if sess.Level() >= AAL2 {
		return false
	}
	return slices.ContainsFunc(c.MFARequiredRoles, u.HasRole)
}

// Validate reports the first bad setting; accessTTL is the access tokens' lifetime.
func (c SessionConfig) Validate(accessTTL time.Duration) error {
	for _, r := range c.MFARequiredRoles {
		if !slices.Contains(KnownRoles, r) {
			return fmt.Errorf("role %q that needs a second factor is not one of %s", r, strings.Join(KnownRoles, ", "))
		}
	}
	switch {
	case c.MaxAge < accessTTL:
		return fmt.Errorf("session max age %s must be at least the access token TTL", c.MaxAge)
	case c.IdleTimeout != 0 && c.IdleTimeout < accessTTL:
		return fmt.Errorf("session idle timeout %s must be at least the access token TTL", c.IdleTimeout)
	case c.RefreshReuseInterval < 0 || c.RefreshReuseInterval > time.Minute:
		return fmt.Errorf("refresh reuse interval %s must be between 0 and 1m", c.RefreshReuseInterval)
	}
	return nil
}

// LockoutConfig configures the login lockout.
type LockoutConfig struct {
	// Threshold is the number of consecutive wrong passwords for a phone after which password logins
	// for it are locked out for a growing time (0: no lockout).
	Threshold int
}

// Validate reports a bad setting.
func (c LockoutConfig) Validate() error {
	if c.Threshold < 0 || c.Threshold > MaxConsecutiveFailures {
		return fmt.Errorf("login lockout threshold %d must be between 0 and %d", c.Threshold, MaxConsecutiveFailures)
	}
	return nil
}

// RetentionConfig configures Purge.
type RetentionConfig struct {
	// SessionRetention is how long a session's record (IP, user agent, why it ended) and its refresh
	// tokens are kept after it ended or expired, for investigations.
	SessionRetention time.Duration
	// AuditRetention is how long audit events are kept (0: for good). The purge is the one deletion
	// the append-only audit trail allows.
	AuditRetention time.Duration
	// SMSLogRetention is how long the message log keeps an SMS (its delivery status included); 0 is
	// DefaultSMSLogRetention.
	SMSLogRetention time.Duration
	// EventRetention is how long a delivered outbound event is kept; 0 is DefaultEventRetention.
	EventRetention time.Duration
}

// MinAuditRetention is the shortest AuditRetention: a day of events always stays, so that the events
// of an incident are there when it is investigated.
const MinAuditRetention = 24 * time.Hour

// Validate reports a bad setting.
func (c RetentionConfig) Validate() error {
	switch {
	case c.SessionRetention < 0:
		return fmt.Errorf("session retention %s must not be negative", c.SessionRetention)
	case c.AuditRetention != 0 && c.AuditRetention < MinAuditRetention:
		return fmt.Errorf("audit retention %s must be 0 (keep everything) or at least %s", c.AuditRetention, MinAuditRetention)
	case c.SMSLogRetention < 0:
		return fmt.Errorf("SMS log retention %s must not be negative", c.SMSLogRetention)
	case c.EventRetention < 0:
		return fmt.Errorf("event retention %s must not be negative", c.EventRetention)
	}
	return nil
}

// LifecycleConfig configures the account lifecycle: profile, phone change, export and deletion.
type LifecycleConfig struct {
	// ReauthWindow is how long after its login a session may change the phone number, export or delete
	// the account without a fresh proof (0: a proof every time). Refreshes do not extend it.
	ReauthWindow time.Duration
}

// Validate reports a bad setting.
func (c LifecycleConfig) Validate() error {
	if c.ReauthWindow < 0 || c.ReauthWindow > 24*time.Hour {
		return fmt.Errorf("re-authentication window %s must be between 0 and 24h", c.ReauthWindow)
	}
	return nil
}

// OTPConfig holds the one-time-code rules.
type OTPConfig struct {
	TTL              time.Duration     // how long a code is valid (≤ 10m)
	MaxAttempts      int               // wrong guesses per phone and purpose before the code dies
	ResendInterval   time.Duration     // minimum time between two sends for one phone and purpose
	PhoneHourlyLimit int               // codes per phone per rolling hour, all purposes (0: unlimited)
	IPHourlyLimit    int               // codes per client IP per rolling hour (0: unlimited)
	AllowedCountries []string          // ISO regions SMS may go to; empty: all
	TestCodes        map[string]string // E.164 → fixed code: no SMS, same rules otherwise
	SMSTimeout       time.Duration     // deadline of one provider call
	SMSDomain        string            // for the WebOTP / iOS autofill line "@domain #code"
	AppName          string            // named in the messages
	// SMSHourlyLimit caps the code requests that may send an SMS per rolling hour, all destinations
	// together (0: no cap); SMSCountryHourlyLimits caps them per destination country (ISO region →
	// cap, "*" for each country not listed). Every instance draws on the same caps through the Limiter.
	SMSHourlyLimit         int
	SMSCountryHourlyLimits map[string]int
	// CaptchaMode is CaptchaOff, CaptchaAlways or CaptchaAdaptive (CodeDeps.Captcha verifies tokens).
	// CaptchaIPSoftLimit is the adaptive mode's soft budget: code requests per client IP per rolling
	// hour without a CAPTCHA.
	CaptchaMode        string
	CaptchaIPSoftLimit int
}

// DefaultOTPConfig is the configuration when nothing is set.
func DefaultOTPConfig() OTPConfig {
	return OTPConfig{TTL: 5 * time.Minute, MaxAttempts: 5, ResendInterval: 60 * time.Second, PhoneHourlyLimit: 5,
		IPHourlyLimit: 30, SMSTimeout: 10 * time.Second, AppName: "phoneauth", CaptchaIPSoftLimit: 3}
}

// Validate reports the first bad rule.
func (c OTPConfig) Validate() error {
	switch {
	case c.TTL < 30*time.Second || c.TTL > 10*time.Minute:
		return fmt.Errorf("code lifetime %s must be between 30s and 10m", c.TTL)
	case c.MaxAttempts < 1 || c.MaxAttempts > 20:
		return fmt.Errorf("max attempts %d must be between 1 and 20", c.MaxAttempts)
	case c.ResendInterval < 0 || c.ResendInterval > time.Hour:
		return fmt.Errorf("resend interval %s must be between 0 and 1h", c.ResendInterval)
	case c.PhoneHourlyLimit < 0 || c.IPHourlyLimit < 0:
		return errors.New("hourly limits must not be negative")
	case c.SMSTimeout <= 0 || c.SMSTimeout > time.Minute:
		return fmt.Errorf("SMS timeout %s must be between 0 and 1m", c.SMSTimeout)
	case c.SMSHourlyLimit < 0 || c.CaptchaIPSoftLimit < 0:
		return errors.New("SMS caps and the CAPTCHA soft limit must not be negative")
	case c.CaptchaMode != CaptchaOff && c.CaptchaMode != CaptchaAlways && c.CaptchaMode != CaptchaAdaptive:
		return fmt.Errorf("CAPTCHA mode %q must be always or adaptive", c.CaptchaMode)
	}
	for cc, n := range c.SMSCountryHourlyLimits {
		if n < 0 || cc == "" {
			return fmt.Errorf("SMS cap of country %q must not be negative", cc)
		}
	}
	for p, code := range c.TestCodes {
		if len(code) < 4 || len(code) > 10 || strings.Trim(code, "0123456789") != "" {
			return fmt.Errorf("test code for %s must be 4 to 10 digits", p)
		}
	}
	return nil
}
