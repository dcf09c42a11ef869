package auth_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/phoneauth/phoneauth/auth"
)

func TestSiteVerify(t *testing.T) {
	var got url.Values
	answer, status, hang := `{"success":true}`, http.StatusOK, false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got, _ = url.ParseQuery(string(b))
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			t.Errorf("%s %s", r.Method, r.Header.Get("Content-Type"))
		}
		if hang {
			<-r.Context().Done()
			return
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	defer srv.Close()
	v, err := auth.NewSiteVerify("turnstile", "s3cret", srv.URL, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if ok, err := v.Verify(ctx, "tok", "198.51.100.7"); !ok || err != nil {
		t.Fatalf("good token: %v, %v", ok, err)
	}
	if got.Get("secret") != "s3cret" || got.Get("response") != "tok" || got.Get("remoteip") != "198.51.100.7" {
		t.Fatalf("form %v", got)
	}
	if _, _ = v.Verify(ctx, "tok", ""); got.Has("remoteip") {
		t.Fatal("remoteip sent without an IP")
	}
	for _, tc := range []struct {
		name, answer string
		status       int
		hang         bool
		ok, outage   bool
	}{
		{"invalid token", `{"success":false,"error-codes":["invalid-input-response"]}`, 200, false, false, false},
		{"reused token", `{"success":false,"error-codes":["timeout-or-duplicate"]}`, 200, false, false, false},
		{"our secret is wrong", `{"success":false,"error-codes":["invalid-input-secret"]}`, 200, false, false, true},
		{"5xx", `oops`, 502, false, false, true},
		{"not JSON", `<html>`, 200, false, false, true},
		{"timeout", ``, 200, true, false, true},
	} {
		answer, status, hang = tc.answer, tc.status, tc.hang
		ok, err := v.Verify(ctx, "tok", "")
		if ok != tc.ok || (err != nil) != tc.outage {
			t.Errorf("%s: %v, %v", tc.name, ok, err)
		}
	}
	if ok, err := v.Verify(ctx, "", ""); ok || err != nil {
		t.Errorf("empty token: %v, %v", ok, err)
	}
	for _, bad := range [][3]string{{"friendlycaptcha", "s", ""}, {"hcaptcha", "", ""}, {"recaptcha", "s", "ftp://x"}} {
		if _, err := auth.NewSiteVerify(bad[0], bad[1], bad[2], 0); err == nil {
			t.Errorf("NewSiteVerify(%q) accepted", bad)
		}
	}
}
