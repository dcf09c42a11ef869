package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/store"
)

func TestPurgeSessions(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := newUser("+14155550100", nil)
		if err := db.Users().Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		mk := func(id string, expires time.Time, ended *time.Time) {
			t.Helper()
			s := &auth.Session{ID: uuid.MustParse(id), UserID: u.ID, AMR: auth.AMRPassword, CreatedAt: t0, LastUsedAt: t0, ExpiresAt: expires}
			if err := db.Sessions().Create(ctx, s, "refresh-"+id); err != nil {
				t.Fatal(err)
			}
			if ended != nil {
				if err := db.Sessions().End(ctx, u.ID, uuid.MustParse(id), *ended, auth.EndLogout); err != nil {
					t.Fatal(err)
				}
			}
		}
		at := func(d time.Duration) *time.Time { v := t0.Add(d); return &v }
		const (
			expired    = "0190a000-0000-7000-8000-0000000000e1"
			endedEarly = "0190a000-0000-7000-8000-0000000000e2"
			endedLate  = "0190a000-0000-7000-8000-0000000000e3"
			active     = "0190a000-0000-7000-8000-0000000000e4"
		)
		mk(expired, t0.Add(time.Hour), nil)
		mk(endedEarly, t0.Add(48*time.Hour), at(10*time.Minute))
		mk(endedLate, t0.Add(48*time.Hour), at(5*time.Hour))
		mk(active, t0.Add(48*time.Hour), nil)
		// A chain of spent refresh tokens goes with its session.
		prev := "refresh-" + expired
		for i := range 3 {
			next := prev + "x"
			if _, err := db.Sessions().Rotate(ctx, uuid.MustParse(expired), prev, next, t0.Add(time.Duration(i)*time.Minute), 0); err != nil {
				t.Fatal(err)
			}
			prev = next
		}

		// Batches of one: the loop must go on until a batch comes back short.
		n, err := db.Purger().PurgeSessions(ctx, t0.Add(2*time.Hour), 1)
		if err != nil || n != 2 {
			t.Fatalf("PurgeSessions = %d, %v; want the expired and the early-ended session", n, err)
		}
		for id, want := range map[string]int{expired: 0, endedEarly: 0, endedLate: 1, active: 1} {
			if got := count(t, db, "sessions", "id = ?", id); got != want {
				t.Errorf("session %s: %d rows, want %d", id[len(id)-2:], got, want)
			}
		}
		if got := count(t, db, "refresh_tokens", "session_id IN (?, ?)", expired, endedEarly); got != 0 {
			t.Errorf("%d refresh tokens of purged sessions remain", got)
		}
		if got := count(t, db, "refresh_tokens", "session_id IN (?, ?)", endedLate, active); got != 2 {
			t.Errorf("%d refresh tokens of kept sessions, want 2", got)
		}
		if n, err := db.Purger().PurgeSessions(ctx, t0.Add(2*time.Hour), 1000); err != nil || n != 0 {
			t.Fatalf("second PurgeSessions = %d, %v; want nothing left to do", n, err)
		}
	})
}

func TestPurgeChallenges(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Challenges()
		send := func(phone string, sent, expires time.Time) {
			t.Helper()
			if ok, _, err := c.ClaimSend(ctx, phone, "login", sent, 0); !ok || err != nil {
				t.Fatalf("ClaimSend(%s) = %v, %v", phone, ok, err)
			}
			if err := c.SetCode(ctx, phone, "login", "hash", "ref", expires, true); err != nil {
				t.Fatal(err)
			}
		}
		send("+14155550101", t0, t0.Add(5*time.Minute))                            // dead: purged
		send("+14155550102", t0, t0.Add(3*time.Hour))                              // code still valid at the cut: kept
		send("+14155550103", t0.Add(2*time.Hour), t0.Add(2*time.Hour+time.Minute)) // sent after the cut: kept
		n, err := db.Purger().PurgeChallenges(ctx, t0.Add(time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("PurgeChallenges = %d, %v; want 1", n, err)
		}
		if got := count(t, db, "otp_challenges", "phone = ?", "+14155550101"); got != 0 {
			t.Error("the dead challenge was kept")
		}
		if got := count(t, db, "otp_challenges", "1 = 1"); got != 2 {
			t.Errorf("%d challenges left, want 2", got)
		}
	})
}

func TestPurgeThrottle(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := newUser("+14155550100", nil)
		if err := db.Users().Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		th := db.Throttle()
		attempt := func(phone string, at time.Time, times int) {
			t.Helper()
			for range times {
				if _, _, err := th.Attempt(ctx, phone, at, auth.MaxConsecutiveFailures); err != nil {
					t.Fatal(err)
				}
			}
		}
		attempt("+14155550100", t0, 3)                           // a user's counter: kept
		attempt("+14155550199", t0, 3)                           // no user, old, unlocked: purged
		attempt("+14155550198", t0, auth.MaxConsecutiveFailures) // no user but locked for good: kept
		attempt("+14155550197", t0.Add(2*time.Hour), 1)          // no user, recent: kept
		n, err := db.Purger().PurgeThrottle(ctx, t0.Add(time.Hour), t0.Add(25*time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("PurgeThrottle = %d, %v; want 1", n, err)
		}
		if got := count(t, db, "login_throttle", "phone = ?", "+14155550199"); got != 0 {
			t.Error("the stale counter of a phone without a user was kept")
		}
		if failures, until, err := th.State(ctx, "+14155550198"); err != nil || failures != auth.MaxConsecutiveFailures || until.IsZero() {
			t.Errorf("the permanent lock: failures %d until %v err %v; want it kept", failures, until, err)
		}
		if got := count(t, db, "login_throttle", "1 = 1"); got != 3 {
			t.Errorf("%d counters left, want 3", got)
		}
	})
}
