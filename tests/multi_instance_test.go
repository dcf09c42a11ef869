package tests

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phoneauth/phoneauth/store/storetest"
)

// sharedRedis returns PHONEAUTH_TEST_REDIS_URL and a key prefix of phoneauth's own for t, whose keys
// are deleted when t ends. Tests of several instances need PostgreSQL too (SQLite is one machine's).
func sharedRedis(t *testing.T) (url, prefix string) {
	t.Helper()
	url = os.Getenv("PHONEAUTH_TEST_REDIS_URL")
	if url == "" || os.Getenv("PHONEAUTH_TEST_DATABASE_URL") == "" {
		storetest.Untested(t, storetest.EnvURL+" and "+storetest.EnvRedisURL, t.Name()+" (several instances on one PostgreSQL and Redis)")
	}
	return url, storetest.RedisPrefix(t, url)
}

// TestInstancesShareBudgetsAndSessions runs two processes on one PostgreSQL schema and one Redis,
// as behind a load balancer: a client may reach either on any request.
func TestInstancesShareBudgetsAndSessions(t *testing.T) {
	redisURL, prefix := sharedRedis(t)
	sk := newWebhookSink(t, "")
	a := start(t, "postgres", append(sk.env(), "PHONEAUTH_REDIS_URL="+redisURL, "PHONEAUTH_REDIS_PREFIX="+prefix,
		"PHONEAUTH_OTP_RESEND_INTERVAL=0", "PHONEAUTH_OTP_PHONE_HOURLY_LIMIT=3", "PHONEAUTH_OTP_IP_HOURLY_LIMIT=4",
		"PHONEAUTH_TRUSTED_PROXIES=127.0.0.1/32")...)
	b := &server{t: t, dialect: a.dialect, dbURL: a.dbURL, env: a.env, logs: &logBuffer{}}
	b.launch()
	if !strings.Contains(a.logs.String(), "rate limits shared through Redis") {
		t.Fatal("the server does not say its limits are in Redis")
	}
	xff := func(ip string) []string { return []string{"X-Forwarded-For", ip} }

	// The per-phone budget (3 an hour) holds across instances: each client address is different, so
	// only the phone's budget counts.
	a.sendCode("/api/v1/auth/signup/send-otp", newPhone, xff("203.0.113.1")...)
	b.sendCode("/api/v1/auth/signup/resend-otp", newPhone, xff("203.0.113.2")...)
	a.sendCode("/api/v1/auth/signup/resend-otp", newPhone, xff("203.0.113.3")...)
	for name, s := range map[string]*server{"a": a, "b": b} {
		r := s.do("POST", "/api/v1/auth/signup/resend-otp", map[string]string{"phone_number": newPhone}, xff("203.0.113.4")...)
		wantStatus(t, r, 429, "")
		if !strings.Contains(string(r.Body), "this number") || r.Header.Get("Retry-After") == "" {
			t.Fatalf("4th code on %s: %s (Retry-After %q); want the phone budget's 429", name, r.Body, r.Header.Get("Retry-After"))
		}
	}
	if n := sk.count(newPhone); n != 3 {
		t.Fatalf("%d codes sent, want 3", n)
	}

	// A code sent by a verifies on b; b's token works on a, and a's on b.
	tok1, _ := tokenAnswer(t, b.do("POST", "/api/v1/auth/signup/verify-otp", map[string]any{"phone_number": newPhone,
		"otp_code": sk.last(newPhone).Code(), "name": "Nina", "password": "nina's passphrase"}), newPhone)
	wantStatus(t, a.do("GET", "/api/v1/auth/me", nil, bearer(tok1)...), 200, "")
	tok2 := a.login(newPhone, "nina's passphrase")
	wantStatus(t, b.do("GET", "/api/v1/auth/me", nil, bearer(tok2)...), 200, "")
	// A session ended on b is refused on a at once; the other session lives on.
	wantStatus(t, b.do("POST", "/api/v1/auth/logout", nil, bearer(tok2)...), 204, "")
	wantStatus(t, a.do("GET", "/api/v1/auth/me", nil, bearer(tok2)...), 401, "Could not validate credentials")
	wantStatus(t, a.do("GET", "/api/v1/auth/me", nil, bearer(tok1)...), 200, "")

	// The per-client-address budget (4 an hour) holds across instances too.
	const ip = "198.51.100.7"
	for i, s := range []*server{a, b, a, b} {
		s.sendCode("/api/v1/auth/signup/send-otp", "+1415555013"+string(rune('0'+i)), xff(ip)...)
	}
	for name, s := range map[string]*server{"a": a, "b": b} {
		r := s.do("POST", "/api/v1/auth/signup/send-otp", map[string]string{"phone_number": "+14155550139"}, xff(ip)...)
		wantStatus(t, r, 429, "")
		if !strings.Contains(string(r.Body), "network") {
			t.Fatalf("5th request from one address on %s: %s; want the address budget's 429", name, r.Body)
		}
	}
	// Another address is not held back, on either instance.
	b.sendCode("/api/v1/auth/signup/send-otp", "+14155550139", xff("198.51.100.8")...)
}

// TestRedisConfigFailsFast needs neither Redis nor PostgreSQL: a bad or unreachable Redis stops
// start-up, naming the variable and never printing the password.
func TestRedisConfigFailsFast(t *testing.T) {
	const pw = "s3cret-redis-pw"
	for _, tc := range []struct {
		name, url string
		code      int
	}{
		{"not a Redis URL", "http://:" + pw + "@127.0.0.1:6379", 2},
		{"unparsable", "redis://:" + pw + "@127.0.0.1:port/0", 2},
		{"unreachable", "redis://:" + pw + "@127.0.0.1:1/0", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, binary, "serve")
			cmd.Env = []string{"PHONEAUTH_ADDR=127.0.0.1:0", "PHONEAUTH_DATABASE_URL=" + filepath.Join(t.TempDir(), "phoneauth.db"),
				"PHONEAUTH_REDIS_URL=" + tc.url, "PATH=" + os.Getenv("PATH")}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != tc.code {
				t.Fatalf("exit %v, want status %d\n%s", err, tc.code, stderr.String())
			}
			if out := stderr.String(); !strings.Contains(out, "PHONEAUTH_REDIS_URL") || strings.Contains(out, pw) {
				t.Fatalf("stderr must name PHONEAUTH_REDIS_URL and not print the password:\n%s", out)
			}
		})
	}
}
