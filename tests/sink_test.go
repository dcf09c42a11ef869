package tests

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// sms is one message a fake provider received.
type sms struct {
	To, Message, Purpose, ReferenceID string
}

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

// Code is the one-time code in the message ("" for a notice).
func (m sms) Code() string {
	if m := codeRE.FindStringSubmatch(m.Message); m != nil {
		return m[1]
	}
	return ""
}

// sink is a fake SMS provider: the webhook receiver or Twilio's Messages API, inside the test.
type sink struct {
	t      *testing.T
	secret string // whsec_…: signatures are checked when set
	srv    *httptest.Server

	mu     sync.Mutex
	msgs   []sms
	status int           // answer this status instead of delivering (0: deliver)
	hang   time.Duration // wait this long (or until the request is cancelled) first
}

const webhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

func newWebhookSink(t *testing.T, secret string) *sink {
	s := &sink{t: t, secret: secret}
	s.srv = httptest.NewServer(http.HandlerFunc(s.webhook))
	t.Cleanup(s.srv.Close)
	return s
}

// env configures a phoneauth process to deliver to this sink.
func (s *sink) env() []string {
	e := []string{"PHONEAUTH_SMS_PROVIDER=webhook", "PHONEAUTH_SMS_WEBHOOK_URL=" + s.srv.URL + "/sms"}
	if s.secret != "" {
		e = append(e, "PHONEAUTH_SMS_WEBHOOK_SECRET="+s.secret)
	}
	return e
}

func (s *sink) misbehave(status int, hang time.Duration) {
	s.mu.Lock()
	s.status, s.hang = status, hang
	s.mu.Unlock()
}

func (s *sink) delay(r *http.Request) (status int) {
	s.mu.Lock()
	status, hang := s.status, s.hang
	s.mu.Unlock()
	if hang > 0 {
		select {
		case <-time.After(hang):
		case <-r.Context().Done():
		}
	}
	return status
}

func (s *sink) webhook(w http.ResponseWriter, r *http.Request) {
	if status := s.delay(r); status != 0 {
		w.WriteHeader(status)
		return
	}
	body, _ := io.ReadAll(r.Body)
	if s.secret != "" && !validSignature(s.secret, r.Header, body) {
		s.t.Errorf("webhook signature does not verify: %v", r.Header)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var m struct {
		To          string `json:"to"`
		Message     string `json:"message"`
		Purpose     string `json:"purpose"`
		ReferenceID string `json:"reference_id"`
	}
	if err := json.Unmarshal(body, &m); err != nil || r.Header.Get("Content-Type") != "application/json" {
		s.t.Errorf("webhook body %s: %v", body, err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.msgs = append(s.msgs, sms{m.To, m.Message, m.Purpose, m.ReferenceID})
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// validSignature checks the Standard Webhooks signature independently of phoneauth's code.
func validSignature(secret string, h http.Header, body []byte) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return false
	}
	id, ts := h.Get("webhook-id"), h.Get("webhook-timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || id == "" || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		return false
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + ts + "." + string(body)))
	want := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return true
		}
	}
	return false
}

const (
	twilioSID   = "AC0123456789abcdef0123456789abcdef"
	twilioToken = "twilio-auth-token-secret"
	twilioFrom  = "+15005550006"
)

// newTwilioSink fakes Twilio's Messages API and checks each request as Twilio would.
func newTwilioSink(t *testing.T) *sink {
	s := &sink{t: t}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status := s.delay(r); status != 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, `{"code":30008,"message":"Unknown error","status":`+strconv.Itoa(status)+`}`)
			return
		}
		user, pass, ok := r.BasicAuth()
		if r.Method != "POST" || r.URL.Path != "/2010-04-01/Accounts/"+twilioSID+"/Messages.json" || !ok || user != twilioSID || pass != twilioToken {
			t.Errorf("twilio request %s %s auth %v", r.Method, r.URL.Path, ok)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		body, _ := io.ReadAll(r.Body)
		form, err := url.ParseQuery(string(body))
		if err != nil || form.Get("From") != twilioFrom || form.Get("To") == "" || form.Get("Body") == "" {
			t.Errorf("twilio form %q: %v", body, err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.msgs = append(s.msgs, sms{To: form.Get("To"), Message: form.Get("Body")})
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"sid":"SM00000000000000000000000000000000","status":"queued"}`)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *sink) twilioEnv() []string {
	return []string{"PHONEAUTH_SMS_PROVIDER=twilio", "PHONEAUTH_TWILIO_BASE_URL=" + s.srv.URL,
		"PHONEAUTH_TWILIO_ACCOUNT_SID=" + twilioSID, "PHONEAUTH_TWILIO_AUTH_TOKEN=" + twilioToken, "PHONEAUTH_TWILIO_FROM=" + twilioFrom}
}

func (s *sink) all() []sms {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sms(nil), s.msgs...)
}

// last returns the newest message to phone.
func (s *sink) last(phone string) sms {
	s.t.Helper()
	msgs := s.all()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].To == phone {
			return msgs[i]
		}
	}
	s.t.Fatalf("no SMS to %s (have %d)", phone, len(msgs))
	return sms{}
}

func (s *sink) count(phone string) int {
	n := 0
	for _, m := range s.all() {
		if m.To == phone {
			n++
		}
	}
	return n
}
