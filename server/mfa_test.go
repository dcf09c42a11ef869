package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/passkey"
	"github.com/phoneauth/phoneauth/auth/totp"
	"github.com/phoneauth/phoneauth/server/servertest"
	"github.com/phoneauth/phoneauth/store/storetest"
)

// clock is a settable auth.Clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// mfaFixture is an in-process server on dialect with an injected clock, passkeys for
// http://localhost:8000, and one user with a password.
type mfaFixture struct {
	*servertest.Server
	clock  *clock
	phone  string
	userID string
}

const mfaPassword = "a long passphrase"

func newMFAFixture(t *testing.T, dialect string, roles ...string) *mfaFixture {
	t.Helper()
	c := &clock{t: time.Now().UTC().Truncate(time.Hour).Add(10 * time.Second)}
	s := servertest.New(t, servertest.Options{Dialect: dialect, Clock: c, MFARequiredRoles: []string{auth.RoleAdmin}, Events: true,
		Passkeys: passkey.Config{RPID: "localhost", Origins: []string{"http://localhost:8000"}, DisplayName: "phoneauth"}})
	f := &mfaFixture{Server: s, clock: c, phone: "+14155550100"}
	u, err := s.Services.Accounts.CreateUser(context.Background(), auth.NewUser{Phone: f.phone, Name: "Test", Password: mfaPassword, Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	f.userID = u.ID.String()
	return f
}

// events are the types of the user's outbound events that start with prefix, oldest first.
func (f *mfaFixture) events(t *testing.T, prefix string) []string {
	t.Helper()
	list, err := f.DB.Events().List(context.Background(), auth.OutboundFilter{UserID: uuid.MustParse(f.userID), Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(list) - 1; i >= 0; i-- {
		if strings.HasPrefix(list[i].Type, prefix) {
			out = append(out, list[i].Type)
		}
	}
	return out
}

// do sends a request as bearer (none when ""), and decodes a JSON answer into out (when not nil).
func (f *mfaFixture) do(t *testing.T, method, path, bearer, body string, out any) int {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	req.RemoteAddr = "192.0.2.10:1234"
	rec := httptest.NewRecorder()
	f.Handler.ServeHTTP(rec, req)
	if out != nil && rec.Code < 300 {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, path, rec.Code, rec.Body, err)
		}
	}
	if rec.Code >= 500 {
		t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
	return rec.Code
}

// loginAnswer is what a login answers: tokens, or the second factor it needs.
type loginAnswer struct {
	AccessToken string   `json:"access_token"`
	MFARequired bool     `json:"mfa_required"`
	MFAToken    string   `json:"mfa_token"`
	Factors     []string `json:"factors"`
}

func (f *mfaFixture) passwordLogin(t *testing.T) loginAnswer {
	t.Helper()
	var a loginAnswer
	if code := f.do(t, "POST", "/api/v1/auth/login", "", fmt.Sprintf(`{"phone":%q,"password":%q}`, f.phone, mfaPassword), &a); code != 200 {
		t.Fatalf("password login: %d", code)
	}
	return a
}

// claims decodes an access token's payload.
func claims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	var c map[string]any
	if err != nil || json.Unmarshal(b, &c) != nil {
		t.Fatalf("JWT payload %q: %v", parts[1], err)
	}
	return c
}

// enableTOTP turns TOTP on for the fixture's user with a fresh password login, and returns the secret
// and the recovery codes.
func (f *mfaFixture) enableTOTP(t *testing.T) (secret string, recovery []string) {
	t.Helper()
	tok := f.passwordLogin(t).AccessToken
	var e struct {
		Secret     string `json:"secret"`
		OtpauthURI string `json:"otpauth_uri"`
		QRCode     string `json:"qr_code"`
	}
	if code := f.do(t, "POST", "/api/v1/auth/mfa/totp", tok, fmt.Sprintf(`{"password":%q}`, mfaPassword), &e); code != 200 {
		t.Fatalf("enrol: %d", code)
	}
	if !strings.HasPrefix(e.OtpauthURI, "otpauth://totp/") || !strings.HasPrefix(e.QRCode, "data:image/png;base64,") || e.Secret == "" {
		t.Fatalf("enrolment %+v", e)
	}
	if code := f.do(t, "POST", "/api/v1/auth/mfa/totp/verify", tok, `{"code":"000000x"}`, nil); code != 400 {
		t.Fatalf("confirming with a wrong code: %d, want 400", code)
	}
	var rc struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	if code := f.do(t, "POST", "/api/v1/auth/mfa/totp/verify", tok, fmt.Sprintf(`{"code":%q}`, f.code(t, e.Secret, 0)), &rc); code != 200 {
		t.Fatalf("confirm: %d", code)
	}
	if len(rc.RecoveryCodes) != auth.RecoveryCodes {
		t.Fatalf("%d recovery codes, want %d", len(rc.RecoveryCodes), auth.RecoveryCodes)
	}
	f.clock.add(2 * totp.Period) // the confirming code's step is spent; the one before now is not
	return e.Secret, rc.RecoveryCodes
}

// code is the TOTP code of secret steps time steps from the fixture's now.
func (f *mfaFixture) code(t *testing.T, secret string, steps int) string {
	t.Helper()
	c, err := totp.Code(secret, f.clock.Now().Add(time.Duration(steps)*totp.Period))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *mfaFixture) verify(t *testing.T, mfaToken, member, value string) (int, loginAnswer) {
	t.Helper()
	var a loginAnswer
	code := f.do(t, "POST", "/api/v1/auth/mfa/verify", "", fmt.Sprintf(`{"mfa_token":%q,%q:%q}`, mfaToken, member, value), &a)
	return code, a
}

func TestTOTP(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			f := newMFAFixture(t, dialect)
			// Without TOTP a password login answers the tokens, as always, at aal 1.
			before := f.passwordLogin(t)
			if before.MFARequired || before.AccessToken == "" {
				t.Fatalf("login without TOTP: %+v", before)
			}
			if c := claims(t, before.AccessToken); c["aal"] != 1.0 || fmt.Sprint(c["amr"]) != "[pwd]" {
				t.Fatalf("claims without TOTP: aal %v amr %v", c["aal"], c["amr"])
			}
			secret, recovery := f.enableTOTP(t)
			if got := f.SMS.LastText(f.phone); !strings.Contains(got, "Two-factor authentication was turned on") {
				t.Errorf("no notice of TOTP turned on: %q", got)
			}

			first := f.passwordLogin(t)
			if !first.MFARequired || first.MFAToken == "" || first.AccessToken != "" || strings.Join(first.Factors, ",") != "totp" {
				t.Fatalf("login with TOTP: %+v, want mfa_required and no tokens", first)
			}
			// A code two steps ahead is refused; one step behind (clock skew) is taken.
			if code, _ := f.verify(t, first.MFAToken, "code", f.code(t, secret, 2)); code != 400 {
				t.Fatalf("a code two steps ahead: %d, want 400", code)
			}
			behind := f.code(t, secret, -1)
			code, tok := f.verify(t, first.MFAToken, "code", behind)
			if code != 200 || tok.AccessToken == "" {
				t.Fatalf("a code one step behind: %d", code)
			}
			if c := claims(t, tok.AccessToken); c["aal"] != 2.0 || fmt.Sprint(c["amr"]) != "[pwd totp]" {
				t.Fatalf("claims after TOTP: aal %v amr %v", c["aal"], c["amr"])
			}
			var me struct {
				AAL  int      `json:"aal"`
				AMRs []string `json:"amr_values"`
			}
			if f.do(t, "GET", "/api/v1/auth/me", tok.AccessToken, "", &me); me.AAL != 2 || strings.Join(me.AMRs, ",") != "pwd,totp" {
				t.Fatalf("me: %+v", me)
			}
			var sessions struct {
				Sessions []struct {
					Current bool     `json:"current"`
					AMR     string   `json:"amr"`
					AMRs    []string `json:"amr_values"`
					AAL     int      `json:"aal"`
				} `json:"sessions"`
			}
			f.do(t, "GET", "/api/v1/auth/sessions", tok.AccessToken, "", &sessions)
			for _, s := range sessions.Sessions {
				if s.Current && (s.AAL != 2 || s.AMR != "pwd" || strings.Join(s.AMRs, ",") != "pwd,totp") {
					t.Fatalf("current session %+v", s)
				}
			}
			// The token was spent; the same code again, on a new login, is a replay.
			if code, _ := f.verify(t, first.MFAToken, "code", f.code(t, secret, 0)); code != 401 {
				t.Fatalf("a spent mfa_token: %d, want 401", code)
			}
			second := f.passwordLogin(t)
			if code, _ := f.verify(t, second.MFAToken, "code", behind); code != 400 {
				t.Fatalf("a replayed code: %d, want 400", code)
			}
			// A recovery code works once, in any spelling.
			if code, tok := f.verify(t, second.MFAToken, "recovery_code", strings.ToUpper(recovery[0])); code != 200 ||
				fmt.Sprint(claims(t, tok.AccessToken)["amr"]) != "[pwd recovery]" {
				t.Fatalf("a recovery code: %d", code)
			}
			third := f.passwordLogin(t)
			if code, _ := f.verify(t, third.MFAToken, "recovery_code", recovery[0]); code != 400 {
				t.Fatalf("a used recovery code: %d, want 400", code)
			}
			// An mfa_token expires.
			f.clock.add(auth.MFAChallengeTTL)
			if code, _ := f.verify(t, third.MFAToken, "recovery_code", recovery[1]); code != 401 {
				t.Fatalf("an expired mfa_token: %d, want 401", code)
			}
			// Turning TOTP off needs a fresh proof; then logins answer tokens again.
			f.clock.add(time.Hour)
			code, tok = f.verify(t, f.passwordLogin(t).MFAToken, "code", f.code(t, secret, 0))
			if code != 200 {
				t.Fatalf("login: %d", code)
			}
			if code := f.do(t, "DELETE", "/api/v1/auth/mfa/totp", tok.AccessToken, "", nil); code != 401 {
				t.Fatalf("turning off without a proof: %d, want 401", code)
			}
			if code := f.do(t, "DELETE", "/api/v1/auth/mfa/totp", tok.AccessToken, fmt.Sprintf(`{"password":%q}`, mfaPassword), nil); code != 200 {
				t.Fatalf("turning off: %d", code)
			}
			if a := f.passwordLogin(t); a.MFARequired || a.AccessToken == "" {
				t.Fatalf("login after TOTP off: %+v", a)
			}
			if got := strings.Join(f.events(t, "mfa."), ","); got != "mfa.enabled,mfa.disabled" {
				t.Errorf("second-factor events %q, want mfa.enabled,mfa.disabled", got)
			}
		})
	}
}

// TestMFATokenDiesAndLockout: an mfa_token takes 5 codes; every wrong one counts toward the account's
// lockout of second factors, which a right password does not clear and a right code after the lock does.
func TestMFATokenDiesAndLockout(t *testing.T) {
	f := newMFAFixture(t, "sqlite")
	secret, _ := f.enableTOTP(t)
	a := f.passwordLogin(t)
	for i := range auth.MFAMaxAttempts {
		want := 400
		if i == auth.MFAMaxAttempts-1 {
			want = 429
		}
		if code, _ := f.verify(t, a.MFAToken, "code", "000000"); code != want {
			t.Fatalf("wrong code %d: %d, want %d", i+1, code, want)
		}
	}
	if code, _ := f.verify(t, a.MFAToken, "code", f.code(t, secret, 0)); code != 401 {
		t.Fatalf("the right code after 5 wrong ones: %d, want 401 (the token is dead)", code)
	}
	// 5 wrong codes so far; 5 more on a new challenge reach the threshold of 10.
	b := f.passwordLogin(t)
	for range 4 {
		f.verify(t, b.MFAToken, "code", "000000")
	}
	c := f.passwordLogin(t)
	f.verify(t, c.MFAToken, "code", "000000")
	d := f.passwordLogin(t)
	if code, _ := f.verify(t, d.MFAToken, "code", f.code(t, secret, 0)); code != 429 {
		t.Fatalf("a right code while locked out: %d, want 429", code)
	}
	f.clock.add(2 * time.Minute)
	if code, tok := f.verify(t, d.MFAToken, "code", f.code(t, secret, 0)); code != 200 || tok.AccessToken == "" {
		t.Fatalf("a right code after the lock: %d", code)
	}
	// The success cleared the count: one wrong code is one, not a lock.
	e := f.passwordLogin(t)
	if code, _ := f.verify(t, e.MFAToken, "code", "000000"); code != 400 {
		t.Fatalf("a wrong code after a success: %d, want 400", code)
	}
}

// TestSecondFactorRequiredForAdmins: with PHONEAUTH_MFA_REQUIRED_ROLES=admin an admin's aal 1 session
// gets 403 from the admin API; aal 2 gets through.
func TestSecondFactorRequiredForAdmins(t *testing.T) {
	f := newMFAFixture(t, "sqlite", auth.RoleAdmin)
	one := f.passwordLogin(t).AccessToken
	var body struct {
		Detail string `json:"detail"`
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/v1/admin/users", nil)
	req.Header.Set("Authorization", "Bearer "+one)
	f.Handler.ServeHTTP(rec, req)
	if rec.Code != 403 || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.Detail != "second factor required" {
		t.Fatalf("admin at aal 1: %d %s, want 403 second factor required", rec.Code, rec.Body)
	}
	// The admin's own account still works at aal 1: enrolling a second factor is how to get past.
	secret, _ := f.enableTOTP(t)
	a := f.passwordLogin(t)
	_, two := f.verify(t, a.MFAToken, "code", f.code(t, secret, 0))
	if code := f.do(t, "GET", "/api/v1/admin/users", two.AccessToken, "", nil); code != 200 {
		t.Fatalf("admin at aal 2: %d, want 200", code)
	}
	// An admin turns a user's TOTP off (here the admin's own, the one user there is).
	if code := f.do(t, "DELETE", "/api/v1/admin/users/"+f.userID+"/mfa/totp", two.AccessToken, "", nil); code != 204 {
		t.Fatalf("admin turns TOTP off: %d, want 204", code)
	}
	if code := f.do(t, "DELETE", "/api/v1/admin/users/"+f.userID+"/mfa/totp", two.AccessToken, "", nil); code != 404 {
		t.Fatalf("again: %d, want 404", code)
	}
}
