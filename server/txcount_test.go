package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/server/servertest"
	"github.com/phoneauth/phoneauth/store"
)

// TestTransactionsPerRequest holds the hot requests to the database work issue 19 allows them, on
// PostgreSQL, where every commit waits for a WAL flush: password login ≤ 3 transactions, a code send ≤ 2,
// a refresh ≤ 1, GET /me ≤ 1 (and one round trip), and a whole code verification ≤ 1 besides its send.
// The transactions are counted as pg_stat_database.xact_commit counts them, but by the server's own
// connection pool (store.DB.Counts), so that the tests running beside this one in other schemas of the
// same database do not move the numbers.
func TestTransactionsPerRequest(t *testing.T) {
	otp := auth.DefaultOTPConfig()
	otp.ResendInterval, otp.PhoneHourlyLimit, otp.IPHourlyLimit = 0, 0, 0
	s := servertest.New(t, servertest.Options{Dialect: "postgres", OTP: &otp})
	f := &fixture{Server: s}
	ctx := context.Background()
	// Requests of each kind measured, after one that is not: a statement is prepared once per
	// connection, and that round trip is not what a request costs.
	const n = 5
	phones := make([]string, n+1)
	for i := range phones {
		phones[i] = fmt.Sprintf("+1415555%04d", 200+i)
		if _, err := s.Services.Accounts.CreateUser(ctx, auth.NewUser{Phone: phones[i], Name: "Test", Password: "a long passphrase"}); err != nil {
			t.Fatal(err)
		}
	}
	post := func(path, body string, want int) []byte {
		t.Helper()
		rec := f.do(t, call{method: "POST", path: path, body: body})
		if rec.Code != want {
			t.Fatalf("POST %s %s: %d %s, want %d", path, body, rec.Code, rec.Body, want)
		}
		return rec.Body.Bytes()
	}
	var tokens []struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	login := func(i int) {
		var tok struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		}
		if err := json.Unmarshal(post("/api/v1/auth/login", fmt.Sprintf(`{"phone":%q,"password":"a long passphrase"}`, phones[i]), 200), &tok); err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	login(0)

	for _, c := range []struct {
		name          string
		commits       int64 // at most, per request
		roundTrips    int64 // at most, per request (0: not bounded)
		do            func(i int)
		before, after func(i int)
	}{
		{name: "password login", commits: 3, do: login},
		{name: "password login, wrong password", commits: 3, do: func(i int) {
			post("/api/v1/auth/login", fmt.Sprintf(`{"phone":%q,"password":"not the passphrase"}`, phones[i]), 401)
		}},
		{name: "send-otp, existing user", commits: 2, do: func(i int) {
			post("/api/v1/auth/login/send-otp", fmt.Sprintf(`{"phone_number":%q}`, phones[i]), 200)
		}},
		{name: "send-otp, unknown number", commits: 2, do: func(i int) {
			post("/api/v1/auth/login/send-otp", fmt.Sprintf(`{"phone_number":"+1415555%04d"}`, 300+i), 200)
		}},
		{name: "verify-otp (code login)", commits: 1,
			before: func(i int) { post("/api/v1/auth/login/send-otp", fmt.Sprintf(`{"phone_number":%q}`, phones[i]), 200) },
			do: func(i int) {
				post("/api/v1/auth/login/verify-otp", fmt.Sprintf(`{"phone_number":%q,"otp_code":%q}`, phones[i], s.SMS.LastCode(phones[i])), 200)
			}},
		{name: "verify-otp, wrong code", commits: 1,
			before: func(i int) { post("/api/v1/auth/login/send-otp", fmt.Sprintf(`{"phone_number":%q}`, phones[i]), 200) },
			do: func(i int) {
				post("/api/v1/auth/login/verify-otp", fmt.Sprintf(`{"phone_number":%q,"otp_code":%q}`, phones[i], wrongCode(s.SMS.LastCode(phones[i]))), 400)
			}},
		{name: "refresh", commits: 1, do: func(i int) {
			var tok struct {
				RefreshToken string `json:"refresh_token"`
			}
			if err := json.Unmarshal(post("/api/v1/auth/refresh", fmt.Sprintf(`{"refresh_token":%q}`, tokens[i].RefreshToken), 200), &tok); err != nil {
				t.Fatal(err)
			}
			tokens[i].RefreshToken = tok.RefreshToken
		}},
		{name: "GET /me", commits: 1, roundTrips: 1, do: func(i int) {
			if rec := f.do(t, call{method: "GET", path: "/api/v1/auth/me", header: map[string]string{"Authorization": "Bearer " + tokens[i].AccessToken}}); rec.Code != 200 {
				t.Fatalf("me: %d %s", rec.Code, rec.Body)
			}
		}},
	} {
		var got store.Counts
		for i := range n + 1 {
			if c.before != nil {
				c.before(i)
			}
			then := s.DB.Counts()
			c.do(i)
			if d := s.DB.Counts().Sub(then); i > 0 {
				got.Commits, got.RoundTrips, got.Rollbacks = got.Commits+d.Commits, got.RoundTrips+d.RoundTrips, got.Rollbacks+d.Rollbacks
			}
		}
		t.Logf("%-32s %.1f commits, %.1f round trips, %.1f rollbacks per request", c.name,
			float64(got.Commits)/n, float64(got.RoundTrips)/n, float64(got.Rollbacks)/n)
		if got.Commits > c.commits*n {
			t.Errorf("%s: %d commits in %d requests, want at most %d each", c.name, got.Commits, n, c.commits)
		}
		if c.roundTrips > 0 && got.RoundTrips > c.roundTrips*n {
			t.Errorf("%s: %d round trips in %d requests, want at most %d each", c.name, got.RoundTrips, n, c.roundTrips)
		}
		if got.Rollbacks > 0 {
			t.Errorf("%s: %d transactions rolled back", c.name, got.Rollbacks)
		}
	}
}

// wrongCode is a six-digit code that is not code.
func wrongCode(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}
