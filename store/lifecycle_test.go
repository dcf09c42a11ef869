package store_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/store"
)

func TestUpdateProfile(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		users := db.Users()
		u, other := newUser("+14155550100", nil), newUser("+14155550101", ptr("taken@example.com"))
		for _, x := range []*auth.User{u, other} {
			if err := users.Create(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		t1, t2 := t0.Add(time.Hour), t0.Add(2*time.Hour)
		dob := time.Date(1990, 4, 5, 0, 0, 0, 0, time.UTC)
		got, ended, err := users.UpdateProfile(ctx, u.ID, auth.ProfileChange{Name: ptr("Bea"), Email: auth.To("bea@example.com"),
			Gender: auth.To("f"), DateOfBirth: auth.To(dob), Place: auth.To("Porto"), Consent: ptr(true)}, t1, uuid.Nil)
		if err != nil || ended != 0 {
			t.Fatal(ended, err)
		}
		if got.Name != "Bea" || *got.Email != "bea@example.com" || *got.Gender != "f" || !got.DateOfBirth.Equal(dob) || *got.Place != "Porto" ||
			!got.HasGivenConsent || !got.ConsentGivenAt.Equal(t1) || !got.UpdatedAt.Equal(t1) || got.Phone != u.Phone {
			t.Fatalf("after the update: %+v", got)
		}
		// Consent given again keeps its time; clearing sets NULL; what is not named stays.
		got, _, err = users.UpdateProfile(ctx, u.ID, auth.ProfileChange{Consent: ptr(true), Place: auth.Clear[string](),
			DateOfBirth: auth.Clear[time.Time]()}, t2, uuid.Nil)
		if err != nil || !got.ConsentGivenAt.Equal(t1) || got.Place != nil || got.DateOfBirth != nil || *got.Gender != "f" || got.Name != "Bea" {
			t.Fatalf("after clearing: %+v, %v", got, err)
		}
		got, _, err = users.UpdateProfile(ctx, u.ID, auth.ProfileChange{Consent: ptr(false)}, t2, uuid.Nil)
		if err != nil || got.HasGivenConsent || got.ConsentGivenAt != nil {
			t.Fatalf("after withdrawing consent: %+v, %v", got, err)
		}
		// Taken values, an unknown user.
		for name, c := range map[string]auth.ProfileChange{"email": {Email: auth.To("TAKEN@example.com")}, "phone": {Phone: ptr(other.Phone)}} {
			if _, _, err := users.UpdateProfile(ctx, u.ID, c, t2, uuid.Nil); !errors.Is(err, auth.ErrConflict) {
				t.Errorf("a taken %s: %v, want ErrConflict", name, err)
			}
		}
		if _, _, err := users.UpdateProfile(ctx, uuid.MustParse("0190a000-0000-7000-8000-999999999999"), auth.ProfileChange{Name: ptr("x")}, t2, uuid.Nil); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("an unknown user: %v", err)
		}
		// A new phone ends the other sessions in the same transaction.
		keep, gone := session(t, db, u.ID, "0190a000-0000-7000-8000-0000000000a1"), session(t, db, u.ID, "0190a000-0000-7000-8000-0000000000a2")
		got, ended, err = users.UpdateProfile(ctx, u.ID, auth.ProfileChange{Phone: ptr("+14155550102")}, t2, keep)
		if err != nil || ended != 1 || got.Phone != "+14155550102" {
			t.Fatalf("phone change: %+v, %d, %v", got, ended, err)
		}
		if s, _, _ := db.Sessions().WithUser(ctx, gone); s.EndedAt == nil || s.EndReason != auth.EndPhoneChanged {
			t.Errorf("the other session: %+v", s)
		}
		if s, _, _ := db.Sessions().WithUser(ctx, keep); s.EndedAt != nil {
			t.Errorf("the kept session ended: %+v", s)
		}
	})
}

// session stores an active session of user with id and refresh token "refresh-<id>".
func session(t *testing.T, db *store.DB, user uuid.UUID, id string) uuid.UUID {
	t.Helper()
	s := &auth.Session{ID: uuid.MustParse(id), UserID: user, AMR: auth.AMRPassword, IP: "192.0.2.1", UserAgent: "curl/8",
		CreatedAt: t0, LastUsedAt: t0, ExpiresAt: t0.Add(24 * time.Hour)}
	if err := db.Sessions().Create(context.Background(), s, "refresh-"+id); err != nil {
		t.Fatal(err)
	}
	return s.ID
}

func TestSessionHistory(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := newUser("+14155550100", nil)
		if err := db.Users().Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		a := session(t, db, u.ID, "0190a000-0000-7000-8000-0000000000a1")
		b := session(t, db, u.ID, "0190a000-0000-7000-8000-0000000000a2")
		if err := db.Sessions().End(ctx, u.ID, a, t0.Add(time.Minute), auth.EndLogout); err != nil {
			t.Fatal(err)
		}
		got, err := db.Sessions().History(ctx, u.ID, 10)
		if err != nil || len(got) != 2 || got[0].ID != b || got[1].ID != a || got[1].EndReason != auth.EndLogout || got[1].EndedAt == nil {
			t.Fatalf("History = %+v, %v", got, err)
		}
		if got, err := db.Sessions().History(ctx, u.ID, 1); err != nil || len(got) != 1 {
			t.Fatalf("History limit 1 = %d, %v", len(got), err)
		}
	})
}

// TestDeleteUser: every row of the user goes in one transaction; the audit trail keeps the user's
// events without ip, user agent or phone; nobody else's rows change; nothing can be stored for the
// deleted user afterwards.
func TestDeleteUser(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u, v := newUser("+14155550100", ptr("u@example.com")), newUser("+14155550101", nil)
		for _, x := range []*auth.User{u, v} {
			if err := db.Users().Create(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		s1 := session(t, db, u.ID, "0190a000-0000-7000-8000-0000000000a1")
		session(t, db, u.ID, "0190a000-0000-7000-8000-0000000000a2")
		vs := session(t, db, v.ID, "0190a000-0000-7000-8000-0000000000b1")
		if _, err := db.Sessions().Rotate(ctx, s1, "refresh-"+s1.String(), "refresh-next", t0, 0); err != nil {
			t.Fatal(err)
		}
		bound := auth.PurposePhoneChange + ":" + u.ID.String()
		c := db.Challenges()
		for _, ch := range []struct{ phone, purpose string }{{u.Phone, auth.PurposeLogin}, {"+14155550150", bound}, {v.Phone, auth.PurposeLogin}} {
			if err := c.SetCode(ctx, ch.phone, ch.purpose, "hash", "ref", t0.Add(time.Hour), true); err != nil {
				t.Fatal(ch, err)
			}
		}
		for _, ph := range []string{u.Phone, v.Phone} {
			if _, _, err := db.Throttle().Attempt(ctx, ph, t0, 10); err != nil {
				t.Fatal(err)
			}
		}
		a := db.Audit()
		for _, e := range []auth.AuditEvent{
			{At: t0, Type: auth.EventOTPSent, UserID: u.ID, IP: "192.0.2.1", UserAgent: "ua", ReferenceID: "otp_1", Details: map[string]string{"phone": "+141******00", "purpose": "login"}},
			{At: t0, Type: auth.EventLoginSucceeded, UserID: u.ID, IP: "192.0.2.1", Details: map[string]string{"method": "pwd"}},
			{At: t0, Type: auth.EventRoleGranted, UserID: v.ID, ActorID: u.ID, IP: "192.0.2.2", UserAgent: "admin-ua", Details: map[string]string{"role": "admin"}},
			{At: t0, Type: auth.EventOTPSent, UserID: v.ID, IP: "192.0.2.3", Details: map[string]string{"phone": "+141******01"}},
		} {
			if err := a.Record(ctx, e); err != nil {
				t.Fatal(err)
			}
		}

		got, err := db.Users().DeleteUser(ctx, u.ID)
		if err != nil || got.ID != u.ID || got.Phone != u.Phone {
			t.Fatalf("DeleteUser = %+v, %v", got, err)
		}
		left := []struct {
			table, where string
			args         []any
			want         int
		}{
			{"users", "id = ?", []any{u.ID}, 0},
			{"sessions", "user_id = ?", []any{u.ID}, 0},
			{"refresh_tokens", "session_id NOT IN (SELECT id FROM sessions)", nil, 0},
			{"otp_challenges", "user_id = ? OR phone = ? OR purpose = ?", []any{u.ID, u.Phone, bound}, 0},
			{"login_throttle", "phone = ?", []any{u.Phone}, 0},
			// Nobody else's.
			{"users", "id = ?", []any{v.ID}, 1},
			{"sessions", "user_id = ?", []any{v.ID}, 1},
			{"refresh_tokens", "session_id = ?", []any{vs}, 1},
			{"otp_challenges", "phone = ?", []any{v.Phone}, 1},
			{"login_throttle", "phone = ?", []any{v.Phone}, 1},
		}
		for _, l := range left {
			if n := count(t, db, l.table, l.where, l.args...); n != l.want {
				t.Errorf("%s WHERE %s %v: %d rows, want %d", l.table, l.where, l.args, n, l.want)
			}
		}
		events, err := a.List(ctx, auth.AuditFilter{Limit: 10})
		if err != nil || len(events) != 4 {
			t.Fatalf("events %+v, %v", events, err)
		}
		for _, e := range events {
			switch {
			case e.UserID == u.ID || e.ActorID == u.ID:
				if e.IP != "" || e.UserAgent != "" || e.Details["phone"] != "" || !e.At.Equal(t0) {
					t.Errorf("%s of the deleted user kept %q %q %v", e.Type, e.IP, e.UserAgent, e.Details)
				}
			case e.IP != "192.0.2.3" || e.Details["phone"] != "+141******01":
				t.Errorf("another user's event changed: %+v", e)
			}
		}
		if e := events[3]; e.Type != auth.EventOTPSent || e.ReferenceID != "otp_1" || e.Details["purpose"] != "login" || len(e.Details) != 1 {
			t.Errorf("the erasure changed more than it should: %+v", e)
		}
		if e := events[1]; e.Type != auth.EventRoleGranted || e.Details["role"] != "admin" || e.UserID != v.ID || e.ActorID != u.ID {
			t.Errorf("an event the user acted in: %+v", e)
		}

		if _, err := db.Users().DeleteUser(ctx, u.ID); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("deleting again: %v, want ErrNotFound", err)
		}
		// Nothing can be stored for the deleted user.
		err = db.Sessions().Create(ctx, &auth.Session{ID: uuid.New(), UserID: u.ID, AMR: auth.AMROTP, CreatedAt: t0, LastUsedAt: t0, ExpiresAt: t0.Add(time.Hour)}, "late")
		if !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("a session for a deleted user: %v, want ErrNotFound", err)
		}
		if _, _, err := c.ClaimSend(ctx, "+14155550151", bound, t0, 0); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("a bound challenge for a deleted user (ClaimSend): %v, want ErrNotFound", err)
		}
		if err := c.SetCode(ctx, "+14155550151", bound, "h", "r", t0, true); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("a bound challenge for a deleted user (SetCode): %v, want ErrNotFound", err)
		}
	})
}

// permitted runs stmt in a transaction that holds the audit permit of kind for value, as the store's
// purge and erasure do, and returns its error.
func permitted(t *testing.T, db *store.DB, kind, value, stmt string, args ...any) error {
	t.Helper()
	tx, err := db.SQL().BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	if db.Dialect() == store.Postgres {
		setting := map[string]string{"purge": "phoneauth.audit_purge_before", "erase": "phoneauth.audit_erase_user"}[kind]
		_, err = tx.Exec("SELECT set_config($1, $2, true)", setting, value)
		for i := 1; strings.Contains(stmt, "?"); i++ {
			stmt = strings.Replace(stmt, "?", "$"+strconv.Itoa(i), 1)
		}
	} else {
		_, err = tx.Exec("INSERT INTO audit_permits (kind, value) VALUES (?, ?)", kind, value)
	}
	if err != nil {
		t.Fatal(err)
	}
	_, err = tx.Exec(stmt, args...)
	return err
}

// TestAuditPermits: the purge deletes only events from before its cut-off, and the erasure changes
// only the columns that identify a person, of the user it names; the triggers refuse everything else.
func TestAuditPermits(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		uid, other := uuid.MustParse("0190a000-0000-7000-8000-000000000001"), uuid.MustParse("0190a000-0000-7000-8000-000000000002")
		for i, at := range []time.Time{t0.Add(-3 * time.Hour), t0.Add(-2 * time.Hour), t0, t0, t0} {
			if err := db.Audit().Record(ctx, auth.AuditEvent{At: at, Type: auth.EventLoginFailed, UserID: uid, IP: "192.0.2.1",
				Details: map[string]string{"n": strconv.Itoa(i)}}); err != nil {
				t.Fatal(err)
			}
		}
		n, err := db.Purger().PurgeAudit(ctx, t0.Add(-time.Hour), 1)
		if err != nil || n != 2 {
			t.Fatalf("PurgeAudit = %d, %v; want the two old events, one per batch", n, err)
		}
		if got := count(t, db, "audit_events", "1 = 1"); got != 3 {
			t.Fatalf("%d events left, want 3", got)
		}
		if n, err := db.Purger().PurgeAudit(ctx, t0.Add(-time.Hour), 1000); err != nil || n != 0 {
			t.Fatalf("PurgeAudit again = %d, %v", n, err)
		}

		cut := t0.Add(-time.Hour)
		purgeValue := cut.UTC().Format(time.RFC3339Nano)
		if db.Dialect() == store.SQLite {
			var stored string
			scan(t, db, "SELECT CAST(? AS TEXT)", []any{cut}, &stored) // the cut-off as the driver writes times
			purgeValue = stored
		}
		var refused = []struct {
			kind, value, stmt string
			args              []any
		}{
			{"purge", purgeValue, "DELETE FROM audit_events WHERE at >= ?", []any{cut}},                      // newer than the cut-off
			{"erase", uid.String(), "UPDATE audit_events SET type = 'x'", nil},                               // not an erasure
			{"erase", uid.String(), "UPDATE audit_events SET ip = '', user_agent = '', details = '{}'", nil}, // more than the phone
			{"erase", other.String(), "UPDATE audit_events SET ip = '', user_agent = ''", nil},               // another user's events
			{"erase", uid.String(), "DELETE FROM audit_events", nil},                                         // erasing is no deleting
		}
		for _, r := range refused {
			if err := permitted(t, db, r.kind, r.value, r.stmt, r.args...); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s under a %s permit: %v, want the append-only refusal", r.stmt, r.kind, err)
			}
		}
		// Without a permit nothing goes, as before.
		for _, q := range []string{"UPDATE audit_events SET ip = ''", "DELETE FROM audit_events"} {
			if _, err := db.SQL().ExecContext(ctx, q); err == nil {
				t.Errorf("%s succeeded on an append-only table", q)
			}
		}
		if got := count(t, db, "audit_events", "ip = '192.0.2.1'"); got != 3 {
			t.Fatalf("%d events intact, want 3", got)
		}
	})
}
