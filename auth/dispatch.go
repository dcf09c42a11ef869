package auth

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/phoneauth/phoneauth/auth/webhook"
)

// EventPoster delivers one event's body; webhook.Sender is the one that POSTs it to the operator's URL.
type EventPoster interface {
	Post(ctx context.Context, id string, body []byte) (webhook.Answer, error)
}

// DispatchConfig configures a Dispatcher.
type DispatchConfig struct {
	// Timeout bounds one delivery, the answer included (default 10s).
	Timeout time.Duration
	// BackoffMin and BackoffMax bound the wait before a retry: it doubles from BackoffMin with every
	// failed attempt up to BackoffMax, less a random part of up to half of it (defaults 1s and 10m). A
	// receiver's Retry-After that asks for longer is honoured.
	BackoffMin, BackoffMax time.Duration
	// Poll is how long an idle dispatcher waits before it looks for due events again (default 200ms).
	Poll time.Duration
	// Batch is how many events one claim takes (default 64); they belong to different users and are
	// delivered concurrently.
	Batch int
}

// Validate reports a bad setting.
func (c DispatchConfig) Validate() error {
	if c.Timeout < 0 || c.BackoffMin < 0 || c.BackoffMax < 0 || c.Poll < 0 || c.Batch < 0 {
		return errors.New("the dispatcher's durations and batch must not be negative")
	}
	if c.BackoffMin > 0 && c.BackoffMax > 0 && c.BackoffMax < c.BackoffMin {
		return errors.New("the maximum backoff must be at least the minimum")
	}
	return nil
}

// leaseMargin is how long a claim outlives a delivery's deadline: time to record the outcome before
// another instance may take the event again.
const leaseMargin = 5 * time.Second

// Dispatcher delivers the outbox's events. Every instance runs one: claims never overlap, so
// instances share the work without delivering an event twice, and an instance that dies leaves its
// claims to run out and be taken by another. Nothing it does runs on a request's path.
type Dispatcher struct {
	env    Env
	cfg    DispatchConfig
	outbox Outbox
	poster EventPoster
	wake   chan struct{}
}

// NewDispatcher returns a Dispatcher of outbox's events to poster.
func NewDispatcher(env Env, cfg DispatchConfig, outbox Outbox, poster EventPoster) (*Dispatcher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if outbox == nil || poster == nil {
		return nil, errors.New("auth: Dispatcher needs an Outbox and an EventPoster")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.BackoffMin == 0 {
		cfg.BackoffMin = time.Second
	}
	if cfg.BackoffMax == 0 {
		cfg.BackoffMax = max(10*time.Minute, cfg.BackoffMin)
	}
	if cfg.Poll == 0 {
		cfg.Poll = 200 * time.Millisecond
	}
	if cfg.Batch == 0 {
		cfg.Batch = 64
	}
	return &Dispatcher{env: env.WithDefaults(), cfg: cfg, outbox: outbox, poster: poster, wake: make(chan struct{}, 1)}, nil
}

// Run delivers due events until ctx ends; a delivery under way is abandoned then (it does not count
// as an attempt) and its event released for whoever runs next.
func (d *Dispatcher) Run(ctx context.Context) {
	for ctx.Err() == nil {
		n, err := d.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			d.env.Logger.WarnContext(ctx, "event dispatch", "err", err)
		}
		if n > 0 && err == nil {
			continue // a delivered event may have let its user's next one through
		}
		t := time.NewTimer(d.cfg.Poll)
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-d.wake:
		}
		t.Stop()
	}
}

// Wake makes an idle Run look for due events at once.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// RunOnce claims one batch of due events and delivers them, concurrently; it returns how many it
// claimed.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	now := d.env.Clock.Now()
	claim := randomToken(12)
	events, err := d.outbox.Claim(ctx, now, now.Add(d.cfg.Timeout+leaseMargin), claim, d.cfg.Batch)
	if err != nil {
		return 0, fmt.Errorf("claiming events: %w", err)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(events))
	for i := range events {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = d.deliver(ctx, &events[i], claim)
		}()
	}
	wg.Wait()
	return len(events), errors.Join(errs...)
}

// deliver posts one claimed event and records the outcome. No transaction is open while it posts.
func (d *Dispatcher) deliver(ctx context.Context, ev *OutboundEvent, claim string) error {
	pctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	start := time.Now()
	ans, err := d.poster.Post(pctx, ev.ID.String(), ev.Body())
	cancel()
	took := time.Since(start)
	now := d.env.Clock.Now()
	o := DeliveryOutcome{At: now, Attempted: true}
	outcome := "delivered"
	switch {
	case ctx.Err() != nil:
		// Shutting down: not the receiver's failure. Released for the next dispatcher at once.
		o = DeliveryOutcome{State: EventPending, At: now, NextAttemptAt: now, LastError: ev.LastError}
		outcome = ""
	case (err == nil || errors.Is(err, webhook.ErrTooLarge)) && ans.OK():
		o.State = EventDelivered // what the receiver answered beyond a 2xx does not matter
	default:
		o.LastError = deliveryError(ans, err)
		outcome = "failed"
		if errors.Is(err, context.DeadlineExceeded) {
			outcome = "timeout"
		}
		if !now.Before(ev.RetryUntil) {
			o.State, outcome = EventDead, "dead"
		} else {
			o.State = EventPending
			o.NextAttemptAt = now.Add(d.backoff(ev.Attempts+1, ans.RetryAfter))
			if o.NextAttemptAt.After(ev.RetryUntil) {
				o.NextAttemptAt = ev.RetryUntil // one last try when its time is up
			}
		}
	}
	if outcome != "" {
		d.env.Observer.EventDelivery(outcome, took)
	}
	// Recorded even while shutting down, within a bound of its own.
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer rcancel()
	held, ferr := d.outbox.Finish(rctx, ev.Seq, claim, o)
	switch {
	case ferr != nil:
		return fmt.Errorf("recording the delivery of event %s: %w", ev.ID, ferr)
	case !held:
		d.env.Logger.WarnContext(ctx, "event lease ran out before its delivery was recorded", "event_id", ev.ID, "type", ev.Type)
	case o.State == EventDead:
		d.env.Logger.WarnContext(ctx, "event dead: it kept failing", "event_id", ev.ID, "type", ev.Type, "attempts", ev.Attempts+1, "last_error", o.LastError)
	}
	return nil
}

// backoff is the wait before attempt n+1 after n failures: BackoffMin·2^(n-1) up to BackoffMax, less
// a random part of up to half of it (so that a receiver back from an outage is not hit by every event
// at once), and at least what the receiver's Retry-After asked for.
func (d *Dispatcher) backoff(n int, retryAfter time.Duration) time.Duration {
	wait := d.cfg.BackoffMin
	for i := 1; i < n && wait < d.cfg.BackoffMax; i++ {
		wait *= 2
	}
	wait = min(wait, d.cfg.BackoffMax)
	if half := int64(wait / 2); half > 0 {
		wait -= time.Duration(rand.Int64N(half))
	}
	return max(wait, retryAfter)
}

// deliveryError says why an attempt failed, for the admin API: never the answer's body.
func deliveryError(ans webhook.Answer, err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, webhook.ErrRedirect):
		return fmt.Sprintf("redirect (HTTP %d), not followed", ans.Status)
	case errors.Is(err, webhook.ErrTooLarge):
		return fmt.Sprintf("HTTP %d with an answer over the size limit", ans.Status)
	case err != nil:
		return truncate("unreachable: "+err.Error(), 200)
	}
	return fmt.Sprintf("HTTP %d", ans.Status)
}
