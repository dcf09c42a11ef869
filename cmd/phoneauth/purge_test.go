package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/store/storetest"
)

// syncBuffer is a log destination the purge goroutine and the test can share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}
func (b *syncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }

// TestPurgeEvery: serve's janitor purges an ended session on its own, logs what it deleted, and stops
// with the context.
func TestPurgeEvery(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg, err := loadConfig(envOf("PHONEAUTH_DATABASE_URL", storetest.URL(t, "sqlite"), "PHONEAUTH_SESSION_RETENTION", "0"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	svc, err := newServices(ctx, cfg, db, log, runtimeDeps{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Accounts.CreateUser(ctx, auth.NewUser{Phone: "+14155550100", Name: "Pat", Password: "a long passphrase"}); err != nil {
		t.Fatal(err)
	}
	login, err := svc.Logins.PasswordLogin(ctx, "+14155550100", "a long passphrase")
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.Sessions.Authenticate(ctx, "Bearer "+login.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Sessions.Logout(auth.WithPrincipal(ctx, p), auth.ScopeLocal); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond) // the session ended strictly before the purge's cut-off

	done := make(chan struct{})
	go func() { purgeEvery(ctx, svc.Retention, 5*time.Millisecond, log); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), `"msg":"purge","sessions":1`) {
		if time.Now().After(deadline) {
			t.Fatalf("no purge of the ended session logged; log:\n%s", logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("purgeEvery did not stop with its context")
	}
}
