package auth

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/phoneauth/phoneauth/auth/phone"
)

// The SMS defences a code request passes before anything is spent: the SMS guard (smsguard.go), the
// CAPTCHA (captcha.go), and, once the per-phone and per-IP budgets have passed, the spend caps. Each
// applies whether or not the number has an account, so none of their answers tells which numbers do.

// screen applies the SMS guard and the CAPTCHA to a code request for n. It takes nothing when it
// refuses; otherwise release gives back what it counted, for a request that then fails.
func (s *CodeService) screen(ctx context.Context, n phone.Number) (release func(), err error) {
	release = func() {}
	state, until := GuardWatching, time.Time{}
	if s.d.Guard != nil {
		state, until = s.d.Guard.Check(ctx, n)
	}
	adaptive := s.cfg.CaptchaMode == CaptchaAdaptive
	need := s.cfg.CaptchaMode == CaptchaAlways
	switch state {
	case GuardBlocked:
		if !adaptive {
			s.env.Observer.SMSGuard(n.Region, "refused")
			return release, guardRefusal(until.Sub(s.env.Clock.Now()))
		}
		need = true
	case GuardSuspect:
		need = need || adaptive
	}
	if adaptive && !need && s.cfg.CaptchaIPSoftLimit > 0 {
		// The IP's soft budget: past it, an IP needs a CAPTCHA for each request (its hard budget,
		// IPHourlyLimit, still applies on top).
		if ip := ClientFrom(ctx).IP; ip != "" {
			ok, _, cancel, err := s.d.Limiter.Reserve(ctx, "otp:ipsoft:"+ip, s.cfg.CaptchaIPSoftLimit, time.Hour)
			if err != nil {
				return release, err
			}
			if ok {
				release = cancel
			} else {
				need = true
			}
		}
	}
	if need {
		if err := s.verifyCaptcha(ctx); err != nil {
			release()
			return func() {}, err
		}
	}
	if s.d.Guard != nil {
		undo, prev := s.d.Guard.CountSend(n), release
		release = func() { prev(); undo() }
	}
	return release, nil
}

// capRefusal is the 503 of a spent cap: it names no number and no account.
func capRefusal(after time.Duration) error {
	if after < time.Second {
		after = time.Second
	}
	return &Error{Kind: ErrUnavailable, Detail: "SMS sending is paused: the hourly limit of messages has been reached; try again in " + retryIn(after), RetryAfter: after}
}

// reserveCaps takes one unit of the hourly cap of all SMS and of the destination country's. Every
// request that passed the other limits takes one, decoys included, so that a spent cap refuses every
// number alike.
func (s *CodeService) reserveCaps(ctx context.Context, region string) (cancel func(), err error) {
	cancel = func() {}
	country := s.cfg.SMSCountryHourlyLimits[region]
	if _, ok := s.cfg.SMSCountryHourlyLimits[region]; !ok {
		country = s.cfg.SMSCountryHourlyLimits["*"]
	}
	for _, c := range []struct {
		name, key string
		limit     int
	}{{"all", "sms:cap:all", s.cfg.SMSHourlyLimit}, {region, "sms:cap:country:" + region, country}} {
		if c.limit <= 0 {
			continue
		}
		ok, after, undo, err := s.d.Limiter.Reserve(ctx, c.key, c.limit, time.Hour)
		if err != nil {
			cancel()
			return func() {}, err
		}
		if !ok {
			cancel()
			s.env.Observer.SMSCap(c.name, 1)
			s.env.Logger.WarnContext(ctx, "SMS cap reached", "cap", c.name, "limit", c.limit)
			return func() {}, capRefusal(after)
		}
		prev := cancel
		cancel = func() { prev(); undo() }
		s.reportCap(ctx, c.name, c.key, c.limit)
	}
	return cancel, nil
}

// reportCap tells the Observer the share of a cap used, when the Limiter can say and the cap was not
// read within the last second.
func (s *CodeService) reportCap(ctx context.Context, name, key string, limit int) {
	u, ok := s.d.Limiter.(LimitUsage)
	if !ok {
		return
	}
	v, _ := s.capReads.LoadOrStore(key, new(atomic.Int64))
	last := v.(*atomic.Int64)
	now := time.Now().UnixNano()
	if prev := last.Load(); now-prev < int64(time.Second) || !last.CompareAndSwap(prev, now) {
		return
	}
	used, err := u.Used(ctx, key, time.Hour)
	if err != nil {
		return
	}
	s.env.Observer.SMSCap(name, min(1, float64(used)/float64(limit)))
}
