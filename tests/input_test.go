package tests

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/phoneauth/phoneauth"
)

// item422 is one entry of a 422 body.
type item422 struct {
	Loc  []any  `json:"loc"`
	Msg  string `json:"msg"`
	Type string `json:"type"`
}

// items422 returns the 422's entries keyed by their dotted location.
func items422(t *testing.T, r *response) map[string]item422 {
	t.Helper()
	if r.Status != 422 {
		t.Fatalf("status %d, want 422: %s", r.Status, r.Body)
	}
	var body struct {
		Detail []item422 `json:"detail"`
	}
	decode(t, r, &body)
	out := map[string]item422{}
	for _, d := range body.Detail {
		parts := make([]string, len(d.Loc))
		for i, l := range d.Loc {
			parts[i] = fmt.Sprint(l)
		}
		out[strings.Join(parts, ".")] = d
	}
	return out
}

// wantItem checks the 422 entry at loc has type typ and a message containing msg (typ "": it exists).
func wantItem(t *testing.T, items map[string]item422, loc, typ, msg string) {
	t.Helper()
	it, ok := items[loc]
	if !ok {
		t.Fatalf("no 422 entry at %s: %v", loc, items)
	}
	if typ == "" {
		return // any entry will do
	}
	if it.Type != typ || !strings.Contains(it.Msg, msg) {
		t.Fatalf("%s: %q (%s), want type %s with %q", loc, it.Msg, it.Type, typ, msg)
	}
}

const (
	unicodeMsg = "unable to parse raw data as a unicode string"
	nulMsg     = "NUL"
	controlMsg = "control characters"
)

// signupBody is a raw JSON signup body; name and password are spliced in as JSON string contents
// (escapes and raw bytes kept exactly as given).
func signupBody(code, name, password string) string {
	return `{"phone_number":"` + newPhone + `","otp_code":"` + code + `","name":"` + name + `","password":"` + password + `"}`
}

// TestUnsafeBodyStrings: strings no database can store (NUL, invalid UTF-8, lone surrogates) are a 422
// naming the field before anything happens, so the signup code still works afterwards; control
// characters are refused in names but are fine in passwords.
func TestUnsafeBodyStrings(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		sk := newWebhookSink(t, "")
		s := start(t, dialect, sk.env()...)
		s.sendCode("/api/v1/auth/signup/send-otp", newPhone)
		code := sk.last(newPhone).Code()
		const pw = "nina's passphrase"
		verify := func(body string) *response {
			return s.do("POST", "/api/v1/auth/signup/verify-otp", []byte(body))
		}

		for _, tc := range []struct {
			name, body string
			want       map[string][2]string // loc → type, message part
		}{
			{"NUL in name", signupBody(code, `Nina\u0000New`, pw), map[string][2]string{"body.name": {"value_error", nulMsg}}},
			{"NUL in password", signupBody(code, "Nina New", `nina\u0000passphrase`), map[string][2]string{"body.password": {"value_error", nulMsg}}},
			{"both at once", signupBody(code, `\u0000`, `\u0000 passphrase`), map[string][2]string{
				"body.name": {"value_error", nulMsg}, "body.password": {"value_error", nulMsg}}},
			{"invalid UTF-8 in name", signupBody(code, "Nina \xff\xfe", pw), map[string][2]string{"body.name": {"string_unicode", unicodeMsg}}},
			{"CESU-8 surrogate bytes", signupBody(code, "Nina \xed\xa0\x80", pw), map[string][2]string{"body.name": {"string_unicode", unicodeMsg}}},
			{"lone high surrogate", signupBody(code, `Nina \ud800`, pw), map[string][2]string{"body.name": {"string_unicode", unicodeMsg}}},
			{"lone low surrogate in password", signupBody(code, "Nina", `pass\udc00phrase`), map[string][2]string{"body.password": {"string_unicode", unicodeMsg}}},
			{"reversed pair", signupBody(code, `\ude00\ud83d`, pw), map[string][2]string{"body.name": {"string_unicode", unicodeMsg}}},
			{"control character in name", signupBody(code, `Nina\u0007`, pw), map[string][2]string{"body.name": {"value_error", controlMsg}}},
			{"newline in name", signupBody(code, `Nina\nNew`, pw), map[string][2]string{"body.name": {"value_error", controlMsg}}},
			{"control character in email", `{"phone_number":"` + newPhone + `","otp_code":"` + code + `","name":"Nina","password":"` + pw + `","email":"nina\u0001@example.com"}`,
				map[string][2]string{"body.email": {"value_error", controlMsg}}},
			// Go's decoder matches keys case-insensitively; the rule for names must too.
			{"name under another case", `{"phone_number":"` + newPhone + `","otp_code":"` + code + `","name":"Nina","NAME":"Nina\u0007","password":"` + pw + `"}`,
				map[string][2]string{"body.NAME": {"value_error", controlMsg}}},
			{"nested unknown field", `{"phone_number":"` + newPhone + `","otp_code":"` + code + `","name":"Nina","password":"` + pw + `","extra":{"a":["ok","\u0000"]}}`,
				map[string][2]string{"body.extra.a.1": {"value_error", nulMsg}}},
			{"with a schema error", `{"phone_number":"` + newPhone + `","name":"\u0000","password":"` + pw + `"}`, map[string][2]string{
				"body.otp_code": {"missing", "Field required"}, "body.name": {"value_error", nulMsg}}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := verify(tc.body)
				items := items422(t, r)
				if len(items) != len(tc.want) {
					t.Fatalf("422 entries %v, want %v", items, tc.want)
				}
				for loc, w := range tc.want {
					wantItem(t, items, loc, w[0], w[1])
				}
			})
		}

		// The code was not spent by any of them: a clean body with it signs up. A tab in the password
		// is fine, and an escaped surrogate pair is a character like any other.
		tok, _ := tokenAnswer(t, verify(signupBody(code, `Nina \ud83d\ude00`, `nina's\tpassphrase`)), newPhone)
		me := s.do("GET", "/api/v1/auth/me", nil, bearer(tok)...).JSON(t)
		if me["name"] != "Nina 😀" {
			t.Fatalf("name %q", me["name"])
		}
		s.login(newPhone, "nina's\tpassphrase")

		// Password login and a bearer-authenticated body are screened too; authentication still comes first.
		r := s.do("POST", "/api/v1/auth/login", []byte(`{"phone":"`+newPhone+`","password":"\ud800\u0000"}`))
		wantItem(t, items422(t, r), "body.password", "string_unicode", unicodeMsg)
		r = s.do("POST", "/api/v1/auth/login", []byte("{\"phone\":\"+1415\xff\",\"password\":\"x\"}"))
		wantItem(t, items422(t, r), "body.phone", "string_unicode", unicodeMsg)
		body := []byte(`{"current_password":"x","new_password":"new\u0000passphrase"}`)
		wantStatus(t, s.do("POST", "/api/v1/auth/change-password", body), 401, "Not authenticated")
		wantItem(t, items422(t, s.do("POST", "/api/v1/auth/change-password", body, bearer(tok)...)), "body.new_password", "value_error", nulMsg)
	})
}

// TestUnsafeUserAgent: a user agent that is not valid UTF-8 (or holds control characters) is stored in a
// safe form with the session and in the audit trail instead of failing the login.
func TestUnsafeUserAgent(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		s := start(t, dialect)
		s.createUser(userPhone, "Uma User", userPW)
		login := func(ua string) string {
			r := s.do("POST", "/api/v1/auth/login", map[string]string{"phone": userPhone, "password": userPW}, "User-Agent", ua)
			wantStatus(t, r, 200, "")
			return r.JSON(t)["access_token"].(string)
		}
		tok := login("Mozilla/5.0 \xff\xfe(X11;\tLinux)\x80")
		login("curl/" + strings.Repeat("é\xff", 3000)) // far beyond the 512 bytes kept

		var list struct {
			Sessions []struct {
				UserAgent string `json:"user_agent"`
			} `json:"sessions"`
		}
		decode(t, s.do("GET", "/api/v1/auth/sessions", nil, bearer(tok)...), &list)
		got := map[string]bool{}
		for _, se := range list.Sessions {
			got[se.UserAgent] = true
		}
		if !got["Mozilla/5.0 \uFFFD(X11; Linux)\uFFFD"] {
			t.Fatalf("user agents listed: %v", got)
		}
		// What the database holds, read directly: valid UTF-8, no control characters, at most 512 bytes.
		for _, table := range []string{"sessions", "audit_events"} {
			var n int
			s.queryRow("SELECT count(*) FROM "+table+" WHERE user_agent <> ''", nil, &n)
			if n < 2 {
				t.Fatalf("%s: %d rows with a user agent, want 2 or more", table, n)
			}
			var maxLen int
			s.queryRow("SELECT max(length(user_agent)) FROM "+table, nil, &maxLen)
			if maxLen > 512 {
				t.Fatalf("%s: a user agent of %d characters stored", table, maxLen)
			}
			var ua string
			s.queryRow("SELECT user_agent FROM "+table+" WHERE user_agent LIKE 'Mozilla%' LIMIT 1", nil, &ua)
			if !utf8.ValidString(ua) || strings.ContainsAny(ua, "\x00\t") {
				t.Fatalf("%s: stored user agent %q", table, ua)
			}
		}
	})
}

// TestUnsafeQueryParams: a query parameter with NUL or invalid UTF-8 is a 422 naming it.
func TestUnsafeQueryParams(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		s := start(t, dialect)
		s.createUser(adminPhone, "Ada Admin", adminPW, "--role", "admin")
		a := bearer(s.login(adminPhone, adminPW))
		for _, tc := range []struct {
			path string
			want map[string][2]string
		}{
			{"/api/v1/admin/users?q=%00", map[string][2]string{"query.q": {"value_error", nulMsg}}},
			{"/api/v1/admin/users?q=ada%FF", map[string][2]string{"query.q": {"string_unicode", unicodeMsg}}},
			{"/api/v1/admin/users?q=%ED%A0%80", map[string][2]string{"query.q": {"string_unicode", unicodeMsg}}},
			{"/api/v1/admin/users?cursor=%00&q=%00", map[string][2]string{"query.cursor": {"value_error", nulMsg}, "query.q": {"value_error", nulMsg}}},
			{"/api/v1/admin/audit-events?type=login%00", map[string][2]string{"query.type": {"value_error", nulMsg}}},
			{"/api/v1/admin/audit-events?type=%C0%80&limit=0", map[string][2]string{"query.type": {"string_unicode", unicodeMsg}, "query.limit": {"", ""}}},
		} {
			t.Run(tc.path, func(t *testing.T) {
				items := items422(t, s.do("GET", tc.path, nil, a...))
				if len(items) != len(tc.want) {
					t.Fatalf("422 entries %v, want %v", items, tc.want)
				}
				for loc, w := range tc.want {
					wantItem(t, items, loc, w[0], w[1])
				}
			})
		}
		// Control characters in a search are only characters: no match, no error.
		wantStatus(t, s.do("GET", "/api/v1/admin/users?q=%07%1B", nil, a...), 200, "")
		// Authentication comes first.
		wantStatus(t, s.do("GET", "/api/v1/admin/users?q=%00", nil), 401, "Not authenticated")
	})
}

// TestHugeStringFields: a string of almost 1 MiB in any field of any JSON body is refused by the
// field's rules, never a 5xx.
func TestHugeStringFields(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		s := start(t, dialect)
		s.createUser(adminPhone, "Ada Admin", adminPW, "--role", "admin")
		a := bearer(s.login(adminPhone, adminPW))
		spec, err := openapi3.NewLoader().LoadFromData(phoneauth.OpenAPIYAML())
		if err != nil {
			t.Fatal(err)
		}
		huge := strings.Repeat("9", 1<<20-200)
		hugeBad := strings.Repeat("\xff", 1<<20-200)
		n := 0
		for path, item := range spec.Paths.Map() {
			op := item.Post
			if op == nil || op.RequestBody == nil {
				continue
			}
			mt := op.RequestBody.Value.Content.Get("application/json")
			if mt == nil || strings.HasPrefix(path, "/api/v1/sms/status/") {
				continue // the providers' receipts: refused (401) before they are read, unless signed
			}
			for field := range mt.Schema.Value.Properties {
				for _, v := range []string{huge, hugeBad} {
					body, _ := json.Marshal(map[string]string{field: "x"})
					raw := strings.Replace(string(body), `"x"`, `"`+v+`"`, 1)
					r := s.do("POST", path, []byte(raw), a...)
					if r.Status != 422 {
						t.Fatalf("POST %s with a huge %s: %d %.300s", path, field, r.Status, r.Body)
					}
					n++
				}
			}
		}
		if n < 20 {
			t.Fatalf("only %d fields tried", n)
		}
		// The longest phone number the schema lets through is the phone parser's 422.
		r := s.do("POST", "/api/v1/auth/login", map[string]string{"phone": "+" + strings.Repeat("1", 63), "password": "x"})
		wantItem(t, items422(t, r), "body.phone", "value_error", "")
		r = s.do("POST", "/api/v1/auth/login/send-otp", map[string]string{"phone_number": strings.Repeat("\u00a0", 64)})
		wantItem(t, items422(t, r), "body.phone_number", "value_error", "")
	})
}
