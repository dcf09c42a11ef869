package tests

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The account lifecycle: profile, re-authentication, phone change, export and deletion.

// lifecycleEnv are the settings of the lifecycle tests: codes without cooldowns or budgets, so that a
// test can send as many as it needs, and a proof asked for every time (PHONEAUTH_REAUTH_WINDOW=0)
// unless a test says otherwise.
func lifecycleEnv(sk *sink, extra ...string) []string {
	return append(append(sk.env(), "PHONEAUTH_OTP_RESEND_INTERVAL=0", "PHONEAUTH_OTP_PHONE_HOURLY_LIMIT=0",
		"PHONEAUTH_OTP_IP_HOURLY_LIMIT=0", "PHONEAUTH_REAUTH_WINDOW=0"), extra...)
}

// wantReauth checks a 401 asking for a fresh proof (RFC 9470), with detail when it is not "".
func wantReauth(t *testing.T, r *response, detail string) {
	t.Helper()
	if r.Status != 401 {
		t.Fatalf("status %d, want 401: %s", r.Status, r.Body)
	}
	if got := r.Header.Get("WWW-Authenticate"); got != `Bearer error="insufficient_user_authentication"` {
		t.Fatalf("WWW-Authenticate %q, want the insufficient_user_authentication challenge", got)
	}
	if d := r.JSON(t)["detail"]; detail != "" && d != detail {
		t.Fatalf("detail %q, want %q", d, detail)
	}
}

// me returns GET /api/v1/auth/me.
func (s *server) me(tok string) map[string]any {
	s.t.Helper()
	r := s.do("GET", "/api/v1/auth/me", nil, bearer(tok)...)
	wantStatus(s.t, r, 200, "")
	return r.JSON(s.t)
}

// events returns the audit events about user (newest first), as an admin sees them.
func (s *server) events(adminTok, user string) []auditEvent {
	s.t.Helper()
	r := s.do("GET", "/api/v1/admin/audit-events?limit=200&user_id="+user, nil, bearer(adminTok)...)
	wantStatus(s.t, r, 200, "")
	var list struct {
		Events []auditEvent `json:"events"`
	}
	decode(s.t, r, &list)
	return list.Events
}

type auditEvent struct {
	Type      string            `json:"type"`
	UserID    *string           `json:"user_id"`
	ActorID   *string           `json:"actor_id"`
	IP        string            `json:"ip"`
	UserAgent string            `json:"user_agent"`
	Details   map[string]string `json:"details"`
}

// ofType returns the events of type typ.
func ofType(events []auditEvent, typ string) []auditEvent {
	var out []auditEvent
	for _, e := range events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// tryExec runs SQL against the server's database and returns its error.
func (s *server) tryExec(query string, args ...any) error {
	s.t.Helper()
	driver := "sqlite"
	if s.dialect == "postgres" {
		driver, query = "pgx", rebind(query)
	}
	db, err := sql.Open(driver, s.dbURL)
	if err != nil {
		s.t.Fatal(err)
	}
	defer db.Close()
	_, err = db.ExecContext(context.Background(), query, args...)
	return err
}

// count returns the rows of the server's database matching query (a SELECT count(*)).
func (s *server) count(query string, args ...any) int {
	s.t.Helper()
	var n int
	s.queryRow(query, args, &n)
	return n
}

func TestProfileUpdate(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		s := start(t, dialect)
		s.createUser(adminPhone, "Ada Admin", adminPW, "--role", "admin", "--email", "ada@example.com")
		uid := s.createUser(userPhone, "Uma User", userPW)
		admin, tok := s.login(adminPhone, adminPW), s.login(userPhone, userPW)
		patch := func(body any) *response { return s.do("PATCH", "/api/v1/auth/me", body, bearer(tok)...) }

		// Every field /me shows can be set.
		r := patch(map[string]any{"name": "  Uma Updated ", "email": "uma@example.com", "gender": "female",
			"date_of_birth": "1990-04-05", "place": "Lisbon", "has_given_consent": true, "nickname": "ignored, as FastAPI does"})
		wantStatus(t, r, 200, "")
		got := r.JSON(t)
		for k, want := range map[string]any{"name": "Uma Updated", "email": "uma@example.com", "gender": "female",
			"date_of_birth": "1990-04-05", "place": "Lisbon", "has_given_consent": true, "id": uid} {
			if got[k] != want {
				t.Fatalf("%s = %v, want %v (answer %v)", k, got[k], want, got)
			}
		}
		if got["consent_given_at"] == nil || fmt.Sprint(s.me(tok)) != fmt.Sprint(got) {
			t.Fatalf("consent time %v; /me %v, want the PATCH's answer", got["consent_given_at"], s.me(tok))
		}
		consentAt := got["consent_given_at"]

		// Absent leaves a field alone, null clears it; giving consent again keeps its time.
		r = patch(map[string]any{"place": nil, "gender": nil, "has_given_consent": true})
		wantStatus(t, r, 200, "")
		got = r.JSON(t)
		if got["place"] != nil || got["gender"] != nil || got["email"] != "uma@example.com" || got["name"] != "Uma Updated" ||
			got["date_of_birth"] != "1990-04-05" || got["consent_given_at"] != consentAt {
			t.Fatalf("after clearing place and gender: %v", got)
		}

		// Every bad field in one 422, and nothing changes.
		before := fmt.Sprint(s.me(tok))
		items := items422(t, patch(map[string]any{"name": strings.Repeat("n", 201), "email": "not an email",
			"gender": strings.Repeat("g", 65), "place": strings.Repeat("p", 201), "date_of_birth": "1899-12-31", "has_given_consent": "yes"}))
		for _, loc := range []string{"body.name", "body.email", "body.gender", "body.place", "body.has_given_consent"} {
			wantItem(t, items, loc, "", "")
		}
		wantItem(t, items, "body.date_of_birth", "value_error", "between 1900-01-01 and today")
		if len(items) != 6 {
			t.Fatalf("422 entries %v, want all six together", items)
		}
		// The service's rules and the schema's, in one 422.
		items = items422(t, patch(map[string]any{"name": "   ", "date_of_birth": "1899-12-31", "gender": strings.Repeat("g", 65)}))
		wantItem(t, items, "body.name", "value_error", "blank")
		wantItem(t, items, "body.date_of_birth", "value_error", "between 1900-01-01 and today")
		wantItem(t, items, "body.gender", "string_too_long", "64")
		tomorrow := time.Now().UTC().Add(36 * time.Hour).Format(time.DateOnly)
		wantItem(t, items422(t, patch(map[string]any{"date_of_birth": tomorrow})), "body.date_of_birth", "value_error", "today")
		assertLocs(t, patch(map[string]any{"name": nil}), "body.name")
		assertLocs(t, patch(map[string]any{"date_of_birth": "05/04/1990"}), "body.date_of_birth")
		// A taken email (any case) is a 409.
		wantStatus(t, patch(map[string]any{"email": "ADA@example.com", "name": "Not Applied"}), 409, "Email already registered")
		if after := fmt.Sprint(s.me(tok)); after != before {
			t.Fatalf("a refused PATCH changed the profile:\n%s\n%s", before, after)
		}
		// The user's own email in another case is no conflict.
		wantStatus(t, patch(map[string]any{"email": "Uma@Example.com"}), 200, "")

		// Withdrawing consent clears the flag and the time.
		got = patch(map[string]any{"has_given_consent": false}).JSON(t)
		if got["has_given_consent"] != false || got["consent_given_at"] != nil {
			t.Fatalf("after withdrawing consent: %v", got)
		}
		wantStatus(t, s.do("PATCH", "/api/v1/auth/me", map[string]any{"name": "x"}), 401, "Not authenticated")

		// The audit trail: consent events of their own, other edits naming the fields, never a value.
		events := s.events(admin, uid)
		if len(ofType(events, "consent.given")) != 1 || len(ofType(events, "consent.withdrawn")) != 1 {
			t.Fatalf("consent events: %+v", events)
		}
		updated := ofType(events, "user.updated")
		if len(updated) != 3 || updated[2].Details["fields"] != "date_of_birth,email,gender,name,place" ||
			updated[1].Details["fields"] != "gender,place" || updated[0].Details["fields"] != "email" {
			t.Fatalf("user.updated events: %+v", updated)
		}
		b, _ := json.Marshal(events)
		for _, value := range []string{"Lisbon", "female", "1990-04-05", "uma@example.com", "Uma Updated"} {
			if strings.Contains(strings.ToLower(string(b)), strings.ToLower(value)) {
				t.Fatalf("the audit trail holds the value %q", value)
			}
		}
	})
}

func TestReauthentication(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		sk := newWebhookSink(t, "")
		s := start(t, dialect, lifecycleEnv(sk, "PHONEAUTH_LOGIN_LOCKOUT_THRESHOLD=3")...)
		s.createUser(adminPhone, "Ada Admin", adminPW, "--role", "admin")
		uid := s.createUser(userPhone, "Uma User", userPW)
		admin, tok := s.login(adminPhone, adminPW), s.login(userPhone, userPW)
		export := func(body any) *response { return s.do("POST", "/api/v1/auth/me/export", body, bearer(tok)...) }

		// No proof, a wrong one, both at once.
		const missing = "Please confirm it is you: send your password, or a code from POST /api/v1/auth/reauthenticate"
		wantReauth(t, export(nil), missing)
		wantReauth(t, export(map[string]any{}), missing)
		wantReauth(t, export(map[string]any{"password": "not my passphrase"}), "Incorrect password")
		assertLocs(t, export(map[string]any{"password": userPW, "otp_code": "123456"}), "body.otp_code")
		assertLocs(t, export(map[string]any{"password": ""}), "body.password")
		wantStatus(t, export(map[string]any{"password": userPW}), 200, "")

		// By code: texted to the account's own number, single use, with the usual attempts.
		ref := s.do("POST", "/api/v1/auth/reauthenticate", nil, bearer(tok)...).JSON(t)["reference_id"]
		m := sk.last(userPhone)
		if m.Purpose != "reauth" || m.ReferenceID != ref || m.Code() == "" || !strings.Contains(m.Message, "confirmation code") {
			t.Fatalf("re-authentication SMS %+v (ref %v)", m, ref)
		}
		wantReauth(t, export(map[string]any{"otp_code": "000000"}), "Invalid code; 4 attempts left")
		wantStatus(t, export(map[string]any{"otp_code": m.Code()}), 200, "")
		wantReauth(t, export(map[string]any{"otp_code": m.Code()}), "Invalid or expired code")
		wantStatus(t, s.do("POST", "/api/v1/auth/reauthenticate", nil), 401, "Not authenticated")

		// Wrong passwords count toward the login lockout: 429 while locked, for re-authentication and
		// login alike, and a code still works.
		for range 3 {
			wantReauth(t, export(map[string]any{"password": "not my passphrase"}), "Incorrect password")
		}
		r := export(map[string]any{"password": userPW})
		if r.Status != 429 || r.Header.Get("Retry-After") == "" {
			t.Fatalf("a locked-out re-authentication: %d %s", r.Status, r.Body)
		}
		wantStatus(t, s.do("POST", "/api/v1/auth/login", map[string]string{"phone": userPhone, "password": userPW}), 401, "")
		s.do("POST", "/api/v1/auth/reauthenticate", nil, bearer(tok)...)
		wantStatus(t, export(map[string]any{"otp_code": sk.last(userPhone).Code()}), 200, "")

		// Every failure is audited.
		events := s.events(admin, uid)
		if n := len(ofType(events, "reauth.failed")); n != 2 {
			t.Errorf("%d reauth.failed events, want 2 (the missing proofs)", n)
		}
		checks := ofType(events, "password.check_failed")
		if len(checks) != 5 || checks[0].Details["where"] != "export" || checks[0].Details["reason"] != "locked_out" {
			t.Errorf("password.check_failed events %+v", checks)
		}
		failed := ofType(events, "otp.failed")
		if len(failed) != 2 || failed[1].Details["purpose"] != "reauth" || failed[1].UserID == nil || *failed[1].UserID != uid {
			t.Errorf("otp.failed events %+v: want the wrong and the spent reauth code, about the user", failed)
		}

		// An account without a password proves itself by code.
		r = s.do("POST", "/api/v1/admin/users", map[string]any{"phone": "+14155550107", "name": "Nora NoPassword"}, bearer(admin)...)
		wantStatus(t, r, 201, "")
		s.sendCode("/api/v1/auth/login/send-otp", "+14155550107")
		nopw, _ := tokenAnswer(t, s.do("POST", "/api/v1/auth/login/verify-otp",
			map[string]string{"phone_number": "+14155550107", "otp_code": sk.last("+14155550107").Code()}), "+14155550107")
		wantReauth(t, s.do("POST", "/api/v1/auth/me/export", map[string]any{"password": "any passphrase at all"}, bearer(nopw)...),
			"This account has no password: confirm with a code from POST /api/v1/auth/reauthenticate")
		s.do("POST", "/api/v1/auth/reauthenticate", nil, bearer(nopw)...)
		wantStatus(t, s.do("POST", "/api/v1/auth/me/export", map[string]any{"otp_code": sk.last("+14155550107").Code()}, bearer(nopw)...), 200, "")
	})
}

// TestReauthWindow: a session's login proves the caller for PHONEAUTH_REAUTH_WINDOW; a refresh does not
// renew it.
func TestReauthWindow(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		s := start(t, dialect, "PHONEAUTH_REAUTH_WINDOW=2s", "PHONEAUTH_REFRESH_REUSE_INTERVAL=0")
		s.createUser(userPhone, "Uma User", userPW)
		access, refresh := s.loginPair(userPhone, userPW)
		wantStatus(t, s.do("POST", "/api/v1/auth/me/export", nil, bearer(access)...), 200, "")
		time.Sleep(2100 * time.Millisecond)
		r := s.refresh(refresh)
		wantStatus(t, r, 200, "")
		fresh := r.JSON(t)["access_token"].(string)
		wantReauth(t, s.do("POST", "/api/v1/auth/me/export", nil, bearer(fresh)...), "")
		wantStatus(t, s.do("POST", "/api/v1/auth/me/export", map[string]string{"password": userPW}, bearer(fresh)...), 200, "")
		// A new login is a new proof.
		wantStatus(t, s.do("POST", "/api/v1/auth/me/export", nil, bearer(s.login(userPhone, userPW))...), 200, "")
	})
}

func TestPhoneChange(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		sk := newWebhookSink(t, "")
		s := start(t, dialect, lifecycleEnv(sk, "PHONEAUTH_SMS_ALLOWED_COUNTRIES=US")...)
		s.createUser(adminPhone, "Ada Admin", adminPW, "--role", "admin")
		uid := s.createUser(userPhone, "Uma User", userPW)
		s.createUser("+14155550103", "Otto Owner", userPW)
		admin := s.login(adminPhone, adminPW)
		tok, other := s.login(userPhone, userPW), s.login(userPhone, userPW)
		const newNum = "+14155550140"
		start := func(num string, body map[string]any) *response {
			b := map[string]any{"new_phone_number": num}
			for k, v := range body {
				b[k] = v
			}
			return s.do("POST", "/api/v1/auth/phone-change", b, bearer(tok)...)
		}
		verify := func(tok, num, code string) *response {
			return s.do("POST", "/api/v1/auth/phone-change/verify", map[string]string{"new_phone_number": num, "otp_code": code}, bearer(tok)...)
		}

		// Checked like a signup number, and proven.
		assertLocs(t, start("12", map[string]any{"password": userPW}), "body.new_phone_number")
		items := items422(t, start("+44 20 7946 0958", map[string]any{"password": ""}))
		wantItem(t, items, "body.new_phone_number", "value_error", "(GB) is not supported")
		wantItem(t, items, "body.password", "string_too_short", "")
		wantStatus(t, start("+1 (415) 555-0101", map[string]any{"password": userPW}), 400, "That is already your phone number")
		wantStatus(t, verify(tok, userPhone, "123456"), 400, "That is already your phone number")
		wantReauth(t, start(newNum, nil), "")
		wantReauth(t, start(newNum, map[string]any{"password": "not my passphrase"}), "Incorrect password")
		if n := sk.count(newNum); n != 0 {
			t.Fatalf("a refused request texted the new number %d times", n)
		}

		// A code to the new number, bound to the user.
		r := start("+1 415-555-0140", map[string]any{"password": userPW})
		wantStatus(t, r, 200, "")
		m := sk.last(newNum)
		if m.Purpose != "phone_change" || m.Code() == "" || m.ReferenceID != r.JSON(t)["reference_id"] {
			t.Fatalf("phone-change SMS %+v", m)
		}
		wantStatus(t, verify(admin, newNum, m.Code()), 400, "Invalid or expired code") // another account cannot use it
		wantStatus(t, verify(tok, newNum, "000000"), 400, "Invalid code; 4 attempts left")
		r = verify(tok, "+1 415 555 0140", m.Code())
		wantStatus(t, r, 200, "")
		if got := r.JSON(t); got["phone"] != newNum || got["id"] != uid {
			t.Fatalf("verify answer %v", got)
		}
		wantStatus(t, verify(tok, newNum, m.Code()), 400, "That is already your phone number")

		// Every other session ended; the old number is told; login is by the new number.
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(other)...), 401, "Could not validate credentials")
		if s.me(tok)["phone"] != newNum {
			t.Fatal("/me does not show the new number")
		}
		if n := sk.last(userPhone); n.Purpose != "notice" || n.Code() != "" || !strings.Contains(n.Message, "moved to another phone number") {
			t.Fatalf("old number's notice %+v", n)
		}
		s.login(newNum, userPW)
		wantStatus(t, s.do("POST", "/api/v1/auth/login", map[string]string{"phone": userPhone, "password": userPW}), 401, "")
		changed := ofType(s.events(admin, uid), "phone.changed")
		if len(changed) != 1 || changed[0].Details["by"] != "code" || changed[0].Details["sessions_ended"] != "1" || changed[0].ActorID != nil {
			t.Fatalf("phone.changed events %+v", changed)
		}

		// A number with an account: the same answer, a notice there instead of a code, and every verify
		// fails as a wrong code does for a number that got one.
		const taken, free = "+14155550103", "+14155550141"
		shape := func(r *response) string {
			m := r.JSON(t)
			delete(m, "reference_id")
			b, _ := json.Marshal(m)
			return fmt.Sprint(r.Status, string(b))
		}
		if a, b := shape(start(taken, map[string]any{"password": userPW})), shape(start(free, map[string]any{"password": userPW})); a != b {
			t.Fatalf("a taken number answers %s, a free one %s", a, b)
		}
		if n := sk.last(taken); n.Code() != "" || n.Purpose != "notice" || !strings.Contains(n.Message, "tried to move") {
			t.Fatalf("the taken number got %+v", n)
		}
		var want, got []string
		for range 6 {
			want = append(want, shape(verify(tok, free, "000000")))
			got = append(got, shape(verify(tok, taken, "000000")))
		}
		if strings.Join(got, "|") != strings.Join(want, "|") || !strings.HasPrefix(want[5], "429") {
			t.Fatalf("verify for a taken number answers\n%q\nwant\n%q", got, want)
		}
		if s.me(tok)["phone"] != newNum {
			t.Fatal("the account moved to a taken number")
		}
	})
}

// TestPhoneChangeRace: two accounts move to one free number at once; exactly one wins, and the other
// gets the answer of a wrong code.
func TestPhoneChangeRace(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		sk := newWebhookSink(t, "")
		s := start(t, dialect, lifecycleEnv(sk)...)
		const target = "+14155550150"
		type account struct {
			phone, tok, code string
			r                *response
		}
		accounts := []*account{{phone: "+14155550151"}, {phone: "+14155550152"}}
		for _, a := range accounts {
			s.createUser(a.phone, "Racer", userPW)
			a.tok = s.login(a.phone, userPW)
			wantStatus(t, s.do("POST", "/api/v1/auth/phone-change", map[string]string{"new_phone_number": target, "password": userPW}, bearer(a.tok)...), 200, "")
			a.code = sk.last(target).Code()
		}
		var wg sync.WaitGroup
		for _, a := range accounts {
			wg.Go(func() {
				a.r = s.do("POST", "/api/v1/auth/phone-change/verify", map[string]string{"new_phone_number": target, "otp_code": a.code}, bearer(a.tok)...)
			})
		}
		wg.Wait()
		var winners int
		for _, a := range accounts {
			switch a.r.Status {
			case 200:
				winners++
			case 400:
				if d := a.r.JSON(t)["detail"]; d != "Invalid code; 4 attempts left" {
					t.Fatalf("the loser's answer %v, want a wrong code's", d)
				}
				if s.me(a.tok)["phone"] != a.phone {
					t.Fatal("the loser's number changed")
				}
			default:
				t.Fatalf("verify: %d %s", a.r.Status, a.r.Body)
			}
		}
		if winners != 1 || s.count("SELECT count(*) FROM users WHERE phone = ?", target) != 1 {
			t.Fatalf("%d winners", winners)
		}
	})
}

func TestAccountDeletion(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		sk := newWebhookSink(t, "")
		s := start(t, dialect, lifecycleEnv(sk)...)
		adminID := s.createUser(adminPhone, "Ada Admin", adminPW, "--role", "admin")
		uid := s.createUser(userPhone, "Uma User", userPW, "--email", "uma@example.com")
		admin := s.login(adminPhone, adminPW)
		tok, refresh := s.loginPair(userPhone, userPW)
		other := s.login(userPhone, userPW)
		wantStatus(t, s.do("PATCH", "/api/v1/auth/me", map[string]any{"place": "Lisbon", "gender": "female"}, bearer(tok)...), 200, "")
		// What an account leaves behind: codes of every kind, a lockout count, audit events with its
		// number, IP and user agent.
		s.sendCode("/api/v1/auth/login/send-otp", userPhone)
		s.do("POST", "/api/v1/auth/reauthenticate", nil, bearer(tok)...)
		wantStatus(t, s.do("POST", "/api/v1/auth/phone-change", map[string]string{"new_phone_number": "+14155550160", "password": userPW}, bearer(tok)...), 200, "")
		wantStatus(t, s.do("POST", "/api/v1/auth/login", map[string]string{"phone": userPhone, "password": "wrong passphrase"}), 401, "")
		if s.count("SELECT count(*) FROM audit_events WHERE user_id = ? AND details LIKE '%phone%' AND ip <> ''", uid) == 0 {
			t.Fatal("no audit event with a phone and an IP to erase: the test proves nothing")
		}

		wantReauth(t, s.do("POST", "/api/v1/auth/delete-account", nil, bearer(tok)...), "")
		r := s.do("POST", "/api/v1/auth/delete-account", map[string]string{"password": userPW}, bearer(tok)...)
		wantStatus(t, r, 200, "")
		if r.JSON(t)["message"] == "" {
			t.Fatalf("answer %s", r.Body)
		}
		// Its tokens stop working at once.
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(tok)...), 401, "Could not validate credentials")
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(other)...), 401, "")
		wantStatus(t, s.refresh(refresh), 401, "")
		if n := sk.last(userPhone); n.Purpose != "notice" || !strings.Contains(n.Message, "has been deleted") {
			t.Fatalf("deletion notice %+v", n)
		}

		// Nothing in the database names the user, except their events under the bare id.
		for table, where := range map[string]string{"users": "id = ? OR phone = ?", "sessions": "user_id = ?",
			"otp_challenges": "user_id = ? OR phone = ?", "login_throttle": "phone = ?"} {
			args := []any{uid, userPhone}
			if strings.Count(where, "?") == 1 {
				args = args[:1]
				if table == "login_throttle" {
					args = []any{userPhone}
				}
			}
			if n := s.count("SELECT count(*) FROM "+table+" WHERE "+where, args...); n != 0 {
				t.Errorf("%d rows of %s left", n, table)
			}
		}
		if n := s.count("SELECT count(*) FROM refresh_tokens WHERE session_id NOT IN (SELECT id FROM sessions)"); n != 0 {
			t.Errorf("%d refresh tokens without a session", n)
		}
		events := s.events(admin, uid)
		if len(events) < 5 || events[0].Type != "user.deleted" || events[0].Details["by"] != "user" || events[0].Details["proof"] != "password" {
			t.Fatalf("events after deletion %+v", events)
		}
		for _, e := range events[1:] {
			if e.IP != "" || e.UserAgent != "" || e.Details["phone"] != "" {
				t.Errorf("%s kept ip %q, user agent %q, phone %q", e.Type, e.IP, e.UserAgent, e.Details["phone"])
			}
		}
		if events[0].IP == "" {
			t.Error("user.deleted lost the address of the request that deleted the account")
		}
		masked := userPhone[:4] + "%" + userPhone[len(userPhone)-2:]
		if n := s.count("SELECT count(*) FROM audit_events WHERE user_id = ? AND (details LIKE ? OR details LIKE ? OR details LIKE ?)",
			uid, "%"+masked+"%", "%uma@example.com%", "%Uma User%"); n != 0 {
			t.Errorf("%d events about the user still name them", n)
		}

		wantStatus(t, s.do("POST", "/api/v1/auth/login", map[string]string{"phone": userPhone, "password": userPW}), 401, "")

		// The number signs up again as a new account.
		s.sendCode("/api/v1/auth/signup/send-otp", userPhone)
		_, newID := tokenAnswer(t, s.do("POST", "/api/v1/auth/signup/verify-otp", map[string]any{"phone_number": userPhone,
			"otp_code": sk.last(userPhone).Code(), "name": "Uma Again", "email": "uma@example.com", "password": userPW}), userPhone)
		if newID == uid {
			t.Fatal("the new account has the deleted one's id")
		}

		// Admins delete others, not themselves.
		vid := s.createUser("+14155550104", "Vic Victim", userPW)
		victim := s.login("+14155550104", userPW)
		userTok := s.login(userPhone, userPW)
		wantStatus(t, s.do("DELETE", "/api/v1/admin/users/"+vid, nil, bearer(userTok)...), 403, "")
		wantStatus(t, s.do("DELETE", "/api/v1/admin/users/"+adminID, nil, bearer(admin)...), 400, "You cannot delete your own account here; use delete-account")
		wantStatus(t, s.do("DELETE", "/api/v1/admin/users/"+vid, nil, bearer(admin)...), 200, "")
		wantStatus(t, s.do("DELETE", "/api/v1/admin/users/"+vid, nil, bearer(admin)...), 404, "User not found")
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(victim)...), 401, "")
		deleted := ofType(s.events(admin, vid), "user.deleted")
		if len(deleted) != 1 || deleted[0].ActorID == nil || *deleted[0].ActorID != adminID || deleted[0].Details["by"] != "admin" {
			t.Fatalf("admin deletion events %+v", deleted)
		}
		// The append-only rule still holds for everything else.
		for _, q := range []string{"DELETE FROM audit_events", "UPDATE audit_events SET ip = ''"} {
			if err := s.tryExec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Fatalf("%s: %v, want the append-only refusal", q, err)
			}
		}
	})
}

// TestDeletionRaces: a deletion racing refreshes, logins and a phone change leaves no session, token
// or row of the user behind, and every answer is one the spec documents.
func TestDeletionRaces(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		sk := newWebhookSink(t, "")
		s := start(t, dialect, lifecycleEnv(sk, "PHONEAUTH_REFRESH_REUSE_INTERVAL=10s")...)
		for round := range 3 {
			phone := fmt.Sprintf("+1415555017%d", round)
			target := fmt.Sprintf("+1415555018%d", round)
			uid := s.createUser(phone, "Rae Racer", userPW)
			tok, refresh := s.loginPair(phone, userPW)
			wantStatus(t, s.do("POST", "/api/v1/auth/phone-change", map[string]string{"new_phone_number": target, "password": userPW}, bearer(tok)...), 200, "")
			code := sk.last(target).Code()
			var wg sync.WaitGroup
			// Each answer is one of these: a success, or the refusal of a request whose account is gone.
			want := func(what string, r *response, ok ...int) {
				if !slices.Contains(ok, r.Status) {
					t.Errorf("round %d: %s: %d %s", round, what, r.Status, r.Body)
				}
			}
			wg.Go(func() {
				want("delete", s.do("POST", "/api/v1/auth/delete-account", map[string]string{"password": userPW}, bearer(tok)...), 200)
			})
			for range 3 {
				wg.Go(func() { want("refresh", s.refresh(refresh), 200, 401) })
				wg.Go(func() {
					want("login", s.do("POST", "/api/v1/auth/login", map[string]string{"phone": phone, "password": userPW}), 200, 401)
				})
			}
			wg.Go(func() {
				want("phone change", s.do("POST", "/api/v1/auth/phone-change/verify",
					map[string]string{"new_phone_number": target, "otp_code": code}, bearer(tok)...), 200, 400, 401)
			})
			wg.Wait()
			// Whatever won, the deletion ran to its end: the user is gone.
			if n := s.count("SELECT count(*) FROM users WHERE id = ?", uid); n != 0 {
				t.Fatalf("round %d: the user survived its deletion", round)
			}
			for _, q := range []string{"SELECT count(*) FROM sessions WHERE user_id = ?", "SELECT count(*) FROM otp_challenges WHERE user_id = ?",
				"SELECT count(*) FROM refresh_tokens WHERE session_id NOT IN (SELECT id FROM sessions)"} {
				args := []any{uid}
				if !strings.Contains(q, "?") {
					args = nil
				}
				if n := s.count(q, args...); n != 0 {
					t.Fatalf("round %d: %s = %d", round, q, n)
				}
			}
		}
	})
}

func TestExport(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		s := start(t, dialect, "PHONEAUTH_REAUTH_WINDOW=0")
		s.createUser(adminPhone, "Ada Admin", adminPW, "--role", "admin")
		uid := s.createUser(userPhone, "Uma User", userPW, "--email", "uma@example.com")
		admin := s.login(adminPhone, adminPW)
		ended := s.login(userPhone, userPW)
		wantStatus(t, s.do("POST", "/api/v1/auth/logout", nil, bearer(ended)...), 204, "")
		tok := s.login(userPhone, userPW)

		wantReauth(t, s.do("POST", "/api/v1/auth/me/export", nil, bearer(tok)...), "")
		r := s.do("POST", "/api/v1/auth/me/export", map[string]string{"password": userPW}, bearer(tok)...)
		wantStatus(t, r, 200, "")
		if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="phoneauth-export-`) {
			t.Fatalf("Content-Disposition %q", cd)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("Cache-Control %q", cc)
		}
		var x struct {
			User struct {
				ID    string `json:"id"`
				Email string `json:"email"`
			} `json:"user"`
			Sessions []struct {
				EndedAt   *string `json:"ended_at"`
				EndReason *string `json:"end_reason"`
				IP        string  `json:"ip"`
			} `json:"sessions"`
			Events    []auditEvent `json:"audit_events"`
			Truncated bool         `json:"audit_events_truncated"`
		}
		decode(t, r, &x)
		if x.User.ID != uid || x.User.Email != "uma@example.com" || len(x.Sessions) != 2 || x.Truncated {
			t.Fatalf("export %s", r.Body)
		}
		if x.Sessions[1].EndReason == nil || *x.Sessions[1].EndReason != "logout" || x.Sessions[1].EndedAt == nil ||
			x.Sessions[0].EndReason != nil || x.Sessions[0].IP != "127.0.0.1" {
			t.Fatalf("exported sessions %s", r.Body)
		}
		if len(ofType(x.Events, "login.succeeded")) != 2 || len(ofType(x.Events, "session.ended")) != 1 {
			t.Fatalf("exported events %+v", x.Events)
		}
		for _, secret := range []string{"$argon2id$", userPW, tok} {
			if strings.Contains(string(r.Body), secret) {
				t.Fatal("the export holds a secret")
			}
		}
		exported := ofType(s.events(admin, uid), "data.exported")
		if len(exported) != 1 || exported[0].Details["proof"] != "password" {
			t.Fatalf("data.exported events %+v", exported)
		}
		// The proof goes in the body only.
		wantStatus(t, s.do("GET", "/api/v1/auth/me/export?password="+url.QueryEscape(userPW), nil, bearer(tok)...), 405, "")
	})
}

func TestAdminUserManagement(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		sk := newWebhookSink(t, "")
		s := start(t, dialect, lifecycleEnv(sk)...)
		adminID := s.createUser(adminPhone, "Ada Admin", adminPW, "--role", "admin")
		s.createUser(userPhone, "Uma User", userPW, "--email", "uma@example.com")
		admin := bearer(s.login(adminPhone, adminPW))

		// Create, with every field.
		r := s.do("POST", "/api/v1/admin/users", map[string]any{"phone": "+1 415 555 0105", "name": " Cara Created ", "email": "cara@example.com",
			"gender": "female", "date_of_birth": "1985-01-02", "place": "Porto", "roles": []string{"admin"}, "password": "cara's passphrase"}, admin...)
		wantStatus(t, r, 201, "")
		cara := r.JSON(t)
		if cara["phone"] != "+14155550105" || cara["name"] != "Cara Created" || cara["place"] != "Porto" || fmt.Sprint(cara["roles"]) != "[user admin]" ||
			cara["failed_logins"] != float64(0) || cara["has_given_consent"] != false {
			t.Fatalf("created %v", cara)
		}
		caraID := cara["id"].(string)
		caraTok := s.login("+14155550105", "cara's passphrase")
		wantStatus(t, s.do("POST", "/api/v1/admin/users", map[string]any{"phone": userPhone, "name": "Dup"}, admin...), 409, "")
		wantStatus(t, s.do("POST", "/api/v1/admin/users", map[string]any{"phone": "+14155550106", "name": "Dup", "email": "UMA@example.com"}, admin...), 409, "")
		items := items422(t, s.do("POST", "/api/v1/admin/users", map[string]any{"phone": "12", "name": " ", "email": "no",
			"password": "password", "date_of_birth": "1800-01-01", "roles": []string{"root"}}, admin...))
		for _, loc := range []string{"body.email", "body.roles.0"} {
			wantItem(t, items, loc, "", "")
		}
		items = items422(t, s.do("POST", "/api/v1/admin/users", map[string]any{"phone": "12", "name": " ", "password": "password",
			"date_of_birth": "1800-01-01"}, admin...))
		for _, loc := range []string{"body.phone", "body.name", "body.password", "body.date_of_birth"} {
			wantItem(t, items, loc, "", "")
		}
		wantStatus(t, s.do("POST", "/api/v1/admin/users", map[string]any{"phone": "+14155550106", "name": "Nobody"}, bearer(s.login(userPhone, userPW))...), 403, "")

		// Without a password: a password login fails as a wrong one does; a code login and a reset work.
		wantStatus(t, s.do("POST", "/api/v1/admin/users", map[string]any{"phone": "+14155550106", "name": "Pia NoPassword"}, admin...), 201, "")
		wrong := s.do("POST", "/api/v1/auth/login", map[string]string{"phone": userPhone, "password": "not the passphrase"})
		none := s.do("POST", "/api/v1/auth/login", map[string]string{"phone": "+14155550106", "password": "not the passphrase"})
		if none.Status != 401 || string(none.Body) != string(wrong.Body) {
			t.Fatalf("password login without a password: %d %s; a wrong password: %s", none.Status, none.Body, wrong.Body)
		}
		s.sendCode("/api/v1/auth/login/send-otp", "+14155550106")
		tokenAnswer(t, s.do("POST", "/api/v1/auth/login/verify-otp", map[string]string{"phone_number": "+14155550106",
			"otp_code": sk.last("+14155550106").Code()}), "+14155550106")
		s.sendCode("/api/v1/auth/forgot-password/init", "+14155550106")
		wantStatus(t, s.do("POST", "/api/v1/auth/forgot-password/confirm", map[string]string{"phone_number": "+14155550106",
			"otp_code": sk.last("+14155550106").Code(), "new_password": "pia's passphrase", "confirm_password": "pia's passphrase"}), 200, "")
		s.login("+14155550106", "pia's passphrase")

		// Edit: profile fields (null clears) and the phone, which ends the sessions and tells both numbers.
		r = s.do("PATCH", "/api/v1/admin/users/"+caraID, map[string]any{"place": nil, "name": "Cara Edited", "phone": "+14155550107",
			"has_given_consent": true}, admin...)
		wantStatus(t, r, 200, "")
		got := r.JSON(t)
		if got["phone"] != "+14155550107" || got["place"] != nil || got["name"] != "Cara Edited" || got["gender"] != "female" || got["has_given_consent"] != false {
			t.Fatalf("edited %v", got)
		}
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(caraTok)...), 401, "")
		if old, nw := sk.last("+14155550105"), sk.last("+14155550107"); old.Purpose != "notice" || !strings.Contains(old.Message, "moved") ||
			nw.Purpose != "notice" || !strings.Contains(nw.Message, "now the phone number") {
			t.Fatalf("notices: old %+v new %+v", old, nw)
		}
		wantStatus(t, s.do("PATCH", "/api/v1/admin/users/"+caraID, map[string]any{"phone": userPhone}, admin...), 409, "Phone number already registered")
		wantStatus(t, s.do("PATCH", "/api/v1/admin/users/"+caraID, map[string]any{"email": "uma@example.com"}, admin...), 409, "Email already registered")
		assertLocs(t, s.do("PATCH", "/api/v1/admin/users/"+caraID, map[string]any{"phone": "12", "gender": strings.Repeat("g", 65)}, admin...),
			"body.gender", "body.phone")
		wantStatus(t, s.do("PATCH", "/api/v1/admin/users/0190a000-0000-7000-8000-999999999999", map[string]any{"name": "x"}, admin...), 404, "User not found")

		events := s.events(admin[1][len("Bearer "):], caraID)
		for _, typ := range []string{"user.created", "user.updated", "phone.changed"} {
			e := ofType(events, typ)
			if len(e) != 1 || e[0].ActorID == nil || *e[0].ActorID != adminID {
				t.Errorf("%s events %+v, want one acted by the admin", typ, e)
			}
		}
		if e := ofType(events, "user.updated"); len(e) == 1 && e[0].Details["fields"] != "name,place" {
			t.Errorf("user.updated fields %q", e[0].Details["fields"])
		}
		if e := ofType(events, "phone.changed"); len(e) == 1 && (e[0].Details["by"] != "admin" || e[0].Details["sessions_ended"] != "1") {
			t.Errorf("phone.changed %+v", e[0])
		}
	})
}

func TestAuditRetention(t *testing.T) {
	db := "PHONEAUTH_DATABASE_URL=" + t.TempDir() + "/x.db"
	for _, bad := range []string{"1h", "23h59m", "soon"} {
		wantConfigError(t, []string{"PHONEAUTH_AUDIT_RETENTION=" + bad, db}, "PHONEAUTH_AUDIT_RETENTION")
	}
	wantConfigError(t, []string{"PHONEAUTH_REAUTH_WINDOW=-1m", db}, "PHONEAUTH_REAUTH_WINDOW")
	forEachDB(t, func(t *testing.T, dialect string) {
		s := start(t, dialect, "PHONEAUTH_AUDIT_RETENTION=48h")
		s.createUser(userPhone, "Uma User", userPW)
		s.login(userPhone, userPW)
		old := time.Now().UTC().Add(-72 * time.Hour)
		for range 3 {
			s.exec("INSERT INTO audit_events (at, type, ip, user_agent, reference_id, details) VALUES (?, 'login.failed', '', '', '', '{}')", old)
		}
		recent := s.count("SELECT count(*) FROM audit_events WHERE at > ?", old.Add(time.Hour))
		out, errOut, code := s.cli("", "purge")
		if code != 0 || !strings.Contains(out, ", 3 audit events") {
			t.Fatalf("purge: exit %d: %s %s", code, out, errOut)
		}
		if n := s.count("SELECT count(*) FROM audit_events WHERE at < ?", old.Add(time.Hour)); n != 0 {
			t.Fatalf("%d old events left", n)
		}
		if n := s.count("SELECT count(*) FROM audit_events WHERE at > ? AND type <> 'data.purged'", old.Add(time.Hour)); n != recent {
			t.Fatalf("%d recent events left, want %d", n, recent)
		}
		if err := s.tryExec("DELETE FROM audit_events WHERE type = 'data.purged'"); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("deleting a recent event: %v, want the append-only refusal", err)
		}
	})
}
