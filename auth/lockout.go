package auth

import (
	"context"
	"time"
)

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

// lockout is the login lockout as the services use it: a Throttle (nil: none) and its threshold.
type lockout struct {
	env Env
	t   Throttle
	cfg LockoutConfig
}

func (l lockout) on() bool { return l.t != nil && l.cfg.Threshold > 0 }

// attempt counts one password attempt for phone; allowed=false while the phone is locked, until then.
func (l lockout) attempt(ctx context.Context, phone string) (allowed bool, until time.Time, err error) {
	if !l.on() {
		return true, time.Time{}, nil
	}
	return l.t.Attempt(ctx, phone, l.env.Clock.Now(), l.cfg.Threshold)
}

// clear forgets a phone's wrong passwords; a failure only delays that, so it is logged.
func (l lockout) clear(ctx context.Context, phone string) {
	if l.t == nil {
		return
	}
	if err := l.t.Clear(ctx, phone); err != nil {
		l.env.Logger.WarnContext(ctx, "clearing the login throttle", "err", err)
	}
}
