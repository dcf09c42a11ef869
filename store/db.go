package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	gosqlite "github.com/glebarez/go-sqlite"
	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/phoneauth/phoneauth/auth/seal"
)

//go:embed migrations
var migrations embed.FS

// Dialects.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

// sqliteCantOpen is SQLITE_CANTOPEN, which the driver words as "out of memory (14)".
const sqliteCantOpen = 14

// Config says where the data lives and how to reach it.
type Config struct {
	// URL is postgres://… (or postgresql://…) for PostgreSQL; a file path, sqlite:PATH or file:… for SQLite.
	URL          string
	MaxOpenConns int           // default 20 (PostgreSQL), 8 (SQLite)
	ConnTimeout  time.Duration // default 5s
	// StatementTimeout bounds one statement on PostgreSQL, so that no request waits on a stuck
	// database; default 10s.
	StatementTimeout time.Duration
	// Box seals the secrets stored in the database (signing keys, server secrets); nil keeps new ones
	// in the clear.
	Box *seal.Box
	// TracerProvider, when set, gets a span for every statement (see gormTracing); nil: none.
	TracerProvider trace.TracerProvider
}

// Validate reports whether the URL names a supported database that can be opened: a PostgreSQL URL
// pgx can parse, or a SQLite file whose folder exists. Its errors never show a password.
func (c Config) Validate() error {
	dialect, dsn, err := parseURL(c.URL)
	if err != nil {
		return err
	}
	switch dialect {
	case Postgres:
		if _, err := pgx.ParseConfig(dsn); err != nil {
			return fmt.Errorf("not a PostgreSQL URL (postgres://user:password@host:5432/db?sslmode=verify-full): %s", pgReason(err))
		}
	case SQLite:
		if path := sqliteFile(dsn); path != "" {
			dir := filepath.Dir(path)
			switch fi, err := os.Stat(dir); {
			case errors.Is(err, fs.ErrNotExist):
				return fmt.Errorf("the SQLite file's folder %s does not exist: create it, or point at a file in an existing folder", dir)
			case err != nil:
				return fmt.Errorf("the SQLite file's folder %s cannot be read: %v", dir, err)
			case !fi.IsDir():
				return fmt.Errorf("%s is not a folder, so the SQLite file %s cannot be made there", dir, path)
			}
		}
	}
	return nil
}

// DialectOf returns the dialect (Postgres or SQLite) a database URL names.
func DialectOf(u string) (string, error) {
	dialect, _, err := parseURL(u)
	return dialect, err
}

// sqliteFile is the path of the file a SQLite DSN opens ("" for an in-memory database).
func sqliteFile(dsn string) string {
	path, query, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if path == "" || path == ":memory:" || strings.Contains(query, "mode=memory") {
		return ""
	}
	return strings.TrimPrefix(path, "//")
}

// pgReason is why pgx could not parse a URL, without the URL (pgx masks the password in it, but the
// rest may still be a secret of the operator's).
func pgReason(err error) string {
	msg := err.Error()
	if _, after, ok := strings.Cut(msg, "`: "); ok {
		return after
	}
	return msg
}

// DB is an open database with its dialect.
type DB struct {
	gorm    *gorm.DB
	sql     *sql.DB
	dialect string
	box     *seal.Box
	counter *counter // nil on SQLite
}

func parseURL(u string) (dialect, dsn string, err error) {
	switch {
	case strings.TrimSpace(u) == "":
		return "", "", errors.New("empty database URL")
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return Postgres, u, nil
	case strings.Contains(u, "://"):
		return "", "", fmt.Errorf("unsupported database URL scheme in %q: use postgres://… or a SQLite file path", redactURL(u))
	}
	path := strings.TrimPrefix(u, "sqlite:")
	params := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	if strings.HasPrefix(path, "file:") {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		return SQLite, path + sep + params, nil
	}
	if path == "" || strings.ContainsAny(path, "?#") {
		return "", "", fmt.Errorf("invalid SQLite path %q", path)
	}
	return SQLite, "file:" + path + "?" + params, nil
}

// redactURL hides a password in a database URL before it goes into an error or a log.
func redactURL(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	creds, host, ok := strings.Cut(rest, "@")
	if !ok {
		return u
	}
	user, _, _ := strings.Cut(creds, ":")
	return scheme + "://" + user + ":[redacted]@" + host
}

// Open connects to the database (it does not migrate).
func Open(ctx context.Context, cfg Config) (*DB, error) {
	dialect, dsn, err := parseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.ConnTimeout <= 0 {
		cfg.ConnTimeout = 5 * time.Second
	}
	gcfg := &gorm.Config{
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC() },
		SkipDefaultTransaction: true,
	}
	var (
		dialector gorm.Dialector
		count     *counter // PostgreSQL only
	)
	switch dialect {
	case Postgres:
		if !strings.Contains(dsn, "connect_timeout=") {
			dsn = withParam(dsn, "connect_timeout", fmt.Sprint(max(1, int(cfg.ConnTimeout.Seconds()))))
		}
		if cfg.StatementTimeout <= 0 {
			cfg.StatementTimeout = 10 * time.Second
		}
		if !strings.Contains(dsn, "statement_timeout=") {
			dsn = withParam(dsn, "statement_timeout", fmt.Sprint(cfg.StatementTimeout.Milliseconds()))
		}
		pcfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			return nil, openError("opening", dialect, dsn, err)
		}
		count = &counter{}
		pcfg.Tracer = count
		// The pool is opened here, not by the dialector, so that every connection carries the counter.
		dialector = postgres.New(postgres.Config{Conn: stdlib.OpenDB(*pcfg, stdlib.OptionShouldPing(count.shouldPing))})
		if cfg.MaxOpenConns <= 0 {
			cfg.MaxOpenConns = 20
		}
	case SQLite:
		dialector = sqlite.Open(dsn)
		if cfg.MaxOpenConns <= 0 {
			cfg.MaxOpenConns = 8
		}
	}
	g, err := gorm.Open(dialector, gcfg)
	if err != nil {
		return nil, openError("opening", dialect, dsn, err)
	}
	if cfg.TracerProvider != nil {
		system := "sqlite"
		if dialect == Postgres {
			system = "postgresql"
		}
		if err := g.Use(gormTracing{tracer: cfg.TracerProvider.Tracer(tracerName), system: system}); err != nil {
			return nil, err
		}
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(cfg.MaxOpenConns)
	sqlDB.SetMaxIdleConns(cfg.MaxOpenConns)
	sqlDB.SetConnMaxLifetime(30 * time.Minute)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, cfg.ConnTimeout)
	defer cancel()
	if err := sqlDB.PingContext(pctx); err != nil {
		_ = sqlDB.Close()
		return nil, openError("connecting to", dialect, dsn, err)
	}
	return &DB{gorm: g, sql: sqlDB, dialect: dialect, box: cfg.Box, counter: count}, nil
}

// openError words a failure to open or reach the database. SQLite's "unable to open database file:
// out of memory (14)" becomes what it means.
func openError(verb, dialect, dsn string, err error) error {
	var se *gosqlite.Error
	if dialect == SQLite && errors.As(err, &se) && se.Code() == sqliteCantOpen {
		return fmt.Errorf("cannot open the SQLite file %s: it must be a file this user (uid %d) may read and write, in a folder it may write to",
			sqliteFile(dsn), os.Getuid())
	}
	return fmt.Errorf("%s %s database: %w", verb, dialect, err)
}

func withParam(dsn, k, v string) string {
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + k + "=" + v
}

// Dialect is Postgres or SQLite.
func (db *DB) Dialect() string { return db.dialect }

// SQL is the connection pool (for its statistics).
func (db *DB) SQL() *sql.DB { return db.sql }

// Ready reports whether the database answers and its schema is current, in words fit for a health
// endpoint (no addresses or credentials).
func (db *DB) Ready(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return errors.New("database unreachable")
	}
	pending, err := db.MigrationsPending(ctx)
	switch {
	case err != nil:
		return errors.New("database unreachable")
	case pending:
		return errors.New("database migrations pending")
	}
	return nil
}

// Close closes the connection pool.
func (db *DB) Close() error { return db.sql.Close() }

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error { return translate(db.sql.PingContext(ctx)) }

func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+db.dialect)
	if err != nil {
		return nil, err
	}
	var opts []goose.ProviderOption
	d := goose.DialectSQLite3
	if db.dialect == Postgres {
		d = goose.DialectPostgres
		// Several instances starting at once migrate one at a time.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(d, db.sql, sub, opts...)
}

// Migrate applies every pending migration.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrating: %w", err)
	}
	return nil
}

// MigrationsPending reports whether the schema is behind this binary.
func (db *DB) MigrationsPending(ctx context.Context) (bool, error) {
	p, err := db.provider()
	if err != nil {
		return false, err
	}
	return p.HasPending(ctx)
}
