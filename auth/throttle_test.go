package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/phoneauth/phoneauth/auth"
)

func TestLockoutDelay(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want time.Duration
	}{{9, 0}, {10, time.Minute}, {11, 2 * time.Minute}, {12, 4 * time.Minute}, {13, 8 * time.Minute}, {14, 15 * time.Minute},
		{50, 15 * time.Minute}, {99, 15 * time.Minute}} {
		if got := auth.LockoutDelay(tc.n, 10); got != tc.want {
			t.Errorf("LockoutDelay(%d, 10) = %s, want %s", tc.n, got, tc.want)
		}
	}
	if d := auth.LockoutDelay(100, 10); d < 10*365*24*time.Hour {
		t.Errorf("at 100 failures the lock must not expire by itself: %s", d)
	}
}

func TestLoginLockout(t *testing.T) {
	f := newFixture(t, weak) // threshold 3
	f.user(t, ph)
	ctx := context.Background()
	login := func(pw string) error {
		_, err := f.logins.PasswordLogin(auth.WithClient(ctx, ci), ph, pw)
		return err
	}
	for range 3 {
		wantKind(t, login("wrong passphrase"), auth.ErrInvalidCredentials)
	}
	// Locked: even the right password is refused, with the same answer, and without hashing.
	before := f.hashes.Load()
	err := login("a long passphrase")
	wantKind(t, err, auth.ErrInvalidCredentials)
	if err.Error() != "Incorrect phone number or password" {
		t.Fatalf("lockout answer differs: %q", err)
	}
	if f.hashes.Load() != before {
		t.Fatal("a locked-out attempt computed a hash")
	}
	// After a minute the right password works and clears the count.
	f.clock.Add(time.Minute)
	if err := login("a long passphrase"); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	for range 3 {
		_ = login("wrong passphrase")
	}
	// A lockout cannot shut the owner out: a login by code works and clears it.
	if _, err := f.codes.Send(auth.WithClient(ctx, ci), auth.PurposeLogin, ph, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.logins.CodeLogin(auth.WithClient(ctx, ci), ph, f.lastCode(t, ph)); err != nil {
		t.Fatalf("code login while locked out: %v", err)
	}
	if err := login("a long passphrase"); err != nil {
		t.Fatalf("password login after a code login: %v", err)
	}
	// Unknown phones are throttled the same way.
	for range 3 {
		_, _ = f.logins.PasswordLogin(auth.WithClient(ctx, ci), "+14155550177", "whatever passphrase")
	}
	before = f.hashes.Load()
	_, _ = f.logins.PasswordLogin(auth.WithClient(ctx, ci), "+14155550177", "whatever passphrase")
	if f.hashes.Load() != before {
		t.Fatal("an unknown phone is not throttled")
	}
	// The audit trail has the failures, with method and reason, and no secret.
	events, err := f.db.Audit().List(ctx, auth.AuditFilter{Type: auth.EventLoginFailed, Limit: 100})
	if err != nil || len(events) < 7 {
		t.Fatalf("%d login.failed events, %v", len(events), err)
	}
	reasons := map[string]int{}
	for _, e := range events {
		reasons[e.Details["reason"]]++
		if e.Details["method"] != "pwd" || e.IP != "" && e.IP != ci.IP {
			t.Fatalf("event %+v", e)
		}
	}
	if reasons["locked_out"] == 0 || reasons["wrong_password"] == 0 || reasons["unknown_phone"] == 0 {
		t.Fatalf("reasons %v", reasons)
	}
}
