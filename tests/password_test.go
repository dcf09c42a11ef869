package tests

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

const (
	adminPhone = "+14155550100"
	userPhone  = "+14155550101"
	adminPW    = "admin passphrase 1"
	userPW     = "user passphrase 1"
)

// login returns an access token, failing the test on anything but 200.
func (s *server) login(phone, pw string) string {
	s.t.Helper()
	r := s.do("POST", "/api/v1/auth/login", map[string]string{"phone": phone, "password": pw})
	if r.Status != 200 {
		s.t.Fatalf("login %s: %d %s", phone, r.Status, r.Body)
	}
	m := r.JSON(s.t)
	if m["token_type"] != "bearer" || m["expires_in"] != float64(900) {
		s.t.Fatalf("login answer %v", m)
	}
	return m["access_token"].(string)
}

func wantStatus(t *testing.T, r *response, status int, detail string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if detail != "" {
		var m struct {
			Detail any `json:"detail"`
		}
		_ = json.Unmarshal(r.Body, &m)
		if m.Detail != detail {
			t.Fatalf("detail %q, want %q", m.Detail, detail)
		}
	}
	if status == 401 && r.Header.Get("WWW-Authenticate") != "Bearer" {
		t.Fatalf("401 without WWW-Authenticate: Bearer")
	}
}

func TestLoginAndMe(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *server) {
		id := s.createUser("+1 415-555-0100", "Ada Admin", adminPW, "--role", "admin", "--email", "Ada@Example.com", "--consent")
		// One user, whatever the format of the number.
		for _, p := range []string{"+14155550100", "+1 415-555-0100", "0014155550100", "+1 (415) 555.0100"} {
			s.login(p, adminPW)
		}
		tok := s.login(adminPhone, adminPW)
		r := s.do("GET", "/api/v1/auth/me", nil, bearer(tok)...)
		wantStatus(t, r, 200, "")
		me := r.JSON(t)
		want := map[string]any{"id": id, "phone": adminPhone, "name": "Ada Admin", "email": "Ada@Example.com",
			"is_active": true, "has_given_consent": true, "gender": nil, "place": nil, "date_of_birth": nil}
		for k, v := range want {
			if me[k] != v {
				t.Errorf("me[%s] = %v, want %v", k, me[k], v)
			}
		}
		if me["last_login_at"] == nil || me["consent_given_at"] == nil || me["created_at"] == nil {
			t.Errorf("timestamps missing: %v", me)
		}
		if roles := fmt.Sprint(me["roles"]); roles != "[user admin]" {
			t.Errorf("roles = %s", roles)
		}
		for _, k := range []string{"password_hash", "PasswordHash", "password"} {
			if _, leaked := me[k]; leaked {
				t.Errorf("me exposes %s", k)
			}
		}
		// The token is an EdDSA JWT with the documented claims and a kid found in the JWKS.
		hdr, claims := decodeJWT(t, tok)
		if hdr["alg"] != "EdDSA" || hdr["kid"] == nil {
			t.Fatalf("header %v", hdr)
		}
		for _, c := range []string{"iss", "sub", "iat", "exp", "jti", "sid", "roles"} {
			if claims[c] == nil {
				t.Errorf("claim %s missing: %v", c, claims)
			}
		}
		if claims["sub"] != id || claims["exp"].(float64)-claims["iat"].(float64) != 900 {
			t.Errorf("claims %v", claims)
		}
		jwks := s.do("GET", "/.well-known/jwks.json", nil)
		wantStatus(t, jwks, 200, "")
		if !strings.Contains(string(jwks.Body), fmt.Sprint(hdr["kid"])) || strings.Contains(string(jwks.Body), `"d"`) {
			t.Fatalf("JWKS %s", jwks.Body)
		}
	})
}

func TestLoginFailuresLookAlike(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *server) {
		s.createUser(userPhone, "Uma User", userPW)
		s.createUser("+14155550102", "Ina Inactive", userPW)
		s.exec("UPDATE users SET is_active = ? WHERE phone = ?", false, "+14155550102")
		for _, tc := range []struct{ name, phone, pw string }{
			{"unknown phone", "+14155550199", userPW},
			{"wrong password", userPhone, userPW + "x"},
			{"inactive", "+14155550102", userPW},
			{"empty password", userPhone, ""},
		} {
			r := s.do("POST", "/api/v1/auth/login", map[string]string{"phone": tc.phone, "password": tc.pw})
			if r.Status != 401 || string(r.Body) != `{"detail":"Incorrect phone number or password"}`+"\n" {
				t.Errorf("%s: %d %s", tc.name, r.Status, r.Body)
			}
		}
	})
}

func TestTokenRejected(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *server) {
		uid := s.createUser(userPhone, "Uma User", userPW)
		tok := s.login(userPhone, userPW)
		key, kid := s.signingKey()
		_, claims := decodeJWT(t, tok)
		now := time.Now()

		sign := func(mod func(jwt.Token), k any, alg jwa.SignatureAlgorithm, kid string) string {
			t.Helper()
			tk := jwt.New()
			for name, v := range claims {
				_ = tk.Set(name, v)
			}
			mod(tk)
			h := jws.NewHeaders()
			_ = h.Set(jws.KeyIDKey, kid)
			b, err := jwt.Sign(tk, jwt.WithKey(alg, k, jws.WithProtectedHeaders(h)))
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		same := func(jwt.Token) {}
		_, otherKey, _ := ed25519.GenerateKey(nil)
		parts := strings.Split(tok, ".")
		noneHdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"` + kid + `"}`))
		tamperedClaims := map[string]any{}
		for k, v := range claims {
			tamperedClaims[k] = v
		}
		tamperedClaims["roles"] = []string{"user", "admin"}
		tc, _ := json.Marshal(tamperedClaims)

		forged := map[string]string{
			"resigned with the real key (control)": sign(same, key, jwa.EdDSA, kid),
			"alg none":                             noneHdr + "." + parts[1] + ".",
			"wrong key":                            sign(same, otherKey, jwa.EdDSA, kid),
			"HS256 keyed with public key":          sign(same, []byte(key.Public().(ed25519.PublicKey)), jwa.HS256, kid),
			"expired": sign(func(tk jwt.Token) {
				_ = tk.Set("iat", now.Add(-time.Hour))
				_ = tk.Set("exp", now.Add(-30*time.Minute))
			}, key, jwa.EdDSA, kid),
			"no exp":       sign(func(tk jwt.Token) { _ = tk.Remove("exp") }, key, jwa.EdDSA, kid),
			"no sub":       sign(func(tk jwt.Token) { _ = tk.Remove("sub") }, key, jwa.EdDSA, kid),
			"other issuer": sign(func(tk jwt.Token) { _ = tk.Set("iss", "evil") }, key, jwa.EdDSA, kid),
			"other user's sub": sign(func(tk jwt.Token) {
				_ = tk.Set("sub", "01a2126a-0000-7000-8000-000000000000")
			}, key, jwa.EdDSA, kid),
			"tampered payload": parts[0] + "." + base64.RawURLEncoding.EncodeToString(tc) + "." + parts[2],
			"garbage":          "abc.def.ghi",
		}
		for name, f := range forged {
			r := s.do("GET", "/api/v1/auth/me", nil, bearer(f)...)
			if name == "resigned with the real key (control)" {
				wantStatus(t, r, 200, "")
				continue
			}
			if r.Status != 401 || !strings.Contains(string(r.Body), "Could not validate credentials") {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
		for _, h := range []string{"", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token " + tok} {
			r := s.do("GET", "/api/v1/auth/me", nil, "Authorization", h)
			wantStatus(t, r, 401, "Not authenticated")
		}
		// Deactivating the user kills its token at once.
		s.exec("UPDATE users SET is_active = ? WHERE id = ?", false, uid)
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(tok)...), 401, "Could not validate credentials")
	})
}

// signingKey reads the server's signing key from its database, to forge tokens as an attacker who
// stole it would (and to show the server checks more than the signature).
func (s *server) signingKey() (ed25519.PrivateKey, string) {
	s.t.Helper()
	var kid, pemText string
	s.queryRow("SELECT id, private_key FROM signing_keys ORDER BY created_at DESC LIMIT 1", nil, &kid, &pemText)
	block, _ := pem.Decode([]byte(pemText))
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		s.t.Fatal(err)
	}
	return k.(ed25519.PrivateKey), kid
}

func decodeJWT(t *testing.T, tok string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", tok)
	}
	header, claims = map[string]any{}, map[string]any{}
	for i, m := range []map[string]any{header, claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil || json.Unmarshal(b, &m) != nil {
			t.Fatalf("segment %d of %q", i, tok)
		}
	}
	return header, claims
}

func TestChangePassword(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *server) {
		s.createUser(userPhone, "Uma User", userPW)
		tok := s.login(userPhone, userPW)
		other := s.login(userPhone, userPW) // a second session
		cp := func(cur, next string) *response {
			return s.do("POST", "/api/v1/auth/change-password", map[string]string{"current_password": cur, "new_password": next}, bearer(tok)...)
		}
		wantStatus(t, cp("wrong current", "a brand new passphrase"), 400, "Incorrect current password")
		wantStatus(t, cp(userPW, userPW), 400, "New password must be different from the current password")
		r := cp(userPW, "password123")
		wantStatus(t, r, 422, "")
		assertLocs(t, r, "body.new_password")
		if !strings.Contains(string(r.Body), "too common") {
			t.Errorf("no reason given: %s", r.Body)
		}
		wantStatus(t, cp(userPW, "14155550101"), 422, "") // the phone number itself
		wantStatus(t, cp(userPW, "a brand new passphrase"), 200, "")
		// Every other session is over; the one that changed the password goes on.
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(other)...), 401, "Could not validate credentials")
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(tok)...), 200, "")
		r = s.do("POST", "/api/v1/auth/login", map[string]string{"phone": userPhone, "password": userPW})
		wantStatus(t, r, 401, "")
		fresh := s.login(userPhone, "a brand new passphrase")
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(fresh)...), 200, "")
		wantStatus(t, s.do("POST", "/api/v1/auth/change-password", map[string]string{"current_password": "x", "new_password": "yyyyyyyyyy"}), 401, "Not authenticated")
	})
}

func TestResetPasswordAdminOnly(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *server) {
		s.createUser(adminPhone, "Ada Admin", adminPW, "--role", "admin")
		s.createUser(userPhone, "Uma User", userPW)
		admin := s.login(adminPhone, adminPW)
		user := s.login(userPhone, userPW)
		reset := func(tok, phone, pw string) *response {
			return s.do("POST", "/api/v1/auth/reset-password", map[string]string{"phone": phone, "new_password": pw}, bearer(tok)...)
		}
		wantStatus(t, reset(user, adminPhone, "taken over passphrase"), 403, "Not enough permissions")
		wantStatus(t, reset(admin, "+14155550177", "some new passphrase"), 404, "User not found")
		r := reset(admin, "not a phone", "short")
		wantStatus(t, r, 422, "")
		assertLocs(t, r, "body.new_password", "body.phone")
		r = reset(admin, "not a phone", "a long enough passphrase")
		wantStatus(t, r, 422, "")
		assertLocs(t, r, "body.phone")
		wantStatus(t, s.do("POST", "/api/v1/auth/reset-password", map[string]string{"phone": userPhone, "new_password": "x"}), 401, "Not authenticated")

		wantStatus(t, reset(admin, "0014155550101", "reset by the admin"), 200, "")
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(user)...), 401, "Could not validate credentials")
		s.login(userPhone, "reset by the admin")
		// The admin's own session is untouched.
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(admin)...), 200, "")
	})
}

func TestConcurrentCreateSamePhone(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *server) {
		const n = 6
		var wg sync.WaitGroup
		codes := make(chan int, n)
		for i := range n {
			wg.Go(func() {
				_, _, code := s.cli(userPW+"\n", "users", "create", "--phone", "+1 415 555 0101", "--name", fmt.Sprint("U", i), "--password-stdin")
				codes <- code
			})
		}
		wg.Wait()
		close(codes)
		ok := 0
		for c := range codes {
			if c == 0 {
				ok++
			} else if c != 1 {
				t.Errorf("exit code %d", c)
			}
		}
		if ok != 1 {
			t.Fatalf("%d users created, want exactly 1", ok)
		}
		var count int
		s.queryRow("SELECT count(*) FROM users WHERE phone = ?", []any{userPhone}, &count)
		if count != 1 {
			t.Fatalf("%d rows for the phone", count)
		}
	})
}
