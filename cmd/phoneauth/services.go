package main

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/password"
	"github.com/phoneauth/phoneauth/auth/phone"
	"github.com/phoneauth/phoneauth/server"
	"github.com/phoneauth/phoneauth/store"
)

// services are the auth services, wired from the configuration's values and the dependencies serve or
// a CLI command made.
type services struct {
	server.Services
	Retention *auth.RetentionService
	// Phones is the parser every service reads phone numbers with; the server's request validation
	// uses it too.
	Phones phone.Parser
}

// runtimeDeps are the dependencies only serve has: what it observes with and where it keeps limits.
type runtimeDeps struct {
	observer auth.Observer // nil: nothing observes (CLI commands)
	limiter  auth.Limiter  // nil: in this process's memory
	// guardStore is where the SMS guard meets the other instances (nil: the database).
	guardStore auth.SMSGuardStore
	tracer     trace.TracerProvider // nil: no spans (tracing off, CLI commands)
}

// newServices builds every service on db. This is the one place that knows which store repository,
// SMS provider and policy each service gets.
func newServices(ctx context.Context, cfg config, db *store.DB, log *slog.Logger, rt runtimeDeps) (*services, error) {
	events, err := newEvents(cfg, db) // events.go
	if err != nil {
		return nil, err
	}
	env := auth.Env{Clock: auth.SystemClock{}, Logger: log, Audit: db.Audit(), Atomic: db, Observer: rt.observer, Events: events}
	hcfg := password.Config{Params: password.DefaultParams}
	if rt.observer != nil {
		hcfg.Observer = rt.observer
	}
	hasher, err := password.NewHasher(hcfg)
	if err != nil {
		return nil, err
	}
	sender, err := newSender(cfg, log, rt.observer, rt.tracer)
	if err != nil {
		return nil, err
	}
	guard, captcha, err := newDefences(cfg, db, log, env, rt)
	if err != nil {
		return nil, err
	}
	policy, phones := password.NewPolicy(), phone.Parser{DefaultRegion: cfg.defaultRegion}

	s := &services{Phones: phones}
	if s.Keys, err = auth.NewKeyService(ctx, env, cfg.keys, db.Keys()); err != nil {
		return nil, sealHint(err)
	}
	if s.Sessions, err = auth.NewSessionService(env, cfg.sessions, db.Sessions(), db.Users(), s.Keys); err != nil {
		return nil, err
	}
	if s.Codes, err = auth.NewCodeService(ctx, env, cfg.otp, auth.CodeDeps{
		Challenges: db.Challenges(), Secrets: db.Secrets(), Users: db.Users(), SMS: sender, Limiter: rt.limiter, Phones: phones,
		Guard: guard, Captcha: captcha, Messages: db.Messages(),
	}); err != nil {
		return nil, sealHint(err)
	}
	if s.Accounts, err = auth.NewAccountService(env, cfg.lockout, auth.AccountDeps{
		Users: db.Users(), Hasher: hasher, Policy: policy, Throttle: db.Throttle(), Phones: phones, Codes: s.Codes, Sessions: s.Sessions,
	}); err != nil {
		return nil, err
	}
	if s.Lifecycle, err = auth.NewLifecycleService(env, cfg.lifecycle, auth.LifecycleDeps{
		Users: db.Users(), Sessions: db.Sessions(), Erasure: db.Users(), Phones: phones, Accounts: s.Accounts, Codes: s.Codes,
		Passkeys: db.Passkeys(), Factors: db.SecondFactors(),
	}); err != nil {
		return nil, err
	}
	if s.MFA, err = auth.NewMFAService(env, auth.MFAConfig{Issuer: cfg.otp.AppName}, cfg.lockout, auth.MFADeps{
		Users: db.Users(), Factors: db.SecondFactors(), Challenges: db.MFAChallenges(), Throttle: db.Throttle(), Sessions: s.Sessions,
		Lifecycle: s.Lifecycle, Codes: s.Codes,
	}); err != nil {
		return nil, err
	}
	if s.Logins, err = auth.NewLoginService(env, cfg.lockout, auth.LoginDeps{
		Users: db.Users(), Hasher: hasher, Throttle: db.Throttle(), Phones: phones, Codes: s.Codes, Sessions: s.Sessions, MFA: s.MFA,
	}); err != nil {
		return nil, err
	}
	if s.Passkeys, err = auth.NewPasskeyService(env, auth.PasskeyConfig{RelyingParty: cfg.passkeys}, auth.PasskeyDeps{
		Users: db.Users(), Passkeys: db.Passkeys(), Challenges: db.WebAuthnChallenges(), Limiter: rt.limiter, MFA: s.MFA,
		Lifecycle: s.Lifecycle, Codes: s.Codes,
	}); err != nil {
		return nil, err
	}
	if s.Admin, err = auth.NewAdminService(env, auth.AdminDeps{
		Users: db.Users(), Admin: db.Users(), Sessions: db.Sessions(), Throttle: db.Throttle(), Hasher: hasher, Policy: policy, Phones: phones,
		Accounts: s.Accounts, Lifecycle: s.Lifecycle,
		Guard: guard, Messages: db.Messages(), Outbox: db.Events(),
	}); err != nil {
		return nil, err
	}
	if s.Retention, err = auth.NewRetentionService(env, cfg.retention, db.Purger()); err != nil {
		return nil, err
	}
	return s, nil
}

// openCLI opens the store and the services for a one-shot command, which logs with the same logger
// as serve.
func openCLI(ctx context.Context, a *app) (*store.DB, *services, error) {
	db, err := openStore(ctx, a.cfg)
	if err != nil {
		return nil, nil, err
	}
	svc, err := newServices(ctx, a.cfg, db, a.log, runtimeDeps{})
	if err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	return db, svc, nil
}
