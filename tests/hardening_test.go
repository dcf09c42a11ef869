package tests

import (
	"fmt"
	"strings"
	"testing"
)

// verifyAnswers sends n wrong codes to a verify endpoint and returns each answer as "status detail".
func verifyAnswers(s *server, path, phone string, n int) []string {
	s.t.Helper()
	body := map[string]any{"phone_number": phone, "otp_code": "000000"}
	switch path {
	case "/api/v1/auth/signup/verify-otp":
		body["name"], body["password"] = "Pat Probe", "a probing passphrase"
	case "/api/v1/auth/forgot-password/confirm":
		body["new_password"], body["confirm_password"] = "a probing passphrase", "a probing passphrase"
	}
	var out []string
	for range n {
		r := s.do("POST", path, body)
		m := r.JSON(s.t)
		out = append(out, fmt.Sprint(r.Status, " ", m["detail"]))
	}
	return out
}

// TestNoEnumerationAtVerify: a number that got no code (no account for login and reset, an account
// for signup) answers wrong guesses exactly as one that got a code: the same status, detail,
// countdown and lockout.
func TestNoEnumerationAtVerify(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		sk := newWebhookSink(t, "")
		s := start(t, dialect, sk.env()...)
		s.createUser(userPhone, "Uma User", userPW)
		s.createUser("+14155550102", "Ina Inactive", userPW)
		s.exec("UPDATE users SET is_active = ? WHERE phone = ?", false, "+14155550102")
		for _, tc := range []struct {
			send, verify string
			got, none    []string // numbers that get a code, and numbers that get none
		}{
			{"/api/v1/auth/login/send-otp", "/api/v1/auth/login/verify-otp", []string{userPhone}, []string{"+14155550188", "+14155550102"}},
			{"/api/v1/auth/forgot-password/init", "/api/v1/auth/forgot-password/confirm", []string{userPhone}, []string{"+14155550187"}},
			{"/api/v1/auth/signup/send-otp", "/api/v1/auth/signup/verify-otp", []string{"+14155550186"}, []string{userPhone, "+14155550102"}},
		} {
			for _, ph := range append(append([]string{}, tc.got...), tc.none...) {
				s.sendCode(tc.send, ph)
			}
			want := verifyAnswers(s, tc.verify, tc.got[0], 6)
			if !strings.HasPrefix(want[0], "400 Invalid code; 4 attempts left") || !strings.HasPrefix(want[5], "429 ") {
				t.Fatalf("%s: a number with a code answers %q", tc.verify, want)
			}
			for _, ph := range tc.none {
				if got := verifyAnswers(s, tc.verify, ph, 6); strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("%s %s answers\n%q\nwant (as a number that got a code)\n%q", tc.verify, ph, got, want)
				}
			}
		}
		// A number that asked for nothing answers alike whether or not it has an account.
		a := verifyAnswers(s, "/api/v1/auth/login/verify-otp", "+14155550111", 2)
		s.createUser("+14155550112", "Quiet User", userPW)
		if b := verifyAnswers(s, "/api/v1/auth/login/verify-otp", "+14155550112", 2); strings.Join(a, "|") != strings.Join(b, "|") {
			t.Errorf("no code asked: unknown %q, known %q", a, b)
		}
		if n := sk.count("+14155550188") + sk.count("+14155550187") + sk.count("+14155550102"); n != 0 {
			t.Fatalf("%d SMS went to numbers that get no code", n)
		}
	})
}

// TestChangePasswordCountsTowardLockout: guessing the current password through a stolen access token
// meets the same lockout as login, every wrong guess is audited, and the lock holds for login too.
func TestChangePasswordCountsTowardLockout(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		s := start(t, dialect, "PHONEAUTH_LOGIN_LOCKOUT_THRESHOLD=3")
		s.createUser(adminPhone, "Ada Admin", adminPW, "--role", "admin")
		s.createUser(userPhone, "Uma User", userPW)
		tok := s.login(userPhone, userPW)
		change := func(current string) *response {
			return s.do("POST", "/api/v1/auth/change-password", map[string]string{"current_password": current,
				"new_password": "a brand new passphrase"}, bearer(tok)...)
		}
		for i := range 3 {
			wantStatus(t, change(fmt.Sprintf("wrong guess %d", i)), 400, "Incorrect current password")
		}
		r := change(userPW) // the right one, too late
		wantStatus(t, r, 429, "")
		if r.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		wantStatus(t, s.do("POST", "/api/v1/auth/login", map[string]string{"phone": userPhone, "password": userPW}), 401, "")
		a := bearer(s.login(adminPhone, adminPW))
		ev := s.do("GET", "/api/v1/admin/audit-events?type=password.check_failed", nil, a...).JSON(t)["events"].([]any)
		reasons := map[string]int{}
		for _, e := range ev {
			d := e.(map[string]any)["details"].(map[string]any)
			if d["where"] != "change_password" {
				t.Errorf("event %v", e)
			}
			reasons[fmt.Sprint(d["reason"])]++
		}
		if reasons["wrong_password"] != 3 || reasons["locked_out"] != 1 {
			t.Fatalf("audited %v, want 3 wrong_password and 1 locked_out", reasons)
		}
		// A refused new password is refused before the current one is checked: nothing is counted.
		s.do("POST", "/api/v1/admin/users/"+uid(t, s, a, userPhone)+"/unlock", nil, a...)
		for range 4 {
			wantStatus(t, s.do("POST", "/api/v1/auth/change-password", map[string]string{"current_password": "wrong",
				"new_password": "password"}, bearer(tok)...), 422, "")
		}
		wantStatus(t, change(userPW), 200, "")
	})
}

// uid finds a user's id through the admin API.
func uid(t *testing.T, s *server, admin []string, phone string) string {
	t.Helper()
	users := s.do("GET", "/api/v1/admin/users?q="+strings.TrimPrefix(phone, "+"), nil, admin...).JSON(t)["users"].([]any)
	if len(users) != 1 {
		t.Fatalf("users matching %s: %v", phone, users)
	}
	return users[0].(map[string]any)["id"].(string)
}

// TestRefusedVerifySpendsNothing: a right code in a request refused for another field (a taken email)
// keeps the code and its attempts; the corrected request then succeeds with the same code.
func TestRefusedVerifySpendsNothing(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		sk := newWebhookSink(t, "")
		s := start(t, dialect, sk.env()...)
		s.createUser(userPhone, "Uma User", userPW, "--email", "taken@example.com")
		s.sendCode("/api/v1/auth/signup/send-otp", newPhone)
		code := sk.last(newPhone).Code()
		body := map[string]any{"phone_number": newPhone, "otp_code": code, "name": "Nina New", "password": "nina's passphrase", "email": "TAKEN@example.com"}
		for range 3 {
			wantStatus(t, s.do("POST", "/api/v1/auth/signup/verify-otp", body), 409, "Email already registered")
		}
		// The refusals cost no attempt: a wrong guess still has 4 left after it.
		wrong := map[string]any{"phone_number": newPhone, "otp_code": "000000", "name": "Nina New", "password": "nina's passphrase"}
		wantStatus(t, s.do("POST", "/api/v1/auth/signup/verify-otp", wrong), 400, "Invalid code; 4 attempts left")
		body["email"] = "nina@example.com"
		tokenAnswer(t, s.do("POST", "/api/v1/auth/signup/verify-otp", body), newPhone)
	})
}
