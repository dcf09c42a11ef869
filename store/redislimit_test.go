package store_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/store"
	"github.com/phoneauth/phoneauth/store/storetest"
)

func newRedisLimiter(t *testing.T, redisURL, prefix string) *store.RedisLimiter {
	t.Helper()
	l, err := store.NewRedisLimiter(context.Background(), redisURL, prefix)
	if err != nil {
		t.Fatalf("NewRedisLimiter: %v", err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func reserve(t *testing.T, l auth.Limiter, key string, limit int, window time.Duration) (bool, time.Duration, func()) {
	t.Helper()
	ok, retry, cancel, err := l.Reserve(context.Background(), key, limit, window)
	if err != nil {
		t.Fatalf("Reserve(%s): %v", key, err)
	}
	return ok, retry, cancel
}

func TestRedisLimiterBudgetAndExpiry(t *testing.T) {
	u := storetest.RedisURL(t)
	prefix := storetest.RedisPrefix(t, u)
	l := newRedisLimiter(t, u, prefix)
	for i := range 3 {
		if ok, _, _ := reserve(t, l, "k", 3, time.Hour); !ok {
			t.Fatalf("reservation %d refused", i)
		}
	}
	ok, retry, _ := reserve(t, l, "k", 3, time.Hour)
	if ok || retry <= 59*time.Minute || retry > time.Hour {
		t.Fatalf("4th: ok=%v retry=%s; want refused, just under 1h (the first reservation leaves the window then)", ok, retry)
	}
	if ok, _, _ := reserve(t, l, "other", 3, time.Hour); !ok {
		t.Fatal("keys are not independent")
	}

	opts, _ := redis.ParseURL(u)
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	ctx := context.Background()
	if n, err := rdb.ZCard(ctx, prefix+"k").Result(); err != nil || n != 3 {
		t.Fatalf("ZCARD %s = %d, %v; want 3 (a refusal adds nothing)", prefix+"k", n, err)
	}
	if ttl, err := rdb.PTTL(ctx, prefix+"k").Result(); err != nil || ttl <= 59*time.Minute || ttl > time.Hour {
		t.Fatalf("PTTL = %s, %v; want the key to expire with the window", ttl, err)
	}
}

// TestRedisLimiterRollingWindow needs real time to pass (the window is on the Redis server's clock).
func TestRedisLimiterRollingWindow(t *testing.T) {
	u := storetest.RedisURL(t)
	l := newRedisLimiter(t, u, storetest.RedisPrefix(t, u))
	const window = time.Second
	if ok, _, _ := reserve(t, l, "k", 2, window); !ok {
		t.Fatal("first refused")
	}
	// Half a window apart, so that either reservation has half a second of slack on a slow machine.
	time.Sleep(window / 2)
	if ok, _, _ := reserve(t, l, "k", 2, window); !ok {
		t.Fatal("second refused")
	}
	ok, retryC, _ := reserve(t, l, "k", 2, window)
	if ok || retryC <= 0 || retryC > window/2 {
		t.Fatalf("third: ok=%v retry=%s; want refused until the first leaves the window (≤ 500ms)", ok, retryC)
	}
	time.Sleep(retryC + 50*time.Millisecond)
	// The first reservation has left the window, the second has not: one unit is free, not two.
	if ok, _, _ := reserve(t, l, "k", 2, window); !ok {
		t.Fatal("refused once the first reservation left the window (rolling, not fixed)")
	}
	ok, retryE, _ := reserve(t, l, "k", 2, window)
	if ok || retryE <= 0 || retryE >= window/2 {
		t.Fatalf("after the slide: ok=%v retry=%s; want refused until the second leaves the window (< 500ms)", ok, retryE)
	}
}

func TestRedisLimiterCancelGivesBack(t *testing.T) {
	u := storetest.RedisURL(t)
	l := newRedisLimiter(t, u, storetest.RedisPrefix(t, u))
	_, _, cancel1 := reserve(t, l, "k", 1, time.Hour)
	ok, _, cancelRefused := reserve(t, l, "k", 1, time.Hour)
	if ok {
		t.Fatal("over the limit")
	}
	cancelRefused() // gives back nothing
	if ok, _, _ := reserve(t, l, "k", 1, time.Hour); ok {
		t.Fatal("cancelling a refused reservation freed a unit")
	}
	cancel1()
	if ok, _, _ := reserve(t, l, "k", 1, time.Hour); !ok {
		t.Fatal("cancel did not return the unit")
	}
	cancel1() // a second cancel must not free the reservation that took its place
	if ok, _, _ := reserve(t, l, "k", 1, time.Hour); ok {
		t.Fatal("a repeated cancel gave back another reservation's unit")
	}
}

func TestRedisLimiterUnlimitedSkipsRedis(t *testing.T) {
	u := storetest.RedisURL(t)
	l := newRedisLimiter(t, u, storetest.RedisPrefix(t, u))
	_ = l.Close() // any call that reached Redis would fail now
	for _, tc := range []struct {
		limit  int
		window time.Duration
	}{{0, time.Hour}, {-1, time.Hour}, {5, 0}} {
		for range 10 {
			ok, _, cancel, err := l.Reserve(context.Background(), "k", tc.limit, tc.window)
			if !ok || err != nil {
				t.Fatalf("limit %d window %s: ok=%v err=%v; want unlimited", tc.limit, tc.window, ok, err)
			}
			cancel()
		}
	}
	if _, _, _, err := l.Reserve(context.Background(), "k", 1, time.Hour); !errors.Is(err, auth.ErrUnavailable) {
		t.Fatalf("closed limiter: err=%v; want ErrUnavailable", err)
	}
}

func TestRedisLimiterConcurrentNeverExceeds(t *testing.T) {
	u := storetest.RedisURL(t)
	prefix := storetest.RedisPrefix(t, u)
	instances := []*store.RedisLimiter{newRedisLimiter(t, u, prefix), newRedisLimiter(t, u, prefix)}
	var wg sync.WaitGroup
	var granted, failed atomic.Int32
	for i := range 200 {
		wg.Go(func() {
			ok, _, _, err := instances[i%2].Reserve(context.Background(), "k", 30, time.Hour)
			switch {
			case err != nil:
				failed.Add(1)
			case ok:
				granted.Add(1)
			}
		})
	}
	wg.Wait()
	if granted.Load() != 30 || failed.Load() != 0 {
		t.Fatalf("%d granted, %d errors; want 30 and 0", granted.Load(), failed.Load())
	}
}

// TestRedisLimiterInstancesShareBudget stands for two phoneauth processes: two limiters, two
// connection pools, one Redis.
func TestRedisLimiterInstancesShareBudget(t *testing.T) {
	u := storetest.RedisURL(t)
	prefix := storetest.RedisPrefix(t, u)
	a, b := newRedisLimiter(t, u, prefix), newRedisLimiter(t, u, prefix)
	_, _, cancelA := reserve(t, a, "otp:phone:+14155550123", 3, time.Hour)
	reserve(t, b, "otp:phone:+14155550123", 3, time.Hour)
	reserve(t, a, "otp:phone:+14155550123", 3, time.Hour)
	for name, l := range map[string]*store.RedisLimiter{"a": a, "b": b} {
		if ok, retry, _ := reserve(t, l, "otp:phone:+14155550123", 3, time.Hour); ok || retry <= 0 {
			t.Fatalf("4th on %s: ok=%v retry=%s; want refused", name, ok, retry)
		}
	}
	cancelA() // a refund on one instance is seen by the other
	if ok, _, _ := reserve(t, b, "otp:phone:+14155550123", 3, time.Hour); !ok {
		t.Fatal("b did not see a's refund")
	}
	// Another prefix is another budget (how deployments sharing one Redis stay apart).
	c := newRedisLimiter(t, u, storetest.RedisPrefix(t, u))
	if ok, _, _ := reserve(t, c, "otp:phone:+14155550123", 3, time.Hour); !ok {
		t.Fatal("a limiter with another prefix shares the budget")
	}
}

func TestRedisLimiterUnreachable(t *testing.T) {
	const pw = "s3cret-redis-pw"
	t.Run("refused", func(t *testing.T) {
		start := time.Now()
		_, err := store.NewRedisLimiter(context.Background(), "redis://:"+pw+"@127.0.0.1:1/0", "")
		if !errors.Is(err, auth.ErrUnavailable) {
			t.Fatalf("err=%v; want ErrUnavailable", err)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Fatalf("took %s", took)
		}
		if strings.Contains(err.Error(), pw) {
			t.Fatalf("the password is in the error: %v", err)
		}
	})
	t.Run("silent", func(t *testing.T) {
		// A server that accepts connections and never answers: the worst case, a black-holed host.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go func() { _, _ = io.Copy(io.Discard, c); c.Close() }()
			}
		}()
		start := time.Now()
		_, err = store.NewRedisLimiter(context.Background(), "redis://:"+pw+"@"+ln.Addr().String(), "")
		if !errors.Is(err, auth.ErrUnavailable) || strings.Contains(err.Error(), pw) {
			t.Fatalf("err=%v; want ErrUnavailable without the password", err)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Fatalf("took %s", took)
		}
	})
	t.Run("stalls after start", func(t *testing.T) {
		u := storetest.RedisURL(t)
		p := newStallProxy(t, u)
		l := newRedisLimiter(t, p.url, storetest.RedisPrefix(t, u))
		if ok, _, _ := reserve(t, l, "k", 5, time.Hour); !ok {
			t.Fatal("refused through the proxy")
		}
		p.stall()
		start := time.Now()
		ok, _, _, err := l.Reserve(context.Background(), "k", 5, time.Hour)
		if ok || !errors.Is(err, auth.ErrUnavailable) {
			t.Fatalf("ok=%v err=%v; want refused with ErrUnavailable (fail closed)", ok, err)
		}
		var ae *auth.Error
		if !errors.As(err, &ae) || ae.RetryAfter <= 0 || ae.Detail == "" {
			t.Fatalf("err=%#v; want an *auth.Error with a Retry-After and a client message", err)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Fatalf("Reserve took %s on a stalled Redis", took)
		}
		// The caller's own deadline is honoured too.
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start = time.Now()
		if _, _, _, err := l.Reserve(ctx, "k", 5, time.Hour); !errors.Is(err, auth.ErrUnavailable) {
			t.Fatalf("err=%v; want ErrUnavailable", err)
		}
		if took := time.Since(start); took > 700*time.Millisecond {
			t.Fatalf("Reserve ignored the context's 100ms deadline: took %s", took)
		}
	})
}

func TestValidateRedisURL(t *testing.T) {
	const pw = "s3cret-redis-pw"
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"redis://127.0.0.1:6379/0", true},
		{"redis://localhost", true},
		{"rediss://default:" + pw + "@redis.example.com:6380/2", true},
		{"http://127.0.0.1:6379", false},
		{"127.0.0.1:6379", false},
		{"redis://:" + pw + "@127.0.0.1:port/0", false}, // url.Parse quotes the whole URL in its error
		{"redis://:" + pw + "@127.0.0.1/db", false},
		{"redis://:" + pw + "@127.0.0.1/0?frobnicate=1", false},
	} {
		err := store.ValidateRedisURL(tc.url)
		if (err == nil) != tc.ok {
			t.Errorf("ValidateRedisURL(%q) = %v, want ok=%v", tc.url, err, tc.ok)
		}
		if err != nil && strings.Contains(err.Error(), pw) {
			t.Errorf("ValidateRedisURL(%q): the password is in the error: %v", tc.url, err)
		}
	}
}

// stallProxy forwards TCP to the test Redis until stall() is called; from then on it swallows
// every byte, so requests go out and no reply ever comes back.
type stallProxy struct {
	url     string // the test Redis URL with the proxy as its host
	target  string
	stalled atomic.Bool
}

func newStallProxy(t *testing.T, redisURL string) *stallProxy {
	t.Helper()
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = ln.Addr().String()
	p := &stallProxy{url: u.String(), target: opts.Addr}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				_ = c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, up)
			mu.Unlock()
			wg.Go(func() { p.pipe(up, c) })
			wg.Go(func() { p.pipe(c, up) })
		}
	})
	return p
}

func (p *stallProxy) stall() { p.stalled.Store(true) }

func (p *stallProxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !p.stalled.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func TestRedisLimiterUsed(t *testing.T) {
	u := storetest.RedisURL(t)
	l := newRedisLimiter(t, u, storetest.RedisPrefix(t, u))
	reserve(t, l, "k", 5, time.Hour)
	_, _, cancel := reserve(t, l, "k", 5, time.Hour)
	reserve(t, l, "other", 5, time.Hour)
	if n, err := l.Used(context.Background(), "k", time.Hour); err != nil || n != 2 {
		t.Fatalf("Used = %d, %v; want 2", n, err)
	}
	cancel()
	if n, _ := l.Used(context.Background(), "k", time.Hour); n != 1 {
		t.Fatalf("Used after a cancel = %d, want 1", n)
	}
}
