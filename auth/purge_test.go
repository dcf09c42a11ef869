package auth_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/phoneauth/phoneauth/auth"
)

// TestPurge: an ended session goes SessionRetention after it ended, a dead code challenge and the
// lockout counter of a number without a user a day after their last use, and the audit trail records
// the counts. A user's own counter stays.
func TestPurge(t *testing.T) {
	f := newFixture(t, weak)
	ctx := context.Background()
	f.user(t, "+14155550100")
	login, err := f.logins.PasswordLogin(ctx, "+14155550100", "a long passphrase")
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.sessions.Authenticate(ctx, "Bearer "+login.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.sessions.Logout(auth.WithPrincipal(ctx, p), auth.ScopeLocal); err != nil {
		t.Fatal(err)
	}
	if _, err := f.codes.Send(ctx, auth.PurposeLogin, "+14155550100", false); err != nil {
		t.Fatal(err)
	}
	for _, ph := range []string{"+14155550100", "+14155550199"} { // the user's, and a number without one
		if _, err := f.logins.PasswordLogin(ctx, ph, "wrong passphrase"); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("wrong password for %s: %v", ph, err)
		}
	}

	f.clock.Add(23 * time.Hour)
	if r, err := f.retention.Purge(ctx); err != nil || r.Total() != 0 {
		t.Fatalf("Purge after 23h = %+v, %v; want nothing yet", r, err)
	}
	f.clock.Add(2 * time.Hour)
	if r, err := f.retention.Purge(ctx); err != nil || r != (auth.PurgeResult{Challenges: 1, Throttle: 1}) {
		t.Fatalf("Purge after 25h = %+v, %v; want the code challenge and the stranger's counter", r, err)
	}
	if failures, _, err := f.db.Throttle().State(ctx, "+14155550100"); err != nil || failures != 1 {
		t.Fatalf("the user's counter: %d failures, %v; want it kept", failures, err)
	}
	f.clock.Add(24 * time.Hour) // 49h after the logout, past the 48h retention
	if r, err := f.retention.Purge(ctx); err != nil || r != (auth.PurgeResult{Sessions: 1}) {
		t.Fatalf("Purge after 49h = %+v, %v; want the ended session", r, err)
	}
	events, err := f.db.Audit().List(ctx, auth.AuditFilter{Type: auth.EventPurged, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[0].Details["sessions"] != "1" || events[1].Details["otp_challenges"] != "1" ||
		events[1].Details["login_throttle"] != "1" || events[0].Details["complete"] != "true" {
		t.Fatalf("purge events %+v, want one per purge that deleted something, with its counts", events)
	}
}

// failingPurger deletes sessions, then fails: the audit trail still learns what went.
type failingPurger struct{ auth.Purger }

func (failingPurger) PurgeSessions(context.Context, time.Time, int) (int64, error) { return 3, nil }
func (failingPurger) PurgeChallenges(context.Context, time.Time) (int64, error) {
	return 0, errors.New("database went away")
}

func TestPurgeRecordsAPartialRun(t *testing.T) {
	f := newFixture(t, weak)
	ctx := context.Background()
	svc, err := auth.NewRetentionService(auth.Env{Clock: f.clock, Audit: f.db.Audit(), Atomic: f.db, Logger: slog.New(slog.DiscardHandler)},
		auth.RetentionConfig{SessionRetention: time.Hour}, failingPurger{})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := svc.Purge(ctx); err == nil || r.Sessions != 3 {
		t.Fatalf("Purge = %+v, %v; want the sessions counted and the error", r, err)
	}
	events, err := f.db.Audit().List(ctx, auth.AuditFilter{Type: auth.EventPurged, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].Details["sessions"] != "3" || events[0].Details["complete"] != "false" {
		t.Fatalf("purge events %+v, want one with sessions=3 complete=false", events)
	}
}
