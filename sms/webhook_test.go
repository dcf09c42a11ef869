package sms

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	testSecret  = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	otherSecret = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	testText    = "Your phoneauth code is 918273"
)

// testNow is a fixed clock well away from the real one, so that signatures made with it can only
// verify against the same fixed time.
var testNow = time.Unix(1_700_000_000, 0)

func TestSignWebhookKnownAnswer(t *testing.T) {
	// The Standard Webhooks spec's own example.
	got, err := SignWebhook(testSecret, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if err != nil {
		t.Fatalf("SignWebhook() error = %v", err)
	}
	const want = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	if got != want {
		t.Errorf("SignWebhook() = %q, want %q", got, want)
	}
}

func TestSignWebhookBadSecret(t *testing.T) {
	for _, secret := range []string{"", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_!!!", "whsec_AAAA"} {
		if _, err := SignWebhook(secret, "msg_1", testNow, nil); err == nil {
			t.Errorf("SignWebhook(secret %q) error = nil, want an error", secret)
		}
	}
}

// newTestWebhook builds a Webhook for url with a fixed clock.
func newTestWebhook(t *testing.T, url, secret string) *Webhook {
	t.Helper()
	w, err := NewWebhook(WebhookConfig{URL: url, Secret: secret})
	if err != nil {
		t.Fatalf("NewWebhook() error = %v", err)
	}
	w.Now = func() time.Time { return testNow }
	return w
}

func TestWebhookSend(t *testing.T) {
	idPattern := regexp.MustCompile(`^msg_[A-Za-z0-9_-]{22}$`)
	for _, tc := range []struct {
		name   string
		secret string
	}{
		{"signed", testSecret},
		{"unsigned", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, reqs := newCaptureServer(t, http.StatusNoContent, "")
			w := newTestWebhook(t, srv.URL+"/sms", tc.secret)
			if _, err := w.Send(t.Context(), "+15551234567", testText, "login", "ref-42"); err != nil {
				t.Fatalf("Send() error = %v", err)
			}
			got := receive(t, reqs)

			if got.method != http.MethodPost || got.path != "/sms" {
				t.Errorf("request = %s %s, want POST /sms", got.method, got.path)
			}
			for h, want := range map[string]string{"Content-Type": "application/json", "User-Agent": "phoneauth"} {
				if v := got.header.Get(h); v != want {
					t.Errorf("header %s = %q, want %q", h, v, want)
				}
			}
			var body map[string]string
			if err := json.Unmarshal(got.body, &body); err != nil {
				t.Fatalf("body %q is not a JSON object of strings: %v", got.body, err)
			}
			wantBody := map[string]string{"to": "+15551234567", "message": testText, "purpose": "login", "reference_id": "ref-42"}
			if len(body) != len(wantBody) {
				t.Errorf("body = %v, want exactly %v", body, wantBody)
			}
			for k, v := range wantBody {
				if body[k] != v {
					t.Errorf("body[%q] = %q, want %q", k, body[k], v)
				}
			}

			if tc.secret == "" {
				for _, h := range []string{"webhook-id", "webhook-timestamp", "webhook-signature"} {
					if v, ok := got.header[http.CanonicalHeaderKey(h)]; ok {
						t.Errorf("unsigned delivery has header %s = %q, want none", h, v)
					}
				}
				return
			}
			if id := got.header.Get("webhook-id"); !idPattern.MatchString(id) {
				t.Errorf("webhook-id = %q, want msg_ + 22 base64url characters", id)
			}
			if ts, want := got.header.Get("webhook-timestamp"), strconv.FormatInt(testNow.Unix(), 10); ts != want {
				t.Errorf("webhook-timestamp = %q, want %q", ts, want)
			}
			if err := VerifyWebhook(tc.secret, got.header, got.body, testNow, time.Minute); err != nil {
				t.Errorf("VerifyWebhook() = %v, want nil", err)
			}
		})
	}
}

func TestWebhookIDsAreUnique(t *testing.T) {
	srv, reqs := newCaptureServer(t, http.StatusOK, "")
	w := newTestWebhook(t, srv.URL, testSecret)
	seen := map[string]bool{}
	for range 5 {
		if _, err := w.Send(t.Context(), "+15551234567", testText, "login", "ref"); err != nil {
			t.Fatalf("Send() error = %v", err)
		}
		id := receive(t, reqs).header.Get("webhook-id")
		if seen[id] {
			t.Fatalf("webhook-id %q was used twice", id)
		}
		seen[id] = true
	}
}

func TestVerifyWebhookRejects(t *testing.T) {
	srv, reqs := newCaptureServer(t, http.StatusOK, "")
	if _, err := newTestWebhook(t, srv.URL, testSecret).Send(t.Context(), "+15551234567", testText, "login", "ref"); err != nil {
		t.Fatalf("Send() error = %v", err)
	}
	good := receive(t, reqs)
	if err := VerifyWebhook(testSecret, good.header, good.body, testNow, time.Minute); err != nil {
		t.Fatalf("VerifyWebhook(genuine delivery) = %v, want nil", err)
	}

	withHeader := func(name, value string) http.Header {
		h := good.header.Clone()
		if value == "" {
			h.Del(name)
		} else {
			h.Set(name, value)
		}
		return h
	}
	tampered := []byte(strings.Replace(string(good.body), "918273", "000000", 1))

	for _, tc := range []struct {
		name    string
		secret  string
		header  http.Header
		body    []byte
		now     time.Time
		wantSig bool // the error wraps ErrInvalidSignature
	}{
		{"wrong secret", otherSecret, good.header, good.body, testNow, true},
		{"tampered body", testSecret, good.header, tampered, testNow, true},
		{"stale timestamp", testSecret, good.header, good.body, testNow.Add(2 * time.Minute), true},
		{"future timestamp", testSecret, good.header, good.body, testNow.Add(-2 * time.Minute), true},
		{"changed id", testSecret, withHeader("webhook-id", "msg_other"), good.body, testNow, true},
		{"changed timestamp", testSecret, withHeader("webhook-timestamp", strconv.FormatInt(testNow.Unix()+1, 10)), good.body, testNow, true},
		{"non-numeric timestamp", testSecret, withHeader("webhook-timestamp", "soon"), good.body, testNow, true},
		{"huge timestamp", testSecret, withHeader("webhook-timestamp", "9223372036854775807"), good.body, testNow, true},
		{"missing id", testSecret, withHeader("webhook-id", ""), good.body, testNow, true},
		{"missing signature", testSecret, withHeader("webhook-signature", ""), good.body, testNow, true},
		{"wrong version", testSecret, withHeader("webhook-signature", strings.Replace(good.header.Get("webhook-signature"), "v1,", "v1a,", 1)), good.body, testNow, true},
		{"not base64", testSecret, withHeader("webhook-signature", "v1,@@@"), good.body, testNow, true},
		{"malformed secret", "whsec_short", good.header, good.body, testNow, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyWebhook(tc.secret, tc.header, tc.body, tc.now, time.Minute)
			if err == nil {
				t.Fatal("VerifyWebhook() = nil, want an error")
			}
			if got := errors.Is(err, ErrInvalidSignature); got != tc.wantSig {
				t.Errorf("errors.Is(%v, ErrInvalidSignature) = %v, want %v", err, got, tc.wantSig)
			}
		})
	}
}

func TestVerifyWebhookAcceptsAnyListedSignature(t *testing.T) {
	body := []byte(`{"to":"+15551234567"}`)
	sig, err := SignWebhook(testSecret, "msg_1", testNow, body)
	if err != nil {
		t.Fatalf("SignWebhook() error = %v", err)
	}
	old, err := SignWebhook(otherSecret, "msg_1", testNow, body)
	if err != nil {
		t.Fatalf("SignWebhook() error = %v", err)
	}
	h := http.Header{}
	h.Set("webhook-id", "msg_1")
	h.Set("webhook-timestamp", strconv.FormatInt(testNow.Unix(), 10))
	h.Set("webhook-signature", "v2,abc "+old+" "+sig)
	if err := VerifyWebhook(testSecret, h, body, testNow, 0); err != nil {
		t.Errorf("VerifyWebhook() = %v, want nil", err)
	}
}

func TestWebhookStatus(t *testing.T) {
	for _, tc := range []struct {
		status  int
		wantErr bool
	}{
		{http.StatusOK, false},
		{http.StatusAccepted, false},
		{http.StatusNoContent, false},
		{http.StatusFound, true},
		{http.StatusBadRequest, true},
		{http.StatusInternalServerError, true},
	} {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			// The receiver echoes the code back, which must not reach the error.
			srv, _ := newCaptureServer(t, tc.status, `{"error":"`+testText+`"}`)
			_, err := newTestWebhook(t, srv.URL, testSecret).Send(t.Context(), "+15551234567", testText, "login", "ref")
			if !tc.wantErr {
				if err != nil {
					t.Fatalf("Send() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrProviderFailed) {
				t.Fatalf("Send() = %v, want an error wrapping ErrProviderFailed", err)
			}
			if msg := err.Error(); !strings.Contains(msg, strconv.Itoa(tc.status)) {
				t.Errorf("error %q does not mention status %d", msg, tc.status)
			}
			assertNoLeak(t, err, testText, testSecret)
		})
	}
}

// assertNoLeak fails when err's text contains any of secrets.
func assertNoLeak(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error %q contains %q", err, s)
		}
	}
}

func TestWebhookTimeout(t *testing.T) {
	srv := newBlockingServer(t)
	w := newTestWebhook(t, srv.URL, testSecret)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := w.Send(ctx, "+15551234567", testText, "login", "ref")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send() = %v, want an error wrapping context.DeadlineExceeded", err)
	}
	if errors.Is(err, ErrProviderFailed) {
		t.Errorf("Send() = %v, want a timeout not to count as ErrProviderFailed", err)
	}
}

func TestWebhookUnreachable(t *testing.T) {
	srv, _ := newCaptureServer(t, http.StatusOK, "")
	url := srv.URL + "/hook?token=hunter2"
	srv.Close()
	_, err := newTestWebhook(t, url, testSecret).Send(t.Context(), "+15551234567", testText, "login", "ref")
	if !errors.Is(err, ErrProviderFailed) {
		t.Fatalf("Send() = %v, want an error wrapping ErrProviderFailed", err)
	}
	assertNoLeak(t, err, testText, testSecret, "hunter2")
}

func TestWebhookUnconfigured(t *testing.T) {
	for _, tc := range []struct {
		name string
		w    *Webhook
	}{
		{"nil", nil},
		{"zero value", &Webhook{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.w.Send(t.Context(), "+15551234567", testText, "login", "ref")
			if !errors.Is(err, ErrProviderFailed) {
				t.Errorf("Send() = %v, want an error wrapping ErrProviderFailed", err)
			}
		})
	}
}

func TestWebhookConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     WebhookConfig
		wantErr string // substring; empty: valid
	}{
		{"https", WebhookConfig{URL: "https://example.com/sms"}, ""},
		{"http with port", WebhookConfig{URL: "http://127.0.0.1:8080/sms"}, ""},
		{"signed", WebhookConfig{URL: "https://example.com/sms", Secret: testSecret}, ""},
		{"64-byte secret", WebhookConfig{URL: "https://example.com", Secret: "whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 64))}, ""},
		{"missing URL", WebhookConfig{}, "required"},
		{"relative URL", WebhookConfig{URL: "/sms"}, "absolute"},
		{"other scheme", WebhookConfig{URL: "ftp://example.com/sms"}, "http or https"},
		{"no host", WebhookConfig{URL: "https:///sms"}, "no host"},
		{"unparsable URL", WebhookConfig{URL: "https://exa mple.com:port/"}, "not a valid URL"},
		{"secret without prefix", WebhookConfig{URL: "https://example.com", Secret: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}, "whsec_"},
		{"secret not base64", WebhookConfig{URL: "https://example.com", Secret: "whsec_not*base64*at*all*********"}, "base64"},
		{"secret base64url", WebhookConfig{URL: "https://example.com", Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La-_Sw"}, "base64"},
		{"secret too short", WebhookConfig{URL: "https://example.com", Secret: "whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 23))}, "23 bytes"},
		{"secret too long", WebhookConfig{URL: "https://example.com", Secret: "whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 65))}, "65 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				if _, err := NewWebhook(tc.cfg); err != nil {
					t.Errorf("NewWebhook() error = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Validate() = %v, want an error containing %q", err, tc.wantErr)
			}
			if tc.cfg.Secret != "" {
				assertNoLeak(t, err, strings.TrimPrefix(tc.cfg.Secret, "whsec_"))
			}
			if w, err := NewWebhook(tc.cfg); err == nil || w != nil {
				t.Errorf("NewWebhook() = %v, %v; want nil and an error", w, err)
			}
		})
	}
}
