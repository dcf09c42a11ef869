package sms

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"
)

// fakeSender answers with the errors it is given, one per call (the last one repeats), and counts calls.
type fakeSender struct {
	mu    sync.Mutex
	errs  []error
	calls int
	hang  bool // wait for the context instead
}

func (f *fakeSender) Send(ctx context.Context, to, text, purpose, ref string) (string, error) {
	f.mu.Lock()
	f.calls++
	n, hang := f.calls, f.hang
	var err error
	if len(f.errs) > 0 {
		err = f.errs[min(n, len(f.errs))-1]
	}
	f.mu.Unlock()
	if hang {
		<-ctx.Done()
		return "", fmt.Errorf("sms: fake: %w", ctx.Err())
	}
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("id-%d", n), nil
}

func (f *fakeSender) count() int { f.mu.Lock(); defer f.mu.Unlock(); return f.calls }

type attemptLog struct {
	mu   sync.Mutex
	seen []string
}

func (l *attemptLog) add(p, o string, _ time.Duration) {
	l.mu.Lock()
	l.seen = append(l.seen, p+":"+o)
	l.mu.Unlock()
}

func (l *attemptLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.seen
	l.seen = nil
	return out
}

var (
	err500 = &StatusError{Provider: "fake", Status: 500}
	err400 = &StatusError{Provider: "fake", Status: 400, Code: "21211"}
	err429 = &StatusError{Provider: "fake", Status: 429}
)

func newTestFailover(t *testing.T, now *time.Time, log *attemptLog, providers ...Named) *Failover {
	t.Helper()
	f, err := NewFailover(FailoverConfig{Threshold: 2, Cooldown: time.Minute, Now: func() time.Time { return *now }, OnAttempt: log.add}, providers...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFailoverOrderAndOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name         string
		first        error
		wantProvider string
		wantErr      bool
		wantSecond   int
		wantLog      []string
	}{
		{"first takes it", nil, "a", false, 0, []string{"a:ok"}},
		{"5xx fails over", err500, "b", false, 1, []string{"a:failed", "b:ok"}},
		{"429 fails over", err429, "b", false, 1, []string{"a:failed", "b:ok"}},
		{"unreachable fails over", fmt.Errorf("sms: a: %w: connection refused", ErrProviderFailed), "b", false, 1, []string{"a:failed", "b:ok"}},
		{"timeout fails over", fmt.Errorf("sms: a: %w", context.DeadlineExceeded), "b", false, 1, []string{"a:timeout", "b:ok"}},
		{"4xx is final", err400, "a", true, 0, []string{"a:rejected"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Unix(1000, 0)
			log := &attemptLog{}
			a, b := &fakeSender{errs: []error{tc.first}}, &fakeSender{}
			f := newTestFailover(t, &now, log, Named{"a", a}, Named{"b", b})
			p, id, err := f.Send(t.Context(), "+15551234567", "text", "login", "ref")
			if p != tc.wantProvider || (err != nil) != tc.wantErr || b.count() != tc.wantSecond {
				t.Fatalf("Send = %q, %q, %v; second called %d times; want %q, error %v, %d", p, id, err, b.count(), tc.wantProvider, tc.wantErr, tc.wantSecond)
			}
			if err == nil && id == "" {
				t.Error("no message id")
			}
			if got := log.take(); fmt.Sprint(got) != fmt.Sprint(tc.wantLog) {
				t.Errorf("attempts %v, want %v", got, tc.wantLog)
			}
		})
	}
}

func TestFailoverAllFail(t *testing.T) {
	now := time.Unix(1000, 0)
	log := &attemptLog{}
	f := newTestFailover(t, &now, log, Named{"a", &fakeSender{errs: []error{err500}}}, Named{"b", &fakeSender{errs: []error{err500}}})
	p, _, err := f.Send(t.Context(), "+1", "t", "login", "ref")
	if p != "b" || !errors.Is(err, ErrProviderFailed) {
		t.Fatalf("Send = %q, %v; want the last provider's error", p, err)
	}
}

// A provider that hangs gets half the deadline, so the next still answers in time.
func TestFailoverSharesTheDeadline(t *testing.T) {
	now := time.Unix(1000, 0)
	log := &attemptLog{}
	a, b := &fakeSender{hang: true}, &fakeSender{}
	f := newTestFailover(t, &now, log, Named{"a", a}, Named{"b", b})
	ctx, cancel := context.WithTimeout(t.Context(), 400*time.Millisecond)
	defer cancel()
	start := time.Now()
	p, _, err := f.Send(ctx, "+1", "t", "login", "ref")
	if p != "b" || err != nil {
		t.Fatalf("Send = %q, %v; want b, nil", p, err)
	}
	if took := time.Since(start); took > 350*time.Millisecond {
		t.Errorf("took %s; the first attempt should have had about half of 400ms", took)
	}
	if got := log.take(); fmt.Sprint(got) != "[a:timeout b:ok]" {
		t.Errorf("attempts %v", got)
	}
}

// When the caller's own deadline ends, nothing more is tried and no circuit is blamed.
func TestFailoverCallerGone(t *testing.T) {
	now := time.Unix(1000, 0)
	log := &attemptLog{}
	a, b := &fakeSender{hang: true}, &fakeSender{}
	f := newTestFailover(t, &now, log, Named{"a", a}, Named{"b", b})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for range 3 {
		if _, _, err := f.Send(ctx, "+1", "t", "login", "ref"); err == nil {
			t.Fatal("Send with a cancelled context succeeded")
		}
	}
	if b.count() != 0 || f.Open("a") {
		t.Fatalf("second called %d times, a open %v; want 0, false", b.count(), f.Open("a"))
	}
}

func TestBreaker(t *testing.T) {
	now := time.Unix(1000, 0)
	log := &attemptLog{}
	a := &fakeSender{errs: []error{err500}}
	b := &fakeSender{}
	f := newTestFailover(t, &now, log, Named{"a", a}, Named{"b", b})
	send := func() string {
		t.Helper()
		p, _, err := f.Send(t.Context(), "+1", "t", "login", "ref")
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
		return p
	}
	// Threshold 2: two failures open a's circuit.
	send()
	send()
	if !f.Open("a") {
		t.Fatal("a's circuit is not open after 2 consecutive failures")
	}
	log.take()
	if send(); a.count() != 2 {
		t.Fatalf("a called %d times while open, want 2", a.count())
	}
	if got := log.take(); fmt.Sprint(got) != "[a:skipped b:ok]" {
		t.Fatalf("attempts while open %v", got)
	}
	// After the cool-down one trial call: it fails, so the circuit opens again at once.
	now = now.Add(time.Minute)
	send()
	if a.count() != 3 || !f.Open("a") {
		t.Fatalf("a called %d times, open %v after a failed trial; want 3, true", a.count(), f.Open("a"))
	}
	send()
	if a.count() != 3 {
		t.Fatal("a called again right after a failed trial")
	}
	// The next trial succeeds: closed, and a takes the messages again.
	a.mu.Lock()
	a.errs = []error{nil}
	a.mu.Unlock()
	now = now.Add(time.Minute)
	if p := send(); p != "a" || f.Open("a") {
		t.Fatalf("after a good trial: sent by %q, open %v", p, f.Open("a"))
	}
	if p := send(); p != "a" {
		t.Fatalf("closed circuit: sent by %q", p)
	}
}

// A success resets the count of consecutive failures.
func TestBreakerCountsConsecutive(t *testing.T) {
	now := time.Unix(1000, 0)
	a := &fakeSender{errs: []error{err500, nil, err500, nil}}
	f := newTestFailover(t, &now, &attemptLog{}, Named{"a", a}, Named{"b", &fakeSender{}})
	for range 4 {
		_, _, _ = f.Send(t.Context(), "+1", "t", "login", "ref")
	}
	if f.Open("a") {
		t.Fatal("opened on failures that were not consecutive")
	}
}

// With every circuit open, the providers are tried all the same.
func TestBreakerAllOpen(t *testing.T) {
	now := time.Unix(1000, 0)
	a := &fakeSender{errs: []error{err500, err500, nil}}
	f := newTestFailover(t, &now, &attemptLog{}, Named{"a", a})
	_, _, _ = f.Send(t.Context(), "+1", "t", "login", "ref")
	_, _, _ = f.Send(t.Context(), "+1", "t", "login", "ref")
	if !f.Open("a") {
		t.Fatal("not open")
	}
	if p, _, err := f.Send(t.Context(), "+1", "t", "login", "ref"); p != "a" || err != nil {
		t.Fatalf("Send with every circuit open = %q, %v; want a tried anyway", p, err)
	}
}

// A half-open trial that is never made (an earlier provider took the message) does not wedge the
// circuit.
func TestBreakerTrialNotWedged(t *testing.T) {
	now := time.Unix(1000, 0)
	a := &fakeSender{errs: []error{err500, err500, err500, nil}}
	b := &fakeSender{errs: []error{err500, err500, nil}}
	f := newTestFailover(t, &now, &attemptLog{}, Named{"a", a}, Named{"b", b})
	_, _, _ = f.Send(t.Context(), "+1", "t", "login", "ref")
	_, _, _ = f.Send(t.Context(), "+1", "t", "login", "ref")
	if !f.Open("a") || !f.Open("b") {
		t.Fatal("both should be open")
	}
	now = now.Add(time.Minute)
	// a's trial fails, b's trial succeeds.
	if p, _, err := f.Send(t.Context(), "+1", "t", "login", "ref"); p != "b" || err != nil {
		t.Fatalf("Send = %q, %v", p, err)
	}
	now = now.Add(time.Minute)
	if p, _, err := f.Send(t.Context(), "+1", "t", "login", "ref"); p != "a" || err != nil {
		t.Fatalf("after the next cool-down a's trial should run: %q, %v", p, err)
	}
}

func TestNewFailoverRejects(t *testing.T) {
	if _, err := NewFailover(FailoverConfig{}); err == nil {
		t.Error("no providers accepted")
	}
	if _, err := NewFailover(FailoverConfig{}, Named{"a", &fakeSender{}}, Named{"a", &fakeSender{}}); err == nil {
		t.Error("duplicate names accepted")
	}
}

func TestStatusErrorRejected(t *testing.T) {
	for status, want := range map[int]bool{400: true, 401: true, 404: true, 408: false, 429: false, 500: false, 503: false, 301: false} {
		if got := (&StatusError{Status: status}).Rejected(); got != want {
			t.Errorf("Rejected(%d) = %v, want %v", status, got, want)
		}
	}
}

func TestWebhookMessageID(t *testing.T) {
	for body, want := range map[string]string{
		`{"message_id":"m-1"}`:       "m-1",
		`{"id":"abc"}`:               "abc",
		`{"message_id":"has space"}`: "",
		``:                           "",
		`not json`:                   "",
		`{"message_id":42}`:          "",
		`{"id":"` + string(make([]byte, 200)) + `"}`: "",
	} {
		srv, _ := newCaptureServer(t, http.StatusOK, body)
		id, err := newTestWebhook(t, srv.URL, testSecret).Send(t.Context(), "+15551234567", testText, "login", "ref")
		if err != nil || id != want {
			t.Errorf("answer %q: id %q, %v; want %q", body, id, err, want)
		}
	}
}

func TestTwilioMessageIDAndCallback(t *testing.T) {
	srv, reqs := newCaptureServer(t, http.StatusCreated, twilioCreated)
	p := newTestTwilio(t, TwilioConfig{AccountSID: testSID, AuthToken: testToken, From: "+15550001111", BaseURL: srv.URL,
		StatusCallback: "https://auth.example.com/api/v1/sms/status/twilio"})
	id, err := p.Send(t.Context(), "+15551234567", testText, "login", "ref")
	if err != nil || id != "SM0123456789abcdef0123456789abcdef" {
		t.Fatalf("Send = %q, %v", id, err)
	}
	form, _ := url.ParseQuery(string(receive(t, reqs).body))
	if form.Get("StatusCallback") != "https://auth.example.com/api/v1/sms/status/twilio" {
		t.Errorf("StatusCallback = %q", form.Get("StatusCallback"))
	}
}

func TestTwilioErrorCode(t *testing.T) {
	srv, _ := newCaptureServer(t, http.StatusBadRequest, `{"code":21211,"status":400}`)
	p := newTestTwilio(t, TwilioConfig{AccountSID: testSID, AuthToken: testToken, From: "+15550001111", BaseURL: srv.URL})
	_, err := p.Send(t.Context(), "+15551234567", testText, "login", "ref")
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 400 || se.Code != "21211" || !se.Rejected() {
		t.Fatalf("Send error %#v", err)
	}
}

func TestVerifyTwilioSignature(t *testing.T) {
	// Twilio's published example.
	u := "https://mycompany.com/myapp.php?foo=1&bar=2"
	form := url.Values{"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+14158675309"}, "Digits": {"1234"},
		"From": {"+14158675309"}, "To": {"+18005551212"}}
	const sig = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
	if !VerifyTwilioSignature("12345", u, form, sig) {
		t.Fatal("Twilio's example signature does not verify")
	}
	if got := SignTwilio("12345", u, form); got != sig {
		t.Fatalf("SignTwilio = %q, want %q", got, sig)
	}
	tampered := url.Values{}
	for k, v := range form {
		tampered[k] = v
	}
	tampered.Set("Digits", "9999")
	for name, ok := range map[string]bool{
		"wrong token":     VerifyTwilioSignature("54321", u, form, sig),
		"other URL":       VerifyTwilioSignature("12345", u+"&x=1", form, sig),
		"tampered params": VerifyTwilioSignature("12345", u, tampered, sig),
		"empty signature": VerifyTwilioSignature("12345", u, form, ""),
		"not base64":      VerifyTwilioSignature("12345", u, form, "@@@"),
		"empty token":     VerifyTwilioSignature("", u, form, SignTwilio("", u, form)),
	} {
		if ok {
			t.Errorf("%s: verified", name)
		}
	}
}
