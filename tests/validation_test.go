package tests

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// assertLocs checks a 422 names exactly these locations ("body.phone", "body"), in any order.
func assertLocs(t *testing.T, r *response, want ...string) {
	t.Helper()
	if r.Status != 422 {
		t.Fatalf("status %d, want 422: %s", r.Status, r.Body)
	}
	var body struct {
		Detail []struct {
			Loc  []any  `json:"loc"`
			Msg  string `json:"msg"`
			Type string `json:"type"`
		} `json:"detail"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("422 body: %v: %s", err, r.Body)
	}
	var got []string
	for _, d := range body.Detail {
		parts := make([]string, len(d.Loc))
		for i, l := range d.Loc {
			parts[i] = fmt.Sprint(l)
		}
		got = append(got, strings.Join(parts, "."))
		if d.Msg == "" || d.Type == "" {
			t.Errorf("item without msg/type: %+v", d)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("locs %v, want %v (%s)", got, want, r.Body)
	}
}

const secret = "hunter2-SECRET-VALUE"

func TestBadBodies(t *testing.T) {
	s := start(t, "sqlite")
	s.createUser(userPhone, "Uma User", userPW)
	tok := s.login(userPhone, userPW)
	auth := bearer(tok)
	long := strings.Repeat("x", 1025)

	type tc struct {
		name string
		body any
		locs []string
	}
	endpoints := []struct {
		path    string
		headers []string
		cases   []tc
	}{
		{"/api/v1/auth/login", nil, []tc{
			{"empty object", `{}`, []string{"body.phone", "body.password"}},
			{"no body", ``, []string{"body"}},
			{"array", `[]`, []string{"body"}},
			{"string", `"x"`, []string{"body"}},
			{"null", `null`, []string{"body"}},
			{"malformed", `{"phone": "+1415`, []string{"body.0"}},
			{"wrong types", `{"phone": 14155550100, "password": true}`, []string{"body.phone", "body.password"}},
			{"null fields", `{"phone": null, "password": null}`, []string{"body.phone", "body.password"}},
			{"password too long", map[string]string{"phone": userPhone, "password": long}, []string{"body.password"}},
			{"invalid phone", map[string]string{"phone": "12", "password": secret}, []string{"body.phone"}},
			{"national without region", map[string]string{"phone": "4155550101", "password": secret}, []string{"body.phone"}},
			{"letters", map[string]string{"phone": "1-800-FLOWERS", "password": secret}, []string{"body.phone"}},
		}},
		{"/api/v1/auth/change-password", auth, []tc{
			{"empty object", `{}`, []string{"body.current_password", "body.new_password"}},
			{"short new", map[string]string{"current_password": secret, "new_password": "1234567"}, []string{"body.new_password"}},
			{"long new", map[string]string{"current_password": secret, "new_password": long}, []string{"body.new_password"}},
			{"wrong type", `{"current_password": ["` + secret + `"], "new_password": 12345678}`, []string{"body.current_password", "body.new_password"}},
		}},
		{"/api/v1/auth/reset-password", auth, []tc{
			{"empty object", `{}`, []string{"body.phone", "body.new_password"}},
			{"short new", map[string]string{"phone": userPhone, "new_password": "short"}, []string{"body.new_password"}},
		}},
		{"/api/v1/auth/login/send-otp", nil, []tc{
			{"empty object", `{}`, []string{"body.phone_number"}},
			{"wrong type", `{"phone_number": 1}`, []string{"body.phone_number"}},
		}},
		{"/api/v1/auth/login/verify-otp", nil, []tc{
			{"empty object", `{}`, []string{"body.phone_number", "body.otp_code"}},
			{"empty code", `{"phone_number": "+14155550101", "otp_code": ""}`, []string{"body.otp_code"}},
		}},
		{"/api/v1/auth/forgot-password/confirm", nil, []tc{
			{"empty object", `{}`, []string{"body.phone_number", "body.otp_code", "body.new_password", "body.confirm_password"}},
		}},
		{"/api/v1/auth/signup/verify-otp", nil, []tc{
			{"empty object", `{}`, []string{"body.phone_number", "body.otp_code", "body.name", "body.password"}},
			{"bad email", map[string]any{"phone_number": userPhone, "otp_code": "123456", "name": "N", "password": secret, "email": "not-an-email"}, []string{"body.email"}},
			{"bad consent", map[string]any{"phone_number": userPhone, "otp_code": "123456", "name": "N", "password": secret, "has_given_consent": "yes"}, []string{"body.has_given_consent"}},
		}},
	}
	for _, ep := range endpoints {
		for _, c := range ep.cases {
			t.Run(ep.path+"/"+c.name, func(t *testing.T) {
				body := c.body
				if body == "" {
					body = nil
				}
				r := s.do("POST", ep.path, body, ep.headers...)
				if body == nil && r.Status != 422 {
					// A missing body must be a 422 too, with or without Content-Type.
					r = s.do("POST", ep.path, []byte{}, ep.headers...)
				}
				assertLocs(t, r, c.locs...)
				if strings.Contains(string(r.Body), secret) || strings.Contains(string(r.Body), long) {
					t.Fatalf("a rejected value was echoed: %s", r.Body)
				}
			})
		}
	}

	t.Run("content types", func(t *testing.T) {
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"} {
			r := s.do("POST", "/api/v1/auth/login", `{"phone":"+14155550101","password":"x"}`, "Content-Type", ct)
			assertLocs(t, r, "body")
		}
		// No Content-Type at all is read as JSON, as FastAPI does.
		r := s.do("POST", "/api/v1/auth/login", map[string]string{"phone": userPhone, "password": userPW}, "Content-Type", "")
		wantStatus(t, r, 200, "")
		r = s.do("POST", "/api/v1/auth/login", map[string]string{"phone": userPhone, "password": userPW}, "Content-Type", "application/json; charset=utf-8")
		wantStatus(t, r, 200, "")
	})

	t.Run("authentication outranks a bad body", func(t *testing.T) {
		wantStatus(t, s.do("POST", "/api/v1/auth/change-password", `{}`), 401, "Not authenticated")
	})

	t.Run("body over 1 MiB", func(t *testing.T) {
		big := `{"phone":"+14155550101","password":"` + strings.Repeat("a", 1<<20) + `"}`
		wantStatus(t, s.do("POST", "/api/v1/auth/login", big), 413, "Request body too large")
	})

	t.Run("unknown route and method", func(t *testing.T) {
		wantStatus(t, s.do("GET", "/api/v1/auth/nope", nil), 404, "Not Found")
		wantStatus(t, s.do("DELETE", "/api/v1/auth/login", nil), 405, "Method Not Allowed")
		wantStatus(t, s.do("GET", "/nope", nil), 404, "Not Found")
	})

	t.Run("request id", func(t *testing.T) {
		r := s.do("GET", "/.well-known/jwks.json", nil, "X-Request-ID", "lb-abc-123")
		if got := r.Header.Get("X-Request-ID"); got != "lb-abc-123" {
			t.Fatalf("X-Request-ID %q, want the incoming one", got)
		}
		r = s.do("GET", "/.well-known/jwks.json", nil, "X-Request-ID", "bad id with spaces")
		if got := r.Header.Get("X-Request-ID"); got == "" || strings.Contains(got, " ") {
			t.Fatalf("X-Request-ID %q", got)
		}
	})

	t.Run("no secrets in the log", func(t *testing.T) {
		logs := s.logs.String()
		for _, leak := range []string{secret, userPW, tok, "$argon2id$"} {
			if strings.Contains(logs, leak) {
				t.Fatalf("log contains %q", leak)
			}
		}
	})
}
