package testservices

import (
	"context"
	"database/sql"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
)

func need(t *testing.T, ok bool, what string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is missing; CI must have it", what)
	}
	t.Skipf("SKIPPED LOUDLY: %s is missing", what)
}

func TestPostgres(t *testing.T) {
	need(t, PostgresBin() != "", "PostgreSQL's server binaries (/usr/lib/postgresql/*/bin)")
	p, err := NewPostgres("", "fsync=off") // not t.TempDir(): as root, user postgres must reach the folder
	if err != nil {
		t.Fatal(err)
	}
	defer p.Remove()
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	if err := p.CreateDB("test"); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("pgx", p.URL("test"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(context.Background(), "SELECT 1").Scan(&n); err != nil || n != 1 {
		t.Fatalf("SELECT 1: %d, %v\n%s", n, err, p.Log())
	}
	if err := p.Stop("fast"); err != nil {
		t.Fatal(err)
	}
	if err := db.PingContext(context.Background()); err == nil {
		t.Fatal("the server still answers after Stop")
	}
}

func TestRedis(t *testing.T) {
	need(t, RedisServer() != "", "redis-server")
	r, err := StartRedis(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !pingRedis(r.Addr()) {
		t.Fatal("no PONG")
	}
	r.Stop()
	if pingRedis(r.Addr()) {
		t.Fatal("still answering after Stop")
	}
}
