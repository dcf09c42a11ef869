package webhook_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/phoneauth/phoneauth/auth/webhook"
)

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// The spec's published example.
func TestSignatureKnownAnswer(t *testing.T) {
	key, err := webhook.ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	got := webhook.SignatureHeader(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("SignatureHeader = %q, want %q", got, want)
	}
}

func TestPost(t *testing.T) {
	var gotHeader http.Header
	var gotBody []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotHeader, gotBody = r.Header.Clone(), must(io.ReadAll(r.Body))
		switch r.URL.Path {
		case "/ok":
			_, _ = w.Write([]byte(`{"claims":{}}`))
		case "/busy":
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/moved":
			http.Redirect(w, r, "/ok", http.StatusFound)
		case "/huge":
			_, _ = w.Write([]byte(strings.Repeat("x", 2048)))
		case "/hang":
			<-r.Context().Done()
		}
	}))
	defer srv.Close()
	now := time.Unix(1_800_000_000, 0)
	send := func(path string, timeout time.Duration) (webhook.Answer, error) {
		t.Helper()
		s, err := webhook.NewSender(webhook.SenderConfig{URL: srv.URL + path, Secret: secret, MaxAnswer: 1024, Timeout: timeout,
			Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		return s.Post(context.Background(), "evt_1", []byte(`{"a":1}`))
	}

	a, err := send("/ok", time.Minute)
	if err != nil || !a.OK() || string(a.Body) != `{"claims":{}}` {
		t.Fatalf("Post(/ok) = %+v, %v", a, err)
	}
	if err := webhook.Verify(secret, gotHeader, gotBody, now, 0); err != nil || gotHeader.Get("webhook-id") != "evt_1" {
		t.Fatalf("the delivery does not verify (%v) or has webhook-id %q", err, gotHeader.Get("webhook-id"))
	}
	if err := webhook.Verify(secret, gotHeader, []byte(`{"a":2}`), now, 0); !errors.Is(err, webhook.ErrInvalidSignature) {
		t.Fatalf("a changed body verifies: %v", err)
	}
	if a, err := send("/busy", time.Minute); err != nil || a.Status != 503 || a.RetryAfter != 2*time.Minute {
		t.Fatalf("Post(/busy) = %+v, %v; want 503 with Retry-After 2m", a, err)
	}
	if a, err := send("/moved", time.Minute); !errors.Is(err, webhook.ErrRedirect) || a.Status != http.StatusFound {
		t.Fatalf("Post(/moved) = %+v, %v; want ErrRedirect, not followed", a, err)
	}
	if _, err := send("/huge", time.Minute); !errors.Is(err, webhook.ErrTooLarge) {
		t.Fatalf("Post(/huge) = %v; want ErrTooLarge", err)
	}
	if _, err := send("/hang", 50*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), srv.URL) {
		t.Fatalf("Post(/hang) = %v; want a timeout that does not quote the URL", err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
