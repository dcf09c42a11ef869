package auth_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/password"
	"github.com/phoneauth/phoneauth/auth/phone"
	"github.com/phoneauth/phoneauth/store"
)

// TestSignupKeepsTheCodeWhenTheInsertFails: the account's insert and the code's consumption are one
// transaction, so a sign-up refused by the insert (the number was registered after its code was
// sent) leaves the code live and gives the guess back.
func TestSignupKeepsTheCodeWhenTheInsertFails(t *testing.T) {
	f := newFixture(t, weak)
	ctx := auth.WithClient(context.Background(), ci)
	code := f.sendCode(t, auth.PurposeSignup, false)
	f.user(t, ph) // registered meanwhile, by an operator
	_, err := f.accounts.SignupWithCode(ctx, auth.Signup{Phone: ph, Code: code, Name: "New", Password: "a long passphrase"})
	wantKind(t, err, auth.ErrConflict)
	ch, err := f.db.Challenges().Get(ctx, ph, auth.PurposeSignup)
	if err != nil {
		t.Fatal(err)
	}
	if ch.CodeHash == "" || ch.Attempts != 0 {
		t.Fatalf("after the refused insert: code live %v, %d attempts counted; want live, 0", ch.CodeHash != "", ch.Attempts)
	}
	if n := countEvents(t, f.db, auth.EventOTPVerified); n != 0 {
		t.Errorf("%d %s events for a code that was not consumed", n, auth.EventOTPVerified)
	}
}

// failingAudit refuses to record events of one type.
type failingAudit struct {
	auth.Audit
	typ string
}

func (a failingAudit) Record(ctx context.Context, e auth.AuditEvent) error {
	if e.Type == a.typ {
		return errors.New("disk full")
	}
	return a.Audit.Record(ctx, e)
}

// TestAnUnwritableAuditEventUndoesItsChange: inside a request's transaction, an audit event that cannot
// be written fails the transaction, so that no change is left without its event. On SQLite, where a
// failed INSERT does not abort the transaction, only this keeps the session from being stored.
func TestAnUnwritableAuditEventUndoesItsChange(t *testing.T) {
	for _, typ := range []string{auth.EventLoginSucceeded, auth.EventOTPVerified} {
		t.Run(typ, func(t *testing.T) {
			f := newFixture(t, weak)
			u := f.user(t, ph)
			ctx := auth.WithClient(context.Background(), ci)
			env := auth.Env{Clock: f.clock, Logger: slog.New(slog.DiscardHandler), Audit: failingAudit{f.db.Audit(), typ}, Atomic: f.db}
			logins := loginsWith(t, f.db, env)
			if typ == auth.EventLoginSucceeded {
				if _, err := logins.PasswordLogin(ctx, ph, "a long passphrase"); err == nil {
					t.Fatal("password login succeeded without its audit event")
				}
			} else {
				// The fixture's own CodeService sent the code; the same key (a server secret) checks it.
				code := f.sendCode(t, auth.PurposeLogin, false)
				if _, err := logins.CodeLogin(ctx, ph, code); err == nil {
					t.Fatal("code login succeeded without its audit event")
				}
				ch, err := f.db.Challenges().Get(ctx, ph, auth.PurposeLogin)
				if err != nil || ch.CodeHash == "" || ch.Attempts != 0 {
					t.Fatalf("the code after the failed login: %+v, %v; want live, no attempt counted", ch, err)
				}
			}
			if s, err := f.db.Sessions().ListActive(ctx, u.ID); err != nil || len(s) != 0 {
				t.Fatalf("sessions after the failed login: %d, %v; want none", len(s), err)
			}
			if got, err := f.db.Users().ByID(ctx, u.ID); err != nil || got.LastLoginAt != nil {
				t.Fatalf("last login after the failed login: %v, %v; want none", got.LastLoginAt, err)
			}
			if n := countEvents(t, f.db, auth.EventLoginSucceeded); n != 0 {
				t.Errorf("%d login events for a login that did not happen", n)
			}
		})
	}
}

// loginsWith builds a LoginService (and what it needs) on db with env.
func loginsWith(t *testing.T, db *store.DB, env auth.Env) *auth.LoginService {
	t.Helper()
	ctx := context.Background()
	h, err := password.NewHasher(password.Config{Params: weak})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := auth.NewKeyService(ctx, env, auth.KeyConfig{Issuer: "test", AccessTokenTTL: 15 * time.Minute}, db.Keys())
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := auth.NewSessionService(env, auth.SessionConfig{MaxAge: 24 * time.Hour}, db.Sessions(), db.Users(), keys)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := auth.NewCodeService(ctx, env, auth.DefaultOTPConfig(), auth.CodeDeps{Challenges: db.Challenges(), Secrets: db.Secrets(),
		Users: db.Users(), SMS: &recorder{}, Phones: phone.Parser{}})
	if err != nil {
		t.Fatal(err)
	}
	logins, err := auth.NewLoginService(env, auth.LockoutConfig{Threshold: 3}, auth.LoginDeps{Users: db.Users(), Hasher: h,
		Throttle: db.Throttle(), Phones: phone.Parser{}, Codes: codes, Sessions: sessions})
	if err != nil {
		t.Fatal(err)
	}
	return logins
}

func countEvents(t *testing.T, db *store.DB, typ string) int {
	t.Helper()
	events, err := db.Audit().List(context.Background(), auth.AuditFilter{Type: typ, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(events)
}

// TestSearchByPhoneNumber: a search that is a phone number, in any format the parser reads, finds the
// account with that number (by the unique index) and only it; anything else is a substring search.
func TestSearchByPhoneNumber(t *testing.T) {
	f := newFixture(t, weak)
	adm := f.user(t, "+14155550199", auth.RoleAdmin)
	u := f.user(t, "+14155550100")
	f.user(t, "+14155550101")
	ctx := auth.WithPrincipal(context.Background(), &auth.Principal{User: adm, Session: &auth.Session{}})
	for _, c := range []struct {
		q    string
		want int
	}{{"+1 415 555 0100", 1}, {"+14155550100", 1}, {"001 (415) 555-0100", 1}, {"+14155550177", 0}, {"555010", 2}, {"Test", 3}} {
		users, next, err := f.admin.ListUsers(ctx, c.q, "", 10)
		if err != nil {
			t.Fatalf("%q: %v", c.q, err)
		}
		if len(users) != c.want || next != "" {
			t.Errorf("%q: %d users (next %q), want %d", c.q, len(users), next, c.want)
		}
		if c.want == 1 && users[0].ID != u.ID {
			t.Errorf("%q found %s, want %s", c.q, users[0].Phone, u.Phone)
		}
	}
}
