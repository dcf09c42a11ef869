package tests

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

const newPhone = "+14155550123"

// sendCode calls a send/resend endpoint and returns its reference id, requiring 200.
func (s *server) sendCode(path, phone string, headers ...string) string {
	s.t.Helper()
	r := s.do("POST", path, map[string]string{"phone_number": phone}, headers...)
	if r.Status != 200 {
		s.t.Fatalf("%s %s: %d %s", path, phone, r.Status, r.Body)
	}
	m := r.JSON(s.t)
	if m["status"] != "success" || m["reference_id"] == "" || m["message"] == "" {
		s.t.Fatalf("%s answer %v", path, m)
	}
	return m["reference_id"].(string)
}

func tokenAnswer(t *testing.T, r *response, phone string) (token, userID string) {
	t.Helper()
	wantStatus(t, r, 200, "")
	m := r.JSON(t)
	if m["token_type"] != "bearer" || m["phone_number"] != phone || m["user_id"] == "" || fmt.Sprint(m["roles"]) != "[user]" {
		t.Fatalf("token answer %v", m)
	}
	return m["access_token"].(string), m["user_id"].(string)
}

func TestCodeFlowsOverWebhook(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		sk := newWebhookSink(t, webhookSecret)
		s := start(t, dialect, append(sk.env(), "PHONEAUTH_SMS_DOMAIN=app.example.com", "PHONEAUTH_OTP_RESEND_INTERVAL=0")...)

		// Signup.
		ref := s.sendCode("/api/v1/auth/signup/send-otp", "+1 (415) 555-0123")
		m := sk.last(newPhone)
		if m.Purpose != "signup" || m.ReferenceID != ref || !strings.HasSuffix(m.Message, "@app.example.com #"+m.Code()) {
			t.Fatalf("signup SMS %+v (ref %s)", m, ref)
		}
		r := s.do("POST", "/api/v1/auth/signup/verify-otp", map[string]any{"phone_number": newPhone, "otp_code": m.Code(),
			"name": "Nina New", "email": "nina@example.com", "password": "nina's passphrase", "has_given_consent": true})
		tok, uid := tokenAnswer(t, r, newPhone)
		me := s.do("GET", "/api/v1/auth/me", nil, bearer(tok)...).JSON(t)
		if me["id"] != uid || me["email"] != "nina@example.com" || me["has_given_consent"] != true || me["consent_given_at"] == nil {
			t.Fatalf("me after signup %v", me)
		}
		// The same code does not work twice.
		wantStatus(t, s.do("POST", "/api/v1/auth/signup/verify-otp", map[string]any{"phone_number": newPhone, "otp_code": m.Code(),
			"name": "Again", "password": "nina's passphrase"}), 400, "")

		// Login by code.
		s.sendCode("/api/v1/auth/login/send-otp", newPhone)
		m = sk.last(newPhone)
		if m.Purpose != "login" {
			t.Fatalf("login SMS %+v", m)
		}
		tok2, _ := tokenAnswer(t, s.do("POST", "/api/v1/auth/login/verify-otp", map[string]string{"phone_number": newPhone, "otp_code": m.Code()}), newPhone)
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(tok2)...), 200, "")

		// Forgot password.
		ref = s.sendCode("/api/v1/auth/forgot-password/init", newPhone)
		m = sk.last(newPhone)
		if m.Purpose != "password_reset" || m.ReferenceID != ref {
			t.Fatalf("reset SMS %+v", m)
		}
		r = s.do("POST", "/api/v1/auth/forgot-password/confirm", map[string]string{"phone_number": newPhone, "otp_code": m.Code(),
			"new_password": "nina's new passphrase", "confirm_password": "nina's other passphrase"})
		assertLocs(t, r, "body.confirm_password")
		r = s.do("POST", "/api/v1/auth/forgot-password/confirm", map[string]string{"phone_number": newPhone, "otp_code": m.Code(),
			"new_password": "nina's new passphrase", "confirm_password": "nina's new passphrase"})
		wantStatus(t, r, 200, "")
		if got := r.JSON(t); got["status"] != "success" || got["reference_id"] != ref {
			t.Fatalf("confirm answer %v", got)
		}
		if n := sk.last(newPhone); n.Purpose != "notice" || n.Code() != "" || !strings.Contains(n.Message, "reset") {
			t.Fatalf("no password-changed notice: %+v", n)
		}
		for _, old := range []string{tok, tok2} {
			wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(old)...), 401, "Could not validate credentials")
		}
		s.login(newPhone, "nina's new passphrase")

		// Signup again for the same number: the same answer, a notice instead of a code.
		s.sendCode("/api/v1/auth/signup/send-otp", newPhone)
		if n := sk.last(newPhone); n.Purpose != "notice" || n.Code() != "" {
			t.Fatalf("signup for an existing number sent %+v", n)
		}
		if containsToken(s.logs.String(), m.Code()) {
			t.Fatalf("a code reached the log of the webhook provider")
		}
	})
}

func TestEnumerationParity(t *testing.T) {
	sk := newWebhookSink(t, "")
	s := start(t, "sqlite", sk.env()...)
	s.createUser(userPhone, "Uma User", userPW)
	shape := func(r *response) string {
		m := r.JSON(t)
		delete(m, "reference_id")
		b, _ := json.Marshal(m)
		return fmt.Sprint(r.Status, string(b))
	}
	for _, path := range []string{"/api/v1/auth/login/send-otp", "/api/v1/auth/forgot-password/init"} {
		known := s.do("POST", path, map[string]string{"phone_number": userPhone})
		unknown := s.do("POST", path, map[string]string{"phone_number": "+14155550188"})
		if shape(known) != shape(unknown) {
			t.Fatalf("%s: known %s, unknown %s", path, shape(known), shape(unknown))
		}
	}
	if sk.count("+14155550188") != 0 || sk.count(userPhone) != 2 {
		t.Fatalf("SMS: unknown %d, known %d", sk.count("+14155550188"), sk.count(userPhone))
	}
	// An inactive account gets no code, with the same answer.
	s.createUser("+14155550102", "Ina Inactive", userPW)
	s.exec("UPDATE users SET is_active = ? WHERE phone = ?", false, "+14155550102")
	inactive := s.do("POST", "/api/v1/auth/login/send-otp", map[string]string{"phone_number": "+14155550102"})
	if shape(inactive) != shape(s.do("POST", "/api/v1/auth/login/send-otp", map[string]string{"phone_number": "+14155550189"})) {
		t.Fatalf("inactive account answered differently: %s", inactive.Body)
	}
	if sk.count("+14155550102") != 0 {
		t.Fatal("an inactive account got a code")
	}
}

func TestCodeRulesOverHTTP(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		sk := newWebhookSink(t, "")
		s := start(t, dialect, append(sk.env(), "PHONEAUTH_OTP_MAX_ATTEMPTS=3")...)
		s.createUser(userPhone, "Uma User", userPW)

		s.sendCode("/api/v1/auth/login/send-otp", userPhone)
		code := sk.last(userPhone).Code()
		// Resend within the interval: 429 with Retry-After and how long to wait.
		r := s.do("POST", "/api/v1/auth/login/resend-otp", map[string]string{"phone_number": userPhone})
		wantStatus(t, r, 429, "")
		if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" || !strings.Contains(string(r.Body), "seconds") {
			t.Fatalf("429 without a wait: Retry-After %q, %s", ra, r.Body)
		}
		// Concurrent verifies of one code: exactly one 200.
		var wg sync.WaitGroup
		statuses := make(chan int, 8)
		for range 8 {
			wg.Go(func() {
				statuses <- s.do("POST", "/api/v1/auth/login/verify-otp", map[string]string{"phone_number": userPhone, "otp_code": code}).Status
			})
		}
		wg.Wait()
		close(statuses)
		ok := 0
		for st := range statuses {
			// The losers are 400 (code already used) or 429 (no attempt left to reserve: with a limit of
			// 3, simultaneous guesses beyond it are refused before comparing).
			if st == 200 {
				ok++
			} else if st != 400 && st != 429 {
				t.Errorf("status %d", st)
			}
		}
		if ok != 1 {
			t.Fatalf("%d successful verifies of one code", ok)
		}
		// Wrong guesses: 400 until the limit, then 429, and the right code is dead.
		s2 := "+14155550102"
		s.createUser(s2, "Second", userPW)
		s.sendCode("/api/v1/auth/forgot-password/init", s2)
		right := sk.last(s2).Code()
		wrong := map[bool]string{true: "111111", false: "000000"}[right == "000000"]
		body := func(c string) map[string]string {
			return map[string]string{"phone_number": s2, "otp_code": c, "new_password": "fresh passphrase", "confirm_password": "fresh passphrase"}
		}
		wantStatus(t, s.do("POST", "/api/v1/auth/forgot-password/confirm", body(wrong)), 400, "Invalid code; 2 attempts left")
		wantStatus(t, s.do("POST", "/api/v1/auth/forgot-password/confirm", body(wrong)), 400, "Invalid code; 1 attempt left")
		wantStatus(t, s.do("POST", "/api/v1/auth/forgot-password/confirm", body(wrong)), 429, "")
		wantStatus(t, s.do("POST", "/api/v1/auth/forgot-password/confirm", body(right)), 429, "Too many wrong codes; request a new code")
		// A login code is not a reset code.
		s.sendCode("/api/v1/auth/login/send-otp", s2)
		wantStatus(t, s.do("POST", "/api/v1/auth/signup/verify-otp", map[string]any{"phone_number": s2, "otp_code": sk.last(s2).Code(),
			"name": "X", "password": "some passphrase"}), 400, "Invalid or expired code")
	})
}

func TestBudgetsAndProxies(t *testing.T) {
	sk := newWebhookSink(t, "")
	s := start(t, "sqlite", append(sk.env(), "PHONEAUTH_OTP_RESEND_INTERVAL=0", "PHONEAUTH_OTP_PHONE_HOURLY_LIMIT=2",
		"PHONEAUTH_OTP_IP_HOURLY_LIMIT=4", "PHONEAUTH_TRUSTED_PROXIES=127.0.0.1/32")...)
	s.sendCode("/api/v1/auth/signup/send-otp", newPhone)
	s.sendCode("/api/v1/auth/signup/resend-otp", newPhone)
	r := s.do("POST", "/api/v1/auth/login/send-otp", map[string]string{"phone_number": newPhone})
	wantStatus(t, r, 429, "")
	if !strings.Contains(string(r.Body), "this number") || r.Header.Get("Retry-After") == "" {
		t.Fatalf("phone budget answer %s", r.Body)
	}
	// The IP budget: 4 per hour, counting the two codes above (a refused request uses none). Through
	// the trusted proxy, the forwarded address is the client, so another client is not held back.
	s.sendCode("/api/v1/auth/signup/send-otp", "+14155550124")
	s.sendCode("/api/v1/auth/signup/send-otp", "+14155550126")
	wantStatus(t, s.do("POST", "/api/v1/auth/signup/send-otp", map[string]string{"phone_number": "+14155550125"}), 429, "")
	s.sendCode("/api/v1/auth/signup/send-otp", "+14155550125", "X-Forwarded-For", "203.0.113.50")
}

func TestUntrustedForwardedForIgnored(t *testing.T) {
	sk := newWebhookSink(t, "")
	s := start(t, "sqlite", append(sk.env(), "PHONEAUTH_OTP_RESEND_INTERVAL=0", "PHONEAUTH_OTP_IP_HOURLY_LIMIT=1")...)
	s.sendCode("/api/v1/auth/signup/send-otp", newPhone, "X-Forwarded-For", "203.0.113.1")
	r := s.do("POST", "/api/v1/auth/signup/send-otp", map[string]string{"phone_number": "+14155550124"}, "X-Forwarded-For", "203.0.113.2")
	wantStatus(t, r, 429, "") // a spoofed header does not buy a fresh budget
}

func TestProviderFailures(t *testing.T) {
	for _, provider := range []string{"webhook", "twilio"} {
		t.Run(provider, func(t *testing.T) {
			t.Parallel()
			sk, env := newWebhookSink(t, webhookSecret), []string(nil)
			env = sk.env()
			if provider == "twilio" {
				sk = newTwilioSink(t)
				env = sk.twilioEnv()
			}
			s := start(t, "sqlite", append(env, "PHONEAUTH_SMS_TIMEOUT=300ms")...)
			sk.misbehave(500, 0)
			r := s.do("POST", "/api/v1/auth/signup/send-otp", map[string]string{"phone_number": newPhone})
			wantStatus(t, r, 502, "SMS provider failed; please try again")
			sk.misbehave(0, 5*time.Second)
			start := time.Now()
			r = s.do("POST", "/api/v1/auth/signup/send-otp", map[string]string{"phone_number": newPhone})
			wantStatus(t, r, 503, "SMS provider timed out; please try again")
			if took := time.Since(start); took > 3*time.Second {
				t.Fatalf("timeout took %s", took)
			}
			// Nothing was consumed: a retry works at once and its code verifies.
			sk.misbehave(0, 0)
			s.sendCode("/api/v1/auth/signup/send-otp", newPhone)
			code := sk.last(newPhone).Code()
			r = s.do("POST", "/api/v1/auth/signup/verify-otp", map[string]any{"phone_number": newPhone, "otp_code": code,
				"name": "Nina", "password": "nina's passphrase"})
			tokenAnswer(t, r, newPhone)
			if containsToken(s.logs.String(), code) {
				t.Fatal("the code reached the server log")
			}
			if provider == "twilio" && strings.Contains(s.logs.String(), twilioToken) {
				t.Fatal("the Twilio token reached the log")
			}
		})
	}
}

func TestTestNumbersAndAllowList(t *testing.T) {
	sk := newWebhookSink(t, "")
	s := start(t, "sqlite", append(sk.env(), "PHONEAUTH_TEST_OTPS=+1 415 555 0123=424242", "PHONEAUTH_SMS_ALLOWED_COUNTRIES=US,GB")...)
	for range 3 {
		s.sendCode("/api/v1/auth/signup/send-otp", newPhone)
	}
	if n := len(sk.all()); n != 0 {
		t.Fatalf("%d SMS sent for a test number", n)
	}
	tokenAnswer(t, s.do("POST", "/api/v1/auth/signup/verify-otp", map[string]any{"phone_number": newPhone, "otp_code": "424242",
		"name": "Reviewer", "password": "app store review", "email": "review@example.com"}), newPhone)
	// Another number with the same email (in another case): 409.
	s.sendCode("/api/v1/auth/signup/send-otp", "+14155550124")
	r := s.do("POST", "/api/v1/auth/signup/verify-otp", map[string]any{"phone_number": "+14155550124", "otp_code": sk.last("+14155550124").Code(),
		"name": "Copycat", "password": "copycat passphrase", "email": "Review@Example.com"})
	wantStatus(t, r, 409, "Email already registered")
	r = s.do("POST", "/api/v1/auth/signup/send-otp", map[string]string{"phone_number": "+919876543210"})
	assertLocs(t, r, "body.phone_number")
	if !strings.Contains(string(r.Body), "IN") {
		t.Fatalf("allow-list answer %s", r.Body)
	}
}

// TestLogProviderFlow is what a new user does after `make run`: read the codes from the server log.
func TestLogProviderFlow(t *testing.T) {
	s := start(t, "sqlite")
	s.sendCode("/api/v1/auth/signup/send-otp", newPhone)
	code := logCode(t, s, newPhone)
	tok, _ := tokenAnswer(t, s.do("POST", "/api/v1/auth/signup/verify-otp", map[string]any{"phone_number": newPhone, "otp_code": code,
		"name": "Lola", "password": "lola's passphrase"}), newPhone)
	wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(tok)...), 200, "")
	if !strings.Contains(s.logs.String(), "SMS NOT SENT") {
		t.Fatal("the log provider does not warn that nothing was sent")
	}
}

// logCode finds the newest code the log provider wrote for phone.
func logCode(t *testing.T, s *server, phone string) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		lines := strings.Split(s.logs.String(), "\n")
		for i := len(lines) - 1; i >= 0; i-- {
			var rec struct {
				To   string `json:"to"`
				Text string `json:"text"`
			}
			if json.Unmarshal([]byte(lines[i]), &rec) == nil && rec.To == phone {
				if m := codeRE.FindStringSubmatch(rec.Text); m != nil {
					return m[1]
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no code for %s in the log:\n%s", phone, s.logs.String())
	return ""
}

// containsToken reports whether code occurs in s on its own, not inside a longer number.
func containsToken(s, code string) bool {
	return regexp.MustCompile(`(^|\D)` + regexp.QuoteMeta(code) + `(\D|$)`).MatchString(s)
}
