package tests

import (
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestHealthReadyMetrics(t *testing.T) {
	s := start(t, "sqlite")
	s.createUser(userPhone, "Uma User", userPW)
	wantStatus(t, s.do("GET", "/healthz", nil), 200, "")
	r := s.do("GET", "/readyz", nil)
	wantStatus(t, r, 200, "")
	if r.JSON(t)["status"] != "ok" {
		t.Fatalf("readyz %s", r.Body)
	}
	s.login(userPhone, userPW)
	s.do("POST", "/api/v1/auth/login", map[string]string{"phone": userPhone, "password": "wrong passphrase"})
	m := string(s.do("GET", "/metrics", nil).Body)
	for _, want := range []string{
		`phoneauth_http_requests_total{method="POST",route="/api/v1/auth/login",status="200"} 1`,
		`phoneauth_logins_total{method="pwd",outcome="failed"} 1`,
		`phoneauth_logins_total{method="pwd",outcome="succeeded"} 1`,
		`phoneauth_http_request_duration_seconds_bucket{method="POST",route="/api/v1/auth/login"`,
		`phoneauth_password_hash_wait_seconds_count`,
		`go_sql_max_open_connections{db_name="phoneauth"}`,
		`go_goroutines`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestGracefulShutdown: SIGTERM lets a request in flight finish, then the process exits cleanly.
func TestGracefulShutdown(t *testing.T) {
	sk := newWebhookSink(t, "")
	s := start(t, "sqlite", append(sk.env(), "PHONEAUTH_SHUTDOWN_TIMEOUT=10s")...)
	sk.misbehave(0, 1500*time.Millisecond) // the provider takes 1.5s: the request is in flight
	done := make(chan int, 1)
	go func() {
		done <- s.do("POST", "/api/v1/auth/signup/send-otp", map[string]string{"phone_number": newPhone}).Status
	}()
	time.Sleep(300 * time.Millisecond) // let the request reach the provider
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case status := <-done:
		if status != 200 {
			t.Fatalf("in-flight request answered %d during shutdown", status)
		}
	case <-time.After(8 * time.Second):
		t.Fatal("in-flight request did not finish")
	}
	deadline := time.After(10 * time.Second)
	for !strings.Contains(s.logs.String(), `"msg":"stopped"`) {
		select {
		case <-deadline:
			t.Fatalf("no clean stop in the log:\n%s", s.logs.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func TestCORS(t *testing.T) {
	s := start(t, "sqlite", "PHONEAUTH_CORS_ALLOWED_ORIGINS=https://app.example.com")
	req, _ := http.NewRequest("OPTIONS", s.URL+"/api/v1/auth/me", nil)
	req.Header.Set("Origin", "https://app.example.com")
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Access-Control-Request-Headers", "authorization")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		!strings.Contains(strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")), "authorization") {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	r := s.do("GET", "/healthz", nil, "Origin", "https://evil.example.com")
	if r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("an origin outside the list was allowed")
	}
}

// TestMetricsToken: with PHONEAUTH_METRICS_TOKEN set, /metrics answers only a scraper that sends it;
// the API and the health endpoints are unaffected.
func TestMetricsToken(t *testing.T) {
	const token = "scrape-7f3c9a1e5b2d4f60"
	s := start(t, "sqlite", "PHONEAUTH_METRICS_TOKEN="+token)
	for _, auth := range []string{"", "Bearer wrong-token-of-some-length", "Bearer " + token + "x", token, "Basic " + token} {
		r := s.do("GET", "/metrics", nil, "Authorization", auth)
		wantStatus(t, r, 401, "Not authenticated")
		if r.Header.Get("WWW-Authenticate") != "Bearer" {
			t.Errorf("Authorization %q: WWW-Authenticate %q", auth, r.Header.Get("WWW-Authenticate"))
		}
	}
	r := s.do("GET", "/metrics", nil, "Authorization", "Bearer "+token)
	wantStatus(t, r, 200, "")
	if !strings.Contains(string(r.Body), "go_goroutines") {
		t.Fatalf("metrics body %.200s", r.Body)
	}
	wantStatus(t, s.do("GET", "/healthz", nil), 200, "")
	wantStatus(t, s.do("GET", "/readyz", nil), 200, "")
}
