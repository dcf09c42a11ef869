// Command phoneauth is the phone-number authentication service.
//
//	phoneauth [serve]       start the HTTP server (migrating the database first)
//	phoneauth migrate       apply database migrations and exit
//	phoneauth purge         delete the rows no rule needs any more
//	phoneauth users create  create a user (how the first admin is made)
//	phoneauth users import  import users exported from the FastAPI service
//	phoneauth keys rotate   start signing with a new key
//	phoneauth keys list     show the signing keys
//	phoneauth healthcheck   ask the running server whether it is ready (for container health checks)
//	phoneauth version       print the version and commit
//
// Every command takes --help. Configuration comes from PHONEAUTH_* environment variables; see the
// README. main is the only place that knows every concrete type: config → logger → store → auth →
// server.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/seal"
	"github.com/phoneauth/phoneauth/internal/buildinfo"
	"github.com/phoneauth/phoneauth/server"
	"github.com/phoneauth/phoneauth/store"
)

func main() {
	os.Exit(run(os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr))
}

// run is main with its inputs and outputs explicit (environ is KEY=VALUE, as os.Environ gives it),
// returning the exit status: 0 success, 1 failure, 2 bad usage or configuration.
func run(args, environ []string, stdin io.Reader, stdout, stderr io.Writer) int {
	getenv := lookupIn(environ)
	a := &app{log: newLogger(stderr, slog.LevelInfo), getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	cmd, rest, err := resolve(args)
	var act action
	var positional []string
	if err == nil {
		act, positional, err = cmd.parse(rest)
	}
	var help helpRequest
	switch {
	case errors.As(err, &help):
		if err := printHelp(stdout, help.topic); err != nil {
			a.log.Error(err.Error())
			return 2
		}
		return 0
	case err != nil:
		a.log.Error(err.Error())
		return 2
	}
	if !cmd.noConfig {
		if !a.configure(cmd, environ) {
			return 2
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	err = act(ctx, a, positional)
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		a.log.Error(err.Error(), "command", cmd.name)
		return 2
	default:
		a.log.Error(err.Error(), "command", cmd.name)
		return 1
	}
}

// lookupIn makes a getenv of environ; the first of several values wins, as with os.Getenv.
func lookupIn(environ []string) func(string) string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		if _, dup := m[k]; !dup {
			m[k] = v
		}
	}
	return func(k string) string { return m[k] }
}

// configure loads the configuration for cmd into a and builds its logger. It logs, in one record,
// every problem that stops the command (bad values; in production unknown variables and unsafe
// settings) and returns false then; otherwise it warns about unknown variables and, for serve outside
// production, names each unsafe default in one warning.
func (a *app) configure(cmd *command, environ []string) bool {
	cfg, known, err := readConfig(a.getenv)
	var problems []string
	var ce *configError
	if errors.As(err, &ce) {
		problems = ce.problems
	} else if err != nil {
		problems = []string{err.Error()}
	}
	if err == nil {
		a.log = newLogger(a.stderr, cfg.logLevel)
	}
	unknown := unknownVariables(environ, known)
	serving := cmd.name == "serve"
	invalid := len(problems) // bad values; the rest are what production refuses
	if cfg.mode == production {
		errored := map[string]bool{}
		for _, p := range problems {
			errored[variableName.FindString(p)] = true
		}
		for _, u := range unknown {
			problems = append(problems, u.String()+" (PHONEAUTH_ENV=production refuses unknown variables: fix or remove it)")
		}
		for _, u := range unsafeSettings(cfg) {
			if (serving || u.data) && !errored[variableName.FindString(u.text)] {
				problems = append(problems, u.text)
			}
		}
	} else {
		for _, u := range unknown {
			a.log.Warn(u.String(), "variable", u.name, "suggestion", u.suggestion)
		}
	}
	if len(problems) > 0 {
		msg := "invalid configuration"
		if len(problems) > invalid {
			msg = "refusing to run phoneauth " + cmd.name + " with PHONEAUTH_ENV=production"
		}
		a.log.Error(msg, "problems", problems)
		return false
	}
	if serving && cfg.mode != production {
		var texts []string
		for _, u := range unsafeSettings(cfg) {
			texts = append(texts, u.text)
		}
		if len(texts) > 0 {
			a.log.Warn("development mode: these settings are unsafe outside development (PHONEAUTH_ENV=production refuses them)", "unsafe", texts)
		}
	}
	a.cfg = cfg
	return true
}

func openStore(ctx context.Context, cfg config) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.db)
	if err != nil {
		return nil, databaseHint(cfg, err)
	}
	if err := db.Migrate(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	// Secrets written in the clear (before PHONEAUTH_ENCRYPTION_KEY was set) or under a key being
	// replaced are sealed under the current key now.
	if _, err := db.Reseal(ctx); err != nil {
		_ = db.Close()
		return nil, sealHint(err)
	}
	return db, nil
}

// databaseHint names the variable of a database that cannot be opened, and what to check.
func databaseHint(cfg config, err error) error {
	if dialect, _ := store.DialectOf(cfg.db.URL); dialect == store.Postgres {
		return fmt.Errorf("PHONEAUTH_DATABASE_URL: %w (check the host, port, user, password, database and sslmode, and that PostgreSQL is running)", err)
	}
	return fmt.Errorf("PHONEAUTH_DATABASE_URL: %w", err)
}

// sealHint says which setting a secret sealed under an unknown key needs.
func sealHint(err error) error {
	if errors.Is(err, seal.ErrNoKey) {
		return fmt.Errorf("%w: set PHONEAUTH_ENCRYPTION_KEY to the key the database's secrets were sealed with", err)
	}
	return err
}

// openLimiter connects to the shared rate limiter when PHONEAUTH_REDIS_URL is set; without it the
// limiter is nil and auth keeps the limits in this process's memory. Only serve opens it: the CLI
// sends no codes, so it must keep working while Redis is down.
func openLimiter(ctx context.Context, cfg config, log *slog.Logger) (auth.Limiter, func(), error) {
	if cfg.redisURL == "" {
		return nil, func() {}, nil
	}
	store.RedisLogsTo(log)
	prefix := cfg.redisPrefix + "limit:"
	l, err := store.NewRedisLimiter(ctx, cfg.redisURL, prefix)
	if err != nil {
		// The limiter's error is worded for an HTTP answer (503, retry); at start-up the cause is
		// what the operator needs.
		var ae *auth.Error
		if errors.As(err, &ae) && ae.Cause != nil {
			err = ae.Cause
		}
		return nil, nil, fmt.Errorf("PHONEAUTH_REDIS_URL: cannot reach %v (check the host, port and password, and that Redis is running; "+
			"or unset PHONEAUTH_REDIS_URL to keep the code budgets in each instance's memory)", err)
	}
	log.Info("rate limits shared through Redis", "key_prefix", prefix)
	return l, func() { _ = l.Close() }, nil
}

func migrate(ctx context.Context, a *app) error {
	db, err := openStore(ctx, a.cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	a.log.Info("migrations applied", "dialect", db.Dialect())
	return nil
}

func serve(ctx context.Context, a *app) error {
	cfg, log := a.cfg, a.log
	start := time.Now()
	tp, shutdownTracing, err := startTracing(ctx, a.getenv, log)
	if err != nil {
		return fmt.Errorf("tracing (OTEL_EXPORTER_OTLP_*): %w", err)
	}
	var tracer trace.TracerProvider // nil: tracing is off
	if tp != nil {
		tracer = tp
		defer func() { // last: the spans of the shutdown are flushed too
			fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := shutdownTracing(fctx); err != nil {
				log.Warn("tracing: flushing spans at exit", "err", err)
			}
		}()
		log.Info("tracing on: exporting spans over OTLP/HTTP")
	}
	cfg.db.TracerProvider = tracer
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.debugAddr != "" {
		serveDebug(cfg.debugAddr, log)
	}
	metrics := server.NewMetrics()
	metrics.WatchDB(db.SQL())
	if db.Dialect() == store.Postgres {
		metrics.WatchDBCounts(func() server.DBCounts {
			c := db.Counts()
			return server.DBCounts{RoundTrips: c.RoundTrips, Commits: c.Commits, Rollbacks: c.Rollbacks}
		})
	}
	metrics.WatchReady(db.Ready)
	limiter, closeLimiter, err := openLimiter(ctx, cfg, log)
	if err != nil {
		return err
	}
	if rl, ok := limiter.(*store.RedisLimiter); ok {
		rl.TraceWith(tracer)
	}
	defer closeLimiter() // after the HTTP server has drained
	svc, err := newServices(ctx, cfg, db, log, runtimeDeps{observer: metrics, limiter: limiter,
		guardStore: guardStore(cfg, db, limiter), tracer: tracer})
	if err != nil {
		return err
	}
	stopDispatcher, err := startDispatcher(cfg, db, log, metrics, metrics) // events.go
	if err != nil {
		return err
	}
	defer stopDispatcher() // after the HTTP server has drained: its last requests' events go out too
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("PHONEAUTH_ADDR=%s: %w: another process listens there: stop it, or choose another port", cfg.addr, err)
		}
		return fmt.Errorf("PHONEAUTH_ADDR=%s: %w", cfg.addr, err)
	}
	scfg := cfg.server
	if scfg.PublicURL == "" {
		scfg.PublicURL = listenURL(ln.Addr().String()) // the port bound, also for :0
	}
	scfg.Phones = svc.Phones
	e, err := server.New(scfg, svc.Services, server.Deps{Logger: log, Metrics: metrics, Ready: db.Ready, TracerProvider: tracer})
	if err != nil {
		_ = ln.Close()
		return err
	}
	srv := &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	releaseStartupMemory()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if cfg.purgeInterval > 0 {
		go purgeEvery(ctx, svc.Retention, cfg.purgeInterval, log)
	}
	bi := buildinfo.Get()
	log.Info("listening", "addr", ln.Addr().String(), "dialect", db.Dialect(), "env", cfg.mode,
		"version", bi.Version, "commit", bi.Commit, "startup_ms", server.Milliseconds(time.Since(start)))

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout_ms", server.Milliseconds(cfg.shutdownTimeout))
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

func createUserFlags(fs *flag.FlagSet) action {
	var (
		ph, name, email  string
		pwStdin, consent bool
		roles            stringList
	)
	fs.StringVar(&ph, "phone", "", "the phone `number` (E.164, or national with PHONEAUTH_DEFAULT_REGION)")
	fs.StringVar(&name, "name", "", "the display `name`")
	fs.StringVar(&email, "email", "", "an email `address` (optional)")
	fs.Var(&roles, "role", "a `role` to grant (repeatable): admin")
	fs.BoolVar(&pwStdin, "password-stdin", false, "read the password from the first line of standard input (required)")
	fs.BoolVar(&consent, "consent", false, "record that the user has given consent")
	return func(ctx context.Context, a *app, args []string) error {
		if len(args) > 0 {
			return usageError{"unexpected arguments: " + strings.Join(args, " ")}
		}
		if ph == "" || name == "" || !pwStdin {
			return usageError{"users create needs --phone, --name and --password-stdin (phoneauth users create --help)"}
		}
		line, err := bufio.NewReader(a.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("reading password from stdin: %w", err)
		}
		pw := strings.TrimRight(line, "\r\n")
		if pw == "" {
			return usageError{"no password on standard input"}
		}
		db, svc, err := openCLI(ctx, a)
		if err != nil {
			return err
		}
		defer db.Close()
		u, err := svc.Accounts.CreateUser(ctx, auth.NewUser{Phone: ph, Name: name, Email: email, Password: pw, Roles: roles, HasGivenConsent: consent})
		var verr *auth.ValidationError
		switch {
		case errors.As(err, &verr):
			msgs := make([]string, len(verr.Fields))
			for i, f := range verr.Fields {
				msgs[i] = cliFlags[f.Field] + ": " + f.Msg
			}
			return usageError{strings.Join(msgs, "; ")}
		case errors.Is(err, auth.ErrConflict):
			return errors.New("a user with this phone number or email already exists")
		case err != nil:
			return err
		}
		fmt.Fprintln(a.stdout, u.ID)
		return nil
	}
}

// purge deletes the rows no rule needs any more, once, and prints the counts (for a cron job when
// PHONEAUTH_PURGE_INTERVAL is 0).
func purge(ctx context.Context, a *app) error {
	db, svc, err := openCLI(ctx, a)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := svc.Retention.Purge(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "purged %d sessions, %d code challenges, %d lockout counters, %d audit events, %d SMS log entries, %d SMS guard rows, %d delivered events\n",
		r.Sessions, r.Challenges, r.Throttle, r.AuditEvents, r.SMSMessages, r.SMSGuard, r.Events)
	return nil
}

// purgeEvery runs Purge every interval until ctx ends. The first run waits a random part of the
// interval, so that instances started together do not purge together.
func purgeEvery(ctx context.Context, svc *auth.RetentionService, interval time.Duration, log *slog.Logger) {
	wait := rand.N(interval)
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = interval
		// Runs never overlap (the next waits for this one); the bound only stops a stuck database
		// from holding this goroutine for ever.
		runCtx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		r, err := svc.Purge(runCtx)
		cancel()
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("purge", "err", err, "sessions", r.Sessions, "otp_challenges", r.Challenges, "login_throttle", r.Throttle, "audit_events", r.AuditEvents, "events", r.Events)
		case r.Total() > 0:
			log.Info("purge", "sessions", r.Sessions, "otp_challenges", r.Challenges, "login_throttle", r.Throttle, "audit_events", r.AuditEvents, "events", r.Events)
		}
	}
}

func keys(ctx context.Context, a *app, verb string) error {
	db, svc, err := openCLI(ctx, a)
	if err != nil {
		return err
	}
	defer db.Close()
	if verb == "rotate" {
		k, err := svc.Keys.Rotate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, k.ID)
		return nil
	}
	states, err := svc.Keys.States(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%-45s %-22s %s\n", "KID", "CREATED", "STATE")
	for _, st := range states {
		state := "signing"
		switch {
		case st.Signing:
		case st.Published:
			state = "verifying until " + st.Until.Format(time.RFC3339)
		default:
			state = "retired " + st.Until.Format(time.RFC3339)
		}
		created := "-"
		if !st.CreatedAt.IsZero() {
			created = st.CreatedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(a.stdout, "%-45s %-22s %s\n", st.ID, created, state)
	}
	return nil
}

func version(_ context.Context, a *app) error {
	fmt.Fprintln(a.stdout, buildinfo.Get())
	return nil
}

// cliFlags names, for each field auth may reject, where the CLI user gave it.
var cliFlags = map[string]string{
	"phone": "--phone", "name": "--name", "email": "--email", "roles": "--role", "password": "password (stdin)",
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
