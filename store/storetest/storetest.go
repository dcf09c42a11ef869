// Package storetest gives each test its own empty database: a SQLite file in the test's temporary
// directory, and, when PHONEAUTH_TEST_DATABASE_URL names a PostgreSQL server, a fresh schema there that
// is dropped when the test ends. Parallel and repeated runs never share data.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", for creating schemas
)

// EnvURL names the PostgreSQL server the tests may use.
const EnvURL = "PHONEAUTH_TEST_DATABASE_URL"

// Dialects returns "sqlite", plus "postgres" when EnvURL is set. Without it the PostgreSQL half of
// t goes untested, which it says loudly (and with CI set, fails: CI runs both).
func Dialects(t testing.TB) []string {
	t.Helper()
	if os.Getenv(EnvURL) != "" {
		return []string{"sqlite", "postgres"}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not set, so %s would go untested on PostgreSQL; CI must run it", EnvURL, t.Name())
	}
	t.Logf("SKIPPED LOUDLY: %s is not set: %s ran on SQLite only, untested on PostgreSQL (make test starts one)", EnvURL, t.Name())
	return []string{"sqlite"}
}

// Untested skips t because missing is not there, saying loudly what goes untested; with CI set it
// fails instead, since CI must run every test.
func Untested(t testing.TB, missing, untested string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is missing, so %s would go untested; CI must run it", missing, untested)
	}
	t.Skipf("SKIPPED LOUDLY: %s is missing: %s went untested (make test provides it)", missing, untested)
}

// URL returns the URL of a fresh, empty database of dialect for t.
func URL(t testing.TB, dialect string) string {
	t.Helper()
	switch dialect {
	case "sqlite":
		return filepath.Join(t.TempDir(), "phoneauth.db")
	case "postgres":
		base := os.Getenv(EnvURL)
		if base == "" {
			Untested(t, EnvURL, t.Name()+" on PostgreSQL")
		}
		return freshSchema(t, base)
	}
	t.Fatalf("unknown dialect %q", dialect)
	return ""
}

func freshSchema(t testing.TB, base string) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		_ = db.Close()
		t.Fatalf("creating schema on %s: %v", EnvURL, err)
	}
	t.Cleanup(func() {
		defer db.Close()
		if _, err := db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Logf("dropping schema %s: %v", schema, err)
		}
	})
	ext, err := extensionSchema(ctx, db)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema + "," + ext
}

// extensionSchema creates the extensions the migrations need (pg_trgm) in the database's default
// schema, unless they exist, and returns the schema they are in: it goes on every test schema's
// search path. An extension exists once per database, so it must not be created in a test's schema:
// dropping that schema would drop it, and with it the indexes of every other test using it.
func extensionSchema(ctx context.Context, db *sql.DB) (string, error) {
	var schema string
	lookup := func() error {
		return db.QueryRowContext(ctx, `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
			WHERE e.extname = 'pg_trgm'`).Scan(&schema)
	}
	if lookup() == nil {
		return schema, nil
	}
	// Tests starting at once may both try: the loser's error is the winner's extension.
	_, cerr := db.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS pg_trgm")
	if err := lookup(); err != nil {
		return "", fmt.Errorf("the pg_trgm extension (PostgreSQL's contrib) is not available: %v", errors.Join(cerr, err))
	}
	return schema, nil
}
