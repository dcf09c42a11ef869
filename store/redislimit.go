package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/phoneauth/phoneauth/auth"
)

// RedisLimiter is auth.Limiter on Redis, so that every instance behind a load balancer draws on one
// budget per key. It keeps limit.Memory's semantics exactly: a rolling window (a sliding log, not
// fixed buckets), reservations that can be given back, and limit ≤ 0 meaning unlimited.
//
// Each key is a sorted set of reservations scored by the Redis server's clock in microseconds, so
// instances with skewed clocks still agree. One Lua script trims, counts and adds atomically.
//
// go-redis/redis_rate was considered and not used: it implements GCRA (a smoothed rate, not a count
// per rolling window) and has no way to give a reservation back, which auth needs when an SMS send
// fails.
//
// It needs Redis 5 or later (scripts replicate their effects, so TIME before a write is allowed).
type RedisLimiter struct {
	rdb     *redis.Client
	prefix  string
	timeout time.Duration // bounds each call, retries included
}

var (
	_ auth.Limiter    = (*RedisLimiter)(nil)
	_ auth.LimitUsage = (*RedisLimiter)(nil)
)

// DefaultRedisLimitPrefix starts every key the limiter writes when no prefix is given.
const DefaultRedisLimitPrefix = "phoneauth:limit:"

// redisTimeout bounds dialling, each read and write, a wait for a pooled connection, and a whole
// Reserve: a healthy Redis answers in well under a millisecond, and a limiter must not hang a request.
const redisTimeout = time.Second

// reserveScript is the atomic check-and-add. KEYS[1] is the budget's sorted set; ARGV are the limit,
// the window in microseconds and the new reservation's member. It returns {1, 0} when the unit was
// taken, else {0, microseconds until the oldest counted reservation leaves the window}.
var reserveScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
-- As limit.Memory: a reservation at or before now - window no longer counts.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if n >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + window - now}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000))
return {1, 0}
`)

// ValidateRedisURL reports whether u is a Redis URL (redis://[user:password@]host[:port][/db] or
// rediss://… for TLS). The error never contains the password.
func ValidateRedisURL(u string) error {
	_, err := parseRedisURL(u)
	return err
}

func parseRedisURL(u string) (*redis.Options, error) {
	opts, err := redis.ParseURL(u)
	if err != nil {
		// url.Parse's errors quote the whole URL, password included: keep only the reason.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("not a Redis URL (redis://[user:password@]host:port/db or rediss://…): %w", err)
	}
	return opts, nil
}

// NewRedisLimiter connects to the Redis at rawURL (see ValidateRedisURL) and checks that it answers.
// Keys are prefix + the caller's key (prefix "" means DefaultRedisLimitPrefix). Timeouts given in
// the URL (dial_timeout, read_timeout, …) are kept; the others are one second.
func NewRedisLimiter(ctx context.Context, rawURL, prefix string) (*RedisLimiter, error) {
	opts, err := parseRedisURL(rawURL)
	if err != nil {
		return nil, err
	}
	if prefix == "" {
		prefix = DefaultRedisLimitPrefix
	}
	for _, d := range []*time.Duration{&opts.DialTimeout, &opts.ReadTimeout, &opts.WriteTimeout, &opts.PoolTimeout} {
		if *d == 0 {
			*d = redisTimeout
		}
	}
	opts.ContextTimeoutEnabled = true // the caller's deadline applies too
	opts.DialerRetries = 1            // one dial per attempt: the pool's default of 5 multiplies the wait
	if opts.MaxRetries == 0 {
		// One retry covers a pooled connection the server has closed. Should a reply be lost after the
		// script ran, the retry counts one reservation twice: stricter, never looser.
		opts.MaxRetries = 1
	}
	if opts.ClientName == "" {
		opts.ClientName = "phoneauth"
	}
	// Maintenance notifications are a Redis Cloud/Enterprise handshake that plain Redis refuses; a
	// limiter gains nothing from them.
	opts.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	l := &RedisLimiter{rdb: redis.NewClient(opts), prefix: prefix, timeout: redisTimeout}
	pctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	if err := l.rdb.Ping(pctx).Err(); err != nil {
		_ = l.rdb.Close()
		return nil, limiterUnavailable(fmt.Errorf("redis at %s: %w", opts.Addr, err))
	}
	return l, nil
}

// Close releases the connections. Reserve fails (ErrUnavailable) afterwards.
func (l *RedisLimiter) Close() error { return l.rdb.Close() }

// Reserve takes one unit of key's budget of limit per rolling window. When the budget is spent it
// returns ok=false and how long until a unit frees up. cancel returns the unit (a no-op when !ok;
// safe to call more than once). A limit or window of 0 or less means unlimited and never touches
// Redis.
//
// When Redis cannot be reached the error wraps auth.ErrUnavailable (503, Retry-After). This fails
// closed on purpose: answering "allowed" while Redis is down would silently lift every budget, and
// the budgets are what stands between an attacker and the SMS bill.
func (l *RedisLimiter) Reserve(ctx context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, cancel func(), err error) {
	if limit <= 0 || window <= 0 {
		return true, 0, func() {}, nil
	}
	ctx, stop := context.WithTimeout(ctx, l.timeout)
	defer stop()
	key = l.prefix + key
	member := rand.Text() // unique per reservation, so cancel removes this one and no other
	res, err := reserveScript.Run(ctx, l.rdb, []string{key}, limit, max(window.Microseconds(), 1), member).Int64Slice()
	if err == nil && len(res) != 2 {
		err = fmt.Errorf("unexpected script result %v", res)
	}
	if err != nil {
		return false, 0, func() {}, limiterUnavailable(err)
	}
	if res[0] != 1 {
		return false, time.Duration(res[1]) * time.Microsecond, func() {}, nil
	}
	return true, 0, func() {
		// The request's context may be gone by now; the refund should still happen. If Redis fails
		// here the unit stays taken until it leaves the window: stricter, never looser.
		cctx, stop := context.WithTimeout(context.Background(), l.timeout)
		defer stop()
		_ = l.rdb.ZRem(cctx, key, member).Err()
	}, nil
}

// usedScript counts KEYS[1]'s reservations within the window (ARGV[1], microseconds) ending now.
var usedScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
return redis.call('ZCOUNT', KEYS[1], '(' .. (now - tonumber(ARGV[1])), '+inf')
`)

// Used returns how many units of key are taken in the rolling window ending now (auth.LimitUsage).
func (l *RedisLimiter) Used(ctx context.Context, key string, window time.Duration) (int, error) {
	ctx, stop := context.WithTimeout(ctx, l.timeout)
	defer stop()
	n, err := usedScript.Run(ctx, l.rdb, []string{l.prefix + key}, max(window.Microseconds(), 1)).Int()
	if err != nil {
		return 0, limiterUnavailable(err)
	}
	return n, nil
}

// RedisLogsTo sends go-redis's own messages (failed dials, pool trouble), which it would otherwise
// print as plain text among the JSON logs on stderr, to log at warn level. go-redis keeps one
// logger per process, so main calls this once.
func RedisLogsTo(log *slog.Logger) { redis.SetLogger(redisLogger{log}) }

type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "redis client", "detail", fmt.Sprintf(format, v...))
}

// limiterUnavailable turns a Redis failure into the error auth and server expect (503, retry in a second).
// Redis's errors name the address, never the password.
func limiterUnavailable(err error) error {
	return &auth.Error{Kind: auth.ErrUnavailable, Detail: "Rate limiter unavailable; please retry", RetryAfter: time.Second, Cause: err}
}
