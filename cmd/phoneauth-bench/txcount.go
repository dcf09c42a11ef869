package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// What a request costs the database, from two sources that must agree: PostgreSQL's own count of the
// benchmark database's transactions (pg_stat_database.xact_commit, every statement outside a
// transaction being one, reads included; each waits for a WAL flush when it wrote), and the server's
// connection pool, which counts its round trips and commits itself (/metrics:
// phoneauth_db_round_trips_total, phoneauth_db_transactions_total). The first is the authority; the
// second also sees round trips, and sees nothing of other clients (autovacuum's transactions count in
// the first).

// dbCounts is one reading of both.
type dbCounts struct {
	xactCommit, xactRollback int64   // pg_stat_database of the benchmark database
	poolRoundTrips           float64 // the server's pool, from /metrics
	poolCommits              float64
}

// dbWork is a scenario's database work per operation (one request, or one flow of a few).
type dbWork struct {
	XactCommitPerOp   float64 `json:"xact_commit_per_op"`   // pg_stat_database
	XactRollbackPerOp float64 `json:"xact_rollback_per_op"` // pg_stat_database
	PoolCommitsPerOp  float64 `json:"pool_commits_per_op"`  // the server's pool
	RoundTripsPerOp   float64 `json:"round_trips_per_op"`   // the server's pool
	Ops               int     `json:"ops"`
}

// dbMeter reads the counts of one database through an admin connection to another database of the
// server (a connection to the benchmark database would count in its statistics).
type dbMeter struct {
	admin  *sql.DB
	dbName string
	hc     *http.Client
}

func newDBMeter(adminURL, dbName string, hc *http.Client) (*dbMeter, error) {
	admin, err := sql.Open("pgx", adminURL)
	if err != nil {
		return nil, err
	}
	admin.SetMaxOpenConns(1)
	return &dbMeter{admin: admin, dbName: dbName, hc: hc}, nil
}

func (m *dbMeter) close() { _ = m.admin.Close() }

// idleFlush is how long a PostgreSQL 15 backend may keep its counts before reporting them once it
// is idle (PGSTAT_IDLE_INTERVAL, 10 s; a busy backend reports at most once a second).
const idleFlush = 10*time.Second + 500*time.Millisecond

// readPG waits until the benchmark database's backends have been idle long enough to have reported
// their counts (quiet is when the last request ended), then reads pg_stat_database until it stands
// still.
func (m *dbMeter) readPG(ctx context.Context, quiet time.Time) (commit, rollback int64, err error) {
	sleepCtx(ctx, time.Until(quiet.Add(idleFlush)))
	query := func() (int64, int64, error) {
		var commit, rollback int64
		err := m.admin.QueryRowContext(ctx, `SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = $1`, m.dbName).
			Scan(&commit, &rollback)
		return commit, rollback, err
	}
	prev, _, err := query()
	for range 10 {
		if err != nil || ctx.Err() != nil {
			break
		}
		sleepCtx(ctx, 300*time.Millisecond)
		if commit, rollback, err = query(); err == nil && commit == prev {
			return commit, rollback, nil
		}
		prev = commit
	}
	if err != nil {
		return 0, 0, fmt.Errorf("reading pg_stat_database: %w", err)
	}
	return commit, rollback, ctx.Err()
}

// read is readPG and the pool counts of the server at base.
func (m *dbMeter) read(ctx context.Context, quiet time.Time, base string) (c dbCounts, err error) {
	if c.xactCommit, c.xactRollback, err = m.readPG(ctx, quiet); err != nil {
		return c, err
	}
	c.poolRoundTrips, c.poolCommits, err = m.poolCounts(ctx, base)
	return c, err
}

// poolCounts scrapes the server's own counts of its database work.
func (m *dbMeter) poolCounts(ctx context.Context, base string) (roundTrips, commits float64, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := m.hc.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("GET /metrics: status %d", resp.StatusCode)
	}
	found := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		switch name {
		case "phoneauth_db_round_trips_total":
			roundTrips, err = strconv.ParseFloat(value, 64)
		case `phoneauth_db_transactions_total{outcome="commit"}`:
			commits, err = strconv.ParseFloat(value, 64)
		default:
			continue
		}
		if err != nil {
			return 0, 0, fmt.Errorf("/metrics: %s: %w", name, err)
		}
		found++
	}
	if err := sc.Err(); err != nil {
		return 0, 0, err
	}
	if found != 2 {
		return 0, 0, fmt.Errorf("/metrics has no phoneauth_db_round_trips_total or phoneauth_db_transactions_total")
	}
	return roundTrips, commits, nil
}

// perOp is the work between two readings, divided by the operations done in between.
func perOp(before, after dbCounts, ops int) *dbWork {
	if ops <= 0 {
		return nil
	}
	n := float64(ops)
	return &dbWork{
		XactCommitPerOp: float64(after.xactCommit-before.xactCommit) / n, XactRollbackPerOp: float64(after.xactRollback-before.xactRollback) / n,
		PoolCommitsPerOp: (after.poolCommits - before.poolCommits) / n, RoundTripsPerOp: (after.poolRoundTrips - before.poolRoundTrips) / n,
		Ops: ops,
	}
}

// String is the log line's summary ("" for none).
func (w *dbWork) String() string {
	if w == nil {
		return ""
	}
	return fmt.Sprintf("  xact/op %.2f (pool %.2f, %.1f round trips)", w.XactCommitPerOp, w.PoolCommitsPerOp, w.RoundTripsPerOp)
}
