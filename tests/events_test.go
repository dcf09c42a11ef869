package tests

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phoneauth/phoneauth/auth/webhook"
	"github.com/phoneauth/phoneauth/store/storetest"
)

const eventsSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// eventSink is the operator's event receiver: it checks each delivery's signature and keeps every
// delivery, duplicates included, in the order they arrived.
type eventSink struct {
	t   *testing.T
	srv *httptest.Server

	mu     sync.Mutex
	got    []map[string]any
	status int  // answer this instead of taking the event (0: take it)
	hang   bool // never answer (until the request is abandoned)
}

func newEventSink(t *testing.T) *eventSink {
	s := &eventSink{t: t}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(eventsSecret, r.Header, body, time.Now(), 0); err != nil {
			t.Errorf("event delivery does not verify: %v", err)
		}
		s.mu.Lock()
		status, hang := s.status, s.hang
		s.mu.Unlock()
		if hang {
			<-r.Context().Done()
			return
		}
		if status != 0 {
			w.WriteHeader(status)
			return
		}
		var ev map[string]any
		if err := json.Unmarshal(body, &ev); err != nil || ev["id"] != r.Header.Get("webhook-id") {
			t.Errorf("delivery %s (webhook-id %s): want an event whose id is the webhook-id", body, r.Header.Get("webhook-id"))
		}
		s.mu.Lock()
		s.got = append(s.got, ev)
		s.mu.Unlock()
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *eventSink) set(status int, hang bool) {
	s.mu.Lock()
	s.status, s.hang = status, hang
	s.mu.Unlock()
}

// env configures a phoneauth process to deliver to this sink, with short retries.
func (s *eventSink) env(extra ...string) []string {
	return append([]string{"PHONEAUTH_EVENTS_WEBHOOK_URL=" + s.srv.URL + "/events", "PHONEAUTH_EVENTS_WEBHOOK_SECRET=" + eventsSecret,
		"PHONEAUTH_EVENTS_BACKOFF_MIN=50ms", "PHONEAUTH_EVENTS_BACKOFF_MAX=300ms", "PHONEAUTH_EVENTS_TIMEOUT=1s"}, extra...)
}

// deliveries returns what arrived, and the events de-duplicated by id as a receiver keeps them.
func (s *eventSink) deliveries() (all, unique []map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[any]bool{}
	for _, ev := range s.got {
		if !seen[ev["id"]] {
			seen[ev["id"]] = true
			unique = append(unique, ev)
		}
	}
	return append([]map[string]any(nil), s.got...), unique
}

// waitFor waits until cond holds for the de-duplicated events, failing after 30s.
func (s *eventSink) waitFor(what string, cond func(unique []map[string]any) bool) []map[string]any {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, unique := s.deliveries()
		if cond(unique) {
			return unique
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waiting for %s: %d events arrived: %v", what, len(unique), unique)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// needPostgres skips t without PHONEAUTH_TEST_DATABASE_URL: the faults need several processes on one
// database.
func needPostgres(t *testing.T) {
	t.Helper()
	if os.Getenv("PHONEAUTH_TEST_DATABASE_URL") == "" {
		storetest.Untested(t, storetest.EnvURL, t.Name()+" (several processes on one PostgreSQL)")
	}
}

// testOTPs gives n test numbers the code 123456 (no SMS, no budgets) and returns them.
func testOTPs(n int) (phones []string, setting string) {
	pairs := make([]string, n)
	for i := range n {
		phones = append(phones, fmt.Sprintf("+1415555%04d", 2000+i))
		pairs[i] = phones[i] + "=123456"
	}
	return phones, "PHONEAUTH_TEST_OTPS=" + strings.Join(pairs, ",")
}

// signup signs phone up by code; it returns the response.
func (s *server) signup(phone string) *response {
	s.t.Helper()
	s.sendCode("/api/v1/auth/signup/send-otp", phone)
	return s.do("POST", "/api/v1/auth/signup/verify-otp", map[string]any{"phone_number": phone, "otp_code": "123456",
		"name": "Nina", "password": "nina's passphrase"})
}

// byUser groups events' types by user, in the order they arrived.
func byUser(events []map[string]any) map[string][]string {
	m := map[string][]string{}
	for _, ev := range events {
		u, _ := ev["user_id"].(string)
		m[u] = append(m[u], ev["type"].(string))
	}
	return m
}

// TestEventsSurviveAReceiverOutage: two instances dispatch while the receiver is down, then it comes
// back: every event arrives, in order per user, and none twice (claims never overlap).
func TestEventsSurviveAReceiverOutage(t *testing.T) {
	needPostgres(t)
	sink := newEventSink(t)
	phones, otps := testOTPs(6)
	a := start(t, "postgres", sink.env(otps)...)
	b := &server{t: t, dialect: a.dialect, dbURL: a.dbURL, env: a.env, logs: &logBuffer{}}
	b.launch()
	sink.set(http.StatusServiceUnavailable, false)
	users := map[string]bool{}
	for i, phone := range phones {
		s := []*server{a, b}[i%2]
		tok, id := tokenAnswer(t, s.signup(phone), phone)
		users[id] = true
		wantStatus(t, s.do("POST", "/api/v1/auth/logout", nil, bearer(tok)...), 204, "")
	}
	time.Sleep(time.Second) // a few failed rounds
	if all, _ := sink.deliveries(); len(all) != 0 {
		t.Fatalf("%d events taken while the receiver was down", len(all))
	}
	sink.set(0, false)
	got := sink.waitFor("every event", func(u []map[string]any) bool { return len(u) == 3*len(phones) })
	for id, types := range byUser(got) {
		if !users[id] || strings.Join(types, ",") != "user.created,session.started,session.ended" {
			t.Errorf("user %s: events %v, want user.created, session.started, session.ended in that order", id, types)
		}
	}
	if all, unique := sink.deliveries(); len(all) != len(unique) {
		t.Errorf("%d deliveries of %d events: two instances delivered one event twice", len(all), len(unique))
	}
	// The admin API shows them delivered.
	a.createUser("+14155550999", "Admin", "admin's passphrase", "--role", "admin")
	tok := a.login("+14155550999", "admin's passphrase")
	r := a.do("GET", "/api/v1/admin/events?state=delivered&type=user.created&limit=200", nil, bearer(tok)...)
	wantStatus(t, r, 200, "")
	var page struct {
		Events []struct {
			UserID   string `json:"user_id"`
			State    string `json:"state"`
			Attempts int    `json:"attempts"`
		} `json:"events"`
	}
	decode(t, r, &page)
	retried := 0
	for _, e := range page.Events {
		if users[e.UserID] && e.State == "delivered" && e.Attempts >= 2 {
			retried++
		}
	}
	if retried != len(phones) {
		t.Fatalf("admin list %+v: want the %d sign-ups' user.created delivered, each after failed attempts", page.Events, len(phones))
	}
}

// TestEventsAfterAnInstanceIsKilled: SIGKILL of an instance in the middle of a burst of sign-ups;
// the other delivers every event that was committed, and none of a sign-up that was not.
func TestEventsAfterAnInstanceIsKilled(t *testing.T) {
	needPostgres(t)
	sink := newEventSink(t)
	phones, otps := testOTPs(24)
	a := start(t, "postgres", sink.env(otps, "PHONEAUTH_EVENTS_TYPES=user.created")...)
	b := &server{t: t, dialect: a.dialect, dbURL: a.dbURL, env: a.env, logs: &logBuffer{}}
	b.launch()
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		done   int
		queue  = make(chan string, len(phones))
		client = &http.Client{Timeout: 10 * time.Second}
	)
	for _, p := range phones {
		queue <- p
	}
	close(queue)
	for range 4 {
		wg.Go(func() {
			for phone := range queue {
				// Raw requests: those to the killed instance fail in whatever way a dying process makes them.
				body := strings.NewReader(`{"phone_number":"` + phone + `"}`)
				resp, err := client.Post(a.URL+"/api/v1/auth/signup/send-otp", "application/json", body)
				if err != nil {
					continue
				}
				resp.Body.Close()
				body = strings.NewReader(`{"phone_number":"` + phone + `","otp_code":"123456","name":"N","password":"nina's passphrase"}`)
				if resp, err = client.Post(a.URL+"/api/v1/auth/signup/verify-otp", "application/json", body); err != nil {
					continue
				}
				resp.Body.Close()
				mu.Lock()
				if done++; done == 6 {
					_ = a.cmd.Process.Kill() // SIGKILL mid-burst: no shutdown, no release of claims
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	committed := map[string]bool{}
	var n int
	b.queryRow("SELECT count(*) FROM users", nil, &n)
	rows := make([]string, 0, n)
	for i := range n {
		var id string
		b.queryRow("SELECT id::text FROM users ORDER BY id LIMIT 1 OFFSET ?", []any{i}, &id)
		committed[id] = true
		rows = append(rows, id)
	}
	if n < 6 || n == len(phones) {
		t.Fatalf("%d of %d sign-ups committed: the kill fell outside the burst", n, len(phones))
	}
	t.Logf("%d of %d sign-ups committed before the kill", n, len(phones))
	sink.waitFor("the committed users' events", func(u []map[string]any) bool { return len(u) >= n })
	time.Sleep(time.Second) // anything more would arrive now
	_, got := sink.deliveries()
	seen := map[string]bool{}
	for _, ev := range got {
		id, _ := ev["user_id"].(string)
		if !committed[id] {
			t.Errorf("user.created of %s, who was never committed", id)
		}
		seen[id] = true
	}
	for _, id := range rows {
		if !seen[id] {
			t.Errorf("user %s was committed but its user.created never arrived", id)
		}
	}
}

// TestEventsReceiverHangs: a receiver that never answers costs each delivery its deadline; the API
// answers meanwhile, and the events go out once the receiver answers again.
func TestEventsReceiverHangs(t *testing.T) {
	needPostgres(t)
	sink := newEventSink(t)
	phones, otps := testOTPs(4)
	s := start(t, "postgres", sink.env(otps, "PHONEAUTH_EVENTS_TIMEOUT=300ms")...)
	sink.set(0, true)
	for _, phone := range phones {
		tokenAnswer(t, s.signup(phone), phone)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(string(s.do("GET", "/metrics", nil).Body), `phoneauth_event_deliveries_total{outcome="timeout"}`) {
		if time.Now().After(deadline) {
			t.Fatal("no delivery timed out")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if m := string(s.do("GET", "/metrics", nil).Body); !strings.Contains(m, "phoneauth_events_pending ") || !strings.Contains(m, "phoneauth_events_oldest_pending_age_seconds ") {
		t.Fatal("/metrics lacks the outbox's backlog")
	}
	sink.set(0, false)
	sink.waitFor("every event", func(u []map[string]any) bool { return len(u) == 2*len(phones) })
}

// TestTokenHookFaults: a hook that answers garbage, a huge body or a redirect, or not at all, makes the
// login follow the failure policy, never a 500; a good answer adds its claims.
func TestTokenHookFaults(t *testing.T) {
	var mu sync.Mutex
	mode := "good"
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(eventsSecret, r.Header, body, time.Now(), 0); err != nil {
			t.Errorf("hook call does not verify: %v", err)
		}
		mu.Lock()
		m := mode
		mu.Unlock()
		switch m {
		case "good":
			_, _ = w.Write([]byte(`{"claims": {"tenant_id": "acme", "sub": "not-you"}}`))
		case "garbage":
			_, _ = w.Write([]byte("\x00\x01 not json"))
		case "huge":
			_, _ = w.Write([]byte(`{"claims": {"x": "` + strings.Repeat("a", 1<<20) + `"}}`))
		case "redirect":
			http.Redirect(w, r, "https://example.com/", http.StatusFound)
		case "hang":
			<-r.Context().Done()
		}
	}))
	t.Cleanup(hook.Close)
	setMode := func(m string) { mu.Lock(); mode = m; mu.Unlock() }
	var serial sync.Mutex // the mode is shared by both dialects' servers
	forEachDB(t, func(t *testing.T, dialect string) {
		for _, policy := range []string{"fail", "omit"} {
			s := start(t, dialect, "PHONEAUTH_TOKEN_HOOK_URL="+hook.URL, "PHONEAUTH_TOKEN_HOOK_SECRET="+eventsSecret,
				"PHONEAUTH_TOKEN_HOOK_FAILURE="+policy, "PHONEAUTH_TOKEN_HOOK_TIMEOUT=300ms")
			s.createUser("+14155550100", "Ann", "ann's passphrase")
			login := func() *response {
				return s.do("POST", "/api/v1/auth/login", map[string]string{"phone": "+14155550100", "password": "ann's passphrase"})
			}
			serial.Lock()
			for _, m := range []string{"good", "garbage", "huge", "redirect", "hang"} {
				setMode(m)
				r := login()
				switch {
				case m == "good":
					wantStatus(t, r, 200, "")
					if c := jwtClaims(t, r.JSON(t)["access_token"].(string)); c["tenant_id"] != "acme" || c["sub"] == "not-you" {
						t.Errorf("claims %v: want tenant_id from the hook and phoneauth's sub", c)
					}
				case policy == "fail":
					if r.Status != 503 || r.Header.Get("Retry-After") == "" {
						t.Errorf("%s hook, policy fail: %d %s, want 503 with Retry-After", m, r.Status, r.Body)
					}
				default:
					wantStatus(t, r, 200, "")
					if c := jwtClaims(t, r.JSON(t)["access_token"].(string)); c["tenant_id"] != nil {
						t.Errorf("%s hook, policy omit: claims %v, want none of the hook's", m, c)
					}
				}
			}
			serial.Unlock()
		}
	})
}
