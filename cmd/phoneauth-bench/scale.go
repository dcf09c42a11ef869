package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// The scale scenario (-scale): every endpoint timed against a database of 1,000,000 users, 2,000,000
// sessions and refresh tokens and 10,000,000 audit events, and against a tiny one, in the same run,
// with the ratio of the two; then one `phoneauth purge` of the big database's 1,000,000 expired
// sessions, timed, with the p99 of password logins while it runs against the p99 just before. The big
// database is seeded with SQL (generate_series), not the API: through the API it would take days.

const (
	scaleUsers  = 1_000_000
	scaleEvents = 10_000_000
	scaleCalls  = 15 // timed calls of each endpoint, after scaleWarmup untimed ones
	scaleWarmup = 3
	// The seeded bench users (benchPhone 0…scaleBench-1, benchPassword) log in, get codes and are
	// looked up on both databases; the last of them is the admin.
	scaleBench = 100
	// scaleRare is the audit type of one event in 100,003: the kind a support search looks for.
	scaleRare = "user.deleted"
)

// scaleResult is the scale scenario's part of the JSON.
type scaleResult struct {
	Users     int             `json:"users"`  // of the big database, beside the bench users; two sessions each
	Events    int             `json:"events"` // audit events of the big database
	SeedS     float64         `json:"seed_s"`
	Endpoints []scaleEndpoint `json:"endpoints"`
	Purge     scalePurge      `json:"purge"`
}

type scaleEndpoint struct {
	Name   string  `json:"name"`
	TinyMS float64 `json:"tiny_ms"` // median of scaleCalls
	BigMS  float64 `json:"big_ms"`
	Ratio  float64 `json:"ratio"`
}

type scalePurge struct {
	Output        string  `json:"output"` // what phoneauth purge printed
	ElapsedS      float64 `json:"elapsed_s"`
	LoginP99MS    float64 `json:"login_p99_ms"`        // 4 clients, just before the purge
	LoginP99Purge float64 `json:"login_p99_during_ms"` // the same clients, while it runs
	Ratio         float64 `json:"ratio"`
}

// scaleServer is one server of the scenario, on its own database, and what it was seeded with.
type scaleServer struct {
	db   *benchDB
	srv  *serverProc
	f    *fixture
	ids  scaleIDs
	user string // bearer token of bench user 0
	adm  string // bearer token of the admin
}

// scaleIDs are the rows the timed lookups name.
type scaleIDs struct {
	user, actor   string // a user with a few audit events; the admin, who acted in some
	recent, early string // a time with a few events after it, and one with a few before it
}

// runScale runs the scenario; shrink divides the big database's sizes (1 for the real thing, more for
// a smoke run).
func runScale(ctx context.Context, bin, dir, adminURL string, env func(string) []string, rcv *receiver, hc *http.Client,
	shrink int, logf func(string, ...any)) (*scaleResult, error) {
	res := &scaleResult{Users: scaleUsers / shrink, Events: scaleEvents / shrink}
	// Neither server purges by itself: the purge is run once, and timed.
	scaleEnv := func(u string) []string { return append(env(u), "PHONEAUTH_PURGE_INTERVAL=0") }
	start := func(name string) (*scaleServer, error) {
		db, err := createDB(ctx, adminURL)
		if err != nil {
			return nil, err
		}
		s := &scaleServer{db: db}
		addr, err := freeAddr()
		if err != nil {
			return s, err
		}
		if s.srv, err = startServer(ctx, bin, addr, filepath.Join(dir, "scale-"+name+".log"), scaleEnv(db.url)); err != nil {
			return s, err
		}
		if _, err := s.srv.waitReady(ctx, hc, 60*time.Second); err != nil {
			return s, err
		}
		phones, err := seedUsers(ctx, db.url, scaleBench)
		if err != nil {
			return s, err
		}
		s.f = newFixture(&loadgen{hc: hc, base: s.srv.url}, rcv, phones)
		return s, nil
	}
	stop := func(s *scaleServer) {
		if s == nil {
			return
		}
		if s.srv != nil {
			s.srv.stop()
		}
		_ = s.db.drop()
	}
	tiny, err := start("tiny")
	defer stop(tiny)
	if err != nil {
		return nil, fmt.Errorf("tiny database: %w", err)
	}
	big, err := start("big")
	defer stop(big)
	if err != nil {
		return nil, fmt.Errorf("big database: %w", err)
	}
	logf("scale: seeding %d users, %d sessions and refresh tokens, %d audit events (minutes)", res.Users, 2*res.Users, res.Events)
	t0 := time.Now()
	if big.ids, err = seedScale(ctx, big.db.url, res.Users, res.Events); err != nil {
		return nil, fmt.Errorf("seeding the big database: %w", err)
	}
	if tiny.ids, err = seedScale(ctx, tiny.db.url, scaleUsers/10000, scaleEvents/10000); err != nil {
		return nil, fmt.Errorf("seeding the tiny database: %w", err)
	}
	res.SeedS = time.Since(t0).Seconds()
	logf("scale: seeded in %s", time.Since(t0).Round(time.Second))

	for _, s := range []*scaleServer{tiny, big} {
		u, err := s.f.login(ctx, 0)
		if err != nil {
			return nil, err
		}
		a, err := s.f.login(ctx, scaleBench-1)
		if err != nil {
			return nil, err
		}
		s.user, s.adm = "Bearer "+u.AccessToken, "Bearer "+a.AccessToken
		s.f.refresh = []string{u.RefreshToken}
	}
	for _, e := range scaleEndpoints() {
		var ms [2]float64
		for i, s := range []*scaleServer{tiny, big} {
			d, err := timeEndpoint(ctx, s, e)
			if err != nil {
				return nil, fmt.Errorf("scale: %s: %w", e.name, err)
			}
			ms[i] = d
		}
		r := scaleEndpoint{Name: e.name, TinyMS: ms[0], BigMS: ms[1], Ratio: ratio(ms[1], ms[0])}
		res.Endpoints = append(res.Endpoints, r)
		logf("scale: %-40s tiny %7.2f ms  big %7.2f ms  ×%.2f", r.Name, r.TinyMS, r.BigMS, r.Ratio)
	}

	// The purge, with logins running: 4 clients (2×CPUs: the hashing gate full, nothing queued) for
	// as long before it as it takes.
	logf("scale: purge of the big database, logins alongside")
	login := big.f.loginOps()
	base := big.f.g.run(ctx, 4, 10*time.Second, login)
	res.Purge.LoginP99MS = ms(base.quantile(0.99))
	var finished atomic.Bool
	during := &sample{}
	done := make(chan struct{})
	go func() {
		// Runs of a second until the purge ends: each lets its requests finish, so none is cut short.
		defer close(done)
		for !finished.Load() && ctx.Err() == nil {
			during.latencies = append(during.latencies, big.f.g.run(ctx, 4, time.Second, login).latencies...)
		}
		slices.Sort(during.latencies)
	}()
	t0 = time.Now()
	cmd := exec.CommandContext(ctx, bin, "purge")
	cmd.Env = scaleEnv(big.db.url)
	out, err := cmd.CombinedOutput()
	res.Purge.ElapsedS = time.Since(t0).Seconds()
	finished.Store(true)
	<-done
	if err != nil {
		return res, fmt.Errorf("phoneauth purge: %v\n%s", err, out)
	}
	res.Purge.Output = strings.TrimSpace(lastLines(string(out), 3))
	res.Purge.LoginP99Purge = ms(during.quantile(0.99))
	res.Purge.Ratio = ratio(res.Purge.LoginP99Purge, res.Purge.LoginP99MS)
	logf("scale: purge took %.1f s (%s); login p99 %.0f ms before, %.0f ms during (×%.2f)", res.Purge.ElapsedS,
		res.Purge.Output, res.Purge.LoginP99MS, res.Purge.LoginP99Purge, res.Purge.Ratio)
	return res, nil
}

// seedScale seeds the database at dbURL, whose bench users exist: users without a password, two
// sessions each (one expired 60 days ago and
// more, one live) with a refresh token each, and audit events over the last 30 days, ten per user, of
// ten common types, a rare one, and some acted by the admin. Then it analyzes what it wrote, as
// autovacuum would.
func seedScale(ctx context.Context, dbURL string, users, events int) (scaleIDs, error) {
	var ids scaleIDs
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return ids, err
	}
	defer db.Close()
	if err := db.QueryRowContext(ctx, `UPDATE users SET roles = 'admin' WHERE phone = $1 RETURNING id`, benchPhone(scaleBench-1)).Scan(&ids.actor); err != nil {
		return ids, fmt.Errorf("making the admin: %w", err)
	}
	// Users n get the ids …n…-0000-7000-8000-000000000000: older than any the server makes.
	userID := func(n string) string {
		return `(lpad(to_hex(` + n + `), 8, '0') || '-0000-7000-8000-000000000000')::uuid`
	}
	var gin string
	if err := db.QueryRowContext(ctx, `SELECT pg_get_indexdef('users_search_trgm_idx'::regclass)`).Scan(&gin); err != nil {
		return ids, err
	}
	for _, q := range []string{
		// The trigram index is built after the rows, as for any bulk load (it has no fastupdate).
		`DROP INDEX users_search_trgm_idx`,
		fmt.Sprintf(`INSERT INTO users (id, phone, name, email, password_hash, created_at, updated_at)
			SELECT %s, '+1999' || lpad(g::text, 7, '0'), 'Scale User ' || g,
			       CASE WHEN g %% 4 = 0 THEN 'scale' || g || '@example.com' END, '',
			       now() - interval '400 days' + g * interval '1 second', now() - interval '400 days' + g * interval '1 second'
			FROM generate_series(1, %d) g`, userID("g"), users),
		gin,
		fmt.Sprintf(`INSERT INTO sessions (id, user_id, amr, created_at, last_used_at, expires_at)
			SELECT (lpad(to_hex(g), 8, '0') || '-000' || k || '-7000-8000-000000000000')::uuid, %s, 'pwd',
			       now() - interval '90 days', now() - interval '90 days',
			       CASE WHEN k = 1 THEN now() - interval '60 days' - g * interval '1 second' ELSE now() + interval '20 days' END
			FROM generate_series(1, %d) g, generate_series(1, 2) k`, userID("g"), users),
		`INSERT INTO refresh_tokens (hash, session_id, created_at_ms)
			SELECT encode(sha256(convert_to(id::text, 'UTF8')), 'hex'), id, 0 FROM sessions WHERE amr = 'pwd' AND ip = ''`,
		fmt.Sprintf(`INSERT INTO audit_events (at, type, user_id, actor_id)
			SELECT now() - interval '31 days' + g * (interval '30 days' / %[1]d),
			       CASE WHEN g %% 100003 = 0 THEN '%[2]s'
			            ELSE (ARRAY['login.succeeded', 'login.failed', 'otp.sent', 'otp.verified', 'otp.failed', 'session.ended',
			                        'user.signup', 'password.changed', 'profile.updated', 'otp.send_failed'])[1 + g %% 10] END,
			       %[3]s, CASE WHEN g %% 50021 = 0 THEN '%[4]s'::uuid END
			FROM generate_series(1, %[1]d) g`, events, scaleRare, userID(fmt.Sprintf("1 + g %% %d", users)), ids.actor),
		`VACUUM (ANALYZE) users`, `VACUUM (ANALYZE) sessions`, `VACUUM (ANALYZE) refresh_tokens`, `VACUUM (ANALYZE) audit_events`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return ids, fmt.Errorf("%w\n%s", err, q)
		}
	}
	if err := db.QueryRowContext(ctx, `SELECT `+userID(fmt.Sprint(1+12345%users))+`::text`).Scan(&ids.user); err != nil {
		return ids, err
	}
	// 20 seeded events after the one, 20 before the other.
	var recent, early time.Time
	if err := db.QueryRowContext(ctx, `SELECT (SELECT at FROM audit_events ORDER BY at DESC, id DESC OFFSET 20 LIMIT 1),
		(SELECT at FROM audit_events ORDER BY at, id OFFSET 20 LIMIT 1)`).Scan(&recent, &early); err != nil {
		return ids, err
	}
	ids.recent, ids.early = recent.UTC().Format(time.RFC3339Nano), early.UTC().Format(time.RFC3339Nano)
	return ids, nil
}

// scaleCall is one endpoint of the scale scenario: prep (untimed, may be nil) then do (timed).
type scaleCall struct {
	name     string
	prep, do func(ctx context.Context, s *scaleServer, i int) (status int, err error)
}

func scaleEndpoints() []scaleCall {
	get := func(path func(s *scaleServer) string, admin bool) func(ctx context.Context, s *scaleServer, i int) (int, error) {
		return func(ctx context.Context, s *scaleServer, _ int) (int, error) {
			tok := s.user
			if admin {
				tok = s.adm
			}
			st, _, err := s.f.g.send(ctx, http.MethodGet, path(s), nil, http.Header{"Authorization": {tok}}, false)
			return st, err
		}
	}
	const users, audit = "/api/v1/admin/users", "/api/v1/admin/audit-events"
	fixed := func(p string) func(*scaleServer) string { return func(*scaleServer) string { return p } }
	sendOTP := func(ctx context.Context, s *scaleServer, i int) (int, error) {
		st, _, err := s.f.g.send(ctx, http.MethodPost, "/api/v1/auth/login/send-otp", s.f.otpBodies[i%(scaleBench-1)], nil, false)
		return st, err
	}
	return []scaleCall{
		{name: "GET /me", do: get(fixed("/api/v1/auth/me"), false)},
		{name: "POST /login", do: func(ctx context.Context, s *scaleServer, i int) (int, error) {
			_, err := s.f.login(ctx, i%(scaleBench-1))
			return 200, err
		}},
		{name: "POST /refresh", do: func(ctx context.Context, s *scaleServer, _ int) (int, error) {
			return s.f.refreshOp(0)(ctx)
		}},
		{name: "POST /login/send-otp", do: sendOTP},
		{name: "POST /login/verify-otp", prep: sendOTP, do: func(ctx context.Context, s *scaleServer, i int) (int, error) {
			p := s.f.phones[i%(scaleBench-1)]
			vb, _ := json.Marshal(map[string]string{"phone_number": p, "otp_code": s.f.rcv.code(p)})
			st, _, err := s.f.g.send(ctx, http.MethodPost, "/api/v1/auth/login/verify-otp", vb, nil, false)
			return st, err
		}},
		{name: "admin: a user by id", do: get(func(s *scaleServer) string { return users + "/" + s.ids.user }, true)},
		{name: "admin: users, newest first", do: get(fixed(users), true)},
		{name: "admin: search that matches nobody", do: get(fixed(users+"?q=zzqx+nobody"), true)},
		{name: "admin: search for a phone number", do: get(func(s *scaleServer) string { return users + "?q=" + url.QueryEscape(s.f.phones[5]) }, true)},
		{name: "admin: search for a name few have", do: get(fixed(users+"?q=scale+user+12345"), true)},
		{name: "admin: search for a common name", do: get(fixed(users+"?q=user"), true)},
		{name: "audit: newest", do: get(fixed(audit), true)},
		{name: "audit: a rare type", do: get(fixed(audit+"?type="+scaleRare), true)},
		{name: "audit: a common type", do: get(fixed(audit+"?type=otp.sent"), true)},
		{name: "audit: by actor", do: get(func(s *scaleServer) string { return audit + "?actor_id=" + s.ids.actor }, true)},
		{name: "audit: of a user", do: get(func(s *scaleServer) string { return audit + "?user_id=" + s.ids.user }, true)},
		{name: "audit: since a recent time", do: get(func(s *scaleServer) string { return audit + "?since=" + url.QueryEscape(s.ids.recent) }, true)},
		{name: "audit: until an early time", do: get(func(s *scaleServer) string { return audit + "?until=" + url.QueryEscape(s.ids.early) }, true)},
	}
}

// timeEndpoint is the median of scaleCalls sequential calls of e on s, after scaleWarmup.
func timeEndpoint(ctx context.Context, s *scaleServer, e scaleCall) (float64, error) {
	var took []time.Duration
	for i := range scaleWarmup + scaleCalls {
		if e.prep != nil {
			if st, err := e.prep(ctx, s, i); err != nil || st != http.StatusOK {
				return 0, fmt.Errorf("preparing: status %d, %v", st, err)
			}
		}
		t0 := time.Now()
		st, err := e.do(ctx, s, i)
		d := time.Since(t0)
		if err != nil || st != http.StatusOK {
			return 0, fmt.Errorf("status %d, %v", st, err)
		}
		if i >= scaleWarmup {
			took = append(took, d)
		}
	}
	slices.Sort(took)
	return ms(took[len(took)/2]), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " | ")
}

// targets are the scale scenario's goals (issue 19).
func (r *scaleResult) targets() []target {
	var ts []target
	for _, e := range r.Endpoints {
		t := atMost("scale: "+e.Name+", big / tiny database", e.Ratio, 1.5, "ratio")
		t.Note = fmt.Sprintf("%.2f ms against %.2f", e.BigMS, e.TinyMS)
		ts = append(ts, t)
	}
	return append(ts,
		atMost(fmt.Sprintf("scale: purge of %d expired sessions", r.Users), r.Purge.ElapsedS, 60, "s"),
		atMost("scale: login p99 during the purge / before it", r.Purge.Ratio, 1.5, "ratio"))
}
