package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/webhook"
	"github.com/phoneauth/phoneauth/server"
	"github.com/phoneauth/phoneauth/store"
)

// eventsConfig is the outbound events' webhook and the access-token claims hook: values only.
type eventsConfig struct {
	url, secret string // PHONEAUTH_EVENTS_WEBHOOK_*; url "": no events are written
	events      auth.EventConfig
	dispatch    auth.DispatchConfig
}

func loadEvents(e *env, c *config) {
	ev := eventsConfig{url: e.str("PHONEAUTH_EVENTS_WEBHOOK_URL", ""), secret: e.secret("PHONEAUTH_EVENTS_WEBHOOK_SECRET")}
	if ev.url != "" {
		if err := webhook.ValidateURL(ev.url); err != nil {
			e.errs = append(e.errs, fmt.Errorf("PHONEAUTH_EVENTS_WEBHOOK_URL: %w", err))
		}
	}
	if ev.secret != "" {
		if _, err := webhook.ParseSecret(ev.secret); err != nil {
			e.errs = append(e.errs, fmt.Errorf("PHONEAUTH_EVENTS_WEBHOOK_SECRET: %w (make one with: echo whsec_$(openssl rand -base64 32))", err))
		}
	}
	if raw := e.str("PHONEAUTH_EVENTS_TYPES", ""); raw != "" {
		for _, t := range splitList(raw) {
			if !slices.Contains(auth.OutboundTypes, t) {
				e.fail("PHONEAUTH_EVENTS_TYPES", raw, "unknown event type "+t+" (known: "+strings.Join(auth.OutboundTypes, ", ")+")")
				continue
			}
			ev.events.Types = append(ev.events.Types, t)
		}
	}
	ev.events.MaxAge = e.duration("PHONEAUTH_EVENTS_MAX_AGE", auth.DefaultEventMaxAge, time.Second, 30*24*time.Hour)
	c.retention.EventRetention = e.duration("PHONEAUTH_EVENTS_RETENTION", auth.DefaultEventRetention, time.Hour, 10*365*24*time.Hour)
	ev.dispatch = auth.DispatchConfig{
		Timeout:    e.duration("PHONEAUTH_EVENTS_TIMEOUT", 10*time.Second, 100*time.Millisecond, time.Minute),
		BackoffMin: e.duration("PHONEAUTH_EVENTS_BACKOFF_MIN", time.Second, 10*time.Millisecond, time.Hour),
		BackoffMax: e.duration("PHONEAUTH_EVENTS_BACKOFF_MAX", 10*time.Minute, 10*time.Millisecond, 24*time.Hour),
	}
	if ev.dispatch.BackoffMax < ev.dispatch.BackoffMin {
		e.fail("PHONEAUTH_EVENTS_BACKOFF_MAX", shortDuration(ev.dispatch.BackoffMax), "must be at least PHONEAUTH_EVENTS_BACKOFF_MIN ("+shortDuration(ev.dispatch.BackoffMin)+")")
	}
	c.events = ev

	h := auth.TokenHookConfig{
		URL: e.str("PHONEAUTH_TOKEN_HOOK_URL", ""), Secret: e.secret("PHONEAUTH_TOKEN_HOOK_SECRET"),
		Timeout: e.duration("PHONEAUTH_TOKEN_HOOK_TIMEOUT", auth.DefaultTokenHookTimeout, 10*time.Millisecond, 30*time.Second),
		Failure: strings.ToLower(e.str("PHONEAUTH_TOKEN_HOOK_FAILURE", "")),
	}
	if h.URL != "" {
		if err := webhook.ValidateURL(h.URL); err != nil {
			e.errs = append(e.errs, fmt.Errorf("PHONEAUTH_TOKEN_HOOK_URL: %w", err))
		}
		switch h.Failure {
		case auth.HookFail, auth.HookOmit:
		case "":
			e.errs = append(e.errs, fmt.Errorf("PHONEAUTH_TOKEN_HOOK_FAILURE is not set: PHONEAUTH_TOKEN_HOOK_URL needs it: "+
				"fail (a login answers 503 while the hook fails) or omit (the token is issued without its claims); see docs/events.md"))
		}
	}
	if h.Failure != "" && h.Failure != auth.HookFail && h.Failure != auth.HookOmit {
		e.fail("PHONEAUTH_TOKEN_HOOK_FAILURE", h.Failure, "must be fail or omit")
	}
	if h.Secret != "" {
		if _, err := webhook.ParseSecret(h.Secret); err != nil {
			e.errs = append(e.errs, fmt.Errorf("PHONEAUTH_TOKEN_HOOK_SECRET: %w (make one with: echo whsec_$(openssl rand -base64 32))", err))
		}
	}
	c.keys.Hook = h
}

// eventsUnsafe lists what production refuses of the hooks: a receiver reached in the clear (the
// events carry phone numbers, the hook's answer goes into tokens) and unsigned calls, which a receiver
// cannot tell from a forgery.
func eventsUnsafe(c config, add func(data bool, text string)) {
	for _, h := range []struct{ name, url, secret string }{
		{"PHONEAUTH_EVENTS_WEBHOOK", c.events.url, c.events.secret},
		{"PHONEAUTH_TOKEN_HOOK", c.keys.Hook.URL, c.keys.Hook.Secret},
	} {
		if h.url == "" {
			continue
		}
		if u, err := url.Parse(h.url); err == nil && u.Scheme == "http" && !loopbackHost(u.Hostname()) {
			add(false, h.name+"_URL is an http:// URL: what it carries crosses the network in the clear: use https://")
		}
		if h.secret == "" {
			add(false, h.name+"_SECRET is not set, so the receiver cannot tell phoneauth's calls from forgeries: "+
				"set it to whsec_ and the base64 of 32 random bytes (echo whsec_$(openssl rand -base64 32)) and give it to the receiver")
		}
	}
}

// loopbackHost reports whether a URL's host is this machine.
func loopbackHost(h string) bool {
	ip := net.ParseIP(h)
	return strings.EqualFold(h, "localhost") || ip != nil && ip.IsLoopback()
}

// newEvents is the writer of the outbound events, nil when PHONEAUTH_EVENTS_WEBHOOK_URL is unset
// (then nothing is written: the outbox does not grow for no one).
func newEvents(cfg config, db *store.DB) (*auth.Events, error) {
	if cfg.events.url == "" {
		return nil, nil
	}
	ev, err := auth.NewEvents(auth.SystemClock{}, cfg.events.events, db.Events())
	if err != nil {
		return nil, fmt.Errorf("PHONEAUTH_EVENTS_*: %w", err)
	}
	return ev, nil
}

// startDispatcher runs this instance's event dispatcher, when events are on, and returns the function
// that stops it (after the HTTP server has drained) and waits for it.
func startDispatcher(cfg config, db *store.DB, log *slog.Logger, obs auth.Observer, metrics *server.Metrics) (stop func(), err error) {
	if cfg.events.url == "" {
		return func() {}, nil
	}
	sender, err := webhook.NewSender(webhook.SenderConfig{URL: cfg.events.url, Secret: cfg.events.secret,
		MaxAnswer: 64 << 10, Timeout: cfg.events.dispatch.Timeout})
	if err != nil {
		return nil, fmt.Errorf("PHONEAUTH_EVENTS_WEBHOOK_URL: %w", err)
	}
	env := auth.Env{Clock: auth.SystemClock{}, Logger: log, Observer: obs}
	d, err := auth.NewDispatcher(env, cfg.events.dispatch, db.Events(), sender)
	if err != nil {
		return nil, fmt.Errorf("PHONEAUTH_EVENTS_*: %w", err)
	}
	metrics.WatchEvents(db.Events().Backlog)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { d.Run(ctx) })
	log.Info("delivering events", "types", len(cfg.events.events.Types), "max_age", cfg.events.events.MaxAge.String())
	return func() {
		cancel()
		wg.Wait()
	}, nil
}
