package server_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/phoneauth/phoneauth"
	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/passkey"
	"github.com/phoneauth/phoneauth/server"
	"github.com/phoneauth/phoneauth/server/servertest"
	"github.com/phoneauth/phoneauth/store"
	"github.com/phoneauth/phoneauth/store/storetest"
)

// Phones with a fixed code (auth.OTPConfig.TestCodes), so that one fuzzed request can verify a code.
const (
	signupPhone = "+14155550123" // never has an account when a signup is tried
	memberPhone = "+14155550124" // always has one
	testCode    = "123456"
)

// newHandler is the service's whole HTTP handler on a fresh database of dialect, with cheap password
// hashing, codes sent nowhere, no budgets, and 192.0.2.0/24 a trusted proxy.
func newHandler(tb testing.TB, dialect string) *servertest.Server {
	tb.Helper()
	otp := auth.DefaultOTPConfig()
	otp.ResendInterval, otp.PhoneHourlyLimit, otp.IPHourlyLimit, otp.MaxAttempts = 0, 0, 0, 20
	otp.TestCodes = map[string]string{signupPhone: testCode, memberPhone: testCode}
	_, proxies, _ := net.ParseCIDR("192.0.2.0/24")
	return servertest.New(tb, servertest.Options{Dialect: dialect, OTP: &otp, Metrics: true,
		Passkeys: passkey.Config{RPID: "localhost", Origins: []string{"http://localhost:8000"}, DisplayName: "phoneauth"}, Server: server.Config{
			RequestTimeout: 10 * time.Second, TrustedProxies: []*net.IPNet{proxies}, CORSOrigins: []string{"https://app.example.com"}}})
}

// fuzzTarget is one handler and what a fuzzed request needs to reach past authentication and codes.
type fuzzTarget struct {
	dialect string
	h       http.Handler
	svc     server.Services
	db      *store.DB
	admins  int    // admins made so far
	token   string // of the current admin
	userID  string // of the user the admin paths act on
}

func newFuzzTarget(tb testing.TB, dialect string) *fuzzTarget {
	tb.Helper()
	s := newHandler(tb, dialect)
	ft := &fuzzTarget{dialect: dialect, h: s.Handler, svc: s.Services, db: s.DB}
	svc := s.Services
	ctx := context.Background()
	for _, u := range []auth.NewUser{
		{Phone: "+14155550198", Name: "Fuzz Target", Password: "fuzz target passphrase"}, // of the admin paths
		{Phone: "+14155550199", Name: "Fuzz User", Password: "fuzz user passphrase"},     // logs in
		{Phone: memberPhone, Name: "Fuzz Member", Password: "fuzz member passphrase"},    // gets codes
	} {
		made, err := svc.Accounts.CreateUser(ctx, u)
		if err != nil {
			tb.Fatal(err)
		}
		if ft.userID == "" {
			ft.userID = made.ID.String()
		}
	}
	return ft
}

// adminToken is a working admin access token. Fuzzed requests may end its session, reset its password
// or take its role; then a new admin is made.
func (ft *fuzzTarget) adminToken(tb testing.TB) string {
	ctx := context.Background()
	if ft.token != "" {
		if p, err := ft.svc.Sessions.Authenticate(ctx, "Bearer "+ft.token); err == nil && p.User.HasRole(auth.RoleAdmin) {
			return ft.token
		}
	}
	ft.admins++
	ph, pw := fmt.Sprintf("+1415555%04d", 1000+ft.admins), "fuzz admin passphrase"
	if _, err := ft.svc.Accounts.CreateUser(ctx, auth.NewUser{Phone: ph, Name: "Fuzz Admin", Password: pw, Roles: []string{auth.RoleAdmin}}); err != nil {
		tb.Fatal(err)
	}
	l, err := ft.svc.Logins.PasswordLogin(ctx, ph, pw)
	if err != nil {
		tb.Fatal(err)
	}
	ft.token = l.AccessToken
	return ft.token
}

// prepare gives the code endpoints a live code to verify: the test phones' fixed one.
func (ft *fuzzTarget) prepare(tb testing.TB, path string) {
	ctx := context.Background()
	purpose, ph := "", memberPhone
	switch path {
	case "/api/v1/auth/signup/verify-otp":
		purpose, ph = auth.PurposeSignup, signupPhone
		q := "DELETE FROM users WHERE phone = ?"
		if ft.dialect == "postgres" {
			q = "DELETE FROM users WHERE phone = $1"
		}
		if _, err := ft.db.SQL().ExecContext(ctx, q, signupPhone); err != nil {
			tb.Fatal(err)
		}
	case "/api/v1/auth/login/verify-otp":
		purpose = auth.PurposeLogin
	case "/api/v1/auth/forgot-password/confirm":
		purpose = auth.PurposeReset
	default:
		return
	}
	if _, err := ft.svc.Codes.Send(ctx, purpose, ph, false); err != nil {
		tb.Fatal(err)
	}
}

// Fuzz flags: which parts of the request carry the fuzzed header value, and whether it is authenticated.
const (
	flagAdmin       = 1 << iota // Authorization: a working admin token
	flagAuthHeader              // Authorization: Bearer <header>
	flagNoType                  // no Content-Type (read as JSON)
	flagPathParams              // path parameters are <header> instead of real ids
	flagForwardedIP             // X-Forwarded-For: <header>, from a trusted proxy
)

var fuzzMethods = []string{"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"}

// fuzzing reports whether the test binary runs with -test.fuzz.
func fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}

// pick is s when it is one of the choices, else one of them chosen by s, so that every fuzzed string
// still names a real one.
func pick(s string, choices []string) string {
	if slices.Contains(choices, s) {
		return s
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(s))
	return choices[h.Sum32()%uint32(len(choices))]
}

// FuzzRequestPath sends fuzzed requests to the paths of openapi.yaml: no body, header, query or path
// parameter may produce a 5xx, and every answer is valid UTF-8. The seeds (testdata/fuzz/FuzzRequestPath)
// run with every go test, each against a handler on SQLite and, when PHONEAUTH_TEST_DATABASE_URL is set,
// one on PostgreSQL; fuzzing (make fuzz) runs on SQLite.
func FuzzRequestPath(f *testing.F) {
	spec, err := openapi3.NewLoader().LoadFromData(phoneauth.OpenAPIYAML())
	if err != nil {
		f.Fatal(err)
	}
	var paths []string
	for p := range spec.Paths.Map() {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	dialects := storetest.Dialects(f)
	if fuzzing() {
		// Fuzzing workers are stopped without running cleanups: no PostgreSQL schema is left behind.
		dialects = []string{"sqlite"}
	}
	var targets []*fuzzTarget
	for _, d := range dialects {
		targets = append(targets, newFuzzTarget(f, d))
	}
	f.Fuzz(func(t *testing.T, method, path string, flags uint8, query, header string, body []byte) {
		method, path = pick(method, fuzzMethods), pick(path, paths)
		for _, ft := range targets {
			target := path
			for _, p := range []struct{ name, real string }{{"{user_id}", ft.userID}, {"{session_id}", "01a23395-87cd-79fb-9b21-6fe23c8e751f"}, {"{role}", "admin"},
				{"{passkey_id}", "01a23395-87cd-79fb-9b21-6fe23c8e7520"}} {
				v := p.real
				if flags&flagPathParams != 0 {
					v = url.PathEscape(header)
				}
				target = strings.ReplaceAll(target, p.name, v)
			}
			req := httptest.NewRequest(method, "http://phoneauth.test/", bytes.NewReader(body))
			req.URL.Path, req.URL.RawPath, req.URL.RawQuery = "", "", query
			if u, err := url.Parse(target); err == nil {
				req.URL.Path, req.URL.RawPath = u.Path, u.RawPath
			} else {
				req.URL.Path = target
			}
			req.RequestURI = req.URL.RequestURI()
			req.RemoteAddr = "192.0.2.1:40000"
			req.Header.Set("User-Agent", header)
			req.Header.Set("X-Request-ID", header)
			req.Header.Set("Origin", "https://app.example.com")
			if flags&flagNoType == 0 {
				req.Header.Set("Content-Type", "application/json")
			}
			if flags&flagForwardedIP != 0 {
				req.Header.Set("X-Forwarded-For", header)
			}
			switch {
			case flags&flagAdmin != 0:
				req.Header.Set("Authorization", "Bearer "+ft.adminToken(t))
			case flags&flagAuthHeader != 0:
				req.Header.Set("Authorization", "Bearer "+header)
			}
			ft.prepare(t, path)
			rec := httptest.NewRecorder()
			ft.h.ServeHTTP(rec, req)
			res := rec.Result()
			out, _ := io.ReadAll(res.Body)
			if res.StatusCode >= 500 {
				t.Fatalf("%s: %s %s?%q (flags %b, header %q, body %q): %d %s", ft.dialect, method, target, query, flags, header, body, res.StatusCode, out)
			}
			if !utf8.Valid(out) {
				t.Fatalf("%s: %s %s: the answer is not valid UTF-8: %q", ft.dialect, method, target, out)
			}
		}
	})
}
