package sms

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	testSID   = "AC0123456789abcdef0123456789abcdef"
	testToken = "tok_3f9c1e2d7a"
)

// twilioCreated is what Twilio answers a created Message with (abridged).
const twilioCreated = `{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued"}`

func newTestTwilio(t *testing.T, cfg TwilioConfig) *Twilio {
	t.Helper()
	p, err := NewTwilio(cfg)
	if err != nil {
		t.Fatalf("NewTwilio() error = %v", err)
	}
	return p
}

func TestTwilioSend(t *testing.T) {
	for _, tc := range []struct {
		name     string
		base     string // appended to the fake's URL
		from     string
		service  string
		wantPath string
		wantForm url.Values
	}{
		{
			name:     "from number",
			from:     "+15550001111",
			wantPath: "/2010-04-01/Accounts/" + testSID + "/Messages.json",
			wantForm: url.Values{"To": {"+15551234567"}, "Body": {testText}, "From": {"+15550001111"}},
		},
		{
			name:     "messaging service",
			service:  "MG0123456789abcdef0123456789abcdef",
			wantPath: "/2010-04-01/Accounts/" + testSID + "/Messages.json",
			wantForm: url.Values{"To": {"+15551234567"}, "Body": {testText}, "MessagingServiceSid": {"MG0123456789abcdef0123456789abcdef"}},
		},
		{
			name:     "base URL with path and trailing slash",
			base:     "/proxy/",
			from:     "+15550001111",
			wantPath: "/proxy/2010-04-01/Accounts/" + testSID + "/Messages.json",
			wantForm: url.Values{"To": {"+15551234567"}, "Body": {testText}, "From": {"+15550001111"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, reqs := newCaptureServer(t, http.StatusCreated, twilioCreated)
			p := newTestTwilio(t, TwilioConfig{
				AccountSID: testSID, AuthToken: testToken, From: tc.from, MessagingServiceSID: tc.service,
				BaseURL: srv.URL + tc.base,
			})
			if _, err := p.Send(t.Context(), "+15551234567", testText, "login", "ref-7"); err != nil {
				t.Fatalf("Send() error = %v", err)
			}
			got := receive(t, reqs)

			if got.method != http.MethodPost || got.path != tc.wantPath {
				t.Errorf("request = %s %s, want POST %s", got.method, got.path, tc.wantPath)
			}
			r := &http.Request{Header: got.header}
			user, pass, ok := r.BasicAuth()
			if !ok || user != testSID || pass != testToken {
				t.Errorf("basic auth = %q, %q, %v; want %q, %q, true", user, pass, ok, testSID, testToken)
			}
			if ct := got.header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
				t.Errorf("Content-Type = %q, want application/x-www-form-urlencoded", ct)
			}
			form, err := url.ParseQuery(string(got.body))
			if err != nil {
				t.Fatalf("body %q is not a form: %v", got.body, err)
			}
			if len(form) != len(tc.wantForm) {
				t.Errorf("form = %v, want exactly %v", form, tc.wantForm)
			}
			for k, want := range tc.wantForm {
				if g := form[k]; len(g) != 1 || g[0] != want[0] {
					t.Errorf("form[%q] = %q, want %q", k, g, want)
				}
			}
		})
	}
}

func TestTwilioSendOK200(t *testing.T) {
	srv, _ := newCaptureServer(t, http.StatusOK, twilioCreated)
	p := newTestTwilio(t, TwilioConfig{AccountSID: testSID, AuthToken: testToken, From: "+15550001111", BaseURL: srv.URL})
	if _, err := p.Send(t.Context(), "+15551234567", testText, "login", "ref"); err != nil {
		t.Errorf("Send() = %v, want nil", err)
	}
}

func TestTwilioSendFailure(t *testing.T) {
	for _, tc := range []struct {
		name     string
		status   int
		body     string
		wantText []string // substrings the error must contain
	}{
		{
			name:     "invalid number",
			status:   http.StatusBadRequest,
			body:     `{"code":21211,"message":"The 'To' number +15551234567 is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}`,
			wantText: []string{"400", "21211"},
		},
		{
			name:     "bad credentials",
			status:   http.StatusUnauthorized,
			body:     `{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}`,
			wantText: []string{"401", "20003"},
		},
		{
			name:     "body echoed in message",
			status:   http.StatusBadRequest,
			body:     `{"code":21617,"message":"Body too long: ` + testText + `","status":400}`,
			wantText: []string{"400", "21617"},
		},
		{
			name:     "not JSON",
			status:   http.StatusBadGateway,
			body:     `<html>` + testText + `</html>`,
			wantText: []string{"502"},
		},
		{
			name:     "redirect",
			status:   http.StatusMovedPermanently,
			body:     ``,
			wantText: []string{"301"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := newCaptureServer(t, tc.status, tc.body)
			p := newTestTwilio(t, TwilioConfig{AccountSID: testSID, AuthToken: testToken, From: "+15550001111", BaseURL: srv.URL})
			_, err := p.Send(t.Context(), "+15551234567", testText, "login", "ref")
			if !errors.Is(err, ErrProviderFailed) {
				t.Fatalf("Send() = %v, want an error wrapping ErrProviderFailed", err)
			}
			for _, s := range tc.wantText {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			assertNoLeak(t, err, testText, testToken, "918273")
		})
	}
}

func TestTwilioTimeout(t *testing.T) {
	srv := newBlockingServer(t)
	p := newTestTwilio(t, TwilioConfig{AccountSID: testSID, AuthToken: testToken, From: "+15550001111", BaseURL: srv.URL})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := p.Send(ctx, "+15551234567", testText, "login", "ref")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send() = %v, want an error wrapping context.DeadlineExceeded", err)
	}
}

func TestTwilioClientTimeout(t *testing.T) {
	// A deadline from http.Client.Timeout rather than the context still reads as a timeout.
	srv := newBlockingServer(t)
	p := newTestTwilio(t, TwilioConfig{
		AccountSID: testSID, AuthToken: testToken, From: "+15550001111", BaseURL: srv.URL,
		Client: &http.Client{Timeout: 50 * time.Millisecond},
	})
	_, err := p.Send(t.Context(), "+15551234567", testText, "login", "ref")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send() = %v, want an error wrapping context.DeadlineExceeded", err)
	}
	assertNoLeak(t, err, testText, testToken)
}

func TestTwilioUnconfigured(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    *Twilio
	}{
		{"nil", nil},
		{"zero value", &Twilio{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.p.Send(t.Context(), "+15551234567", testText, "login", "ref")
			if !errors.Is(err, ErrProviderFailed) {
				t.Errorf("Send() = %v, want an error wrapping ErrProviderFailed", err)
			}
		})
	}
}

func TestTwilioConfigValidate(t *testing.T) {
	valid := TwilioConfig{AccountSID: testSID, AuthToken: testToken, From: "+15550001111"}
	with := func(f func(*TwilioConfig)) TwilioConfig {
		c := valid
		f(&c)
		return c
	}
	for _, tc := range []struct {
		name    string
		cfg     TwilioConfig
		wantErr string // substring; empty: valid
	}{
		{"from", valid, ""},
		{"messaging service", with(func(c *TwilioConfig) { c.From, c.MessagingServiceSID = "", "MG123" }), ""},
		{"base URL", with(func(c *TwilioConfig) { c.BaseURL = "http://127.0.0.1:9999" }), ""},
		{"missing SID", with(func(c *TwilioConfig) { c.AccountSID = "" }), "AccountSID is required"},
		{"SID with slash", with(func(c *TwilioConfig) { c.AccountSID = "AC/../x" }), "letters and digits"},
		{"missing token", with(func(c *TwilioConfig) { c.AuthToken = "" }), "AuthToken is required"},
		{"no sender", with(func(c *TwilioConfig) { c.From = "" }), "From or MessagingServiceSID"},
		{"both senders", with(func(c *TwilioConfig) { c.MessagingServiceSID = "MG123" }), "not both"},
		{"relative base URL", with(func(c *TwilioConfig) { c.BaseURL = "api.twilio.com" }), "absolute"},
		{"base URL without host", with(func(c *TwilioConfig) { c.BaseURL = "https://" }), "absolute"},
		{"base URL other scheme", with(func(c *TwilioConfig) { c.BaseURL = "ftp://api.twilio.com" }), "absolute"},
		{"unparsable base URL", with(func(c *TwilioConfig) { c.BaseURL = "https://api twilio.com:x/" }), "not a valid URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				if _, err := NewTwilio(tc.cfg); err != nil {
					t.Errorf("NewTwilio() error = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Validate() = %v, want an error containing %q", err, tc.wantErr)
			}
			assertNoLeak(t, err, testToken)
			if p, err := NewTwilio(tc.cfg); err == nil || p != nil {
				t.Errorf("NewTwilio() = %v, %v; want nil and an error", p, err)
			}
		})
	}
}

func TestNewTwilioDefaultBaseURL(t *testing.T) {
	p := newTestTwilio(t, TwilioConfig{AccountSID: testSID, AuthToken: testToken, From: "+15550001111"})
	want := DefaultTwilioBaseURL + "/2010-04-01/Accounts/" + testSID + "/Messages.json"
	if p.endpoint != want {
		t.Errorf("endpoint = %q, want %q", p.endpoint, want)
	}
}
