package tests

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The SMS defences and delivery, end to end: the guard, the caps, the CAPTCHA, failover, receipts.

const pumpedPrefix = "+996700"

// pumped is the i-th number of the attacked prefix.
func pumped(i int) string { return fmt.Sprintf("%s%06d", pumpedPrefix, 100000+i) }

// metric returns the value of the sample line of /metrics that starts with series ("" when none).
func (s *server) metric(series string) string {
	s.t.Helper()
	for _, line := range strings.Split(string(s.do("GET", "/metrics", nil).Body), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return ""
}

func TestGuardBlocksAPumpedPrefix(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		sk := newWebhookSink(t, webhookSecret)
		s := start(t, dialect, append(sk.env(), "PHONEAUTH_SMS_GUARD_MIN_SENDS=5", "PHONEAUTH_TRUSTED_PROXIES=127.0.0.1")...)
		s.createUser(adminPhone, "Ada Admin", adminPW, "--role", "admin")
		owner := pumped(999)
		s.createUser(owner, "Owner", userPW)
		a := bearer(s.login(adminPhone, adminPW))
		for i := range 5 {
			s.sendCode("/api/v1/auth/signup/send-otp", pumped(i), "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
		}
		// Blocked: the same 429 for a number with an account and one without, from any address.
		var details []string
		for i, tc := range []struct{ path, phone string }{
			{"/api/v1/auth/signup/send-otp", pumped(5)}, {"/api/v1/auth/login/send-otp", owner}, {"/api/v1/auth/forgot-password/init", owner},
		} {
			r := s.do("POST", tc.path, map[string]string{"phone_number": tc.phone}, "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i))
			wantStatus(t, r, 429, "")
			if ra, _ := strconv.Atoi(r.Header.Get("Retry-After")); ra < 3500 || ra > 3600 {
				t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
			}
			d, _, _ := strings.Cut(r.JSON(t)["detail"].(string), ";")
			details = append(details, d)
		}
		if details[0] != details[1] || details[1] != details[2] {
			t.Fatalf("the 429 depends on the account: %q", details)
		}
		if n := len(sk.all()); n != 5 {
			t.Fatalf("%d SMS went out, want 5", n)
		}
		s.sendCode("/api/v1/auth/signup/send-otp", "+447400123456") // another prefix carries on

		// Admins see it: the guard's list, the audit trail, the metrics.
		var g struct {
			MinSends int `json:"min_sends"`
			Prefixes []struct {
				Prefix, Country, State string
				Sends                  int64
				BlockedUntil           *time.Time `json:"blocked_until"`
			} `json:"prefixes"`
		}
		decode(t, s.do("GET", "/api/v1/admin/sms/guard", nil, a...), &g)
		if g.MinSends != 5 || len(g.Prefixes) < 2 || g.Prefixes[0].Prefix != pumpedPrefix || g.Prefixes[0].State != "blocked" ||
			g.Prefixes[0].Country != "KG" || g.Prefixes[0].Sends != 5 || g.Prefixes[0].BlockedUntil == nil {
			t.Fatalf("guard %+v", g)
		}
		var ev struct {
			Events []struct {
				Type    string            `json:"type"`
				Details map[string]string `json:"details"`
			} `json:"events"`
		}
		decode(t, s.do("GET", "/api/v1/admin/audit-events?type=sms.guard_blocked", nil, a...), &ev)
		if len(ev.Events) != 1 || ev.Events[0].Details["prefix"] != pumpedPrefix || ev.Events[0].Details["country"] != "KG" {
			t.Fatalf("audit %+v", ev)
		}
		if v := s.metric(`phoneauth_sms_guard_events_total{country="KG",event="blocked"}`); v != "1" {
			t.Fatalf("blocked metric %q", v)
		}
		if v := s.metric(`phoneauth_sms_guard_events_total{country="KG",event="refused"}`); v != "3" {
			t.Fatalf("refused metric %q", v)
		}

		// Only admins; then one clears it, '+' written as %2B or left out.
		wantStatus(t, s.do("GET", "/api/v1/admin/sms/guard", nil, bearer(s.login(owner, userPW))...), 403, "Not enough permissions")
		wantStatus(t, s.do("DELETE", "/api/v1/admin/sms/guard/%2B996700", nil), 401, "")
		wantStatus(t, s.do("DELETE", "/api/v1/admin/sms/guard/%2B996700", nil, a...), 204, "")
		wantStatus(t, s.do("DELETE", "/api/v1/admin/sms/guard/996700", nil, a...), 404, "Prefix is not blocked")
		wantStatus(t, s.do("DELETE", "/api/v1/admin/sms/guard/abc", nil, a...), 422, "")
		decode(t, s.do("GET", "/api/v1/admin/audit-events?type=sms.guard_cleared", nil, a...), &ev)
		if len(ev.Events) != 1 || ev.Events[0].Details["prefix"] != pumpedPrefix {
			t.Fatalf("audit of the clear %+v", ev)
		}
		s.sendCode("/api/v1/auth/signup/send-otp", pumped(6))
	})
}

func TestSpendCaps(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		sk := newWebhookSink(t, webhookSecret)
		s := start(t, dialect, append(sk.env(), "PHONEAUTH_SMS_HOURLY_LIMIT=3", "PHONEAUTH_SMS_COUNTRY_HOURLY_LIMITS=US=2,*=1", "PHONEAUTH_OTP_RESEND_INTERVAL=0")...)
		s.createUser(userPhone, "Uma User", userPW)
		s.sendCode("/api/v1/auth/login/send-otp", userPhone)
		s.sendCode("/api/v1/auth/login/send-otp", "+14155550177") // no account: a decoy takes a unit as well
		var details []string
		for _, p := range []string{userPhone, "+14155550178"} {
			r := s.do("POST", "/api/v1/auth/login/send-otp", map[string]string{"phone_number": p})
			wantStatus(t, r, 503, "")
			if ra, _ := strconv.Atoi(r.Header.Get("Retry-After")); ra < 3500 {
				t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
			}
			d, _, _ := strings.Cut(r.JSON(t)["detail"].(string), ";")
			details = append(details, d)
		}
		if details[0] != details[1] {
			t.Fatalf("the cap's 503 depends on the account: %q", details)
		}
		s.sendCode("/api/v1/auth/signup/send-otp", "+447400123456")
		wantStatus(t, s.do("POST", "/api/v1/auth/signup/send-otp", map[string]string{"phone_number": "+447400123457"}), 503, "")
		if v := s.metric(`phoneauth_sms_cap_used_ratio{cap="US"}`); v != "1" {
			t.Fatalf("US cap gauge %q", v)
		}
		if v := s.metric(`phoneauth_sms_cap_used_ratio{cap="all"}`); v == "" {
			t.Fatal("no gauge of the cap of all")
		}
		if n := len(sk.all()); n != 2 {
			t.Fatalf("%d SMS, want 2", n)
		}
	})
}

// fakeSiteverify is a CAPTCHA provider's siteverify: "good-token" passes; down makes it answer 500.
type fakeSiteverify struct {
	srv  *httptest.Server
	mu   sync.Mutex
	down bool
	seen []url.Values
}

func newFakeSiteverify(t *testing.T) *fakeSiteverify {
	f := &fakeSiteverify{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(b))
		f.mu.Lock()
		down := f.down
		f.seen = append(f.seen, form)
		f.mu.Unlock()
		if down {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		ok := form.Get("secret") == "captcha-secret" && form.Get("response") == "good-token"
		_ = json.NewEncoder(w).Encode(map[string]any{"success": ok, "error-codes": []string{}})
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func TestCaptcha(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		sk := newWebhookSink(t, webhookSecret)
		cv := newFakeSiteverify(t)
		s := start(t, dialect, append(sk.env(), "PHONEAUTH_CAPTCHA_PROVIDER=turnstile", "PHONEAUTH_CAPTCHA_SECRET=captcha-secret",
			"PHONEAUTH_CAPTCHA_MODE=always", "PHONEAUTH_CAPTCHA_VERIFY_URL="+cv.srv.URL, "PHONEAUTH_OTP_PHONE_HOURLY_LIMIT=1")...)
		send := func(token string) *response {
			body := map[string]string{"phone_number": newPhone}
			if token != "" {
				body["captcha_token"] = token
			}
			return s.do("POST", "/api/v1/auth/signup/send-otp", body)
		}
		wantStatus(t, send(""), 400, "captcha required")
		wantStatus(t, send("bad-token"), 400, "captcha invalid")
		cv.mu.Lock()
		cv.down = true
		cv.mu.Unlock()
		r := send("good-token")
		wantStatus(t, r, 503, "")
		if r.Header.Get("Retry-After") == "" {
			t.Fatal("503 without Retry-After")
		}
		cv.mu.Lock()
		cv.down = false
		cv.mu.Unlock()
		// Nothing was consumed: no SMS, no cooldown (60s), no unit of the phone's budget (1 an hour).
		if len(sk.all()) != 0 {
			t.Fatal("an SMS went out")
		}
		wantStatus(t, send("good-token"), 200, "")
		if sk.count(newPhone) != 1 {
			t.Fatalf("%d SMS", sk.count(newPhone))
		}
		cv.mu.Lock()
		last := cv.seen[len(cv.seen)-1]
		cv.mu.Unlock()
		if last.Get("remoteip") != "127.0.0.1" {
			t.Errorf("siteverify form %v", last)
		}
		// Every send and resend endpoint takes the token.
		wantStatus(t, s.do("POST", "/api/v1/auth/login/send-otp", map[string]string{"phone_number": newPhone}), 400, "captcha required")
		for _, p := range []string{"/api/v1/auth/login/send-otp", "/api/v1/auth/login/resend-otp", "/api/v1/auth/forgot-password/init", "/api/v1/auth/signup/resend-otp"} {
			wantStatus(t, s.do("POST", p, map[string]string{"phone_number": "+12125550100", "captcha_token": "bad-token"}), 400, "captcha invalid")
		}
	})
}

func TestFailoverWebhookToWebhook(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		first, second := newWebhookSink(t, webhookSecret), newWebhookSink(t, webhookSecret)
		first.misbehave(500, 0)
		s := start(t, dialect, "PHONEAUTH_SMS_PROVIDER=webhook,webhook", "PHONEAUTH_SMS_WEBHOOK_SECRET="+webhookSecret,
			"PHONEAUTH_SMS_WEBHOOK_URL="+first.srv.URL+"/sms,"+second.srv.URL+"/sms", "PHONEAUTH_SMS_FAILOVER_THRESHOLD=2",
			"PHONEAUTH_OTP_RESEND_INTERVAL=0")
		s.createUser(adminPhone, "Ada Admin", adminPW, "--role", "admin")
		// The user notices nothing: 200, and the code arrives through the second.
		for i := range 3 {
			ref := s.sendCode("/api/v1/auth/signup/send-otp", newPhone)
			if m := second.last(newPhone); m.ReferenceID != ref || m.Code() == "" {
				t.Fatalf("send %d: %+v", i, m)
			}
		}
		if len(first.all()) != 0 {
			t.Fatal("the failing provider delivered")
		}
		// Two failures opened the first one's circuit: the third send skipped it.
		if v := s.metric(`phoneauth_sms_attempts_total{outcome="failed",provider="webhook"}`); v != "2" {
			t.Fatalf("failed attempts %q", v)
		}
		if v := s.metric(`phoneauth_sms_attempts_total{outcome="skipped",provider="webhook"}`); v != "1" {
			t.Fatalf("skipped attempts %q", v)
		}
		if v := s.metric(`phoneauth_sms_attempts_total{outcome="ok",provider="webhook-2"}`); v != "3" {
			t.Fatalf("ok attempts %q", v)
		}
		var list struct {
			Messages []struct {
				Provider, Status string
			} `json:"messages"`
		}
		decode(t, s.do("GET", "/api/v1/admin/sms/messages", nil, bearer(s.login(adminPhone, adminPW))...), &list)
		if len(list.Messages) != 3 || list.Messages[0].Provider != "webhook-2" || list.Messages[0].Status != "sent" {
			t.Fatalf("message log %+v", list)
		}
	})
}

// signStandardWebhook signs a receipt as a Standard Webhooks sender would, independently of phoneauth.
func signStandardWebhook(secret string, body []byte, ts time.Time) []string {
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	id, sec := "msg_test"+strconv.FormatInt(ts.UnixNano(), 36), strconv.FormatInt(ts.Unix(), 10)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + sec + "." + string(body)))
	return []string{"webhook-id", id, "webhook-timestamp", sec, "webhook-signature", "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))}
}

// signTwilio is X-Twilio-Signature, computed as Twilio documents it, independently of phoneauth.
func signTwilio(token, fullURL string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	m := hmac.New(sha1.New, []byte(token))
	m.Write([]byte(fullURL))
	for _, k := range keys {
		m.Write([]byte(k + form.Get(k)))
	}
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

type logEntry struct {
	ReferenceID       string `json:"reference_id"`
	Provider          string `json:"provider"`
	ProviderMessageID string `json:"provider_message_id"`
	Status            string `json:"status"`
	ErrorCode         string `json:"error_code"`
	Country           string `json:"country"`
	Phone             string `json:"phone"`
}

func (s *server) messageLog(a []string) []logEntry {
	s.t.Helper()
	var list struct {
		Messages []logEntry `json:"messages"`
	}
	decode(s.t, s.do("GET", "/api/v1/admin/sms/messages", nil, a...), &list)
	return list.Messages
}

func TestWebhookReceipts(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		sk := newWebhookSink(t, webhookSecret)
		s := start(t, dialect, sk.env()...)
		s.createUser(adminPhone, "Ada Admin", adminPW, "--role", "admin")
		a := bearer(s.login(adminPhone, adminPW))
		ref := s.sendCode("/api/v1/auth/signup/send-otp", newPhone)
		receipt := func(body string, headers ...string) *response {
			return s.do("POST", "/api/v1/sms/status/webhook", body, headers...)
		}
		body := `{"reference_id":"` + ref + `","status":"undelivered","error_code":"30005"}`
		// Bad signatures: 401, and nothing changes.
		wantStatus(t, receipt(body), 401, "Invalid signature")
		wantStatus(t, receipt(body, signStandardWebhook("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", []byte(body), time.Now())...), 401, "Invalid signature")
		wantStatus(t, receipt(body, signStandardWebhook(webhookSecret, []byte(body), time.Now().Add(-10*time.Minute))...), 401, "Invalid signature")
		wantStatus(t, receipt(body, signStandardWebhook(webhookSecret, []byte(`{"reference_id":"x","status":"sent"}`), time.Now())...), 401, "Invalid signature")
		wantStatus(t, receipt(`{"reference_id":`, signStandardWebhook("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", []byte(`{"reference_id":`), time.Now())...), 401, "")
		if m := s.messageLog(a); len(m) != 1 || m[0].Status != "sent" || m[0].ReferenceID != ref || m[0].Provider != "webhook" || m[0].Country != "US" || m[0].Phone != "+141******23" {
			t.Fatalf("after bad signatures %+v", m)
		}
		wantStatus(t, receipt(body, signStandardWebhook(webhookSecret, []byte(body), time.Now())...), 204, "")
		if m := s.messageLog(a); m[0].Status != "undelivered" || m[0].ErrorCode != "30005" {
			t.Fatalf("after the receipt %+v", m)
		}
		// An unknown reference: 204 all the same; a bad body, once signed: 422.
		unknown := `{"reference_id":"otp_nope","status":"delivered"}`
		wantStatus(t, receipt(unknown, signStandardWebhook(webhookSecret, []byte(unknown), time.Now())...), 204, "")
		bad := `{"reference_id":"` + ref + `","status":"read"}`
		wantStatus(t, receipt(bad, signStandardWebhook(webhookSecret, []byte(bad), time.Now())...), 422, "")
		// Twilio's receipts are not configured here.
		wantStatus(t, s.do("POST", "/api/v1/sms/status/twilio", "MessageSid=SM1&MessageStatus=delivered", "Content-Type", "application/x-www-form-urlencoded"), 404, "")
	})
}

func TestTwilioReceipts(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		tw := newTwilioSink(t)
		const public = "https://auth.example.com"
		s := start(t, dialect, append(tw.twilioEnv(), "PHONEAUTH_PUBLIC_URL="+public)...)
		s.createUser(adminPhone, "Ada Admin", adminPW, "--role", "admin")
		a := bearer(s.login(adminPhone, adminPW))
		ref := s.sendCode("/api/v1/auth/signup/send-otp", newPhone)
		m := s.messageLog(a)
		if len(m) != 1 || m[0].ProviderMessageID != "SM00000000000000000000000000000000" || m[0].Provider != "twilio" || m[0].ReferenceID != ref {
			t.Fatalf("message log %+v", m)
		}
		form := url.Values{"MessageSid": {m[0].ProviderMessageID}, "MessageStatus": {"delivered"}, "AccountSid": {twilioSID},
			"To": {newPhone}, "ApiVersion": {"2010-04-01"}}
		post := func(f url.Values, sig string) *response {
			h := []string{"Content-Type", "application/x-www-form-urlencoded"}
			if sig != "" {
				h = append(h, "X-Twilio-Signature", sig)
			}
			return s.do("POST", "/api/v1/sms/status/twilio", f.Encode(), h...)
		}
		failed := url.Values{"MessageSid": form["MessageSid"], "MessageStatus": {"failed"}, "ErrorCode": {"30008"}}
		wantStatus(t, post(failed, ""), 401, "Invalid signature")
		wantStatus(t, post(failed, signTwilio("wrong-token", public+"/api/v1/sms/status/twilio", failed)), 401, "Invalid signature")
		wantStatus(t, post(failed, signTwilio(twilioToken, s.URL+"/api/v1/sms/status/twilio", failed)), 401, "Invalid signature") // not the public URL
		wantStatus(t, post(failed, signTwilio(twilioToken, public+"/api/v1/sms/status/twilio", form)), 401, "Invalid signature")  // another form
		if got := s.messageLog(a)[0]; got.Status != "sent" {
			t.Fatalf("after bad signatures %+v", got)
		}
		wantStatus(t, post(form, signTwilio(twilioToken, public+"/api/v1/sms/status/twilio", form)), 204, "")
		// Receipts come out of order: a late "sent" or "failed" does not replace "delivered".
		wantStatus(t, post(failed, signTwilio(twilioToken, public+"/api/v1/sms/status/twilio", failed)), 204, "")
		if got := s.messageLog(a)[0]; got.Status != "delivered" || got.ErrorCode != "" {
			t.Fatalf("after the receipts %+v", got)
		}
		if v := s.metric(`phoneauth_sms_receipts_total{provider="twilio",status="delivered"}`); v != "1" {
			t.Fatalf("receipt metric %q", v)
		}
		unknown := url.Values{"MessageSid": {"SMffffffffffffffffffffffffffffffff"}, "MessageStatus": {"delivered"}}
		wantStatus(t, post(unknown, signTwilio(twilioToken, public+"/api/v1/sms/status/twilio", unknown)), 204, "")
	})
}

// TestGuardSharedByInstances: two processes on one PostgreSQL schema, the guard's counts in Redis
// (and, without Redis, in the database): sends spread over both add up, and a block by one holds on
// the other within the guard's sync interval (a second).
func TestGuardSharedByInstances(t *testing.T) {
	for _, store := range []string{"redis", "database"} {
		t.Run(store, func(t *testing.T) {
			redisURL, prefix := sharedRedis(t)
			sk := newWebhookSink(t, "")
			env := append(sk.env(), "PHONEAUTH_SMS_GUARD_MIN_SENDS=6", "PHONEAUTH_TRUSTED_PROXIES=127.0.0.1/32")
			if store == "redis" {
				env = append(env, "PHONEAUTH_REDIS_URL="+redisURL, "PHONEAUTH_REDIS_PREFIX="+prefix)
			}
			a := start(t, "postgres", env...)
			b := &server{t: t, dialect: a.dialect, dbURL: a.dbURL, env: a.env, logs: &logBuffer{}}
			b.launch()
			for i := range 6 {
				s := a
				if i%2 == 1 {
					s = b
				}
				s.sendCode("/api/v1/auth/signup/send-otp", pumped(i), "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
				time.Sleep(400 * time.Millisecond) // each instance syncs about every other send
			}
			time.Sleep(1100 * time.Millisecond)
			for name, s := range map[string]*server{"a": a, "b": b} {
				// The first request after the interval syncs; whichever instance blocks, both refuse.
				deadline := time.Now().Add(3 * time.Second)
				for {
					r := s.do("POST", "/api/v1/auth/signup/send-otp", map[string]string{"phone_number": pumped(100)}, "X-Forwarded-For", "198.51.100.9")
					if r.Status == 429 {
						break
					}
					if r.Status != 200 || time.Now().After(deadline) {
						t.Fatalf("instance %s: %d %s; want it blocked", name, r.Status, r.Body)
					}
					time.Sleep(300 * time.Millisecond)
				}
			}
			if n := len(sk.all()); n > 8 {
				t.Fatalf("%d SMS to the prefix, want about 6", n)
			}
		})
	}
}
