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

// TestEveryInvalidFieldAtOnce: a bad phone number, a password the policy refuses and a blank name come
// in the same 422 as the schema's other findings, on every endpoint with such a field, with the words
// the auth services use.
func TestEveryInvalidFieldAtOnce(t *testing.T) {
	const (
		badPhone  = "Value error, value is not a valid phone number"
		common    = "Value error, this password is too common; choose a less predictable one"
		onlySpace = "Value error, password must not be only spaces"
		blank     = "Value error, name must not be blank"
		tooShort  = "String should have at least 8 characters"
	)
	type want map[string][2]string // loc → type, message part
	forEachDialect(t, func(t *testing.T, s *server) {
		s.createUser(adminPhone, "Ada Admin", adminPW, "--role", "admin")
		s.createUser(userPhone, "Uma User", userPW)
		admin, user := bearer(s.login(adminPhone, adminPW)), bearer(s.login(userPhone, userPW))
		otpSend := want{"body.phone_number": {"value_error", badPhone}}
		for _, tc := range []struct {
			path    string
			headers []string
			body    string
			want    want
		}{
			{"/api/v1/auth/login", nil, `{"phone":"1-800-FLOWERS","password":1}`,
				want{"body.phone": {"value_error", badPhone}, "body.password": {"string_type", "valid string"}}},
			{"/api/v1/auth/login", nil, `{"phone":"4155550101"}`,
				want{"body.phone": {"value_error", badPhone + ": use the international format"}, "body.password": {"missing", "Field required"}}},
			{"/api/v1/auth/change-password", user, `{"new_password":"password123"}`,
				want{"body.current_password": {"missing", "Field required"}, "body.new_password": {"value_error", common}}},
			{"/api/v1/auth/reset-password", admin, `{"phone":"+1 415 555 01","new_password":"          "}`,
				want{"body.phone": {"value_error", badPhone}, "body.new_password": {"value_error", onlySpace}}},
			{"/api/v1/auth/login/send-otp", nil, `{"phone_number":"abc"}`, otpSend},
			{"/api/v1/auth/login/resend-otp", nil, `{"phone_number":"abc"}`, otpSend},
			{"/api/v1/auth/signup/send-otp", nil, `{"phone_number":"abc"}`, otpSend},
			{"/api/v1/auth/signup/resend-otp", nil, `{"phone_number":"abc"}`, otpSend},
			{"/api/v1/auth/forgot-password/init", nil, `{"phone_number":"abc"}`, otpSend},
			{"/api/v1/auth/login/verify-otp", nil, `{"phone_number":"12","otp_code":""}`,
				want{"body.phone_number": {"value_error", badPhone}, "body.otp_code": {"string_too_short", "at least 1 character"}}},
			{"/api/v1/auth/forgot-password/confirm", nil, `{"phone_number":"12","new_password":"iloveyou123","confirm_password":"short"}`,
				want{"body.phone_number": {"value_error", badPhone}, "body.otp_code": {"missing", "Field required"},
					"body.new_password": {"value_error", common}, "body.confirm_password": {"string_too_short", tooShort}}},
			{"/api/v1/auth/signup/verify-otp", nil, `{"phone_number":"12","otp_code":"123456","name":" ","email":"no","password":"password"}`,
				want{"body.phone_number": {"value_error", badPhone}, "body.name": {"value_error", blank},
					"body.email": {"value_error", "not a valid email address"}, "body.password": {"value_error", common}}},
			{"/api/v1/auth/signup/verify-otp", nil, `{"phone_number":"` + newPhone + `","name":"\u3000","password":"short","has_given_consent":"yes"}`,
				want{"body.otp_code": {"missing", "Field required"}, "body.name": {"value_error", blank},
					"body.password": {"string_too_short", tooShort}, "body.has_given_consent": {"bool_type", "valid boolean"}}},
		} {
			t.Run(tc.path, func(t *testing.T) {
				items := items422(t, s.do("POST", tc.path, []byte(tc.body), tc.headers...))
				if len(items) != len(tc.want) {
					t.Fatalf("%s: 422 entries %v, want %v", tc.body, items, tc.want)
				}
				for loc, w := range tc.want {
					wantItem(t, items, loc, w[0], w[1])
				}
			})
		}
	})
}

// TestDefaultRegionReachesTheSchema: with PHONEAUTH_DEFAULT_REGION a national number passes the schema's
// phone format, as the auth services take it.
func TestDefaultRegionReachesTheSchema(t *testing.T) {
	s := start(t, "sqlite", "PHONEAUTH_DEFAULT_REGION=US")
	s.createUser("(415) 555-0101", "Uma User", userPW)
	s.login("(415) 555-0101", userPW)
	wantStatus(t, s.do("POST", "/api/v1/auth/login", map[string]string{"phone": "415 555 0101", "password": "wrong passphrase"}),
		401, "Incorrect phone number or password")
	// Only the region's words: without a region the message would ask for the international format.
	r := s.do("POST", "/api/v1/auth/login", map[string]string{"phone": "555 0101", "password": userPW})
	items := items422(t, r)
	if it := items["body.phone"]; it.Msg != "Value error, value is not a valid phone number" || len(items) != 1 {
		t.Fatalf("422 entries %v", items)
	}
}
