package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/phone"
	"github.com/phoneauth/phoneauth/store"
	"github.com/phoneauth/phoneauth/store/storetest"
)

// forEachGuardStore runs fn on the SMS guard's database store (each dialect) and, when a Redis is
// configured, on its Redis store.
func forEachGuardStore(t *testing.T, window time.Duration, fn func(t *testing.T, s auth.SMSGuardStore)) {
	forEachDialect(t, func(t *testing.T, db *store.DB) { fn(t, db.SMSGuard()) })
	t.Run("redis", func(t *testing.T) {
		u := storetest.RedisURL(t)
		t.Parallel()
		fn(t, newRedisLimiter(t, u, storetest.RedisPrefix(t, u)).Guard(window))
	})
}

func TestSMSGuardStoreCounts(t *testing.T) {
	forEachGuardStore(t, time.Hour, func(t *testing.T, s auth.SMSGuardStore) {
		ctx := context.Background()
		b0 := t0.Truncate(time.Minute)
		add := func(at time.Time, counts ...auth.PrefixCount) {
			t.Helper()
			if err := s.Add(ctx, at, counts); err != nil {
				t.Fatalf("Add: %v", err)
			}
		}
		add(b0, auth.PrefixCount{Prefix: "+996700", Region: "KG", Sends: 3}, auth.PrefixCount{Prefix: "+1415", Region: "US", Sends: 2, Verified: 1})
		add(b0, auth.PrefixCount{Prefix: "+996700", Region: "KG", Sends: 2}) // the same bucket adds up
		add(b0.Add(time.Minute), auth.PrefixCount{Prefix: "+1415", Region: "US", Sends: 1, Verified: 2})
		add(b0.Add(10*time.Minute), auth.PrefixCount{Prefix: "+44207", Region: "GB", Sends: 1})

		got, err := s.Counts(ctx, []string{"+996700", "+1415", "+44207", "+33612"}, b0)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]auth.PrefixCount{
			"+996700": {Prefix: "+996700", Region: "KG", Sends: 5},
			"+1415":   {Prefix: "+1415", Region: "US", Sends: 3, Verified: 3},
			"+44207":  {Prefix: "+44207", Region: "GB", Sends: 1},
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("Counts = %v, want %v", got, want)
		}
		// Buckets before since do not count.
		got, _ = s.Counts(ctx, []string{"+1415", "+996700"}, b0.Add(time.Minute))
		if got["+1415"].Sends != 1 || got["+1415"].Verified != 2 || got["+996700"].Sends != 0 {
			t.Fatalf("Counts since the second bucket = %v", got)
		}
		top, err := s.Top(ctx, b0, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(top) != 2 || top[0].Prefix != "+996700" || top[0].Sends != 5 || top[1].Prefix != "+1415" {
			t.Fatalf("Top = %v", top)
		}
		if got, err := s.Counts(ctx, nil, b0); err != nil || len(got) != 0 {
			t.Fatalf("Counts(nil) = %v, %v", got, err)
		}
	})
}

func TestSMSGuardStoreBlocks(t *testing.T) {
	forEachGuardStore(t, time.Hour, func(t *testing.T, s auth.SMSGuardStore) {
		ctx := context.Background()
		b0 := t0.Truncate(time.Minute)
		if err := s.Add(ctx, b0, []auth.PrefixCount{{Prefix: "+996700", Region: "KG", Sends: 20}}); err != nil {
			t.Fatal(err)
		}
		blk := auth.PrefixBlock{Prefix: "+996700", Region: "KG", BlockedAt: t0, Until: t0.Add(time.Hour), Sends: 20}
		created, err := s.Block(ctx, blk)
		if err != nil || !created {
			t.Fatalf("Block = %v, %v; want created", created, err)
		}
		// A second block while the first holds is not stored (racing instances).
		again := blk
		again.BlockedAt, again.Until = t0.Add(time.Minute), t0.Add(2*time.Hour)
		if created, err := s.Block(ctx, again); err != nil || created {
			t.Fatalf("second Block = %v, %v; want not created", created, err)
		}
		// Blocking forgot the counts: after the block the prefix starts over.
		if got, _ := s.Counts(ctx, []string{"+996700"}, b0); got["+996700"].Sends != 0 {
			t.Fatalf("counts after Block = %v", got)
		}
		blocks, err := s.Blocks(ctx, t0.Add(30*time.Minute))
		if err != nil || len(blocks) != 1 || blocks[0].Prefix != "+996700" || blocks[0].Region != "KG" || blocks[0].Sends != 20 ||
			!blocks[0].Until.Equal(t0.Add(time.Hour)) || !blocks[0].BlockedAt.Equal(t0) {
			t.Fatalf("Blocks = %+v, %v", blocks, err)
		}
		if blocks, _ := s.Blocks(ctx, t0.Add(time.Hour)); len(blocks) != 0 {
			t.Fatalf("Blocks after the end = %+v", blocks)
		}
		// Once ended, a new block is stored.
		later := blk
		later.BlockedAt, later.Until = t0.Add(2*time.Hour), t0.Add(3*time.Hour)
		if created, err := s.Block(ctx, later); err != nil || !created {
			t.Fatalf("Block after the end = %v, %v", created, err)
		}
		b, ok, err := s.Clear(ctx, "+996700", t0.Add(2*time.Hour+time.Minute))
		if err != nil || !ok || b.Region != "KG" {
			t.Fatalf("Clear = %+v, %v, %v", b, ok, err)
		}
		if _, ok, err := s.Clear(ctx, "+996700", t0.Add(2*time.Hour+time.Minute)); err != nil || ok {
			t.Fatalf("second Clear = %v, %v; want not blocked", ok, err)
		}
		if blocks, _ := s.Blocks(ctx, t0.Add(2*time.Hour+time.Minute)); len(blocks) != 0 {
			t.Fatalf("Blocks after Clear = %+v", blocks)
		}
	})
}

func TestSMSGuardStoreConcurrentAdds(t *testing.T) {
	forEachGuardStore(t, time.Hour, func(t *testing.T, s auth.SMSGuardStore) {
		ctx := context.Background()
		b0 := t0.Truncate(time.Minute)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 5 {
					if err := s.Add(ctx, b0, []auth.PrefixCount{{Prefix: "+1415", Region: "US", Sends: 1, Verified: 1}}); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		got, err := s.Counts(ctx, []string{"+1415"}, b0)
		if err != nil || got["+1415"].Sends != 40 || got["+1415"].Verified != 40 {
			t.Fatalf("Counts = %v, %v; want 40 and 40", got, err)
		}
	})
}

// Two guards on one store are two instances: a block by one holds for the other after its next sync.
func TestSMSGuardSharedAcrossInstances(t *testing.T) {
	forEachGuardStore(t, time.Hour, func(t *testing.T, s auth.SMSGuardStore) {
		ctx := context.Background()
		clock := &stepClock{t: t0}
		cfg := auth.DefaultSMSGuardConfig()
		cfg.MinSends = 10
		a, err := auth.NewSMSGuard(auth.Env{Clock: clock}, cfg, s)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := auth.NewSMSGuard(auth.Env{Clock: clock}, cfg, s)
		// Half the sends through each instance.
		for i := range 10 {
			g := a
			if i%2 == 1 {
				g = b
			}
			if st := checkAndCount(t, g, "+996700123456"); st == auth.GuardBlocked {
				t.Fatalf("send %d blocked", i)
			}
			clock.add(100 * time.Millisecond)
			if i == 4 {
				clock.add(time.Second) // each syncs on its next send
			}
		}
		if err := b.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if err := a.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if st := checkAndCount(t, a, "+996700123457"); st != auth.GuardBlocked {
			t.Fatalf("11th send through a: %s, want blocked (10 sends in all, none verified)", st)
		}
		clock.add(2 * time.Second)
		if st := checkAndCount(t, b, "+996700123458"); st != auth.GuardBlocked {
			t.Fatalf("b after its sync: %s, want blocked", st)
		}
	})
}

// checkAndCount is a send through g to e164: its state, counted unless blocked.
func checkAndCount(t *testing.T, g *auth.SMSGuard, e164 string) string {
	t.Helper()
	n, err := phone.Parser{}.Parse(e164)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := g.Check(context.Background(), n)
	if st != auth.GuardBlocked {
		g.CountSend(n)
	}
	return st
}

type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *stepClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestMessages(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := db.Messages()
		add := func(m auth.SMSMessage) int64 {
			t.Helper()
			if err := r.Add(ctx, &m); err != nil || m.ID == 0 {
				t.Fatalf("Add: %v (id %d)", err, m.ID)
			}
			return m.ID
		}
		base := auth.SMSMessage{Purpose: "login", Provider: "twilio", Country: "US", Phone: "+141******00", Status: auth.SMSSent}
		m1 := base
		m1.ReferenceID, m1.ProviderMessageID, m1.SentAt, m1.UpdatedAt = "otp_1", "SM1", t0, t0
		id1 := add(m1)
		m2 := base
		m2.ReferenceID, m2.Provider, m2.Purpose, m2.Country, m2.SentAt, m2.UpdatedAt = "otp_2", "webhook", "signup", "GB", t0.Add(time.Minute), t0.Add(time.Minute)
		id2 := add(m2)
		m3 := m2
		m3.Purpose, m3.SentAt = "notice", t0.Add(2*time.Minute) // a notice shares its code's reference
		id3 := add(m3)
		m4 := base
		m4.ReferenceID, m4.Status, m4.ErrorCode, m4.SentAt = "otp_4", auth.SMSFailed, "http_500", t0.Add(3*time.Minute)
		add(m4)

		if found, err := r.SetStatusByProviderID(ctx, "twilio", "SM1", auth.SMSDelivered, "", t0.Add(time.Hour)); err != nil || !found {
			t.Fatalf("SetStatusByProviderID = %v, %v", found, err)
		}
		// Out of order: a late "sent", then another final word, change nothing.
		_, _ = r.SetStatusByProviderID(ctx, "twilio", "SM1", auth.SMSSent, "", t0.Add(2*time.Hour))
		_, _ = r.SetStatusByProviderID(ctx, "twilio", "SM1", auth.SMSUndelivered, "30003", t0.Add(2*time.Hour))
		if found, _ := r.SetStatusByProviderID(ctx, "webhook", "SM1", auth.SMSFailed, "", t0); found {
			t.Fatal("found a Twilio sid under another provider")
		}
		if found, _ := r.SetStatusByProviderID(ctx, "twilio", "SM-unknown", auth.SMSFailed, "", t0); found {
			t.Fatal("found an unknown sid")
		}
		// By reference: the newest message of it (the notice).
		if found, err := r.SetStatusByReference(ctx, "otp_2", auth.SMSUndelivered, "30005", t0.Add(time.Hour)); err != nil || !found {
			t.Fatalf("SetStatusByReference = %v, %v", found, err)
		}
		if found, _ := r.SetStatusByReference(ctx, "otp_unknown", auth.SMSDelivered, "", t0); found {
			t.Fatal("found an unknown reference")
		}

		all, err := r.List(ctx, auth.SMSMessageFilter{Limit: 10})
		if err != nil || len(all) != 4 {
			t.Fatalf("List = %d, %v", len(all), err)
		}
		byID := map[int64]auth.SMSMessage{}
		for _, m := range all {
			byID[m.ID] = m
		}
		if m := byID[id1]; m.Status != auth.SMSDelivered || m.ErrorCode != "" || !m.UpdatedAt.Equal(t0.Add(time.Hour)) || !m.SentAt.Equal(t0) {
			t.Errorf("message 1 %+v", m)
		}
		if m := byID[id3]; m.Status != auth.SMSUndelivered || m.ErrorCode != "30005" {
			t.Errorf("the notice %+v", m)
		}
		if m := byID[id2]; m.Status != auth.SMSSent {
			t.Errorf("the code of otp_2 %+v", m)
		}
		if all[0].ID <= all[1].ID {
			t.Error("not newest first")
		}
		for _, tc := range []struct {
			f    auth.SMSMessageFilter
			want int
		}{
			{auth.SMSMessageFilter{Status: auth.SMSFailed}, 1},
			{auth.SMSMessageFilter{Purpose: "signup"}, 1},
			{auth.SMSMessageFilter{Country: "GB"}, 2},
			{auth.SMSMessageFilter{Since: t0.Add(time.Minute)}, 3},
			{auth.SMSMessageFilter{Until: t0.Add(time.Minute)}, 1},
			{auth.SMSMessageFilter{BeforeID: id3}, 2},
		} {
			tc.f.Limit = 10
			if got, err := r.List(ctx, tc.f); err != nil || len(got) != tc.want {
				t.Errorf("List(%+v) = %d, %v; want %d", tc.f, len(got), err, tc.want)
			}
		}

		// Purge: by the time sent, in batches.
		n, err := db.Purger().PurgeSMSMessages(ctx, t0.Add(2*time.Minute), 1)
		if err != nil || n != 2 {
			t.Fatalf("PurgeSMSMessages = %d, %v; want 2", n, err)
		}
		if left, _ := r.List(ctx, auth.SMSMessageFilter{Limit: 10}); len(left) != 2 {
			t.Fatalf("%d messages left, want 2", len(left))
		}
	})
}

func TestPurgeSMSGuard(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := db.SMSGuard()
		_ = s.Add(ctx, t0, []auth.PrefixCount{{Prefix: "+1415", Sends: 1}})
		_ = s.Add(ctx, t0.Add(time.Hour), []auth.PrefixCount{{Prefix: "+1415", Sends: 1}})
		_, _ = s.Block(ctx, auth.PrefixBlock{Prefix: "+996700", BlockedAt: t0, Until: t0.Add(time.Minute)})
		n, err := db.Purger().PurgeSMSGuard(ctx, t0.Add(30*time.Minute))
		if err != nil || n != 2 {
			t.Fatalf("PurgeSMSGuard = %d, %v; want 2 (a bucket and a block)", n, err)
		}
		if got, _ := s.Counts(ctx, []string{"+1415"}, t0); got["+1415"].Sends != 1 {
			t.Fatalf("counts left %v", got)
		}
	})
}
