package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/passkey/passkeytest"
	"github.com/phoneauth/phoneauth/server/servertest"
	"github.com/phoneauth/phoneauth/store/storetest"
)

const origin = "http://localhost:8000"

// options asks for a ceremony's options and returns their JSON.
func (f *mfaFixture) options(t *testing.T, path, bearer, body string) []byte {
	t.Helper()
	var raw json.RawMessage
	if code := f.do(t, "POST", path, bearer, body, &raw); code != 200 {
		t.Fatalf("%s: %d", path, code)
	}
	return raw
}

// registerPasskey registers a new passkey of a for the bearer's user and returns its id.
func (f *mfaFixture) registerPasskey(t *testing.T, bearer string, a *passkeytest.Authenticator) string {
	t.Helper()
	opts := f.options(t, "/api/v1/auth/passkeys/register/options", bearer, fmt.Sprintf(`{"password":%q}`, mfaPassword))
	cred, err := a.Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	var pk struct {
		ID         string   `json:"id"`
		Name       string   `json:"name"`
		Transports []string `json:"transports"`
	}
	if code := f.do(t, "POST", "/api/v1/auth/passkeys/register", bearer, `{"name":"Laptop","credential":`+string(cred)+`}`, &pk); code != 201 {
		t.Fatalf("register: %d", code)
	}
	if pk.Name != "Laptop" || strings.Join(pk.Transports, ",") != "internal" {
		t.Fatalf("registered %+v", pk)
	}
	return pk.ID
}

// passkeyLogin runs a login with a and returns the status and the answer.
func (f *mfaFixture) passkeyLogin(t *testing.T, a *passkeytest.Authenticator) (int, loginAnswer, []byte) {
	t.Helper()
	resp, err := a.Get(f.options(t, "/api/v1/auth/passkeys/login/options", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	var ans loginAnswer
	return f.do(t, "POST", "/api/v1/auth/passkeys/login", "", `{"credential":`+string(resp)+`}`, &ans), ans, resp
}

func (f *mfaFixture) auditCount(t *testing.T, typ string) int {
	t.Helper()
	events, err := f.DB.Audit().List(context.Background(), auth.AuditFilter{Type: typ, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(events)
}

func TestPasskeys(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			f := newMFAFixture(t, dialect)
			tok := f.passwordLogin(t).AccessToken
			a := passkeytest.New("localhost", origin)
			id := f.registerPasskey(t, tok, a)
			if got := f.SMS.LastText(f.phone); !strings.Contains(got, "A passkey was added") {
				t.Errorf("no notice of the new passkey: %q", got)
			}
			if code := f.do(t, "POST", "/api/v1/auth/logout", tok, "", nil); code != 204 {
				t.Fatalf("logout: %d", code)
			}

			code, ans, resp := f.passkeyLogin(t, a)
			if code != 200 || ans.AccessToken == "" {
				t.Fatalf("passkey login: %d", code)
			}
			if c := claims(t, ans.AccessToken); fmt.Sprint(c["amr"]) != "[webauthn]" || c["aal"] != 2.0 {
				t.Fatalf("a passkey that verified the user: amr %v aal %v, want [webauthn] 2", c["amr"], c["aal"])
			}
			if code := f.do(t, "POST", "/api/v1/auth/passkeys/login", "", `{"credential":`+string(resp)+`}`, nil); code != 401 {
				t.Fatalf("a replayed assertion: %d, want 401", code)
			}

			// Without user verification a passkey is one factor.
			a.UV = false
			if code, ans, _ := f.passkeyLogin(t, a); code != 200 || claims(t, ans.AccessToken)["aal"] != 1.0 {
				t.Fatalf("a passkey without UV: %d", code)
			}
			a.UV = true

			// A counter that goes back is refused, and audited as a possible clone.
			a.Counter = 0
			if code, _, _ := f.passkeyLogin(t, a); code != 401 {
				t.Fatalf("a counter that went back: %d, want 401", code)
			}
			if n := f.auditCount(t, auth.EventPasskeyCloneSuspected); n != 1 {
				t.Fatalf("%d clone events, want 1", n)
			}
			a.Counter = 100

			for _, tc := range []struct{ name, origin, rpID string }{
				{"wrong origin", "http://localhost:9999", "localhost"},
				{"wrong RP ID", origin, "example.com"},
			} {
				wrong := *a
				wrong.Origin, wrong.RPID = tc.origin, tc.rpID
				if code, _, _ := f.passkeyLogin(t, &wrong); code != 401 {
					t.Errorf("%s: %d, want 401", tc.name, code)
				}
			}

			// An expired challenge.
			opts := f.options(t, "/api/v1/auth/passkeys/login/options", "", "")
			f.clock.add(auth.WebAuthnChallengeTTL)
			late, _ := a.Get(opts)
			if code := f.do(t, "POST", "/api/v1/auth/passkeys/login", "", `{"credential":`+string(late)+`}`, nil); code != 401 {
				t.Fatalf("an expired challenge: %d, want 401", code)
			}
			// A registration challenge does not log in.
			tok = f.passwordLogin(t).AccessToken
			regOpts := f.options(t, "/api/v1/auth/passkeys/register/options", tok, fmt.Sprintf(`{"password":%q}`, mfaPassword))
			var ro struct {
				PublicKey struct {
					Challenge string `json:"challenge"`
				} `json:"publicKey"`
			}
			_ = json.Unmarshal(regOpts, &ro)
			wrongPurpose, _ := a.GetResponse(a.ClientData("webauthn.get", ro.PublicKey.Challenge))
			if code := f.do(t, "POST", "/api/v1/auth/passkeys/login", "", `{"credential":`+string(wrongPurpose)+`}`, nil); code != 401 {
				t.Fatalf("a registration's challenge at login: %d, want 401", code)
			}

			// The list shows it, without keys; renaming is audited.
			var list struct {
				Passkeys []map[string]any `json:"passkeys"`
			}
			f.do(t, "GET", "/api/v1/auth/passkeys", tok, "", &list)
			if len(list.Passkeys) != 1 || list.Passkeys[0]["last_used_at"] == nil || list.Passkeys[0]["public_key"] != nil {
				t.Fatalf("list %v", list.Passkeys)
			}
			if code := f.do(t, "PATCH", "/api/v1/auth/passkeys/"+id, tok, `{"name":"Phone"}`, nil); code != 200 {
				t.Fatalf("rename: %d", code)
			}
			var x struct {
				Passkeys []map[string]any `json:"passkeys"`
			}
			if code := f.do(t, "POST", "/api/v1/auth/me/export", tok, fmt.Sprintf(`{"password":%q}`, mfaPassword), &x); code != 200 ||
				len(x.Passkeys) != 1 || x.Passkeys[0]["name"] != "Phone" {
				t.Fatalf("export: %d %v", code, x.Passkeys)
			}

			// A deactivated user's passkey logs nobody in.
			uid := uuid.MustParse(f.userID)
			if err := f.DB.Users().SetActive(context.Background(), uid, false, f.clock.Now()); err != nil {
				t.Fatal(err)
			}
			if code, _, _ := f.passkeyLogin(t, a); code != 401 {
				t.Fatalf("a deactivated user: %d, want 401", code)
			}
			if err := f.DB.Users().SetActive(context.Background(), uid, true, f.clock.Now()); err != nil {
				t.Fatal(err)
			}
			tok = f.passwordLogin(t).AccessToken

			// A deleted passkey logs nobody in.
			if code := f.do(t, "DELETE", "/api/v1/auth/passkeys/"+id, tok, "", nil); code != 204 {
				t.Fatalf("delete: %d", code)
			}
			if code, _, _ := f.passkeyLogin(t, a); code != 401 {
				t.Fatalf("a deleted passkey: %d, want 401", code)
			}
			if code := f.do(t, "DELETE", "/api/v1/auth/passkeys/"+id, tok, "", nil); code != 404 {
				t.Fatalf("deleting it again: %d, want 404", code)
			}
			if got := strings.Join(f.events(t, "passkey."), ","); got != "passkey.added,passkey.deleted" {
				t.Errorf("passkey events %q, want passkey.added,passkey.deleted (one each: the refused delete wrote none)", got)
			}
		})
	}
}

// TestPasskeyWithoutUVAsksForTOTP: a passkey that did not verify the user is one factor; a user with
// TOTP gets mfa_required, and the login ends at aal 2 with amr webauthn, totp.
func TestPasskeyWithoutUVAsksForTOTP(t *testing.T) {
	f := newMFAFixture(t, "sqlite")
	a := passkeytest.New("localhost", origin)
	f.registerPasskey(t, f.passwordLogin(t).AccessToken, a)
	secret, _ := f.enableTOTP(t)
	a.UV = false
	code, ans, _ := f.passkeyLogin(t, a)
	if code != 200 || !ans.MFARequired || ans.AccessToken != "" {
		t.Fatalf("a passkey without UV for a TOTP user: %d %+v, want mfa_required", code, ans)
	}
	code, tok := f.verify(t, ans.MFAToken, "code", f.code(t, secret, 0))
	if c := claims(t, tok.AccessToken); code != 200 || fmt.Sprint(c["amr"]) != "[webauthn totp]" || c["aal"] != 2.0 {
		t.Fatalf("second factor: %d %v", code, c)
	}
	a.UV = true
	if code, ans, _ := f.passkeyLogin(t, a); code != 200 || ans.MFARequired {
		t.Fatalf("a passkey with UV for a TOTP user: %d %+v, want tokens", code, ans)
	}
}

// TestPasskeyRegistrationIsBound: a registration challenge is the caller's session's, used once.
func TestPasskeyRegistrationIsBound(t *testing.T) {
	f := newMFAFixture(t, "sqlite")
	one, two := f.passwordLogin(t).AccessToken, f.passwordLogin(t).AccessToken
	if code := f.do(t, "POST", "/api/v1/auth/passkeys/register/options", one, "", nil); code != 401 {
		t.Fatalf("options without a proof: %d, want 401", code)
	}
	a := passkeytest.New("localhost", origin)
	cred, err := a.Create(f.options(t, "/api/v1/auth/passkeys/register/options", one, fmt.Sprintf(`{"password":%q}`, mfaPassword)))
	if err != nil {
		t.Fatal(err)
	}
	body := `{"credential":` + string(cred) + `}`
	if code := f.do(t, "POST", "/api/v1/auth/passkeys/register", two, body, nil); code != 400 {
		t.Fatalf("another session's challenge: %d, want 400", code)
	}
	if code := f.do(t, "POST", "/api/v1/auth/passkeys/register", one, body, nil); code != 400 {
		t.Fatalf("a challenge taken already: %d, want 400", code)
	}
}

// TestPasskeysOff: without a relying party every passkey endpoint answers 404, saying why.
func TestPasskeysOff(t *testing.T) {
	f := &mfaFixture{Server: servertest.New(t, servertest.Options{})}
	rec := httptest.NewRecorder()
	f.Handler.ServeHTTP(rec, httptest.NewRequest("POST", "/api/v1/auth/passkeys/login/options", nil))
	if rec.Code != 404 || !strings.Contains(rec.Body.String(), "PHONEAUTH_WEBAUTHN_RP_ID") {
		t.Fatalf("login options with passkeys off: %d %s, want 404 naming the variables", rec.Code, rec.Body)
	}
}

// TestBadPasskeyInputs: every malformed answer is a 4xx, never a 5xx, on every database.
func TestBadPasskeyInputs(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			f := newMFAFixture(t, dialect)
			tok := f.passwordLogin(t).AccessToken
			a := passkeytest.New("localhost", origin)
			f.registerPasskey(t, tok, a)
			regOpts := f.options(t, "/api/v1/auth/passkeys/register/options", tok, fmt.Sprintf(`{"password":%q}`, mfaPassword))
			var ro struct {
				PublicKey struct {
					Challenge string `json:"challenge"`
				} `json:"publicKey"`
			}
			_ = json.Unmarshal(regOpts, &ro)
			loginOpts := f.options(t, "/api/v1/auth/passkeys/login/options", "", "")
			good, _ := a.Get(loginOpts)
			with := func(edit func(m map[string]any)) string {
				var m map[string]any
				_ = json.Unmarshal(good, &m)
				edit(m)
				b, _ := json.Marshal(m)
				return string(b)
			}
			resp := func(m map[string]any) map[string]any { return m["response"].(map[string]any) }
			other := passkeytest.New("localhost", origin)
			_, _ = other.Create(regOpts) // a passkey the server never registered
			unknown, _ := other.Get(f.options(t, "/api/v1/auth/passkeys/login/options", "", ""))
			for _, tc := range []struct{ name, path, bearer, credential string }{
				{"login: not an object", "/api/v1/auth/passkeys/login", "", `"x"`},
				{"login: empty object", "/api/v1/auth/passkeys/login", "", `{}`},
				{"login: bad base64url", "/api/v1/auth/passkeys/login", "", with(func(m map[string]any) { resp(m)["signature"] = "***" })},
				{"login: id is not rawId", "/api/v1/auth/passkeys/login", "", with(func(m map[string]any) { m["id"] = "AAAA" })},
				{"login: signature not DER", "/api/v1/auth/passkeys/login", "", with(func(m map[string]any) { resp(m)["signature"] = "AAAA" })},
				{"login: authenticatorData short", "/api/v1/auth/passkeys/login", "", with(func(m map[string]any) { resp(m)["authenticatorData"] = "AAAA" })},
				{"login: clientDataJSON not JSON", "/api/v1/auth/passkeys/login", "", with(func(m map[string]any) { resp(m)["clientDataJSON"] = "AAAA" })},
				{"login: huge clientDataJSON", "/api/v1/auth/passkeys/login", "", with(func(m map[string]any) { resp(m)["clientDataJSON"] = strings.Repeat("A", 100_000) })},
				{"login: no user handle", "/api/v1/auth/passkeys/login", "", with(func(m map[string]any) { delete(resp(m), "userHandle") })},
				{"login: unknown credential", "/api/v1/auth/passkeys/login", "", string(unknown)},
				{"register: an assertion", "/api/v1/auth/passkeys/register", tok, string(good)},
				{"register: bad attestationObject", "/api/v1/auth/passkeys/register", tok, with(func(m map[string]any) {
					r := resp(m)
					r["attestationObject"] = "oWNmbXRkbm9uZQ"
					r["clientDataJSON"] = b64(a.ClientData("webauthn.create", ro.PublicKey.Challenge))
				})},
				{"register: huge attestationObject", "/api/v1/auth/passkeys/register", tok, with(func(m map[string]any) {
					resp(m)["attestationObject"] = strings.Repeat("A", 40_000)
				})},
			} {
				code := f.do(t, "POST", tc.path, tc.bearer, `{"credential":`+tc.credential+`}`, nil)
				if code < 400 || code >= 500 {
					t.Errorf("%s: %d, want a 4xx", tc.name, code)
				}
			}
		})
	}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
