package auth

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// PurgeResult counts what one Purge deleted.
type PurgeResult struct {
	Sessions, Challenges, Throttle, AuditEvents int64
	SMSMessages, SMSGuard                       int64
	Events                                      int64 // delivered outbound events
}

// Total is the number of rows deleted.
func (r PurgeResult) Total() int64 {
	return r.Sessions + r.Challenges + r.Throttle + r.AuditEvents + r.SMSMessages + r.SMSGuard + r.Events
}

const (
	// scratchRetention is how long a code challenge outlives its code and its last send, and a lockout
	// counter of a phone without a user its last attempt. It is longer than any cooldown
	// (OTPConfig.ResendInterval ≤ 1h) or lock that is not for good, so deleting forgets nothing a rule
	// still reads. A phone's permanent lock (MaxConsecutiveFailures) and a user's counter are kept.
	scratchRetention = 24 * time.Hour
	// purgeBatch bounds the sessions (and their refresh-token chains) one statement deletes, so that
	// each transaction stays short on a live database.
	purgeBatch = 1000
	// auditPurgeBatch bounds the audit events one statement deletes.
	auditPurgeBatch = 5000
	// DefaultSMSLogRetention is RetentionConfig.SMSLogRetention when it is 0: 30 days, long enough to
	// answer a user's or a carrier's question about a message, short enough not to keep numbers long.
	DefaultSMSLogRetention = 720 * time.Hour
)

// RetentionService deletes what no rule needs any more.
type RetentionService struct {
	env    Env
	cfg    RetentionConfig
	purger Purger
}

// NewRetentionService returns a RetentionService.
func NewRetentionService(env Env, cfg RetentionConfig, purger Purger) (*RetentionService, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if purger == nil {
		return nil, errors.New("auth: RetentionService needs a Purger")
	}
	if cfg.SMSLogRetention == 0 {
		cfg.SMSLogRetention = DefaultSMSLogRetention
	}
	if cfg.EventRetention == 0 {
		cfg.EventRetention = DefaultEventRetention
	}
	return &RetentionService{env: env.WithDefaults(), cfg: cfg, purger: purger}, nil
}

// Purge deletes sessions that ended or expired more than RetentionConfig.SessionRetention ago (with
// their refresh tokens), code challenges and the lockout counters of phones without a user that have
// been dead for a day, the message log's entries older than RetentionConfig.SMSLogRetention, the SMS
// guard's counts and blocks a day past their use, the outbound events delivered more than
// RetentionConfig.EventRetention ago, and, when RetentionConfig.AuditRetention is set, the
// audit events older than it. Without it those tables grow with every login and with every number an
// attacker tries. It records the counts in the audit trail when anything went (complete=false when a
// step failed after others had deleted rows). Running it from several instances at once is safe: each
// row goes once.
func (s *RetentionService) Purge(ctx context.Context) (r PurgeResult, err error) {
	defer func() {
		// What went is recorded even when a later step failed.
		if r.Total() > 0 {
			s.env.Record(ctx, EventPurged, uuid.Nil, uuid.Nil, "", map[string]string{
				"sessions":       strconv.FormatInt(r.Sessions, 10),
				"otp_challenges": strconv.FormatInt(r.Challenges, 10),
				"login_throttle": strconv.FormatInt(r.Throttle, 10),
				"audit_events":   strconv.FormatInt(r.AuditEvents, 10),
				"sms_messages":   strconv.FormatInt(r.SMSMessages, 10),
				"sms_guard":      strconv.FormatInt(r.SMSGuard, 10),
				"events":         strconv.FormatInt(r.Events, 10),
				"complete":       strconv.FormatBool(err == nil),
			})
		}
	}()
	now := s.env.Clock.Now()
	if r.Sessions, err = s.purger.PurgeSessions(ctx, now.Add(-s.cfg.SessionRetention), purgeBatch); err != nil {
		return r, err
	}
	if r.Challenges, err = s.purger.PurgeChallenges(ctx, now.Add(-scratchRetention)); err != nil {
		return r, err
	}
	if r.Throttle, err = s.purger.PurgeThrottle(ctx, now.Add(-scratchRetention), now); err != nil {
		return r, err
	}
	if r.SMSMessages, err = s.purger.PurgeSMSMessages(ctx, now.Add(-s.cfg.SMSLogRetention), purgeBatch); err != nil {
		return r, err
	}
	if r.SMSGuard, err = s.purger.PurgeSMSGuard(ctx, now.Add(-scratchRetention)); err != nil {
		return r, err
	}
	if r.Events, err = s.purger.PurgeEvents(ctx, now.Add(-s.cfg.EventRetention), purgeBatch); err != nil {
		return r, err
	}
	if s.cfg.AuditRetention > 0 {
		r.AuditEvents, err = s.purger.PurgeAudit(ctx, now.Add(-s.cfg.AuditRetention), auditPurgeBatch)
	}
	return r, err
}
