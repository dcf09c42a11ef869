package auth

import (
	"context"
	"time"
)

// Throttle counts consecutive wrong passwords per phone (with or without an account) and locks the
// phone out of password logins (OWASP): from Threshold failures on, for 1 minute doubling up to 15,
// and for good at MaxConsecutiveFailures (NIST SP 800-63B §3.2.2) until a reset, an admin unlock or a
// login by code clears it.
type Throttle interface {
	// Attempt atomically counts one password attempt for phone at now, unless the phone is locked:
	// then allowed=false and until says when the lock ends. The attempt that reaches the threshold is
	// still allowed (it may be right), and sets the lock for what follows.
	Attempt(ctx context.Context, phone string, now time.Time, threshold int) (allowed bool, until time.Time, err error)
	// Clear forgets the phone's failures (a successful login, a reset, an unlock).
	Clear(ctx context.Context, phone string) error
	// State returns the phone's consecutive failures and the end of its lock (zero when not locked).
	State(ctx context.Context, phone string) (failures int, until time.Time, err error)
}

// MaxConsecutiveFailures is the most consecutive wrong passwords a phone can accumulate: at it the
// lock no longer expires by itself.
const MaxConsecutiveFailures = 100

// LockoutDelay is how long the n-th consecutive failure locks password logins, for a threshold t.
func LockoutDelay(n, t int) time.Duration {
	switch {
	case n < t:
		return 0
	case n >= MaxConsecutiveFailures:
		return 100 * 365 * 24 * time.Hour
	}
	d := time.Minute << min(n-t, 4) // 1, 2, 4, 8, 16 minutes…
	return min(d, 15*time.Minute)   // …capped at 15
}
