package tests

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// loginPair logs in by password and returns the access and refresh tokens.
func (s *server) loginPair(phone, pw string) (access, refresh string) {
	s.t.Helper()
	r := s.do("POST", "/api/v1/auth/login", map[string]string{"phone": phone, "password": pw}, "User-Agent", "phoneauth-test/1")
	wantStatus(s.t, r, 200, "")
	m := r.JSON(s.t)
	refresh, _ = m["refresh_token"].(string)
	if len(refresh) < 43 {
		s.t.Fatalf("refresh_token %q", refresh)
	}
	return m["access_token"].(string), refresh
}

func (s *server) refresh(tok string) *response {
	return s.do("POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": tok})
}

func TestRefreshAndReuse(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		// No grace period: any second use of a refresh token is reuse.
		s := start(t, dialect, "PHONEAUTH_REFRESH_REUSE_INTERVAL=0")
		s.createUser(userPhone, "Uma User", userPW)
		access, refresh := s.loginPair(userPhone, userPW)
		r := s.refresh(refresh)
		wantStatus(t, r, 200, "")
		m := r.JSON(t)
		access2, refresh2 := m["access_token"].(string), m["refresh_token"].(string)
		if refresh2 == refresh || m["token_type"] != "bearer" || m["expires_in"] != float64(900) {
			t.Fatalf("refresh answer %v", m)
		}
		_, c1 := decodeJWT(t, access)
		_, c2 := decodeJWT(t, access2)
		if c1["sid"] != c2["sid"] || c1["jti"] == c2["jti"] {
			t.Fatalf("claims before %v after %v", c1, c2)
		}
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(access2)...), 200, "")
		// The spent token again: reuse, the whole session ends at once.
		wantStatus(t, s.refresh(refresh), 401, "Invalid or expired refresh token")
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(access2)...), 401, "Could not validate credentials")
		wantStatus(t, s.refresh(refresh2), 401, "")
		for _, junk := range []string{"x", strings.Repeat("A", 43), strings.Repeat("x", 600)} {
			r := s.refresh(junk)
			if r.Status != 401 && r.Status != 422 {
				t.Fatalf("junk refresh token: %d", r.Status)
			}
		}
		assertLocs(t, s.do("POST", "/api/v1/auth/refresh", `{}`), "body.refresh_token")
	})
}

func TestConcurrentRefreshWithinGrace(t *testing.T) {
	s := start(t, "sqlite") // default grace 10s
	s.createUser(userPhone, "Uma User", userPW)
	_, refresh := s.loginPair(userPhone, userPW)
	var wg sync.WaitGroup
	tokens := make(chan string, 4)
	for range 4 {
		wg.Go(func() {
			r := s.refresh(refresh)
			if r.Status != 200 {
				t.Errorf("concurrent refresh: %d %s", r.Status, r.Body)
				return
			}
			tokens <- r.JSON(t)["refresh_token"].(string)
		})
	}
	wg.Wait()
	close(tokens)
	// Whichever answer the client keeps, its session is alive and refreshes.
	for tok := range tokens {
		wantStatus(t, s.refresh(tok), 200, "")
	}
}

func TestLogoutAndSessions(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		s := start(t, dialect)
		s.createUser(userPhone, "Uma User", userPW)
		s.createUser(adminPhone, "Ada Admin", adminPW)
		a, _ := s.loginPair(userPhone, userPW)
		b, bRefresh := s.loginPair(userPhone, userPW)
		c, _ := s.loginPair(userPhone, userPW)
		theirs, _ := s.loginPair(adminPhone, adminPW)

		r := s.do("GET", "/api/v1/auth/sessions", nil, bearer(a)...)
		wantStatus(t, r, 200, "")
		var list struct {
			Sessions []struct {
				ID        string `json:"id"`
				Current   bool   `json:"current"`
				AMR       string `json:"amr"`
				UserAgent string `json:"user_agent"`
				IP        string `json:"ip"`
			} `json:"sessions"`
		}
		decode(t, r, &list)
		if len(list.Sessions) != 3 {
			t.Fatalf("%d sessions listed, want 3", len(list.Sessions))
		}
		current := 0
		for _, se := range list.Sessions {
			if se.Current {
				current++
			}
			if se.AMR != "pwd" || se.UserAgent != "phoneauth-test/1" || se.IP != "127.0.0.1" {
				t.Fatalf("session %+v", se)
			}
		}
		if current != 1 {
			t.Fatalf("%d sessions marked current", current)
		}
		_, bClaims := decodeJWT(t, b)
		_, theirClaims := decodeJWT(t, theirs)
		// Another user's session is a 404, and stays alive.
		wantStatus(t, s.do("DELETE", "/api/v1/auth/sessions/"+theirClaims["sid"].(string), nil, bearer(a)...), 404, "Session not found")
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(theirs)...), 200, "")
		assertLocs(t, s.do("DELETE", "/api/v1/auth/sessions/not-a-uuid", nil, bearer(a)...), "path.session_id")
		// Ending one of mine kills its tokens at once.
		wantStatus(t, s.do("DELETE", "/api/v1/auth/sessions/"+bClaims["sid"].(string), nil, bearer(a)...), 204, "")
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(b)...), 401, "")
		wantStatus(t, s.refresh(bRefresh), 401, "")

		// Logout: bad scope, others, local (no body), global.
		assertLocs(t, s.do("POST", "/api/v1/auth/logout", map[string]string{"scope": "everyone"}, bearer(a)...), "body.scope")
		wantStatus(t, s.do("POST", "/api/v1/auth/logout", map[string]string{"scope": "others"}, bearer(a)...), 204, "")
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(c)...), 401, "")
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(a)...), 200, "")
		wantStatus(t, s.do("POST", "/api/v1/auth/logout", nil, bearer(a)...), 204, "")
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(a)...), 401, "")
		d, _ := s.loginPair(userPhone, userPW)
		e, _ := s.loginPair(userPhone, userPW)
		wantStatus(t, s.do("POST", "/api/v1/auth/logout", map[string]string{"scope": "global"}, bearer(d)...), 204, "")
		for _, tok := range []string{d, e} {
			wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(tok)...), 401, "")
		}
		wantStatus(t, s.do("POST", "/api/v1/auth/logout", nil), 401, "Not authenticated")
		wantStatus(t, s.do("GET", "/api/v1/auth/sessions", nil), 401, "Not authenticated")
	})
}

func TestOTPLoginSessionAndReset(t *testing.T) {
	sk := newWebhookSink(t, "")
	s := start(t, "sqlite", sk.env()...)
	s.createUser(userPhone, "Uma User", userPW)
	pwAccess, pwRefresh := s.loginPair(userPhone, userPW)
	s.sendCode("/api/v1/auth/login/send-otp", userPhone)
	r := s.do("POST", "/api/v1/auth/login/verify-otp", map[string]string{"phone_number": userPhone, "otp_code": sk.last(userPhone).Code()})
	wantStatus(t, r, 200, "")
	m := r.JSON(t)
	otpAccess, otpRefresh := m["access_token"].(string), m["refresh_token"].(string)
	if _, c := decodeJWT(t, otpAccess); fmt.Sprint(c["amr"]) != "[otp]" {
		t.Fatalf("amr of a code login: %v", c["amr"])
	}
	// A forgot-password reset ends every session, refresh tokens included.
	s.sendCode("/api/v1/auth/forgot-password/init", userPhone)
	wantStatus(t, s.do("POST", "/api/v1/auth/forgot-password/confirm", map[string]string{"phone_number": userPhone,
		"otp_code": sk.last(userPhone).Code(), "new_password": "after the reset", "confirm_password": "after the reset"}), 200, "")
	for _, tok := range []string{pwAccess, otpAccess} {
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(tok)...), 401, "")
	}
	for _, tok := range []string{pwRefresh, otpRefresh} {
		wantStatus(t, s.refresh(tok), 401, "")
	}
}

func TestKeyRotationAcrossInstances(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		a := start(t, dialect)
		a.createUser(userPhone, "Uma User", userPW)
		before := a.login(userPhone, userPW)
		hdr, _ := decodeJWT(t, before)
		oldKid := hdr["kid"].(string)

		out, errOut, code := a.cli("", "keys", "rotate")
		newKid := strings.TrimSpace(out)
		if code != 0 || newKid == "" || newKid == oldKid {
			t.Fatalf("keys rotate: %d %q %s", code, out, errOut)
		}
		// A second instance on the same database signs with the new key.
		b := &server{t: t, dialect: dialect, dbURL: a.dbURL, env: a.env, logs: &logBuffer{}}
		b.launch()
		after := b.login(userPhone, userPW)
		if h, _ := decodeJWT(t, after); h["kid"] != newKid {
			t.Fatalf("token after rotation has kid %v, want %s", h["kid"], newKid)
		}
		// Both tokens verify on both instances; nobody was logged out.
		for _, srv := range []*server{a, b} {
			for _, tok := range []string{before, after} {
				wantStatus(t, srv.do("GET", "/api/v1/auth/me", nil, bearer(tok)...), 200, "")
			}
			jwks := string(srv.do("GET", "/.well-known/jwks.json", nil).Body)
			if !strings.Contains(jwks, oldKid) || !strings.Contains(jwks, newKid) {
				t.Fatalf("JWKS %s", jwks)
			}
		}
		out, _, code = a.cli("", "keys", "list")
		if code != 0 || !strings.Contains(out, newKid+" ") || !strings.Contains(out, "signing") || !strings.Contains(out, "verifying until") {
			t.Fatalf("keys list:\n%s", out)
		}
	})
}

func TestOpenIDConfiguration(t *testing.T) {
	s := start(t, "sqlite", "PHONEAUTH_JWT_ISSUER=https://auth.example.com")
	r := s.do("GET", "/.well-known/openid-configuration", nil)
	wantStatus(t, r, 200, "")
	m := r.JSON(t)
	if m["issuer"] != "https://auth.example.com" || m["jwks_uri"] != "https://auth.example.com/.well-known/jwks.json" {
		t.Fatalf("metadata %v", m)
	}
	s2 := start(t, "sqlite")
	m = s2.do("GET", "/.well-known/openid-configuration", nil).JSON(t)
	if m["issuer"] != "phoneauth" || m["jwks_uri"] != s2.URL+"/.well-known/jwks.json" {
		t.Fatalf("metadata without a URL issuer %v", m)
	}
}

func TestOperatorKeyFile(t *testing.T) {
	dir := t.TempDir()
	keyFile := dir + "/signing.pem"
	// openssl-free: the CLI of a throwaway instance exports nothing, so write a PKCS #8 key here.
	writeEd25519PEM(t, keyFile)
	s := start(t, "sqlite", "PHONEAUTH_JWT_PRIVATE_KEY_FILE="+keyFile)
	s.createUser(userPhone, "Uma User", userPW)
	tok := s.login(userPhone, userPW)
	h, _ := decodeJWT(t, tok)
	jwks := string(s.do("GET", "/.well-known/jwks.json", nil).Body)
	if strings.Count(jwks, `"kid"`) != 1 || !strings.Contains(jwks, h["kid"].(string)) {
		t.Fatalf("JWKS %s for kid %v", jwks, h["kid"])
	}
	var n int
	s.queryRow("SELECT count(*) FROM signing_keys WHERE id = ?", []any{h["kid"]}, &n)
	if n != 0 {
		t.Fatal("the operator key was stored in the database")
	}
	if _, errOut, code := s.cli("", "keys", "rotate"); code == 0 || !strings.Contains(errOut, "PHONEAUTH_JWT_PRIVATE_KEY_FILE") {
		t.Fatalf("keys rotate with a key file: %d %s", code, errOut)
	}
}
