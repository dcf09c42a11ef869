package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/server/servertest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// call is one request to the in-process server.
type call struct {
	method, path, body string
	header             map[string]string
}

func (s *fixture) do(t *testing.T, c call) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	req.RemoteAddr = "192.0.2.10:1234"
	rec := httptest.NewRecorder()
	s.Handler.ServeHTTP(rec, req)
	return rec
}

type fixture struct {
	*servertest.Server
	user, admin     string // bearer tokens
	userID, adminID string
}

// newFixture is a server with a user and an admin, logged in.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{Server: servertest.New(t, servertest.Options{})}
	ctx := context.Background()
	for _, u := range []struct {
		phone string
		roles []string
		tok   *string
	}{{"+14155550100", nil, &f.user}, {"+14155550199", []string{auth.RoleAdmin}, &f.admin}} {
		created, err := f.Services.Accounts.CreateUser(ctx, auth.NewUser{Phone: u.phone, Name: "Test", Password: "a long passphrase", Roles: u.roles})
		if err != nil {
			t.Fatal(err)
		}
		if u.tok == &f.user {
			f.userID = created.ID.String()
		} else {
			f.adminID = created.ID.String()
		}
		rec := f.do(t, call{method: "POST", path: "/api/v1/auth/login", body: fmt.Sprintf(`{"phone":%q,"password":"a long passphrase"}`, u.phone)})
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &tok) != nil {
			t.Fatalf("login %s: %d %s", u.phone, rec.Code, rec.Body)
		}
		*u.tok = "Bearer " + tok.AccessToken
	}
	return f
}

// TestErrorCatalogue holds every kind of error answer to its status, headers and body (golden file
// testdata/errors.golden; go test ./server -run TestErrorCatalogue -update rewrites it).
func TestErrorCatalogue(t *testing.T) {
	f := newFixture(t)
	user := map[string]string{"Authorization": f.user}
	admin := map[string]string{"Authorization": f.admin}
	const unknownID = "0190a000-0000-7000-8000-000000000000"
	cases := []struct {
		name   string
		call   call
		status int
		header map[string]string // headers the answer must carry ("" value: must be absent)
	}{
		{"login: empty body", call{method: "POST", path: "/api/v1/auth/login", body: `{}`}, 422, nil},
		{"login: not JSON", call{method: "POST", path: "/api/v1/auth/login", body: `{"phone":`}, 422, nil},
		{"login: array body", call{method: "POST", path: "/api/v1/auth/login", body: `[]`}, 422, nil},
		{"login: wrong types", call{method: "POST", path: "/api/v1/auth/login", body: `{"phone":1,"password":true}`}, 422, nil},
		{"login: bad phone", call{method: "POST", path: "/api/v1/auth/login", body: `{"phone":"12","password":"a long passphrase"}`}, 422, nil},
		{"login: bad phone and no password", call{method: "POST", path: "/api/v1/auth/login", body: `{"phone":"1-800-FLOWERS"}`}, 422, nil},
		{"login: wrong password", call{method: "POST", path: "/api/v1/auth/login", body: `{"phone":"+14155550100","password":"not the passphrase"}`}, 401,
			map[string]string{"WWW-Authenticate": "Bearer"}},
		{"login: unknown phone", call{method: "POST", path: "/api/v1/auth/login", body: `{"phone":"+14155550111","password":"a long passphrase"}`}, 401,
			map[string]string{"WWW-Authenticate": "Bearer"}},
		{"login: body too large", call{method: "POST", path: "/api/v1/auth/login", body: `{"phone":"` + strings.Repeat("1", 1<<20) + `"}`}, 413, nil},
		{"me: no token", call{method: "GET", path: "/api/v1/auth/me"}, 401, map[string]string{"WWW-Authenticate": "Bearer"}},
		{"me: not bearer", call{method: "GET", path: "/api/v1/auth/me", header: map[string]string{"Authorization": "Basic eDp5"}}, 401, nil},
		{"me: forged token", call{method: "GET", path: "/api/v1/auth/me", header: map[string]string{"Authorization": "Bearer a.b.c"}}, 401, nil},
		{"change-password: wrong current", call{method: "POST", path: "/api/v1/auth/change-password", header: user,
			body: `{"current_password":"not the passphrase","new_password":"another long passphrase"}`}, 400, nil},
		{"change-password: weak new", call{method: "POST", path: "/api/v1/auth/change-password", header: user,
			body: `{"current_password":"a long passphrase","new_password":"password"}`}, 422, nil},
		{"change-password: a weak new one is refused before the current one is checked", call{method: "POST", path: "/api/v1/auth/change-password", header: user,
			body: `{"current_password":"not the passphrase","new_password":"        "}`}, 422, nil},
		{"change-password: unauthenticated beats a bad body", call{method: "POST", path: "/api/v1/auth/change-password", body: `{}`}, 401, nil},
		{"reset-password: not an admin", call{method: "POST", path: "/api/v1/auth/reset-password", header: user,
			body: `{"phone":"+14155550100","new_password":"another long passphrase"}`}, 403, nil},
		{"reset-password: unknown user", call{method: "POST", path: "/api/v1/auth/reset-password", header: admin,
			body: `{"phone":"+14155550111","new_password":"another long passphrase"}`}, 404, nil},
		{"reset-password: bad phone and weak new", call{method: "POST", path: "/api/v1/auth/reset-password", header: admin,
			body: `{"phone":"+1 415 555 01","new_password":"password"}`}, 422, nil},
		{"send-otp: bad phone", call{method: "POST", path: "/api/v1/auth/login/send-otp", body: `{"phone_number":"abc"}`}, 422, nil},
		{"send-otp: missing phone", call{method: "POST", path: "/api/v1/auth/login/send-otp", body: `{}`}, 422, nil},
		{"verify-otp: bad phone and empty code", call{method: "POST", path: "/api/v1/auth/login/verify-otp", body: `{"phone_number":"abc","otp_code":""}`}, 422, nil},
		{"verify-otp: no code sent", call{method: "POST", path: "/api/v1/auth/login/verify-otp", body: `{"phone_number":"+14155550100","otp_code":"123456"}`}, 400, nil},
		{"forgot-password confirm: every field at once", call{method: "POST", path: "/api/v1/auth/forgot-password/confirm",
			body: `{"phone_number":"4155550177","otp_code":"","new_password":"password","confirm_password":"short"}`}, 422, nil},
		{"signup verify: every field at once", call{method: "POST", path: "/api/v1/auth/signup/verify-otp",
			body: `{"phone_number":"12","otp_code":"123456","name":" ","password":"short","email":"no"}`}, 422, nil},
		{"signup verify: policy and blank name with a good phone", call{method: "POST", path: "/api/v1/auth/signup/verify-otp",
			body: `{"phone_number":"+14155550177","otp_code":"123456","name":"\u3000\u00a0","password":"iloveyou123"}`}, 422, nil},
		{"signup verify: a field is reported once", call{method: "POST", path: "/api/v1/auth/signup/verify-otp",
			body: `{"phone_number":"+14155550177","otp_code":"123456","name":"N","password":"a long passphrase","email":"` + strings.Repeat("x", 300) + `"}`}, 422, nil},
		{"refresh: malformed token", call{method: "POST", path: "/api/v1/auth/refresh", body: `{"refresh_token":"nope"}`}, 401, nil},
		{"logout: bad scope", call{method: "POST", path: "/api/v1/auth/logout", header: user, body: `{"scope":"everything"}`}, 422, nil},
		{"sessions: not a uuid", call{method: "DELETE", path: "/api/v1/auth/sessions/42", header: user}, 422, nil},
		{"sessions: someone else's", call{method: "DELETE", path: "/api/v1/auth/sessions/" + unknownID, header: user}, 404, nil},
		{"admin: not an admin", call{method: "GET", path: "/api/v1/admin/users", header: user}, 403, nil},
		{"admin: bad cursor", call{method: "GET", path: "/api/v1/admin/users?cursor=xyz", header: admin}, 400, nil},
		{"admin: bad limit", call{method: "GET", path: "/api/v1/admin/users?limit=0", header: admin}, 422, nil},
		{"admin: unknown user", call{method: "GET", path: "/api/v1/admin/users/" + unknownID, header: admin}, 404, nil},
		{"admin: unknown role", call{method: "PUT", path: "/api/v1/admin/users/" + unknownID + "/roles/root", header: admin}, 422, nil},
		{"admin: audit bad cursor", call{method: "GET", path: "/api/v1/admin/audit-events?cursor=-1", header: admin}, 400, nil},
		{"admin: events bad state", call{method: "GET", path: "/api/v1/admin/events?state=lost", header: admin}, 422, nil},
		{"admin: events bad user id", call{method: "GET", path: "/api/v1/admin/events?user_id=42", header: admin}, 422, nil},
		{"admin: events bad cursor", call{method: "GET", path: "/api/v1/admin/events?cursor=xyz", header: admin}, 400, nil},
		{"admin: redeliver not a uuid", call{method: "POST", path: "/api/v1/admin/events/42/redeliver", header: admin}, 422, nil},
		{"admin: redeliver unknown event", call{method: "POST", path: "/api/v1/admin/events/" + unknownID + "/redeliver", header: admin}, 404, nil},
		{"me patch: every field at once, the schema's and the service's", call{method: "PATCH", path: "/api/v1/auth/me", header: user,
			body: `{"name":" ","email":"no","gender":"` + strings.Repeat("g", 65) + `","date_of_birth":"1899-12-31","place":null,"has_given_consent":1}`}, 422, nil},
		{"me patch: name cannot be cleared", call{method: "PATCH", path: "/api/v1/auth/me", header: user, body: `{"name":null}`}, 422, nil},
		{"export: no proof", call{method: "POST", path: "/api/v1/auth/me/export", header: user}, 401,
			map[string]string{"WWW-Authenticate": `Bearer error="insufficient_user_authentication"`}},
		{"export: both proofs", call{method: "POST", path: "/api/v1/auth/me/export", header: user, body: `{"password":"a long passphrase","otp_code":"123456"}`}, 422, nil},
		{"delete-account: wrong password", call{method: "POST", path: "/api/v1/auth/delete-account", header: user, body: `{"password":"not the passphrase"}`}, 401,
			map[string]string{"WWW-Authenticate": `Bearer error="insufficient_user_authentication"`}},
		{"delete-account: no token", call{method: "POST", path: "/api/v1/auth/delete-account", body: `{"password":"a long passphrase"}`}, 401,
			map[string]string{"WWW-Authenticate": "Bearer"}},
		{"phone-change: the current number", call{method: "POST", path: "/api/v1/auth/phone-change", header: user,
			body: `{"new_phone_number":"+1 415 555 0100","password":"a long passphrase"}`}, 400, nil},
		{"phone-change: every field at once", call{method: "POST", path: "/api/v1/auth/phone-change", header: user,
			body: `{"new_phone_number":"12","password":""}`}, 422, nil},
		{"phone-change verify: no code sent", call{method: "POST", path: "/api/v1/auth/phone-change/verify", header: user,
			body: `{"new_phone_number":"+14155550140","otp_code":"123456"}`}, 400, nil},
		{"admin create: every field at once", call{method: "POST", path: "/api/v1/admin/users", header: admin,
			body: `{"phone":"12","name":" ","email":"no","password":"password","roles":["root"],"date_of_birth":"1800-01-01"}`}, 422, nil},
		{"admin create: taken phone", call{method: "POST", path: "/api/v1/admin/users", header: admin, body: `{"phone":"+14155550100","name":"Dup"}`}, 409, nil},
		{"admin create: not an admin", call{method: "POST", path: "/api/v1/admin/users", header: user, body: `{"phone":"+14155550111","name":"X"}`}, 403, nil},
		{"admin update: unknown user", call{method: "PATCH", path: "/api/v1/admin/users/" + unknownID, header: admin, body: `{"name":"X"}`}, 404, nil},
		{"admin update: taken phone", call{method: "PATCH", path: "/api/v1/admin/users/" + f.userID, header: admin, body: `{"phone":"+14155550199"}`}, 409, nil},
		{"admin delete: own account", call{method: "DELETE", path: "/api/v1/admin/users/" + f.adminID, header: admin}, 400, nil},
		{"admin delete: unknown user", call{method: "DELETE", path: "/api/v1/admin/users/" + unknownID, header: admin}, 404, nil},
		{"passkeys: not enabled", call{method: "POST", path: "/api/v1/auth/passkeys/login/options"}, 404, nil},
		{"passkeys: login with no credential", call{method: "POST", path: "/api/v1/auth/passkeys/login", body: `{}`}, 422, nil},
		{"passkeys: bad base64url", call{method: "POST", path: "/api/v1/auth/passkeys/login",
			body: `{"credential":{"id":"***","rawId":"AA","type":"public-key","response":{"clientDataJSON":"e30"}}}`}, 422, nil},
		{"passkeys: huge clientDataJSON", call{method: "POST", path: "/api/v1/auth/passkeys/login",
			body: `{"credential":{"id":"AA","rawId":"AA","type":"public-key","response":{"clientDataJSON":"` + strings.Repeat("A", 9000) + `"}}}`}, 422, nil},
		{"passkeys: rename not a uuid", call{method: "PATCH", path: "/api/v1/auth/passkeys/42", header: user, body: `{"name":"x"}`}, 422, nil},
		{"admin passkeys: unknown user", call{method: "GET", path: "/api/v1/admin/users/" + unknownID + "/passkeys", header: admin}, 404, nil},
		{"admin passkeys: unknown passkey", call{method: "DELETE", path: "/api/v1/admin/users/" + f.userID + "/passkeys/" + unknownID, header: admin}, 404, nil},
		{"mfa verify: malformed token", call{method: "POST", path: "/api/v1/auth/mfa/verify", body: `{"mfa_token":"nope","code":"123456"}`}, 401, nil},
		{"mfa verify: code and recovery code", call{method: "POST", path: "/api/v1/auth/mfa/verify",
			body: `{"mfa_token":"nope","code":"123456","recovery_code":"abcd"}`}, 422, nil},
		{"mfa verify: neither", call{method: "POST", path: "/api/v1/auth/mfa/verify", body: `{"mfa_token":"nope"}`}, 422, nil},
		{"totp verify: nothing enrolled", call{method: "POST", path: "/api/v1/auth/mfa/totp/verify", header: user, body: `{"code":"123456"}`}, 400, nil},
		{"totp enrol: no proof", call{method: "POST", path: "/api/v1/auth/mfa/totp", header: user}, 401,
			map[string]string{"WWW-Authenticate": `Bearer error="insufficient_user_authentication"`}},
		{"totp disable: not on", call{method: "DELETE", path: "/api/v1/auth/mfa/totp", header: user, body: `{"password":"a long passphrase"}`}, 404, nil},
		{"unknown path", call{method: "GET", path: "/api/v1/nowhere"}, 404, nil},
		{"wrong method", call{method: "PUT", path: "/api/v1/auth/me"}, 405, nil},
	}
	var golden bytes.Buffer
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := f.do(t, tc.call)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q, want JSON", ct)
			}
			if id := rec.Header().Get("X-Request-ID"); id == "" {
				t.Error("no X-Request-ID")
			}
			for k, want := range tc.header {
				if got := rec.Header().Get(k); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
			var body any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body is not JSON: %v: %s", err, rec.Body)
			}
			out, _ := json.Marshal(body)
			fmt.Fprintf(&golden, "%s\n%d %s\n\n", tc.name, rec.Code, out)
		})
	}
	checkGolden(t, "errors.golden", golden.Bytes())
}

// TestRequestID: a well-formed incoming id is kept, anything else replaced.
func TestRequestID(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		in   string
		keep bool
	}{{"lb-1234.abc_DEF", true}, {"", false}, {"has space", false}, {strings.Repeat("a", 65), false}, {"bad\x7f", false}} {
		rec := f.do(t, call{method: "GET", path: "/healthz", header: map[string]string{"X-Request-ID": tc.in}})
		got := rec.Header().Get("X-Request-ID")
		if (got == tc.in) != tc.keep || got == "" {
			t.Errorf("X-Request-ID %q answered %q; keep=%v", tc.in, got, tc.keep)
		}
	}
}

// TestPrincipalReachesEveryBearerOperation: the caller authenticated by the validator is the one the
// services act for.
func TestPrincipalReachesEveryBearerOperation(t *testing.T) {
	f := newFixture(t)
	rec := f.do(t, call{method: "GET", path: "/api/v1/auth/me", header: map[string]string{"Authorization": f.user}})
	var me struct {
		ID    string   `json:"id"`
		Roles []string `json:"roles"`
	}
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &me) != nil || me.ID != f.userID {
		t.Fatalf("me: %d %s", rec.Code, rec.Body)
	}
	rec = f.do(t, call{method: "GET", path: "/api/v1/auth/sessions", header: map[string]string{"Authorization": f.user}})
	var list struct {
		Sessions []struct {
			Current bool `json:"current"`
		} `json:"sessions"`
	}
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &list) != nil || len(list.Sessions) != 1 || !list.Sessions[0].Current {
		t.Fatalf("sessions: %d %s", rec.Code, rec.Body)
	}
	rec = f.do(t, call{method: "GET", path: "/api/v1/admin/users/" + f.userID, header: map[string]string{"Authorization": f.admin}})
	var au map[string]any
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &au) != nil {
		t.Fatalf("admin get: %d %s", rec.Code, rec.Body)
	}
	// AdminUser is UserResponse and the lockout fields, flat on the wire.
	for _, k := range []string{"id", "phone", "name", "roles", "created_at", "failed_logins", "locked_until"} {
		if _, ok := au[k]; !ok {
			t.Errorf("admin user lacks %q: %v", k, au)
		}
	}
	rec = f.do(t, call{method: "POST", path: "/api/v1/auth/logout", header: map[string]string{"Authorization": f.user}, body: `{"scope":"global"}`})
	if rec.Code != http.StatusNoContent {
		t.Fatalf("logout: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(t, call{method: "GET", path: "/api/v1/auth/me", header: map[string]string{"Authorization": f.user}}); rec.Code != 401 {
		t.Fatalf("me after global logout: %d", rec.Code)
	}
}

// TestCodeLoginInProcess runs a whole code login through the handler.
func TestCodeLoginInProcess(t *testing.T) {
	f := newFixture(t)
	if rec := f.do(t, call{method: "POST", path: "/api/v1/auth/login/send-otp", body: `{"phone_number":"+14155550100"}`}); rec.Code != 200 {
		t.Fatalf("send: %d %s", rec.Code, rec.Body)
	}
	code := f.SMS.LastCode("+14155550100")
	if code == "" {
		t.Fatal("no code sent")
	}
	if rec := f.do(t, call{method: "POST", path: "/api/v1/auth/login/send-otp", body: `{"phone_number":"+14155550100"}`}); rec.Code != 429 || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("second send: %d %v, want 429 with Retry-After", rec.Code, rec.Header())
	}
	rec := f.do(t, call{method: "POST", path: "/api/v1/auth/login/verify-otp", body: fmt.Sprintf(`{"phone_number":"+14155550100","otp_code":%q}`, code)})
	var tok struct {
		UserID string `json:"user_id"`
	}
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &tok) != nil || tok.UserID != f.userID {
		t.Fatalf("verify: %d %s", rec.Code, rec.Body)
	}
}

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./server -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from what the server answers now (go test ./server -update rewrites it after review):\n--- got\n%s", path, got)
	}
}

// TestBodyMembersMatchExactly: a bearer operation's handler gets the body the validator checked, whose
// member names match exactly: {"NAME": …} is an unknown field, ignored as FastAPI ignores it, and no
// value bypasses the schema by the case of its name.
func TestBodyMembersMatchExactly(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("x", 300)
	rec := f.do(t, call{method: "PATCH", path: "/api/v1/auth/me", header: map[string]string{"Authorization": f.user},
		body: `{"NAME":"` + long + `","Place":"Porto","gender":"f"}`})
	var me struct {
		Name   string  `json:"name"`
		Place  *string `json:"place"`
		Gender *string `json:"gender"`
	}
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &me) != nil || me.Name != "Test" || me.Place != nil || me.Gender == nil || *me.Gender != "f" {
		t.Fatalf("PATCH with differently cased members: %d %s", rec.Code, rec.Body)
	}
	rec = f.do(t, call{method: "POST", path: "/api/v1/auth/login", body: `{"phone":"+14155550100","password":"a long passphrase"}`})
	var other struct {
		AccessToken string `json:"access_token"`
	}
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &other) != nil {
		t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	rec = f.do(t, call{method: "POST", path: "/api/v1/auth/logout", header: map[string]string{"Authorization": f.user}, body: `{"SCOPE":"global"}`})
	if rec.Code != http.StatusNoContent {
		t.Fatalf("logout: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(t, call{method: "GET", path: "/api/v1/auth/me", header: map[string]string{"Authorization": "Bearer " + other.AccessToken}}); rec.Code != 200 {
		t.Fatalf(`{"SCOPE":"global"} ended more than the caller's session: %d`, rec.Code)
	}
}
