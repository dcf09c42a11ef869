package main

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/phone"
	"github.com/phoneauth/phoneauth/sms"
	"github.com/phoneauth/phoneauth/store"
)

// smsConfig selects and configures the SMS providers and the SMS defences: values only.
type smsConfig struct {
	providers []string            // in failover order: log, webhook (repeatable), twilio
	webhooks  []sms.WebhookConfig // one per "webhook" in providers, in order
	twilio    sms.TwilioConfig
	failover  sms.FailoverConfig // Threshold and Cooldown

	guard         *auth.SMSGuardConfig // nil: the guard is off
	hourlyLimit   int
	countryLimits map[string]int
	captcha       captchaConfig
	logRetention  time.Duration
}

// captchaConfig is the CAPTCHA provider; provider "" is none.
type captchaConfig struct {
	provider, secret, verifyURL, mode string
	softLimit                         int
	timeout                           time.Duration
}

func loadSMS(e *env) smsConfig {
	c := smsConfig{}
	raw := strings.ToLower(e.str("PHONEAUTH_SMS_PROVIDER", "log"))
	webhookURLs := splitList(e.str("PHONEAUTH_SMS_WEBHOOK_URL", ""))
	seen := map[string]bool{}
	for _, p := range splitList(raw) {
		switch p {
		case "log", "twilio":
			if seen[p] {
				e.errs = append(e.errs, &envError{"PHONEAUTH_SMS_PROVIDER", raw, p + " may be listed once"})
			}
		case "webhook":
		default:
			e.errs = append(e.errs, &envError{"PHONEAUTH_SMS_PROVIDER", raw, "a comma-separated list of log, webhook and twilio, e.g. twilio,webhook"})
			continue
		}
		seen[p] = true
		c.providers = append(c.providers, p)
	}
	if len(c.providers) == 0 {
		c.providers = []string{"log"}
	}
	secret := e.secret("PHONEAUTH_SMS_WEBHOOK_SECRET")
	if n := count(c.providers, "webhook"); n > 0 {
		if len(webhookURLs) != n {
			e.errs = append(e.errs, fmt.Errorf("PHONEAUTH_SMS_WEBHOOK_URL: give one URL per webhook in PHONEAUTH_SMS_PROVIDER (%d), comma-separated", n))
		}
		for _, u := range webhookURLs {
			w := sms.WebhookConfig{URL: u, Secret: secret}
			if err := w.Validate(); err != nil {
				e.errs = append(e.errs, fmt.Errorf("PHONEAUTH_SMS_WEBHOOK_URL / PHONEAUTH_SMS_WEBHOOK_SECRET: %w", err))
			}
			c.webhooks = append(c.webhooks, w)
		}
	}
	// Every provider's settings are read, whichever is chosen, so that each is a known name.
	twilio := sms.TwilioConfig{
		AccountSID: e.str("PHONEAUTH_TWILIO_ACCOUNT_SID", ""), AuthToken: e.secret("PHONEAUTH_TWILIO_AUTH_TOKEN"),
		From: e.str("PHONEAUTH_TWILIO_FROM", ""), MessagingServiceSID: e.str("PHONEAUTH_TWILIO_MESSAGING_SERVICE_SID", ""),
		BaseURL: e.str("PHONEAUTH_TWILIO_BASE_URL", ""),
	}
	if seen["twilio"] {
		c.twilio = twilio
		checkTwilio(e, twilio)
	}
	c.failover = sms.FailoverConfig{
		Threshold: e.integer("PHONEAUTH_SMS_FAILOVER_THRESHOLD", 3, 1, 1000),
		Cooldown:  e.duration("PHONEAUTH_SMS_FAILOVER_COOLDOWN", 30*time.Second, time.Second, time.Hour),
	}

	// The guard: PHONEAUTH_SMS_GUARD_MIN_SENDS=0 turns it off.
	g := auth.DefaultSMSGuardConfig()
	g.MinSends = e.integer("PHONEAUTH_SMS_GUARD_MIN_SENDS", g.MinSends, 0, 1_000_000)
	g.Window = e.duration("PHONEAUTH_SMS_GUARD_WINDOW", g.Window, time.Minute, 24*time.Hour)
	g.Block = e.duration("PHONEAUTH_SMS_GUARD_BLOCK", g.Block, time.Minute, 7*24*time.Hour)
	if raw := e.str("PHONEAUTH_SMS_GUARD_MIN_RATE", ""); raw != "" {
		r, err := strconv.ParseFloat(strings.TrimSuffix(raw, "%"), 64)
		if err == nil && strings.HasSuffix(raw, "%") {
			r /= 100
		}
		if err != nil || r < 0 || r > 1 {
			e.errs = append(e.errs, &envError{"PHONEAUTH_SMS_GUARD_MIN_RATE", raw, "a share from 0 to 1 (e.g. 0.2) or a percentage (20%)"})
		} else {
			g.MinRate = r
		}
	}
	for _, p := range splitList(e.str("PHONEAUTH_SMS_GUARD_EXEMPT", "")) {
		p = auth.NormalizePrefix(p)
		if !auth.ValidPrefix(p) {
			e.errs = append(e.errs, &envError{"PHONEAUTH_SMS_GUARD_EXEMPT", p, "prefixes are + and 2 to 8 digits (calling code and the start of the national number), e.g. +1415"})
			continue
		}
		g.Exempt = append(g.Exempt, p)
	}
	if g.MinSends > 0 {
		c.guard = &g
	}

	// Spend caps.
	c.hourlyLimit = e.integer("PHONEAUTH_SMS_HOURLY_LIMIT", 0, 0, 100_000_000)
	if raw := e.str("PHONEAUTH_SMS_COUNTRY_HOURLY_LIMITS", ""); raw != "" {
		c.countryLimits = map[string]int{}
		for _, pair := range splitList(raw) {
			cc, n, ok := strings.Cut(pair, "=")
			cc = strings.ToUpper(strings.TrimSpace(cc))
			v, err := strconv.Atoi(strings.TrimSpace(n))
			if !ok || err != nil || v < 0 || (cc != "*" && !phone.ValidRegion(cc)) {
				e.errs = append(e.errs, &envError{"PHONEAUTH_SMS_COUNTRY_HOURLY_LIMITS", pair, "entries are REGION=N, e.g. US=1000,IN=500,*=50 (* for each other country)"})
				continue
			}
			c.countryLimits[cc] = v
		}
	}

	// CAPTCHA.
	c.captcha = captchaConfig{
		provider:  strings.ToLower(e.str("PHONEAUTH_CAPTCHA_PROVIDER", "")),
		secret:    e.secret("PHONEAUTH_CAPTCHA_SECRET"),
		verifyURL: e.str("PHONEAUTH_CAPTCHA_VERIFY_URL", ""),
		mode:      strings.ToLower(e.str("PHONEAUTH_CAPTCHA_MODE", auth.CaptchaAdaptive)),
		softLimit: e.integer("PHONEAUTH_CAPTCHA_IP_SOFT_LIMIT", auth.DefaultOTPConfig().CaptchaIPSoftLimit, 0, 1_000_000),
		timeout:   e.duration("PHONEAUTH_CAPTCHA_TIMEOUT", 5*time.Second, 100*time.Millisecond, 30*time.Second),
	}
	if c.captcha.provider != "" {
		if c.captcha.mode != auth.CaptchaAlways && c.captcha.mode != auth.CaptchaAdaptive {
			e.errs = append(e.errs, &envError{"PHONEAUTH_CAPTCHA_MODE", c.captcha.mode, "must be always or adaptive"})
		}
		if _, err := auth.NewSiteVerify(c.captcha.provider, c.captcha.secret, c.captcha.verifyURL, c.captcha.timeout); err != nil {
			e.errs = append(e.errs, fmt.Errorf("PHONEAUTH_CAPTCHA_PROVIDER / _SECRET / _VERIFY_URL: %w", err))
		}
	}
	c.logRetention = e.duration("PHONEAUTH_SMS_LOG_RETENTION", auth.DefaultSMSLogRetention, time.Hour, 10*365*24*time.Hour)
	return c
}

// apply puts the values the auth services and the server take from the SMS settings into theirs.
func (c smsConfig) apply(cfg *config) {
	cfg.otp.SMSHourlyLimit, cfg.otp.SMSCountryHourlyLimits = c.hourlyLimit, c.countryLimits
	if c.captcha.provider != "" {
		cfg.otp.CaptchaMode, cfg.otp.CaptchaIPSoftLimit = c.captcha.mode, c.captcha.softLimit
	}
	cfg.retention.SMSLogRetention = c.logRetention
	if slices.Contains(c.providers, "twilio") {
		cfg.server.SMSCallbacks.TwilioAuthToken = c.twilio.AuthToken
	}
	if slices.Contains(c.providers, "webhook") && len(c.webhooks) > 0 {
		cfg.server.SMSCallbacks.WebhookSecret = c.webhooks[0].Secret
	}
}

// newSender builds the providers in their order behind one Failover, which reports each attempt to
// the observer. Twilio is told to post its status callbacks under the public URL, when there is one.
func newSender(cfg config, log *slog.Logger, obs auth.Observer, tp trace.TracerProvider) (auth.SMSSender, error) {
	c := cfg.sms
	var named []sms.Named
	webhooks := 0
	for _, p := range c.providers {
		switch p {
		case "webhook":
			w, err := sms.NewWebhook(c.webhooks[webhooks])
			if err != nil {
				return nil, err
			}
			webhooks++
			name := "webhook"
			if webhooks > 1 {
				name = fmt.Sprintf("webhook-%d", webhooks)
			}
			named = append(named, sms.Named{Name: name, Sender: w})
		case "twilio":
			tc := c.twilio
			if cfg.server.PublicURL != "" {
				tc.StatusCallback = cfg.server.PublicURL + "/api/v1/sms/status/twilio"
			}
			t, err := sms.NewTwilio(tc)
			if err != nil {
				return nil, err
			}
			named = append(named, sms.Named{Name: "twilio", Sender: t})
		default:
			named = append(named, sms.Named{Name: "log", Sender: sms.NewLog(log)})
		}
	}
	fc := c.failover
	if obs != nil {
		fc.OnAttempt = obs.SMSAttempt
	}
	fc.TracerProvider = tp
	return sms.NewFailover(fc, named...)
}

// guardStore is where serve's SMS guard meets the other instances: Redis when it is configured,
// else the database.
func guardStore(cfg config, db *store.DB, limiter auth.Limiter) auth.SMSGuardStore {
	if rl, ok := limiter.(*store.RedisLimiter); ok && cfg.sms.guard != nil {
		return rl.Guard(cfg.sms.guard.Window)
	}
	return db.SMSGuard()
}

// newDefences builds the SMS guard (nil when it is off) and the CAPTCHA verifier (nil without a
// provider).
func newDefences(cfg config, db *store.DB, log *slog.Logger, env auth.Env, rt runtimeDeps) (*auth.SMSGuard, auth.CaptchaVerifier, error) {
	var guard *auth.SMSGuard
	if cfg.sms.guard != nil {
		gs := rt.guardStore
		if gs == nil {
			gs = db.SMSGuard()
		}
		var err error
		if guard, err = auth.NewSMSGuard(env, *cfg.sms.guard, gs); err != nil {
			return nil, nil, fmt.Errorf("PHONEAUTH_SMS_GUARD_*: %w", err)
		}
	}
	c := cfg.sms.captcha
	if c.provider == "" {
		return guard, nil, nil
	}
	v, err := auth.NewSiteVerify(c.provider, c.secret, c.verifyURL, c.timeout)
	if err != nil {
		return nil, nil, err
	}
	log.Info("CAPTCHA on code requests", "provider", c.provider, "mode", c.mode)
	return guard, v, nil
}

// splitList splits a comma-separated setting, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func count(s []string, v string) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}

// checkTwilio reports each Twilio setting PHONEAUTH_SMS_PROVIDER=twilio needs that is missing or bad,
// naming its variable.
func checkTwilio(e *env, twilio sms.TwilioConfig) {
	before := len(e.errs)
	const needs = "PHONEAUTH_SMS_PROVIDER=twilio needs "
	switch {
	case twilio.AccountSID == "":
		e.errs = append(e.errs, errors.New("PHONEAUTH_TWILIO_ACCOUNT_SID is not set: "+needs+"the account SID (AC…, on the Twilio console's dashboard)"))
	case strings.Trim(twilio.AccountSID, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") != "":
		e.fail("PHONEAUTH_TWILIO_ACCOUNT_SID", twilio.AccountSID, "may hold only letters and digits (AC and 32 hex digits)")
	}
	if twilio.AuthToken == "" {
		e.errs = append(e.errs, errors.New("PHONEAUTH_TWILIO_AUTH_TOKEN is not set: "+needs+"the account's auth token"))
	}
	switch {
	case twilio.From == "" && twilio.MessagingServiceSID == "":
		e.errs = append(e.errs, errors.New("PHONEAUTH_TWILIO_FROM and PHONEAUTH_TWILIO_MESSAGING_SERVICE_SID are both unset: "+needs+
			"a sender: set one, the number to send from (+1…) or a messaging service (MG…)"))
	case twilio.From != "" && twilio.MessagingServiceSID != "":
		e.errs = append(e.errs, errors.New("PHONEAUTH_TWILIO_FROM and PHONEAUTH_TWILIO_MESSAGING_SERVICE_SID are both set: unset one"))
	}
	if twilio.BaseURL != "" && !isHTTPURL(twilio.BaseURL) {
		e.fail("PHONEAUTH_TWILIO_BASE_URL", twilio.BaseURL, "must be an absolute http(s) URL (leave it unset for https://api.twilio.com)")
	}
	if len(e.errs) == before {
		if err := twilio.Validate(); err != nil {
			e.errs = append(e.errs, fmt.Errorf("PHONEAUTH_TWILIO_*: %w", err))
		}
	}
}
