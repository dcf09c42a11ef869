package storetest

import (
	"context"
	"crypto/rand"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

// EnvRedisURL names the Redis the tests may use; they write only under prefixes of their own.
const EnvRedisURL = "PHONEAUTH_TEST_REDIS_URL"

// RedisURL returns EnvRedisURL, skipping t when it is not set.
func RedisURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvRedisURL)
	if u == "" {
		Untested(t, EnvRedisURL+" (e.g. redis://127.0.0.1:6379/0)", t.Name()+" on Redis")
	}
	return u
}

// RedisPrefix returns a key prefix no other test or run shares; its keys are deleted when t ends.
func RedisPrefix(t testing.TB, redisURL string) string {
	t.Helper()
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatalf("%s: %v", EnvRedisURL, err)
	}
	prefix := "phoneauth-test:" + rand.Text() + ":"
	t.Cleanup(func() {
		rdb := redis.NewClient(opts)
		defer rdb.Close()
		ctx := context.Background()
		keys, err := rdb.Keys(ctx, prefix+"*").Result()
		if err == nil && len(keys) > 0 {
			err = rdb.Del(ctx, keys...).Err()
		}
		if err != nil {
			t.Logf("deleting %s*: %v", prefix, err)
		}
	})
	return prefix
}
