package sms

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Sender is one provider: Log, Webhook and Twilio are each one. Send delivers text to the E.164
// number to and returns the provider's id of the message ("" when it gives none). Errors wrap
// ErrProviderFailed (a *StatusError when the provider answered), or context.DeadlineExceeded on a
// timeout.
type Sender interface {
	Send(ctx context.Context, to, text, purpose, referenceID string) (messageID string, err error)
}

// Named is a provider with the name its attempts are reported and logged under.
type Named struct {
	Name   string
	Sender Sender
}

// Outcomes of an attempt, as Failover reports them.
const (
	AttemptOK       = "ok"       // accepted
	AttemptRejected = "rejected" // the provider refused the message itself (4xx): no failover
	AttemptFailed   = "failed"   // 5xx, a redirect, or unreachable: the next provider is tried
	AttemptTimeout  = "timeout"  // no answer within the attempt's share of the deadline: the next is tried
	AttemptSkipped  = "skipped"  // its circuit is open: not called
)

// FailoverConfig configures a Failover.
type FailoverConfig struct {
	// Threshold is how many consecutive failures (5xx, timeouts, unreachable) open a provider's
	// circuit; default 3.
	Threshold int
	// Cooldown is how long an open circuit skips its provider before one trial call (half-open);
	// default 30s.
	Cooldown time.Duration
	// Now is the clock of the circuits; nil: time.Now.
	Now func() time.Time
	// OnAttempt, if set, is told of every attempt, skipped ones included (for metrics). It must be fast.
	OnAttempt func(provider, outcome string, took time.Duration)
	// TracerProvider, when set, gets a client span "sms.send" per attempt with the provider's name,
	// the purpose and the outcome (never the number or the text); nil: no spans.
	TracerProvider trace.TracerProvider
}

// Failover sends through the first provider that takes the message. A provider that answers a 5xx
// or a redirect, times out or cannot be reached is followed by the next, within the caller's one
// deadline: every attempt but the last gets at most half of the time left, so a provider that hangs
// leaves the others time to answer. A refusal of the message (a 4xx: a bad number) is final. Each
// provider has a circuit breaker: after Threshold consecutive failures it is skipped for Cooldown,
// then tried by one call (half-open) that closes the circuit on success or opens it again. When every
// circuit is open the providers are tried anyway, in order: a breaker must never be the reason no
// SMS goes out. It is safe for concurrent use.
type Failover struct {
	providers []*circuit
	cfg       FailoverConfig
	tracer    trace.Tracer // nil: no spans
}

// circuit is one provider's breaker.
type circuit struct {
	Named
	mu       sync.Mutex
	failures int       // consecutive
	openAt   time.Time // zero: closed
	trial    bool      // a half-open trial call is in flight
}

// NewFailover returns a Failover over providers, tried in their order.
func NewFailover(cfg FailoverConfig, providers ...Named) (*Failover, error) {
	if len(providers) == 0 {
		return nil, errors.New("sms: NewFailover needs at least one provider")
	}
	if cfg.Threshold <= 0 {
		cfg.Threshold = 3
	}
	if cfg.Cooldown <= 0 {
		cfg.Cooldown = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	f := &Failover{cfg: cfg}
	if cfg.TracerProvider != nil {
		f.tracer = cfg.TracerProvider.Tracer("github.com/phoneauth/phoneauth/sms")
	}
	seen := map[string]bool{}
	for _, p := range providers {
		if p.Name == "" || p.Sender == nil || seen[p.Name] {
			return nil, fmt.Errorf("sms: NewFailover: provider %q needs a unique name and a sender", p.Name)
		}
		seen[p.Name] = true
		f.providers = append(f.providers, &circuit{Named: p})
	}
	return f, nil
}

// Providers names the providers in their order.
func (f *Failover) Providers() []string {
	out := make([]string, len(f.providers))
	for i, p := range f.providers {
		out[i] = p.Name
	}
	return out
}

// allow reports whether the circuit lets a call through at now; a half-open circuit lets one.
func (c *circuit) allow(now time.Time, cooldown time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.openAt.IsZero():
		return true
	case now.Sub(c.openAt) < cooldown || c.trial:
		return false
	}
	c.trial = true
	return true
}

// record updates the circuit with an attempt's outcome.
func (c *circuit) record(failed bool, now time.Time, threshold int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.trial = false
	if !failed {
		c.failures, c.openAt = 0, time.Time{}
		return
	}
	c.failures++
	if c.failures >= threshold || !c.openAt.IsZero() {
		c.openAt = now // opened, or opened again after a failed trial
	}
}

// Open reports whether the named provider's circuit is open (for tests and diagnostics).
func (f *Failover) Open(name string) bool {
	for _, c := range f.providers {
		if c.Name == name {
			c.mu.Lock()
			defer c.mu.Unlock()
			return !c.openAt.IsZero()
		}
	}
	return false
}

// Send delivers the message through the first provider that takes it and returns that provider's
// name and message id. The error is the last attempt's.
func (f *Failover) Send(ctx context.Context, to, text, purpose, referenceID string) (provider, messageID string, err error) {
	attempted := false
	for i, c := range f.providers {
		if !c.allow(f.cfg.Now(), f.cfg.Cooldown) {
			f.report(c.Name, AttemptSkipped, 0)
			continue
		}
		attempted = true
		provider = c.Name
		var done bool
		messageID, done, err = f.attempt(ctx, c, i == len(f.providers)-1, to, text, purpose, referenceID)
		if done {
			return provider, messageID, err
		}
	}
	if attempted {
		return provider, messageID, err
	}
	// Every circuit is open: try them all, in order, rather than none.
	for i, c := range f.providers {
		var done bool
		provider = c.Name
		messageID, done, err = f.attempt(ctx, c, i == len(f.providers)-1, to, text, purpose, referenceID)
		if done {
			return provider, messageID, err
		}
	}
	return provider, messageID, err
}

// attempt calls one provider; done is true when no other provider is to be tried (it took the
// message, refused it, or the caller's context ended). Every attempt but the last gets at most half
// of the time left.
func (f *Failover) attempt(ctx context.Context, c *circuit, last bool, to, text, purpose, ref string) (id string, done bool, err error) {
	actx, cancel := ctx, context.CancelFunc(func() {})
	if deadline, ok := ctx.Deadline(); ok && !last {
		actx, cancel = context.WithTimeout(ctx, time.Until(deadline)/2)
	}
	var span trace.Span
	if f.tracer != nil {
		actx, span = f.tracer.Start(actx, "sms.send", trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(attribute.String("sms.provider", c.Name), attribute.String("sms.purpose", purpose)))
	}
	start := time.Now()
	id, err = c.Sender.Send(actx, to, text, purpose, ref)
	took := time.Since(start)
	cancel()
	outcome := classify(err)
	if span != nil {
		span.SetAttributes(attribute.String("sms.outcome", outcome))
		if outcome != AttemptOK {
			span.SetStatus(codes.Error, outcome)
		}
		span.End()
	}
	callerGone := ctx.Err() != nil
	// A timeout of the caller's own deadline (or its giving up) is no provider's fault.
	c.record(!callerGone && (outcome == AttemptFailed || outcome == AttemptTimeout), f.cfg.Now(), f.cfg.Threshold)
	f.report(c.Name, outcome, took)
	return id, outcome == AttemptOK || outcome == AttemptRejected || callerGone, err
}

func (f *Failover) report(provider, outcome string, took time.Duration) {
	if f.cfg.OnAttempt != nil {
		f.cfg.OnAttempt(provider, outcome, took)
	}
}

// classify names an attempt's outcome from its error.
func classify(err error) string {
	var se *StatusError
	switch {
	case err == nil:
		return AttemptOK
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return AttemptTimeout
	case errors.As(err, &se) && se.Rejected():
		return AttemptRejected
	}
	return AttemptFailed
}
