package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/phoneauth/phoneauth/auth"
)

// RedisGuard is auth.SMSGuardStore on Redis, shared by every instance. Its keys, under the limiter's
// prefix + "guard:":
//
//   - c:<prefix>: a hash of the prefix's counts, fields s:<bucket ms> and v:<bucket ms> (and region);
//     buckets older than the window are dropped as the prefix is counted, and the key expires after
//     a window without counts;
//   - active: a sorted set of the prefixes by the last bucket counted, for the admin list;
//   - blocks: a hash of prefix → block (JSON).
type RedisGuard struct {
	l      *RedisLimiter
	prefix string
	window time.Duration
}

var _ auth.SMSGuardStore = (*RedisGuard)(nil)

// Guard returns the SMS guard's store on the limiter's connection; window is the guard's (counts older
// than it are dropped).
func (l *RedisLimiter) Guard(window time.Duration) *RedisGuard {
	return &RedisGuard{l: l, prefix: l.prefix + "guard:", window: window}
}

// addScript adds to one prefix's bucket and drops the buckets before the window. KEYS: the counts
// hash, the active set. ARGV: bucket ms, sends, verified, region, oldest bucket ms kept, TTL ms, prefix.
var addScript = redis.NewScript(`
local b = ARGV[1]
redis.call('HINCRBY', KEYS[1], 's:' .. b, ARGV[2])
redis.call('HINCRBY', KEYS[1], 'v:' .. b, ARGV[3])
redis.call('HSET', KEYS[1], 'region', ARGV[4])
local oldest = tonumber(ARGV[5])
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  local t = tonumber(string.sub(f, 3))
  if t and t < oldest then redis.call('HDEL', KEYS[1], f) end
end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('ZADD', KEYS[2], b, ARGV[7])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. oldest)
return 1
`)

func (g *RedisGuard) countsKey(p string) string { return g.prefix + "c:" + p }

// Add implements auth.SMSGuardStore.
func (g *RedisGuard) Add(ctx context.Context, bucket time.Time, counts []auth.PrefixCount) error {
	ctx, stop := context.WithTimeout(ctx, g.l.timeout)
	defer stop()
	oldest := bucket.Add(-g.window).UnixMilli()
	ttl := (2 * g.window).Milliseconds()
	pipe := g.l.rdb.Pipeline()
	for _, c := range counts {
		addScript.Eval(ctx, pipe, []string{g.countsKey(c.Prefix), g.prefix + "active"},
			bucket.UnixMilli(), c.Sends, c.Verified, c.Region, oldest, ttl, c.Prefix)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return limiterUnavailable(err)
	}
	return nil
}

// sum adds up the buckets of a counts hash from since on.
func sum(p string, fields map[string]string, since int64) auth.PrefixCount {
	c := auth.PrefixCount{Prefix: p, Region: fields["region"]}
	for f, v := range fields {
		kind, b, ok := strings.Cut(f, ":")
		t, err := strconv.ParseInt(b, 10, 64)
		if !ok || err != nil || t < since {
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		switch kind {
		case "s":
			c.Sends += n
		case "v":
			c.Verified += n
		}
	}
	return c
}

// Counts implements auth.SMSGuardStore.
func (g *RedisGuard) Counts(ctx context.Context, prefixes []string, since time.Time) (map[string]auth.PrefixCount, error) {
	ctx, stop := context.WithTimeout(ctx, g.l.timeout)
	defer stop()
	out := make(map[string]auth.PrefixCount, len(prefixes))
	if len(prefixes) == 0 {
		return out, nil
	}
	pipe := g.l.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(prefixes))
	for i, p := range prefixes {
		cmds[i] = pipe.HGetAll(ctx, g.countsKey(p))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, limiterUnavailable(err)
	}
	for i, p := range prefixes {
		if c := sum(p, cmds[i].Val(), since.UnixMilli()); c.Sends != 0 || c.Verified != 0 {
			out[p] = c
		}
	}
	return out, nil
}

// Top implements auth.SMSGuardStore.
func (g *RedisGuard) Top(ctx context.Context, since time.Time, limit int) ([]auth.PrefixCount, error) {
	ctx, stop := context.WithTimeout(ctx, g.l.timeout)
	defer stop()
	// ZRANGEBYSCORE rather than ZRANGE … BYSCORE, which needs Redis 6.2.
	names, err := g.l.rdb.Do(ctx, "ZRANGEBYSCORE", g.prefix+"active", since.UnixMilli(), "+inf").StringSlice()
	if err != nil {
		return nil, limiterUnavailable(err)
	}
	counts, err := g.Counts(ctx, names, since)
	if err != nil {
		return nil, err
	}
	out := make([]auth.PrefixCount, 0, len(counts))
	for _, c := range counts {
		if c.Sends > 0 {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Sends != out[j].Sends {
			return out[i].Sends > out[j].Sends
		}
		return out[i].Prefix < out[j].Prefix
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

type redisBlock struct {
	Region    string `json:"region"`
	BlockedAt int64  `json:"blocked_at_ms"`
	Until     int64  `json:"until_ms"`
	Sends     int64  `json:"sends"`
	Verified  int64  `json:"verified"`
}

// blockScript stores a block unless one in force at its start exists, and forgets the counts. KEYS:
// the blocks hash, the counts hash. ARGV: prefix, block JSON, blocked-at ms.
var blockScript = redis.NewScript(`
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local ok, b = pcall(cjson.decode, cur)
  if ok and tonumber(b['until_ms']) > tonumber(ARGV[3]) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('DEL', KEYS[2])
return 1
`)

// Block implements auth.SMSGuardStore.
func (g *RedisGuard) Block(ctx context.Context, b auth.PrefixBlock) (bool, error) {
	ctx, stop := context.WithTimeout(ctx, g.l.timeout)
	defer stop()
	v, _ := json.Marshal(redisBlock{Region: b.Region, BlockedAt: b.BlockedAt.UnixMilli(), Until: b.Until.UnixMilli(), Sends: b.Sends, Verified: b.Verified})
	n, err := blockScript.Run(ctx, g.l.rdb, []string{g.prefix + "blocks", g.countsKey(b.Prefix)}, b.Prefix, string(v), b.BlockedAt.UnixMilli()).Int()
	if err != nil {
		return false, limiterUnavailable(err)
	}
	return n == 1, nil
}

func decodeBlock(p, v string) (auth.PrefixBlock, error) {
	var rb redisBlock
	if err := json.Unmarshal([]byte(v), &rb); err != nil {
		return auth.PrefixBlock{}, fmt.Errorf("malformed SMS guard block of %s", p)
	}
	return auth.PrefixBlock{Prefix: p, Region: rb.Region, BlockedAt: time.UnixMilli(rb.BlockedAt).UTC(), Until: time.UnixMilli(rb.Until).UTC(),
		Sends: rb.Sends, Verified: rb.Verified}, nil
}

// Blocks implements auth.SMSGuardStore; ended blocks are dropped as it reads them.
func (g *RedisGuard) Blocks(ctx context.Context, now time.Time) ([]auth.PrefixBlock, error) {
	ctx, stop := context.WithTimeout(ctx, g.l.timeout)
	defer stop()
	all, err := g.l.rdb.HGetAll(ctx, g.prefix+"blocks").Result()
	if err != nil {
		return nil, limiterUnavailable(err)
	}
	var out []auth.PrefixBlock
	var ended []string
	for p, v := range all {
		b, err := decodeBlock(p, v)
		if err != nil || !b.Until.After(now) {
			ended = append(ended, p)
			continue
		}
		out = append(out, b)
	}
	if len(ended) > 0 {
		_ = g.l.rdb.HDel(ctx, g.prefix+"blocks", ended...).Err()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].BlockedAt.After(out[j].BlockedAt) })
	return out, nil
}

// Clear implements auth.SMSGuardStore.
func (g *RedisGuard) Clear(ctx context.Context, prefix string, now time.Time) (auth.PrefixBlock, bool, error) {
	ctx, stop := context.WithTimeout(ctx, g.l.timeout)
	defer stop()
	pipe := g.l.rdb.TxPipeline()
	get := pipe.HGet(ctx, g.prefix+"blocks", prefix)
	pipe.HDel(ctx, g.prefix+"blocks", prefix)
	pipe.Del(ctx, g.countsKey(prefix))
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		return auth.PrefixBlock{}, false, limiterUnavailable(err)
	}
	v, err := get.Result()
	if err != nil {
		return auth.PrefixBlock{}, false, nil
	}
	b, err := decodeBlock(prefix, v)
	if err != nil || !b.Until.After(now) {
		return auth.PrefixBlock{}, false, nil
	}
	return b, true, nil
}
