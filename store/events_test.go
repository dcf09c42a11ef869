package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/store"
)

func appendEvent(t *testing.T, db *store.DB, ctx context.Context, typ string, user uuid.UUID, at time.Time) *auth.OutboundEvent {
	t.Helper()
	e := &auth.OutboundEvent{ID: auth.NewID(at), Type: typ, UserID: user, At: at, Data: json.RawMessage(`{"phone":"+14155550100"}`),
		NextAttemptAt: at, RetryUntil: at.Add(time.Hour)}
	if err := db.Events().Append(ctx, e); err != nil {
		t.Fatal(err)
	}
	return e
}

func seqs(events []auth.OutboundEvent) []int64 {
	out := make([]int64, len(events))
	for i, e := range events {
		out[i] = e.Seq
	}
	return out
}

// TestOutboxClaims: a claim takes due, unleased events, only the earliest pending one of each user,
// and never one another claim holds; Finish records the outcome for the claim that holds the event.
func TestOutboxClaims(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ev := db.Events()
		alice, bob := uuid.New(), uuid.New()
		a1 := appendEvent(t, db, ctx, auth.TypeUserCreated, alice, t0)
		a2 := appendEvent(t, db, ctx, auth.TypeSessionStarted, alice, t0)
		b1 := appendEvent(t, db, ctx, auth.TypeUserCreated, bob, t0)
		later := appendEvent(t, db, ctx, auth.TypeUserCreated, uuid.New(), t0)
		if err := db.InTx(ctx, func(ctx context.Context) error { // not yet due
			return ev.Append(ctx, &auth.OutboundEvent{ID: auth.NewID(t0), Type: auth.TypeUserUpdated, UserID: uuid.New(), At: t0,
				NextAttemptAt: t0.Add(time.Minute), RetryUntil: t0.Add(time.Hour)})
		}); err != nil {
			t.Fatal(err)
		}
		if !(a1.Seq < a2.Seq && a2.Seq < b1.Seq) {
			t.Fatalf("seqs %d %d %d are not in the order of appending", a1.Seq, a2.Seq, b1.Seq)
		}

		got, err := ev.Claim(ctx, t0, t0.Add(10*time.Second), "c1", 10)
		if err != nil {
			t.Fatal(err)
		}
		if want := []int64{a1.Seq, b1.Seq, later.Seq}; fmt.Sprint(seqs(got)) != fmt.Sprint(want) {
			t.Fatalf("first claim took %v, want %v (alice's second waits for her first; the undue one waits)", seqs(got), want)
		}
		if got[0].ID != a1.ID || got[0].Type != auth.TypeUserCreated || got[0].UserID != alice || string(got[0].Data) != `{"phone":"+14155550100"}` {
			t.Fatalf("claimed %+v, want a1 as appended", got[0])
		}
		// Held: a second claim finds nothing, even of alice's second event.
		if again, err := ev.Claim(ctx, t0.Add(time.Second), t0.Add(time.Minute), "c2", 10); err != nil || len(again) != 0 {
			t.Fatalf("second claim = %v, %v; want nothing while c1 holds them", seqs(again), err)
		}
		// Another claim cannot finish what c1 holds.
		if held, err := ev.Finish(ctx, a1.Seq, "c2", auth.DeliveryOutcome{State: auth.EventDelivered, At: t0, Attempted: true}); err != nil || held {
			t.Fatalf("Finish by another claim = %v, %v; want false", held, err)
		}
		if held, err := ev.Finish(ctx, a1.Seq, "c1", auth.DeliveryOutcome{State: auth.EventDelivered, At: t0.Add(time.Second), Attempted: true}); err != nil || !held {
			t.Fatalf("Finish = %v, %v; want true", held, err)
		}
		// b1 failed: retried in a minute.
		if held, err := ev.Finish(ctx, b1.Seq, "c1", auth.DeliveryOutcome{State: auth.EventPending, At: t0, NextAttemptAt: t0.Add(time.Minute),
			Attempted: true, LastError: "HTTP 503"}); err != nil || !held {
			t.Fatalf("Finish = %v, %v; want true", held, err)
		}
		// Alice's first is delivered, so her second is next; "later" is still leased by c1.
		got, err = ev.Claim(ctx, t0.Add(2*time.Second), t0.Add(time.Minute), "c3", 10)
		if err != nil || fmt.Sprint(seqs(got)) != fmt.Sprint([]int64{a2.Seq}) {
			t.Fatalf("third claim = %v, %v; want alice's second only", seqs(got), err)
		}
		// c1's lease on "later" runs out: another claim takes it.
		got, err = ev.Claim(ctx, t0.Add(11*time.Second), t0.Add(time.Minute), "c4", 10)
		if err != nil || fmt.Sprint(seqs(got)) != fmt.Sprint([]int64{later.Seq}) {
			t.Fatalf("claim after the lease = %v, %v; want the event whose lease ran out", seqs(got), err)
		}
		if held, _ := ev.Finish(ctx, later.Seq, "c1", auth.DeliveryOutcome{State: auth.EventDelivered, At: t0}); held {
			t.Fatal("the claim whose lease ran out still finished the event")
		}

		// The admin list, filters and order.
		list, err := ev.List(ctx, auth.OutboundFilter{UserID: alice, Limit: 10})
		if err != nil || fmt.Sprint(seqs(list)) != fmt.Sprint([]int64{a2.Seq, a1.Seq}) {
			t.Fatalf("alice's events = %v, %v", seqs(list), err)
		}
		if list[1].State != auth.EventDelivered || list[1].Attempts != 1 || !list[1].DeliveredAt.Equal(t0.Add(time.Second)) {
			t.Fatalf("a1 = %+v, want delivered once at t0+1s", list[1])
		}
		list, err = ev.List(ctx, auth.OutboundFilter{State: auth.EventPending, Type: auth.TypeUserCreated, Limit: 10})
		if err != nil || fmt.Sprint(seqs(list)) != fmt.Sprint([]int64{later.Seq, b1.Seq}) {
			t.Fatalf("pending user.created = %v, %v", seqs(list), err)
		}
		if list[1].LastError != "HTTP 503" || !list[1].NextAttemptAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("b1 = %+v, want its failure recorded", list[1])
		}
		list, err = ev.List(ctx, auth.OutboundFilter{BeforeSeq: b1.Seq, Limit: 1})
		if err != nil || fmt.Sprint(seqs(list)) != fmt.Sprint([]int64{a2.Seq}) {
			t.Fatalf("page below b1 = %v, %v", seqs(list), err)
		}

		// The backlog: every pending event, and the time of the oldest.
		n, oldest, err := ev.Backlog(ctx)
		if err != nil || n != 4 || !oldest.Equal(t0) {
			t.Fatalf("Backlog = %d, %v, %v; want 4 since t0", n, oldest, err)
		}

		// Dead, then redelivered: pending and due again.
		if held, err := ev.Finish(ctx, a2.Seq, "c3", auth.DeliveryOutcome{State: auth.EventDead, At: t0, Attempted: true, LastError: "timeout"}); err != nil || !held {
			t.Fatalf("Finish(dead) = %v, %v", held, err)
		}
		re, err := ev.Redeliver(ctx, a2.ID, t0.Add(time.Hour), t0.Add(25*time.Hour))
		if err != nil || re.State != auth.EventPending || !re.NextAttemptAt.Equal(t0.Add(time.Hour)) || !re.RetryUntil.Equal(t0.Add(25*time.Hour)) {
			t.Fatalf("Redeliver = %+v, %v", re, err)
		}
		if _, err := ev.Redeliver(ctx, uuid.New(), t0, t0); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("Redeliver(unknown) = %v, want ErrNotFound", err)
		}

		// The purge deletes delivered events only, from before the cut-off.
		gone, err := db.Purger().PurgeEvents(ctx, t0.Add(2*time.Second), 1)
		if err != nil || gone != 1 || count(t, db, "events", "1 = 1") != 4 {
			t.Fatalf("PurgeEvents = %d, %v; %d left; want a1 gone, 4 left", gone, err, count(t, db, "events", "1 = 1"))
		}
	})
}

// TestOutboxConcurrentClaims: claims racing from several connections never take one event twice.
func TestOutboxConcurrentClaims(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const n = 200
		for i := range n {
			appendEvent(t, db, ctx, auth.TypeUserCreated, uuid.New(), t0.Add(time.Duration(i)*time.Millisecond))
		}
		var (
			mu    sync.Mutex
			taken = map[int64]string{}
			wg    sync.WaitGroup
		)
		for w := range 6 {
			wg.Go(func() {
				claim := fmt.Sprintf("w%d", w)
				for {
					got, err := db.Events().Claim(ctx, t0.Add(time.Second), t0.Add(time.Hour), claim, 7)
					if err != nil {
						if errors.Is(err, auth.ErrUnavailable) {
							continue // SQLite's one writer was busy
						}
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, e := range got {
						if other, dup := taken[e.Seq]; dup {
							t.Errorf("event %d claimed by %s and %s", e.Seq, other, claim)
						}
						taken[e.Seq] = claim
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(taken) != n {
			t.Fatalf("%d events claimed, want %d", len(taken), n)
		}
	})
}

// TestDeleteUserEmptiesItsEvents: the deleted user's events keep what happened, not who they were.
func TestDeleteUserEmptiesItsEvents(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := newUser("+14155550170", nil)
		if err := db.Users().Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		other := appendEvent(t, db, ctx, auth.TypeUserCreated, uuid.New(), t0)
		mine := appendEvent(t, db, ctx, auth.TypeUserCreated, u.ID, t0)
		if _, err := db.Users().DeleteUser(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		list, err := db.Events().List(ctx, auth.OutboundFilter{Limit: 10})
		if err != nil || len(list) != 2 {
			t.Fatalf("List = %v, %v", list, err)
		}
		for _, e := range list {
			want := `{"phone":"+14155550100"}`
			if e.Seq == mine.Seq {
				want = "{}"
			}
			if string(e.Data) != want {
				t.Errorf("event %d (other=%v) data %s, want %s", e.Seq, e.Seq == other.Seq, e.Data, want)
			}
		}
	})
}
