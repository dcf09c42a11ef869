package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/store"
)

func TestThrottle(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		th := db.Throttle()
		const p, threshold = "+14155550100", 3
		for i := 1; i <= threshold; i++ {
			ok, until, err := th.Attempt(ctx, p, t0, threshold)
			if !ok || err != nil {
				t.Fatalf("attempt %d refused: %v", i, err)
			}
			if i == threshold && !until.Equal(t0.Add(time.Minute)) {
				t.Fatalf("the threshold attempt set the lock to %v", until)
			}
		}
		ok, until, _ := th.Attempt(ctx, p, t0.Add(30*time.Second), threshold)
		if ok || !until.Equal(t0.Add(time.Minute)) {
			t.Fatalf("locked attempt: ok=%v until=%v", ok, until)
		}
		// After the lock, the next failure doubles it.
		ok, until, _ = th.Attempt(ctx, p, t0.Add(time.Minute), threshold)
		if !ok || !until.Equal(t0.Add(3*time.Minute)) {
			t.Fatalf("after the lock: ok=%v until=%v (want +2m)", ok, until)
		}
		n, until, _ := th.State(ctx, p)
		if n != threshold+1 || !until.Equal(t0.Add(3*time.Minute)) {
			t.Fatalf("State = %d, %v", n, until)
		}
		if err := th.Clear(ctx, p); err != nil {
			t.Fatal(err)
		}
		if n, until, _ := th.State(ctx, p); n != 0 || !until.IsZero() {
			t.Fatalf("after Clear: %d, %v", n, until)
		}
		// Concurrent attempts never get past the threshold: exactly threshold are allowed.
		var wg sync.WaitGroup
		var mu sync.Mutex
		allowed := 0
		for range 20 {
			wg.Go(func() {
				ok, _, err := th.Attempt(ctx, "+14155550199", t0, threshold)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if allowed != threshold {
			t.Fatalf("%d concurrent attempts allowed, want %d", allowed, threshold)
		}
	})
}

func TestAuditAppendOnly(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := db.Audit()
		uid, admin := uuid.MustParse("0190a000-0000-7000-8000-000000000001"), uuid.MustParse("0190a000-0000-7000-8000-000000000002")
		for i, e := range []auth.AuditEvent{
			{At: t0, Type: auth.EventLoginFailed, UserID: uid, IP: "192.0.2.1", Details: map[string]string{"method": "pwd"}},
			{At: t0.Add(time.Minute), Type: auth.EventLoginSucceeded, UserID: uid, UserAgent: "ua", ReferenceID: "r"},
			{At: t0.Add(2 * time.Minute), Type: auth.EventUserDeactivated, UserID: uid, ActorID: admin},
		} {
			if err := a.Record(ctx, e); err != nil {
				t.Fatalf("Record %d: %v", i, err)
			}
		}
		all, err := a.List(ctx, auth.AuditFilter{Limit: 10})
		if err != nil || len(all) != 3 || all[0].Type != auth.EventUserDeactivated || all[2].Details["method"] != "pwd" || all[2].IP != "192.0.2.1" {
			t.Fatalf("List = %+v, %v", all, err)
		}
		for name, f := range map[string]auth.AuditFilter{
			"type":   {Type: auth.EventLoginFailed},
			"actor":  {ActorID: admin},
			"since":  {Since: t0.Add(90 * time.Second)},
			"until":  {Until: t0.Add(30 * time.Second)},
			"before": {BeforeID: all[1].ID},
		} {
			f.Limit = 10
			got, err := a.List(ctx, f)
			if err != nil || len(got) != 1 {
				t.Errorf("filter %s: %d events, %v", name, len(got), err)
			}
		}
		// The table refuses changes, whoever asks.
		for _, q := range []string{"UPDATE audit_events SET type = 'x'", "DELETE FROM audit_events"} {
			if _, err := db.SQL().ExecContext(ctx, q); err == nil {
				t.Errorf("%s succeeded on an append-only table", q)
			}
		}
	})
}

func TestUserAdmin(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		users := db.Users()
		var ids []uuid.UUID
		for i := range 5 {
			u := newUser(fmt.Sprintf("+1415555010%d", i), ptr(fmt.Sprintf("User%d@Example.com", i)))
			u.Name = fmt.Sprintf("Name_%d%%", i)
			if err := users.Create(ctx, u); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, u.ID)
		}
		page, err := users.List(ctx, "", uuid.Nil, 3)
		if err != nil || len(page) != 3 || page[0].ID != ids[4] {
			t.Fatalf("first page %v, %v", page, err)
		}
		page, _ = users.List(ctx, "", page[2].ID, 3)
		if len(page) != 2 || page[1].ID != ids[0] {
			t.Fatalf("second page %v", page)
		}
		for q, want := range map[string]int{"user3@example": 1, "NAME_": 5, "_2%": 1, "%": 5, "4155550101": 1, "nobody": 0} {
			got, err := users.List(ctx, q, uuid.Nil, 10)
			if err != nil || len(got) != want {
				t.Errorf("search %q: %d results, want %d (%v)", q, len(got), want, err)
			}
		}
		sess := &auth.Session{ID: uuid.MustParse("0190a000-0000-7000-8000-0000000000c1"), UserID: ids[0], AMR: "pwd", CreatedAt: t0, LastUsedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		if err := db.Sessions().Create(ctx, sess, "hc1"); err != nil {
			t.Fatal(err)
		}
		if err := users.SetActive(ctx, ids[0], false, t0); err != nil {
			t.Fatal(err)
		}
		s, u, _ := db.Sessions().WithUser(ctx, sess.ID)
		if u.IsActive || s.EndedAt == nil || s.EndReason != auth.EndDeactivated {
			t.Fatalf("after deactivation: active=%v session=%+v", u.IsActive, s)
		}
		if err := users.SetRoles(ctx, ids[1], []string{"admin"}, t0, false); err != nil {
			t.Fatal(err)
		}
		if u, _ := users.ByID(ctx, ids[1]); !u.HasRole("admin") {
			t.Fatal("role not stored")
		}
		for _, err := range []error{users.SetActive(ctx, uuid.MustParse("0190a000-0000-7000-8000-999999999999"), true, t0),
			users.SetRoles(ctx, uuid.Nil, nil, t0, true)} {
			if !errors.Is(err, auth.ErrNotFound) {
				t.Errorf("unknown user: %v", err)
			}
		}
	})
}

// TestAuditPagesByTime: a filter by time is read in (at, id) order, its cursor still an event's id;
// paging through it yields every event of the range once, newest first.
func TestAuditPagesByTime(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i := range 30 {
			// Two events a second, so that pages break inside a second too.
			if err := db.Audit().Record(ctx, auth.AuditEvent{At: t0.Add(time.Duration(i/2) * time.Second), Type: "page_test"}); err != nil {
				t.Fatal(err)
			}
		}
		since, until := t0.Add(2*time.Second), t0.Add(13*time.Second) // events 4 to 25
		var got []auth.AuditEvent
		before := int64(0)
		for range 10 {
			page, err := db.Audit().List(ctx, auth.AuditFilter{Since: since, Until: until, BeforeID: before, Limit: 5})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, page...)
			if len(page) < 5 {
				break
			}
			before = page[len(page)-1].ID
		}
		if len(got) != 22 {
			t.Fatalf("%d events over the pages, want 22", len(got))
		}
		for i := 1; i < len(got); i++ {
			if a, b := got[i-1], got[i]; !(a.At.After(b.At) || a.At.Equal(b.At) && a.ID > b.ID) {
				t.Fatalf("event %d (%s, %d) after (%s, %d): not newest first", i, b.At, b.ID, a.At, a.ID)
			}
		}
	})
}
