// Command phoneauth is the phone-number authentication service.
//
//	phoneauth [serve]       start the HTTP server (migrating the database first)
//	phoneauth migrate       apply database migrations and exit
//	phoneauth purge         delete the rows no rule needs any more
//	phoneauth users create  create a user (how the first admin is made)
//	phoneauth users import  import users exported from the FastAPI service
//	phoneauth keys rotate   start signing with a new key
//	phoneauth keys list     show the signing keys
//
// Configuration comes from PHONEAUTH_* environment variables; see the README. main is the only place
// that knows every concrete type: config → logger → store → auth → server.
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

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/seal"
	"github.com/phoneauth/phoneauth/server"
	"github.com/phoneauth/phoneauth/store"
)

const usage = `usage:
  phoneauth [serve]                 start the HTTP server (applies migrations first)
  phoneauth migrate                 apply database migrations and exit
  phoneauth purge                   delete ended sessions, dead codes and lockout counters (serve does it hourly)
  phoneauth users create --phone P --name N [--email E] [--role admin] --password-stdin
                                    create a user; prints its id
  phoneauth users import [--format jsonl|csv] [--dry-run] FILE
                                    import users exported from the FastAPI service (FILE - is stdin)
  phoneauth keys rotate             make a new signing key (every instance signs with it within a
                                    minute; the old one verifies until its tokens have expired)
  phoneauth keys list               show the signing keys and their state

Configuration is read from PHONEAUTH_* environment variables (see README.md).
`

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

// run is main with its inputs and outputs explicit, returning the exit status:
// 0 success, 1 failure, 2 bad usage or configuration.
func run(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "phoneauth:", err)
		return 2
	}
	log := slog.New(server.LogHandler(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.logLevel})))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	switch {
	case cmd == "serve" && len(args) == 0:
		err = serve(ctx, cfg, log)
	case cmd == "migrate" && len(args) == 0:
		err = migrate(ctx, cfg, log)
	case cmd == "users" && len(args) > 0 && args[0] == "create":
		err = createUser(ctx, cfg, args[1:], stdin, stdout, stderr)
	case cmd == "users" && len(args) > 0 && args[0] == "import":
		err = importUsers(ctx, cfg, args[1:], stdin, stdout, stderr)
	case cmd == "keys" && len(args) == 1 && (args[0] == "rotate" || args[0] == "list"):
		err = keys(ctx, cfg, args[0], stdout, stderr)
	case cmd == "purge" && len(args) == 0:
		err = purge(ctx, cfg, stdout, stderr)
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
	var ue usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "phoneauth:", err)
		return 2
	case err != nil:
		fmt.Fprintln(stderr, "phoneauth:", err)
		return 1
	}
	return 0
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func openStore(ctx context.Context, cfg config) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.db)
	if err != nil {
		return nil, err
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
		return nil, nil, fmt.Errorf("PHONEAUTH_REDIS_URL: %w", err)
	}
	log.Info("rate limits shared through Redis", "key_prefix", prefix)
	return l, func() { _ = l.Close() }, nil
}

func migrate(ctx context.Context, cfg config, log *slog.Logger) error {
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	log.Info("migrations applied", "dialect", db.Dialect())
	return nil
}

func serve(ctx context.Context, cfg config, log *slog.Logger) error {
	start := time.Now()
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
	limiter, closeLimiter, err := openLimiter(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeLimiter() // after the HTTP server has drained
	svc, err := newServices(ctx, cfg, db, log, runtimeDeps{observer: metrics, limiter: limiter, guardStore: guardStore(cfg, db, limiter)})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	scfg := cfg.server
	if scfg.PublicURL == "" {
		scfg.PublicURL = listenURL(ln.Addr().String()) // the port bound, also for :0
	}
	scfg.Phones = svc.Phones
	e, err := server.New(scfg, svc.Services, server.Deps{Logger: log, Metrics: metrics, Ready: db.Ready})
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
	log.Info("listening", "addr", ln.Addr().String(), "dialect", db.Dialect(), "startup", time.Since(start).String())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", cfg.shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

func createUser(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("users create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		ph, name, email  string
		pwStdin, consent bool
		roles            stringList
	)
	fs.StringVar(&ph, "phone", "", "phone number (E.164, or national with PHONEAUTH_DEFAULT_REGION)")
	fs.StringVar(&name, "name", "", "display name")
	fs.StringVar(&email, "email", "", "email address (optional)")
	fs.Var(&roles, "role", "role to grant (repeatable): admin")
	fs.BoolVar(&pwStdin, "password-stdin", false, "read the password from the first line of standard input")
	fs.BoolVar(&consent, "consent", false, "record that the user has given consent")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{"unexpected arguments: " + strings.Join(fs.Args(), " ")}
	}
	if ph == "" || name == "" || !pwStdin {
		return usageError{"users create needs --phone, --name and --password-stdin"}
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("reading password from stdin: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return usageError{"no password on standard input"}
	}
	db, svc, err := openCLI(ctx, cfg, stderr)
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
	fmt.Fprintln(stdout, u.ID)
	return nil
}

// purge deletes the rows no rule needs any more, once, and prints the counts (for a cron job when
// PHONEAUTH_PURGE_INTERVAL is 0).
func purge(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	db, svc, err := openCLI(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := svc.Retention.Purge(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "purged %d sessions, %d code challenges, %d lockout counters, %d SMS log entries, %d SMS guard rows\n",
		r.Sessions, r.Challenges, r.Throttle, r.SMSMessages, r.SMSGuard)
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
			log.Warn("purge", "err", err, "sessions", r.Sessions, "otp_challenges", r.Challenges, "login_throttle", r.Throttle)
		case r.Total() > 0:
			log.Info("purge", "sessions", r.Sessions, "otp_challenges", r.Challenges, "login_throttle", r.Throttle)
		}
	}
}

func keys(ctx context.Context, cfg config, verb string, stdout, stderr io.Writer) error {
	db, svc, err := openCLI(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	if verb == "rotate" {
		k, err := svc.Keys.Rotate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, k.ID)
		return nil
	}
	states, err := svc.Keys.States(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%-45s %-22s %s\n", "KID", "CREATED", "STATE")
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
		fmt.Fprintf(stdout, "%-45s %-22s %s\n", st.ID, created, state)
	}
	return nil
}

// cliFlags names, for each field auth may reject, where the CLI user gave it.
var cliFlags = map[string]string{
	"phone": "--phone", "name": "--name", "email": "--email", "roles": "--role", "password": "password (stdin)",
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
