package tests

import (
	"testing"
)

// wantHeader fails unless r carries header name with exactly the value want.
func wantHeader(t *testing.T, what string, r *response, name, want string) {
	t.Helper()
	if got := r.Header.Values(name); len(got) != 1 || got[0] != want {
		t.Errorf("%s: %s %q, want %q", what, name, got, want)
	}
}

// TestNoStoreOnTokenAnswers: every answer under /api/ (the ones carrying tokens first) tells caches
// not to keep it, and every answer says nosniff; the public documents under /.well-known/ stay
// cacheable.
func TestNoStoreOnTokenAnswers(t *testing.T) {
	const testPhone, testCode = "+14155550177", "424242"
	forEachDB(t, func(t *testing.T, dialect string) {
		s := start(t, dialect, "PHONEAUTH_TEST_OTPS="+testPhone+"="+testCode)
		s.createUser(userPhone, "Uma User", userPW)
		noStore := func(what string, r *response) {
			t.Helper()
			wantHeader(t, what, r, "Cache-Control", "no-store")
			wantHeader(t, what, r, "Pragma", "no-cache")
			wantHeader(t, what, r, "X-Content-Type-Options", "nosniff")
		}

		login := s.do("POST", "/api/v1/auth/login", map[string]string{"phone": userPhone, "password": userPW})
		wantStatus(t, login, 200, "")
		noStore("password login", login)
		refresh := s.do("POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": login.JSON(t)["refresh_token"].(string)})
		wantStatus(t, refresh, 200, "")
		noStore("refresh", refresh)

		s.sendCode("/api/v1/auth/signup/send-otp", testPhone)
		signup := s.do("POST", "/api/v1/auth/signup/verify-otp", map[string]any{"phone_number": testPhone, "otp_code": testCode,
			"name": "Tess Test", "password": "tess's passphrase"})
		tok, _ := tokenAnswer(t, signup, testPhone)
		noStore("signup verify-otp", signup)
		s.sendCode("/api/v1/auth/login/send-otp", testPhone)
		otpLogin := s.do("POST", "/api/v1/auth/login/verify-otp", map[string]string{"phone_number": testPhone, "otp_code": testCode})
		tokenAnswer(t, otpLogin, testPhone)
		noStore("login verify-otp", otpLogin)

		// The rest of /api/, errors included.
		me := s.do("GET", "/api/v1/auth/me", nil, bearer(tok)...)
		wantStatus(t, me, 200, "")
		noStore("me", me)
		noStore("sessions", s.do("GET", "/api/v1/auth/sessions", nil, bearer(tok)...))
		noStore("401", s.do("GET", "/api/v1/auth/me", nil))
		noStore("422", s.do("POST", "/api/v1/auth/login", `{}`))
		noStore("404", s.do("GET", "/api/v1/auth/nope", nil))
		noStore("405", s.do("DELETE", "/api/v1/auth/login", nil))

		// Outside /api/: nosniff everywhere, the well-known documents keep their own caching.
		jwks := s.do("GET", "/.well-known/jwks.json", nil)
		wantStatus(t, jwks, 200, "")
		wantHeader(t, "jwks", jwks, "Cache-Control", "public, max-age=300")
		for path, r := range map[string]*response{
			"/.well-known/jwks.json":            jwks,
			"/.well-known/openid-configuration": s.do("GET", "/.well-known/openid-configuration", nil),
			"POST /.well-known/jwks.json":       s.do("POST", "/.well-known/jwks.json", nil),
			"/healthz":                          s.do("GET", "/healthz", nil),
			"/nope":                             s.do("GET", "/nope", nil),
		} {
			wantHeader(t, path, r, "X-Content-Type-Options", "nosniff")
			if path != "/.well-known/jwks.json" && r.Header.Get("Cache-Control") != "" {
				t.Errorf("%s: Cache-Control %q, want none", path, r.Header.Get("Cache-Control"))
			}
		}
	})
}
