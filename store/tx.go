package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/phoneauth/phoneauth/auth"
)

// A request's writes share one transaction: auth.Atomic.InTx opens it and puts it in the context, and
// every repository method reaches the database through conn or tx, which use it when the context
// carries one. So a method that is atomic on its own is also atomic with whatever else the caller
// does in the same InTx, and a method never waits on a lock its own caller holds (on SQLite, whose
// one writer would otherwise wait for itself until busy_timeout).

var _ auth.Atomic = (*DB)(nil)

type txKey struct{}

// txValue is the open transaction of one DB: a context may pass through two databases' code (the
// importer's tests, say), and one DB must never write into the other's transaction.
type txValue struct {
	db *DB
	tx *gorm.DB
}

func (db *DB) txFrom(ctx context.Context) (*gorm.DB, bool) {
	v, ok := ctx.Value(txKey{}).(txValue)
	if !ok || v.db != db {
		return nil, false
	}
	return v.tx, true
}

// conn is the handle a repository method runs its statements on: ctx's transaction, or the pool.
func (db *DB) conn(ctx context.Context) *gorm.DB {
	if tx, ok := db.txFrom(ctx); ok {
		return tx.WithContext(ctx)
	}
	return db.gorm.WithContext(ctx)
}

// tx runs fn in ctx's transaction when there is one (without a savepoint: an error fails the whole
// transaction, which the caller then rolls back), else in a transaction of its own.
func (db *DB) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if tx, ok := db.txFrom(ctx); ok {
		return fn(tx.WithContext(ctx))
	}
	return db.gorm.WithContext(ctx).Transaction(fn)
}

// InTx implements auth.Atomic.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := db.txFrom(ctx); ok {
		return fn(ctx)
	}
	return translate(db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(context.WithValue(ctx, txKey{}, txValue{db: db, tx: tx}))
	}))
}

// forValues runs fn's statements planned for their values. On PostgreSQL the driver prepares every
// statement once per connection, and after five executions the server switches a prepared statement
// to a generic plan, made without the values, whenever that plan is priced below the average of those
// planned for them. For a query whose best plan depends on how many rows its values match (an admin
// search, the audit trail of one type) that is a trap: a search that matched nobody five times, planned
// as a scan of the trigram index, which is priced high, gets the generic plan instead, a walk of the
// primary key priced for an average pattern, and the walk reads every user. So fn runs in a
// transaction (ctx's, or one of its own) that sets plan_cache_mode for itself: two round trips more,
// for queries an operator makes, never on a user's request path. SQLite plans every statement anew.
func (db *DB) forValues(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if db.dialect != Postgres {
		return fn(db.conn(ctx))
	}
	return db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec("SET LOCAL plan_cache_mode = force_custom_plan").Error; err != nil {
			return err
		}
		return fn(tx)
	})
}
