package store

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Counts are what the connection pool has asked of PostgreSQL since the DB was opened, counted by the
// pool itself (a pgx tracer on every connection), so that a test or the benchmark can tell what one
// request costs without reading the server's statistics, which other clients of the database move too.
// On SQLite they stay zero.
type Counts struct {
	// RoundTrips are the messages that waited for an answer: every statement (BEGIN and COMMIT
	// included), every statement prepared for the first time on its connection, every liveness ping.
	RoundTrips int64
	// Commits are the transactions that committed, as pg_stat_database.xact_commit counts them: each
	// statement run outside a transaction, each COMMIT that did not roll back, each ping.
	Commits int64
	// Rollbacks are the transactions that rolled back: a ROLLBACK, a COMMIT of a failed transaction, a
	// statement that failed outside one.
	Rollbacks int64
}

// Sub returns what happened between then and c.
func (c Counts) Sub(then Counts) Counts {
	return Counts{RoundTrips: c.RoundTrips - then.RoundTrips, Commits: c.Commits - then.Commits, Rollbacks: c.Rollbacks - then.Rollbacks}
}

// Counts returns the counts so far.
func (db *DB) Counts() Counts {
	if db.counter == nil {
		return Counts{}
	}
	return Counts{RoundTrips: db.counter.roundTrips.Load(), Commits: db.counter.commits.Load(), Rollbacks: db.counter.rollbacks.Load()}
}

// counter is the pgx tracer behind Counts. A connection's transaction status after a statement tells
// the rest: idle ('I') after a statement that succeeded means that statement ended a transaction,
// its own or, for COMMIT, the one it closed.
type counter struct {
	roundTrips, commits, rollbacks atomic.Int64
}

var (
	_ pgx.QueryTracer   = (*counter)(nil)
	_ pgx.PrepareTracer = (*counter)(nil)
)

func (c *counter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.roundTrips.Add(1)
	return ctx
}

func (c *counter) TraceQueryEnd(_ context.Context, conn *pgx.Conn, data pgx.TraceQueryEndData) {
	idle := conn.PgConn().TxStatus() == 'I'
	switch {
	case data.Err != nil && idle:
		c.rollbacks.Add(1)
	case !idle:
	case data.CommandTag.String() == "ROLLBACK":
		c.rollbacks.Add(1)
	default:
		c.commits.Add(1)
	}
}

func (c *counter) TracePrepareStart(ctx context.Context, _ *pgx.Conn, _ pgx.TracePrepareStartData) context.Context {
	return ctx
}

func (c *counter) TracePrepareEnd(_ context.Context, _ *pgx.Conn, data pgx.TracePrepareEndData) {
	if !data.AlreadyPrepared {
		c.roundTrips.Add(1)
	}
}

// shouldPing keeps database/sql's default (a connection idle for over a second is pinged before it is
// handed out) and counts the ping: an empty statement, which PostgreSQL counts as a transaction.
func (c *counter) shouldPing(_ context.Context, p stdlib.ShouldPingParams) bool {
	if p.IdleDuration <= time.Second {
		return false
	}
	c.roundTrips.Add(1)
	c.commits.Add(1)
	return true
}
