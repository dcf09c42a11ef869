// Package servertest builds the whole HTTP handler in-process, on a fresh SQLite database in the
// test's temporary directory, with cheap password hashing and an SMS sender that keeps what it was
// asked to send: the fast way to test statuses, bodies and headers without building the binary.
// The black-box tests in tests/ run the real binary for the end-to-end flows.
package servertest

import (
	"context"
	"log/slog"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/trace"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/passkey"
	"github.com/phoneauth/phoneauth/auth/password"
	"github.com/phoneauth/phoneauth/server"
	"github.com/phoneauth/phoneauth/store"
	"github.com/phoneauth/phoneauth/store/storetest"
)

// Weak are argon2id parameters that cost nothing, for tests only.
var Weak = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// Options tune New; the zero value is a default server on SQLite.
type Options struct {
	Dialect string          // "sqlite" (default) or "postgres" (a fresh schema on PHONEAUTH_TEST_DATABASE_URL)
	Server  server.Config   // PublicURL defaults to http://phoneauth.test; the services parse phones with Server.Phones
	OTP     *auth.OTPConfig // nil: auth.DefaultOTPConfig()
	Metrics bool            // collect and serve /metrics
	// Lifecycle configures re-authentication; the zero value asks for a proof every time.
	Lifecycle auth.LifecycleConfig
	// TracerProvider, when set, gets the server's and the database's spans.
	TracerProvider trace.TracerProvider
	// Logger, when set, gets the server's and the services' log lines; nil: discarded.
	Logger *slog.Logger
	// Clock, when set, is every service's clock (TOTP codes, expiry); nil: the system clock.
	Clock auth.Clock
	// Passkeys is the WebAuthn relying party; the zero value leaves passkeys off.
	Passkeys passkey.Config
	// MFARequiredRoles are the roles that need a second factor (auth.SessionConfig).
	MFARequiredRoles []string
	// Events writes every outbound event type to the outbox (nobody delivers them).
	Events bool
}

// Server is an in-process phoneauth.
type Server struct {
	Handler  *echo.Echo
	DB       *store.DB
	Services server.Services
	SMS      *SMS
}

// New returns a Server on a fresh SQLite database; it is closed when t ends.
func New(t testing.TB, opt Options) *Server {
	t.Helper()
	ctx := context.Background()
	if opt.Dialect == "" {
		opt.Dialect = "sqlite"
	}
	db, err := store.Open(ctx, store.Config{URL: storetest.URL(t, opt.Dialect), TracerProvider: opt.TracerProvider})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	otp := auth.DefaultOTPConfig()
	if opt.OTP != nil {
		otp = *opt.OTP
	}
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	env := auth.Env{Logger: log, Audit: db.Audit(), Clock: opt.Clock, Atomic: db}
	if opt.Events {
		clock := opt.Clock
		if clock == nil {
			clock = auth.SystemClock{}
		}
		events, err := auth.NewEvents(clock, auth.EventConfig{}, db.Events())
		if err != nil {
			t.Fatal(err)
		}
		env.Events = events
	}
	var metrics *server.Metrics
	if opt.Metrics {
		metrics = server.NewMetrics()
		env.Observer = metrics
	}
	hasher, err := password.NewHasher(password.Config{Params: Weak})
	if err != nil {
		t.Fatal(err)
	}
	policy, phones, sms := password.NewPolicy(), opt.Server.Phones, &SMS{}
	s := &Server{DB: db, SMS: sms}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	svc := &s.Services
	svc.Keys, err = auth.NewKeyService(ctx, env, auth.KeyConfig{Issuer: "phoneauth", AccessTokenTTL: 15 * time.Minute}, db.Keys())
	must(err)
	svc.Sessions, err = auth.NewSessionService(env, auth.SessionConfig{MaxAge: 24 * time.Hour, RefreshReuseInterval: 10 * time.Second,
		MFARequiredRoles: opt.MFARequiredRoles},
		db.Sessions(), db.Users(), svc.Keys)
	must(err)
	svc.Codes, err = auth.NewCodeService(ctx, env, otp, auth.CodeDeps{Challenges: db.Challenges(), Secrets: db.Secrets(),
		Users: db.Users(), SMS: sms, Phones: phones, Messages: db.Messages()})
	must(err)
	svc.Accounts, err = auth.NewAccountService(env, auth.LockoutConfig{Threshold: 10}, auth.AccountDeps{Users: db.Users(), Hasher: hasher, Policy: policy,
		Throttle: db.Throttle(), Phones: phones, Codes: svc.Codes, Sessions: svc.Sessions})
	must(err)
	svc.Lifecycle, err = auth.NewLifecycleService(env, opt.Lifecycle, auth.LifecycleDeps{Users: db.Users(), Sessions: db.Sessions(),
		Erasure: db.Users(), Phones: phones, Accounts: svc.Accounts, Codes: svc.Codes, Passkeys: db.Passkeys(), Factors: db.SecondFactors()})
	must(err)
	svc.MFA, err = auth.NewMFAService(env, auth.MFAConfig{Issuer: otp.AppName}, auth.LockoutConfig{Threshold: 10}, auth.MFADeps{
		Users: db.Users(), Factors: db.SecondFactors(), Challenges: db.MFAChallenges(), Throttle: db.Throttle(), Sessions: svc.Sessions,
		Lifecycle: svc.Lifecycle, Codes: svc.Codes})
	must(err)
	svc.Logins, err = auth.NewLoginService(env, auth.LockoutConfig{Threshold: 10}, auth.LoginDeps{Users: db.Users(), Hasher: hasher,
		Throttle: db.Throttle(), Phones: phones, Codes: svc.Codes, Sessions: svc.Sessions, MFA: svc.MFA})
	must(err)
	svc.Passkeys, err = auth.NewPasskeyService(env, auth.PasskeyConfig{RelyingParty: opt.Passkeys}, auth.PasskeyDeps{
		Users: db.Users(), Passkeys: db.Passkeys(), Challenges: db.WebAuthnChallenges(), MFA: svc.MFA, Lifecycle: svc.Lifecycle,
		Codes: svc.Codes})
	must(err)
	svc.Admin, err = auth.NewAdminService(env, auth.AdminDeps{Users: db.Users(), Admin: db.Users(), Sessions: db.Sessions(),
		Throttle: db.Throttle(), Hasher: hasher, Policy: policy, Phones: phones, Accounts: svc.Accounts, Lifecycle: svc.Lifecycle,
		Outbox: db.Events()})
	must(err)
	if opt.Server.PublicURL == "" {
		opt.Server.PublicURL = "http://phoneauth.test"
	}
	s.Handler, err = server.New(opt.Server, s.Services, server.Deps{Logger: log, Ready: db.Ready, Metrics: metrics,
		TracerProvider: opt.TracerProvider})
	must(err)
	return s
}

// SMS is a sender that keeps the last 100 messages.
type SMS struct {
	mu   sync.Mutex
	sent []Message
}

// Message is one SMS sent.
type Message struct{ To, Text, Purpose string }

// Send implements auth.SMSSender.
func (s *SMS) Send(_ context.Context, to, text, purpose, _ string) (string, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, Message{to, text, purpose})
	if len(s.sent) > 100 {
		s.sent = s.sent[len(s.sent)-100:]
	}
	return "test", "", nil
}

var codeRE = regexp.MustCompile(`\b\d{6}\b`)

// LastCode returns the code of the newest message to phone ("" when there is none).
func (s *SMS) LastCode(to string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.sent) - 1; i >= 0; i-- {
		if s.sent[i].To == to {
			return codeRE.FindString(s.sent[i].Text)
		}
	}
	return ""
}

// LastText returns the text of the newest message to phone ("" when there is none).
func (s *SMS) LastText(to string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.sent) - 1; i >= 0; i-- {
		if s.sent[i].To == to {
			return s.sent[i].Text
		}
	}
	return ""
}
