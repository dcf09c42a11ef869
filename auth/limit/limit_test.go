package limit

import (
	"context"
	"sync"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestSlidingWindow(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	m := NewMemory(c.now, 0)
	ctx := context.Background()
	for i := range 3 {
		if ok, _, _, _ := m.Reserve(ctx, "k", 3, time.Hour); !ok {
			t.Fatalf("reservation %d refused", i)
		}
		c.t = c.t.Add(10 * time.Minute)
	}
	ok, retry, _, _ := m.Reserve(ctx, "k", 3, time.Hour)
	if ok || retry != 30*time.Minute {
		t.Fatalf("4th: ok=%v retry=%s; want refused, 30m (the first event leaves the window then)", ok, retry)
	}
	if ok, _, _, _ := m.Reserve(ctx, "other", 3, time.Hour); !ok {
		t.Fatal("keys are not independent")
	}
	c.t = c.t.Add(30 * time.Minute)
	if ok, _, _, _ := m.Reserve(ctx, "k", 3, time.Hour); !ok {
		t.Fatal("not allowed once the first event left the window (rolling, not fixed)")
	}
}

func TestCancelGivesBack(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	m := NewMemory(c.now, 0)
	ctx := context.Background()
	_, _, cancel, _ := m.Reserve(ctx, "k", 1, time.Hour)
	if ok, _, _, _ := m.Reserve(ctx, "k", 1, time.Hour); ok {
		t.Fatal("over the limit")
	}
	cancel()
	if ok, _, _, _ := m.Reserve(ctx, "k", 1, time.Hour); !ok {
		t.Fatal("cancel did not return the unit")
	}
}

func TestUnlimited(t *testing.T) {
	m := NewMemory(nil, 0)
	for range 100 {
		if ok, _, _, _ := m.Reserve(context.Background(), "k", 0, time.Hour); !ok {
			t.Fatal("limit 0 must mean unlimited")
		}
	}
}

func TestConcurrentNeverExceeds(t *testing.T) {
	m := NewMemory(nil, 0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for range 200 {
		wg.Go(func() {
			if ok, _, _, _ := m.Reserve(context.Background(), "k", 30, time.Hour); ok {
				mu.Lock()
				granted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if granted != 30 {
		t.Fatalf("%d granted, want 30", granted)
	}
}

func TestMaxKeysBoundsMemory(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	m := NewMemory(c.now, 10)
	for i := range 100 {
		c.t = c.t.Add(time.Second)
		m.Reserve(context.Background(), string(rune('a'+i%26))+string(rune('0'+i/26)), 5, time.Hour)
	}
	if n := len(m.log); n > 10 {
		t.Fatalf("%d keys kept, want at most 10", n)
	}
}

func TestUsed(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	m := NewMemory(c.now, 0)
	ctx := context.Background()
	_, _, _, _ = m.Reserve(ctx, "k", 5, time.Hour)
	c.t = c.t.Add(30 * time.Minute)
	_, _, cancel, _ := m.Reserve(ctx, "k", 5, time.Hour)
	if n, _ := m.Used(ctx, "k", time.Hour); n != 2 {
		t.Fatalf("Used = %d, want 2", n)
	}
	cancel()
	c.t = c.t.Add(31 * time.Minute)
	if n, _ := m.Used(ctx, "k", time.Hour); n != 0 {
		t.Fatalf("Used = %d after the window and a cancel, want 0", n)
	}
}
