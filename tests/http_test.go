package tests

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

// raw sends a request without validating the answer against openapi.yaml: for HEAD (no body to
// validate) and for what the spec does not describe (the documents and pages outside the API).
func (s *server) raw(method, path string, headers ...string) *response {
	s.t.Helper()
	req, err := http.NewRequest(method, s.URL+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return &response{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

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

// TestMethodNotAllowedSaysAllow: a 405 names the methods the path has (RFC 9110), under /api/ and
// /.well-known/ as elsewhere.
func TestMethodNotAllowedSaysAllow(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *server) {
		const user = "/api/v1/admin/users/0b7e5f8a-3c1d-4e2f-9a6b-1c2d3e4f5a6b"
		for _, tc := range []struct{ method, path, allow string }{
			{"DELETE", "/api/v1/auth/login", "POST"},
			{"GET", "/api/v1/auth/logout", "POST"},
			{"PUT", "/api/v1/auth/me", "GET, PATCH"},
			{"OPTIONS", "/api/v1/auth/refresh", "POST"}, // no CORS configured: nobody answers OPTIONS
			{"POST", "/api/v1/auth/sessions/0b7e5f8a-3c1d-4e2f-9a6b-1c2d3e4f5a6b", "DELETE"},
			{"PATCH", user + "/roles/admin", "DELETE, PUT"},
			{"POST", user, "DELETE, GET, PATCH"},
			{"POST", "/.well-known/jwks.json", "GET"},
			{"DELETE", "/.well-known/openid-configuration", "GET"},
		} {
			r := s.do(tc.method, tc.path, nil)
			wantStatus(t, r, 405, "Method Not Allowed")
			wantHeader(t, tc.method+" "+tc.path, r, "Allow", tc.allow)
		}
		// HEAD has no body for the harness to validate.
		if r := s.raw("HEAD", "/api/v1/auth/me"); r.Status != 405 || r.Header.Get("Allow") != "GET, PATCH" {
			t.Errorf("HEAD /api/v1/auth/me: %d, Allow %q; want 405, GET, PATCH", r.Status, r.Header.Get("Allow"))
		}
		// Outside the API Echo answers the 405 itself, and OPTIONS does work there.
		if r := s.do("POST", "/healthz", nil); r.Status != 405 || r.Header.Get("Allow") != "OPTIONS, GET" {
			t.Errorf("POST /healthz: %d, Allow %q", r.Status, r.Header.Get("Allow"))
		}
	})
}

// TestTrailingDataAfterJSONBody: a body is one JSON value and optional whitespace. Anything after it is
// FastAPI's json_invalid, located at the first character after the value (in characters, not bytes).
func TestTrailingDataAfterJSONBody(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *server) {
		s.createUser(userPhone, "Uma User", userPW)
		login := `{"phone":"` + userPhone + `","password":"` + userPW + `"}`
		n := len(login)
		for _, tc := range []struct {
			body string
			pos  int
		}{
			{login + login, n},
			{login + ` 42`, n + 1},
			{login + `]`, n},
			{login + "\n\t {}", n + 3},
			{login + `,`, n},
			{login + `x`, n},
			{login + ` null`, n + 1},
			{`{"phone":"` + userPhone + `","password":"pässwörd"} 1`, 47}, // 49 bytes, 47 characters
			{`[] []`, 3},
			{`"x""y"`, 3},
		} {
			r := s.do("POST", "/api/v1/auth/login", tc.body)
			want := fmt.Sprintf(`{"detail":[{"loc":["body",%d],"msg":"JSON decode error","type":"json_invalid"}]}`, tc.pos)
			if r.Status != 422 || strings.TrimSpace(string(r.Body)) != want {
				t.Errorf("%q: %d %s, want 422 %s", tc.body, r.Status, r.Body, want)
			}
		}
		// Whitespace after the value is fine.
		for _, ws := range []string{" ", "\n", "\r\n", "\t \n "} {
			wantStatus(t, s.do("POST", "/api/v1/auth/login", login+ws), 200, "")
		}
		// Other endpoints too, behind authentication as every other malformed body.
		tok := s.login(userPhone, userPW)
		change := `{"current_password":"` + userPW + `","new_password":"another passphrase"}{}`
		wantStatus(t, s.do("POST", "/api/v1/auth/change-password", change), 401, "Not authenticated")
		assertLocs(t, s.do("POST", "/api/v1/auth/change-password", change, bearer(tok)...), fmt.Sprintf("body.%d", len(change)-2))
		assertLocs(t, s.do("POST", "/api/v1/auth/logout", `{"scope":"global"} "local"`, bearer(tok)...), "body.19")
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(tok)...), 200, "") // neither call changed anything
	})
}

// discovery fetches /.well-known/openid-configuration with a forged Host and X-Forwarded-Host.
func (s *server) discovery(host string) (issuer, jwksURI string) {
	s.t.Helper()
	req, err := http.NewRequest("GET", s.URL+"/.well-known/openid-configuration", nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Host = host
	req.Header.Set("X-Forwarded-Host", host)
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	r := &response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	validateResponse(s.t, req, r)
	wantStatus(s.t, r, 200, "")
	m := r.JSON(s.t)
	issuer, _ = m["issuer"].(string)
	jwksURI, _ = m["jwks_uri"].(string)
	return issuer, jwksURI
}

// TestDiscoveryIgnoresHost: the metadata comes from configuration (PHONEAUTH_PUBLIC_URL, else the listen
// address), never from the Host of the request, so a cache in front cannot be poisoned through it.
func TestDiscoveryIgnoresHost(t *testing.T) {
	const forged = "evil.example.com"
	forEachDB(t, func(t *testing.T, dialect string) {
		s := start(t, dialect, "PHONEAUTH_PUBLIC_URL=https://auth.example.com/")
		if iss, jwks := s.discovery(forged); iss != "https://auth.example.com" || jwks != "https://auth.example.com/.well-known/jwks.json" {
			t.Errorf("with PHONEAUTH_PUBLIC_URL: issuer %q, jwks_uri %q", iss, jwks)
		}
		// The issuer derives from it too: the tokens say so.
		s.createUser(userPhone, "Uma User", userPW)
		claims := jwtClaims(t, s.login(userPhone, userPW))
		if claims["iss"] != "https://auth.example.com" {
			t.Errorf("token iss %v", claims["iss"])
		}

		// PHONEAUTH_JWT_ISSUER still names the issuer; the keys stay under the public URL.
		s = start(t, dialect, "PHONEAUTH_PUBLIC_URL=https://auth.example.com/id", "PHONEAUTH_JWT_ISSUER=urn:example:auth")
		if iss, jwks := s.discovery(forged); iss != "urn:example:auth" || jwks != "https://auth.example.com/id/.well-known/jwks.json" {
			t.Errorf("with PHONEAUTH_JWT_ISSUER: issuer %q, jwks_uri %q", iss, jwks)
		}

		// Without either: the listen address.
		s = start(t, dialect)
		if iss, jwks := s.discovery(forged); iss != "phoneauth" || jwks != s.URL+"/.well-known/jwks.json" {
			t.Errorf("defaults: issuer %q, jwks_uri %q, want jwks_uri under %s", iss, jwks, s.URL)
		}
	})
}

// jwtClaims decodes (without verifying) the claims of a JWT.
func jwtClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{}
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// TestServedSpecIsTheFile: /openapi.yaml is openapi.yaml byte for byte and /openapi.json the same
// document in JSON, not a rewritten copy (oapi-codegen's embedded one PascalCased every operationId).
func TestServedSpecIsTheFile(t *testing.T) {
	file, err := os.ReadFile(filepath.Join("..", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var fromFile any
	if err := yaml.Load(file, &fromFile); err != nil {
		t.Fatal(err)
	}
	want := jsonValue(t, fromFile)
	forEachDialect(t, func(t *testing.T, s *server) {
		y := s.raw("GET", "/openapi.yaml")
		if y.Status != 200 || !bytes.Equal(y.Body, file) {
			t.Errorf("GET /openapi.yaml: %d, %d bytes; want 200 and openapi.yaml's %d bytes", y.Status, len(y.Body), len(file))
		}
		j := s.raw("GET", "/openapi.json")
		if j.Status != 200 || j.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("GET /openapi.json: %d %q", j.Status, j.Header.Get("Content-Type"))
		}
		var served any
		if err := json.Unmarshal(j.Body, &served); err != nil {
			t.Fatalf("/openapi.json: %v", err)
		}
		if !reflect.DeepEqual(served, want) {
			t.Errorf("/openapi.json is not openapi.yaml: %s", firstDifference(served, want, "$"))
		}
		login := served.(map[string]any)["paths"].(map[string]any)["/api/v1/auth/login"].(map[string]any)["post"].(map[string]any)
		if login["operationId"] != "loginForAccessToken" {
			t.Errorf("served operationId %v, want loginForAccessToken", login["operationId"])
		}
	})
}

// jsonValue is v after a JSON round trip (numbers as float64, maps as map[string]any).
func jsonValue(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// firstDifference names a place where two JSON values differ.
func firstDifference(got, want any, at string) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return at + ": not an object"
		}
		keys := slices.Sorted(maps.Keys(w))
		for k := range g {
			if _, ok := w[k]; !ok {
				return at + "." + k + ": not in the file"
			}
		}
		for _, k := range keys {
			if _, ok := g[k]; !ok {
				return at + "." + k + ": missing"
			}
			if !reflect.DeepEqual(g[k], w[k]) {
				return firstDifference(g[k], w[k], at+"."+k)
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return at + ": not the same list"
		}
		for i := range w {
			if !reflect.DeepEqual(g[i], w[i]) {
				return firstDifference(g[i], w[i], fmt.Sprintf("%s[%d]", at, i))
			}
		}
	}
	return fmt.Sprintf("%s: %v, want %v", at, got, want)
}

// TestResponseHeadersDocumented: the served spec documents X-Request-ID on every answer, WWW-Authenticate
// on every 401 and Retry-After on every 429 and 503 that sends it; the harness then holds real answers to
// it (a required header that is missing fails validation).
func TestResponseHeadersDocumented(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *server) {
		var spec struct {
			Paths      map[string]map[string]json.RawMessage `json:"paths"`
			Components struct {
				Responses map[string]specResponse `json:"responses"`
				Headers   map[string]struct {
					Required bool `json:"required"`
				} `json:"headers"`
			} `json:"components"`
		}
		if err := json.Unmarshal(s.raw("GET", "/openapi.json").Body, &spec); err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]bool{"XRequestID": true, "WWWAuthenticate": true, "RetryAfter": false} {
			if h, ok := spec.Components.Headers[name]; !ok || h.Required != want {
				t.Errorf("components/headers/%s: %+v (declared: %v), want required %v", name, h, ok, want)
			}
		}
		n := 0
		for path, item := range spec.Paths {
			for method, raw := range item {
				var op struct {
					Responses map[string]specResponse `json:"responses"`
				}
				if err := json.Unmarshal(raw, &op); err != nil {
					continue // not an operation
				}
				for status, r := range op.Responses {
					if r.Ref != "" {
						r = spec.Components.Responses[strings.TrimPrefix(r.Ref, "#/components/responses/")]
					}
					where := fmt.Sprintf("%s %s %s", method, path, status)
					r.wants(t, where, "X-Request-ID", "XRequestID")
					switch {
					case status == "401":
						r.wants(t, where, "WWW-Authenticate", "WWWAuthenticate")
					case status == "429", status == "503" && path != "/readyz":
						r.wants(t, where, "Retry-After", "RetryAfter")
					}
					n++
				}
			}
		}
		if n < 100 {
			t.Fatalf("checked %d responses only", n)
		}

		// Real answers: the harness validates these headers against the spec.
		r := s.do("GET", "/api/v1/auth/me", nil)
		wantStatus(t, r, 401, "Not authenticated")
		wantHeader(t, "401", r, "WWW-Authenticate", "Bearer")
		s.sendCode("/api/v1/auth/login/send-otp", userPhone)
		r = s.do("POST", "/api/v1/auth/login/resend-otp", map[string]string{"phone_number": userPhone})
		wantStatus(t, r, 429, "")
		if r.Header.Get("Retry-After") == "" {
			t.Errorf("429 without Retry-After: %v", r.Header)
		}
		r = s.do("GET", "/healthz", nil, "X-Request-ID", "lb.req_42-a")
		wantHeader(t, "X-Request-ID", r, "X-Request-ID", "lb.req_42-a")
	})
}

// specResponse is a response object of the served spec, or a reference to one.
type specResponse struct {
	Ref     string `json:"$ref"`
	Headers map[string]struct {
		Ref string `json:"$ref"`
	} `json:"headers"`
}

func (r specResponse) wants(t *testing.T, where, header, component string) {
	t.Helper()
	if got := r.Headers[header].Ref; got != "#/components/headers/"+component {
		t.Errorf("%s: header %s is %q, want a reference to components/headers/%s", where, header, got, component)
	}
}
