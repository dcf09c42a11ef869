// Command phoneauth-bench is phoneauth's load benchmark (`make bench`). It builds the server from the
// working tree, runs it against a fresh PostgreSQL database with an SMS webhook inside this process,
// drives each endpoint that matters with closed-loop clients, and compares the results with what this
// machine can physically do: the HTTP floor (GET /healthz) and the raw speed of the password hash.
// Ratios to those floors are what stay comparable on noisy, shared machines; absolute numbers are
// printed too, with the load average, so a busy machine can be recognised.
//
//	go run ./cmd/phoneauth-bench [-quick] [-duration 10s] [-flood-duration 20s] [-json bench-results.json] [-strict]
//
// PHONEAUTH_BENCH_DATABASE_URL names the PostgreSQL server (default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable); a database phoneauth_bench_<random>
// is created there and dropped at the end, Ctrl-C included.
//
// It lives apart from the Go micro-benchmarks (go test -bench) because it measures the built binary
// from the outside, like the black-box tests in tests/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// A first Ctrl-C stops the run and cleans up (server, database, temp files); restoring the default
	// handler then lets a second one abort at once.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	interrupted := make(chan struct{})
	go func() {
		s := <-sigs
		signal.Stop(sigs)
		fmt.Fprintf(os.Stderr, "\nbench: %v: stopping and cleaning up (again to abort without cleaning up)\n", s)
		close(interrupted)
		cancel()
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	select {
	case <-interrupted:
		code = 130
	default:
	}
	os.Exit(code)
}

// options are the command-line settings.
type options struct {
	duration      time.Duration
	floodDuration time.Duration
	floodClients  int
	quick         bool
	strict        bool
	jsonPath      string
	users         int
	meUsers       int
	keep          bool
	scale         bool
	dbURL         string
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("phoneauth-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long each scenario runs")
	fs.DurationVar(&o.floodDuration, "flood-duration", 20*time.Second, "how long the login flood runs")
	fs.IntVar(&o.floodClients, "flood-clients", 500, "concurrent password logins in the flood")
	fs.BoolVar(&o.quick, "quick", false, "smoke run: 3s per scenario (flood included) and fewer users, unless set explicitly")
	fs.BoolVar(&o.strict, "strict", false, "exit 1 when a target is missed (otherwise misses are only reported)")
	fs.StringVar(&o.jsonPath, "json", "bench-results.json", "where to write the results as JSON (\"\" for nowhere)")
	fs.IntVar(&o.users, "users", 2000, "users to seed (distinct phones for logins and codes)")
	fs.IntVar(&o.meUsers, "me-users", 256, "users logged in up front whose tokens drive GET /me")
	fs.BoolVar(&o.keep, "keep", false, "keep the temp directory (binary, server logs) instead of removing it")
	fs.BoolVar(&o.scale, "scale", false, "also run the scale scenario: every endpoint on 1M users, 2M sessions and 10M audit events against a tiny database, and a purge of 1M sessions (seeding takes minutes)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if o.quick {
		if !set["duration"] {
			o.duration = 3 * time.Second
		}
		if !set["flood-duration"] {
			o.floodDuration = 3 * time.Second
		}
		if !set["users"] {
			o.users = 500
		}
		if !set["me-users"] {
			o.meUsers = 64
		}
	}
	o.dbURL = os.Getenv("PHONEAUTH_BENCH_DATABASE_URL")
	if o.dbURL == "" {
		o.dbURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	switch {
	case o.duration < time.Second || o.floodDuration < time.Second:
		return o, errors.New("-duration and -flood-duration must be at least 1s")
	case o.users < 64 || o.users > maxUsers:
		return o, fmt.Errorf("-users must be between 64 and %d", maxUsers)
	case o.meUsers < 1 || o.floodClients < 1:
		return o, errors.New("-me-users and -flood-clients must be positive")
	}
	return o, nil
}

// scenario is one row of the results: clients × duration of one kind of request.
type scenario struct {
	key      string // stable identifier in the JSON, for scripts that compare runs
	title    string
	clients  int
	duration time.Duration
	ops      func(client int) op
	// side runs at the same time as the scenario and is reported as its own row, measured under the
	// same server load (the flood's GET /me probe).
	side *scenario
	// before runs first, unmetered by the scenario (the raw hash rate, right before the logins it
	// is compared with, so that both see the same machine).
	before func(ctx context.Context)
	// server is the base URL of the server the scenario drives ("": the benchmark's server), whose
	// pool counts its database work.
	server string
}

// row is a scenario's outcome.
type row struct {
	scenario
	s  *sample
	u  usage   // the server's CPU and memory during the scenario (shared with its side scenario)
	db *dbWork // its database work per operation (nil for a scenario with a side: they share it)
}

// run is the whole benchmark; it returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		fmt.Fprintln(stderr, "phoneauth-bench:", err)
		return 2
	}
	if runtime.GOOS != "linux" {
		fmt.Fprintln(stderr, "phoneauth-bench: needs Linux (server CPU and memory come from /proc)")
		return 1
	}
	res, err := bench(ctx, o, stderr)
	if res != nil {
		printReport(stdout, res)
	}
	switch {
	case err != nil && o.jsonPath != "" && res != nil:
		// A partial run must not overwrite the results of a complete one that scripts compare with.
		fmt.Fprintf(stderr, "bench: incomplete run, %s not written\n", o.jsonPath)
	case err == nil && o.jsonPath != "":
		if werr := writeJSON(o.jsonPath, res); werr != nil {
			err = fmt.Errorf("writing %s: %w", o.jsonPath, werr)
		} else {
			fmt.Fprintln(stderr, "bench: results written to", o.jsonPath)
		}
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "phoneauth-bench: interrupted")
		return 1
	}
	if err != nil {
		fmt.Fprintln(stderr, "phoneauth-bench:", err)
		return 1
	}
	if o.strict && res.misses() > 0 {
		fmt.Fprintf(stderr, "phoneauth-bench: %d target(s) missed (-strict)\n", res.misses())
		return 1
	}
	return 0
}

// bench sets up, runs every scenario and tears down. Every resource it makes is released by a defer,
// so an error or Ctrl-C at any step leaves no server, database or temp file behind.
func bench(ctx context.Context, o options, logw io.Writer) (res *results, err error) {
	logf := func(format string, a ...any) { fmt.Fprintf(logw, "bench: "+format+"\n", a...) }
	res = newResults(o)
	logf("machine: %d CPUs, GOMAXPROCS %d, load average %s (other work on this machine skews absolute numbers)",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), res.LoadavgBefore)

	root, err := moduleRoot(ctx)
	if err != nil {
		return nil, err
	}
	res.GitCommit, res.GitDirty = gitState(ctx, root)
	dir, err := os.MkdirTemp("", "phoneauth-bench-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if o.keep {
			logf("kept %s", dir)
			return
		}
		_ = os.RemoveAll(dir)
	}()

	logf("building ./cmd/phoneauth")
	bin, err := buildServer(ctx, root, dir)
	if err != nil {
		return nil, err
	}
	hc := newHTTPClient(o.floodClients + 64)
	defer hc.CloseIdleConnections()

	logf("start-up on SQLite (3 cold starts)")
	runs, err := measureStartup(ctx, bin, dir, 3, hc)
	if err != nil {
		return nil, fmt.Errorf("start-up measurement: %w", err)
	}
	res.setStartup(runs)

	db, err := createDB(ctx, o.dbURL)
	if err != nil {
		return nil, err
	}
	logf("database %s created", db.name)
	meter, err := newDBMeter(o.dbURL, db.name, hc)
	if err != nil {
		return nil, err
	}
	defer meter.close()
	defer func() {
		if derr := db.drop(); derr != nil {
			err = errors.Join(err, fmt.Errorf("dropping database %s: %w", db.name, derr))
		} else {
			logf("database %s dropped", db.name)
		}
	}()

	rcv, err := startReceiver()
	if err != nil {
		return nil, err
	}
	defer rcv.close()

	// The server's environment, for the benchmark's server and the extra idle-memory starts alike.
	pgEnv := func(dbURL string) []string {
		return serverEnv(
			"PHONEAUTH_DATABASE_URL="+dbURL,
			"PHONEAUTH_SMS_PROVIDER=webhook",
			"PHONEAUTH_SMS_WEBHOOK_URL="+rcv.url,
			// Signed like a production webhook, so the server pays for the HMAC it would pay for in production.
			"PHONEAUTH_SMS_WEBHOOK_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
			// Budgets and cooldowns exist to stop abuse; here they would only turn the load into 429s.
			"PHONEAUTH_OTP_PHONE_HOURLY_LIMIT=0",
			"PHONEAUTH_OTP_IP_HOURLY_LIMIT=0",
			"PHONEAUTH_OTP_RESEND_INTERVAL=0",
			"PHONEAUTH_LOGIN_LOCKOUT_THRESHOLD=0",
			// The SMS guard would block the seeded numbers, which get codes and never verify them; the
			// guarded server below measures what it costs (the pumping scenario what it does).
			"PHONEAUTH_SMS_GUARD_MIN_SENDS=0",
			// The access log is written at info; at warn the server logs only what went wrong.
			"PHONEAUTH_LOG_LEVEL=warn",
			// Long enough that no token made during set-up expires during a long -duration run; the TTL
			// does not change what a request costs.
			"PHONEAUTH_ACCESS_TOKEN_TTL=24h",
		)
	}
	// Idle memory moves by a megabyte or so with the page cache's state, so it is the median of three
	// starts on fresh databases: two throwaway ones here, and the benchmark's server below.
	logf("idle memory on PostgreSQL (2 extra starts)")
	idleKB, err := measureIdlePostgres(ctx, bin, dir, o.dbURL, pgEnv, 2, hc)
	if err != nil {
		return nil, fmt.Errorf("idle memory measurement: %w", err)
	}

	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "server.log")
	srv, err := startServer(ctx, bin, addr, logPath, pgEnv(db.url))
	if err != nil {
		return nil, err
	}
	defer func() {
		srv.stop()
		if res != nil { // nil when set-up failed: the error names the log instead
			res.ServerLog = summarizeLog(logPath)
		}
	}()
	readyAt, err := srv.waitReady(ctx, hc, 60*time.Second)
	if err != nil {
		return nil, fmt.Errorf("%w; see %s (use -keep to keep it)", err, logPath)
	}
	res.PostgresReadyMS = ms(readyAt.Sub(srv.started))
	if rss, _, err := memKB(srv.pid()); err == nil {
		idleKB = append(idleKB, rss)
	}
	res.setIdleRSS(idleKB)
	logf("server ready on %s (pid %d) after %s, idle RSS %.1f MB", srv.url, srv.pid(), readyAt.Sub(srv.started).Round(time.Millisecond), res.IdleRSSMB)

	t0 := time.Now()
	phones, err := seedUsers(ctx, db.url, o.users)
	if err != nil {
		return nil, err
	}
	logf("seeded %d users in %s", len(phones), time.Since(t0).Round(time.Millisecond))

	g := &loadgen{hc: hc, base: srv.url}
	f := newFixture(g, rcv, phones)
	// The same server with the SMS guard on (its defaults), its seeded prefixes exempt so that it
	// counts every send but blocks none: send_otp_guard against send_otp is the guard's cost.
	gaddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	exempt := make([]string, len(benchAreaCodes))
	for i, a := range benchAreaCodes {
		exempt[i] = fmt.Sprintf("+1%d", a)
	}
	gsrv, err := startServer(ctx, bin, gaddr, filepath.Join(dir, "guarded.log"), append(pgEnv(db.url),
		"PHONEAUTH_SMS_GUARD_MIN_SENDS=20", "PHONEAUTH_SMS_GUARD_EXEMPT="+strings.Join(exempt, ",")))
	if err != nil {
		return nil, err
	}
	defer gsrv.stop()
	if _, err := gsrv.waitReady(ctx, hc, 60*time.Second); err != nil {
		return nil, fmt.Errorf("guarded server: %w", err)
	}
	fg := newFixture(&loadgen{hc: hc, base: gsrv.url}, rcv, phones)
	const refreshClients = 32
	t0 = time.Now()
	if err := f.openSessions(ctx, min(o.meUsers, len(phones)), refreshClients); err != nil {
		return nil, fmt.Errorf("logging in the users for /me and refresh: %w", err)
	}
	logf("logged in %d sessions in %s", len(f.meHeaders)+len(f.refresh), time.Since(t0).Round(time.Millisecond))

	measureHash := func(ctx context.Context) {
		logf("raw argon2id: %d goroutines for %s", runtime.GOMAXPROCS(0), o.duration)
		m := startMeter(srv.pid())
		hash := rawHashRate(ctx, o.duration)
		res.setRawHash(hash, m.finish())
		logf("  %.1f hashes/s", hash.rate())
	}

	d := o.duration
	ncpu := runtime.NumCPU()
	scenarios := []scenario{
		{key: "healthz", title: "GET /healthz (HTTP floor)", clients: 32, duration: d, ops: f.healthz},
		{key: "me", title: "GET /me", clients: 32, duration: d, ops: f.meOps()},
		{key: "login_2xcpu", title: "POST /login", clients: 2 * ncpu, duration: d, ops: f.loginOps(), before: measureHash},
		{key: "login_64", title: "POST /login", clients: 64, duration: d, ops: f.loginOps()},
		{key: "refresh", title: "POST /refresh (own chains)", clients: refreshClients, duration: d, ops: f.refreshOp},
		{key: "send_otp", title: "POST /login/send-otp", clients: 32, duration: d, ops: f.sendOTPOps()},
		{key: "send_otp_guard", title: "POST /login/send-otp, SMS guard on", clients: 32, duration: d, ops: fg.sendOTPOps(), server: gsrv.url},
		{key: "code_login", title: "code login (send+SMS+verify)", clients: 8, duration: d, ops: f.codeLoginOps(8)},
		{key: "flood_login", title: "flood: POST /login", clients: o.floodClients, duration: o.floodDuration, ops: f.loginOps(),
			side: &scenario{key: "flood_me", title: "flood: GET /me (side)", clients: 4, duration: o.floodDuration, ops: f.meOps()}},
	}
	quiet := time.Now() // when the database was last used
	for _, sc := range scenarios {
		// A pause lets the previous scenario's connections, garbage and database work settle, so each
		// scenario starts from a quiet server.
		sleepCtx(ctx, 500*time.Millisecond)
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if sc.before != nil {
			sc.before(ctx)
			sleepCtx(ctx, 500*time.Millisecond)
		}
		if sc.server == "" {
			sc.server = srv.url
		}
		// PostgreSQL's counts of the database are read before each scenario, once the last one's
		// backends have reported theirs (about 10 s: see idleFlush).
		var before dbCounts
		if sc.side == nil {
			if before, err = meter.read(ctx, quiet, sc.server); err != nil {
				return res, err
			}
		}
		logf("%s: %d clients for %s", sc.key, sc.clients, sc.duration)
		rows := runScenario(ctx, g, srv.pid(), sc)
		quiet = time.Now()
		if sc.side == nil {
			after, err := meter.read(ctx, quiet, sc.server)
			if err != nil {
				return res, err
			}
			rows[0].db = perOp(before, after, len(rows[0].s.latencies))
		}
		for _, r := range rows {
			res.addRow(r)
			logf("  %-12s %8.1f req/s  p99 %s  errors %s%s", r.key, r.s.rate(), r.s.quantile(0.99).Round(10*time.Microsecond),
				formatErrors(r.s.errorCounts()), r.db.String())
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
	}
	res.SMSReceived, res.SMSConnections = rcv.received.Load(), rcv.conns.Load()
	gsrv.stop()
	pdb, err := createDB(ctx, o.dbURL)
	if err != nil {
		return res, err
	}
	defer func() { _ = pdb.drop() }()
	logf("pumping: %d code requests from %d addresses to %s…, and %d real users", fullPump.attacks, fullPump.ips, attackedPrefix, fullPump.users)
	p, err := pumping(ctx, bin, dir, pdb.url, fullPump, hc)
	if err != nil {
		return res, fmt.Errorf("pumping scenario: %w", err)
	}
	res.Pumping = &p
	logf("  %d SMS to the attacked prefix; %d/%d real users got their code", p.AttackSMS, p.UsersSent, p.Users)
	ev, err := benchEvents(ctx, bin, dir, o.dbURL, pgEnv, rcv, hc, d, 2*ncpu, logf) // events.go
	if err != nil {
		return res, fmt.Errorf("events scenario: %w", err)
	}
	res.Events = &ev
	if o.scale {
		shrink := 1
		if o.quick {
			shrink = 100 // a smoke run of the scenario, not its numbers
		}
		if res.Scale, err = runScale(ctx, bin, dir, o.dbURL, pgEnv, rcv, hc, shrink, logf); err != nil {
			return res, fmt.Errorf("scale scenario: %w", err)
		}
	}
	res.LoadavgAfter = loadavg()
	res.evaluate()
	return res, nil
}

// runScenario runs sc (and its side scenario, at the same time) while metering the server.
func runScenario(ctx context.Context, g *loadgen, pid int, sc scenario) []row {
	m := startMeter(pid)
	var side *sample
	done := make(chan struct{})
	if sc.side != nil {
		go func() {
			defer close(done)
			side = g.run(ctx, sc.side.clients, sc.side.duration, sc.side.ops)
		}()
	} else {
		close(done)
	}
	primary := g.run(ctx, sc.clients, sc.duration, sc.ops)
	<-done
	u := m.finish()
	rows := []row{{scenario: sc, s: primary, u: u}}
	if sc.side != nil {
		rows = append(rows, row{scenario: *sc.side, s: side, u: u})
	}
	return rows
}

// ms and mb convert to the JSON's units.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
func mb(kb int64) float64        { return float64(kb) / 1024 }
