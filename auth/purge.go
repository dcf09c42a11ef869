package auth

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// Purger deletes the rows the service no longer needs. Each method returns how many went.
type Purger interface {
	// PurgeSessions deletes the sessions that expired or ended before `before`, with their refresh
	// tokens, batch sessions per statement.
	PurgeSessions(ctx context.Context, before time.Time, batch int) (int64, error)
	// PurgeChallenges deletes the code challenges whose code expired, and whose last send was, before
	// `before`.
	PurgeChallenges(ctx context.Context, before time.Time) (int64, error)
	// PurgeThrottle deletes the login-lockout counters of phones that belong to no user, last counted
	// before `before` and not locked at now.
	PurgeThrottle(ctx context.Context, before, now time.Time) (int64, error)
}

// PurgeResult counts what one Purge deleted.
type PurgeResult struct {
	Sessions, Challenges, Throttle int64
}

// Total is the number of rows deleted.
func (r PurgeResult) Total() int64 { return r.Sessions + r.Challenges + r.Throttle }

const (
	// scratchRetention is how long a code challenge outlives its code and its last send, and a lockout
	// counter of a phone without a user its last attempt. It is longer than any cooldown
	// (OTPConfig.ResendInterval ≤ 1h) or lock that is not for good, so deleting forgets nothing a rule
	// still reads. A phone's permanent lock (MaxConsecutiveFailures) and a user's counter are kept.
	scratchRetention = 24 * time.Hour
	// purgeBatch bounds the sessions (and their refresh-token chains) one statement deletes, so that
	// each transaction stays short on a live database.
	purgeBatch = 1000
)

// Purge deletes what no rule needs any more: sessions that ended or expired more than
// Config.SessionRetention ago (with their refresh tokens), code challenges and the lockout counters of
// phones without a user that have been dead for a day. Without it those tables grow with every login
// and with every number an attacker tries. It records the counts in the audit trail when anything
// went (complete=false when a step failed after others had deleted rows). Running it from several
// instances at once is safe: each row goes once.
func (s *Service) Purge(ctx context.Context) (r PurgeResult, err error) {
	if s.Purger == nil {
		return r, errors.New("auth: no purger configured")
	}
	defer func() {
		// What went is recorded even when a later step failed.
		if r.Total() > 0 {
			s.audit(ctx, EventPurged, "", "", "", map[string]string{
				"sessions":       strconv.FormatInt(r.Sessions, 10),
				"otp_challenges": strconv.FormatInt(r.Challenges, 10),
				"login_throttle": strconv.FormatInt(r.Throttle, 10),
				"complete":       strconv.FormatBool(err == nil),
			})
		}
	}()
	now := s.Clock.Now()
	if r.Sessions, err = s.Purger.PurgeSessions(ctx, now.Add(-s.cfg.SessionRetention), purgeBatch); err != nil {
		return r, err
	}
	if r.Challenges, err = s.Purger.PurgeChallenges(ctx, now.Add(-scratchRetention)); err != nil {
		return r, err
	}
	r.Throttle, err = s.Purger.PurgeThrottle(ctx, now.Add(-scratchRetention), now)
	return r, err
}
