package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/phone"
	"github.com/phoneauth/phoneauth/auth/token"
)

func (f *fixture) login(t *testing.T) *auth.Login {
	t.Helper()
	l, err := f.logins.PasswordLogin(auth.WithClient(context.Background(), ci), ph, "a long passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if l.RefreshToken == "" {
		t.Fatal("no refresh token")
	}
	return l
}

func (f *fixture) authOK(t *testing.T, access string) *auth.Principal {
	t.Helper()
	p, err := f.sessions.Authenticate(context.Background(), "Bearer "+access)
	if err != nil {
		t.Fatalf("access token refused: %v", err)
	}
	return p
}

func (f *fixture) authRefused(t *testing.T, access string) {
	t.Helper()
	if _, err := f.sessions.Authenticate(context.Background(), "Bearer "+access); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("access token accepted (or wrong error): %v", err)
	}
}

func TestRefreshRotatesAndDetectsReuse(t *testing.T) {
	f := newFixture(t, weak) // reuse interval 10s
	f.user(t, ph)
	ctx := context.Background()
	l := f.login(t)
	f.clock.Add(time.Minute)
	r1, err := f.sessions.Refresh(ctx, l.RefreshToken)
	if err != nil || r1.RefreshToken == l.RefreshToken || r1.Session.ID != l.Session.ID {
		t.Fatalf("Refresh = %+v, %v", r1, err)
	}
	f.authOK(t, r1.AccessToken)
	// Within the grace period the spent token works again (a client's concurrent refresh).
	f.clock.Add(5 * time.Second)
	if _, err := f.sessions.Refresh(ctx, l.RefreshToken); err != nil {
		t.Fatalf("reuse inside the grace period: %v", err)
	}
	// After it, presenting it again ends the session: every token of it dies at once.
	f.clock.Add(10 * time.Second)
	_, err = f.sessions.Refresh(ctx, l.RefreshToken)
	wantKind(t, err, auth.ErrInvalidToken)
	f.authRefused(t, r1.AccessToken)
	_, err = f.sessions.Refresh(ctx, r1.RefreshToken)
	wantKind(t, err, auth.ErrInvalidToken)
	for _, junk := range []string{"", "x", strings.Repeat("A", 43), l.RefreshToken + "x"} {
		_, err := f.sessions.Refresh(ctx, junk)
		wantKind(t, err, auth.ErrInvalidToken)
	}
}

func TestSessionTimeouts(t *testing.T) {
	f := newFixture(t, weak) // SessionMaxAge 24h, idle 6h (see newServiceOTP)
	f.user(t, ph)
	ctx := context.Background()
	l := f.login(t)
	// Refreshing keeps an active session alive past the idle timeout...
	tok := l.RefreshToken
	for range 4 { // 20h, refreshing every 5h
		f.clock.Add(5 * time.Hour)
		r, err := f.sessions.Refresh(ctx, tok)
		if err != nil {
			t.Fatalf("refresh within the idle timeout: %v", err)
		}
		tok = r.RefreshToken
		if r.ExpiresIn > 15*time.Minute {
			t.Fatalf("access token lifetime %s", r.ExpiresIn)
		}
	}
	// ...but not past its absolute lifetime; the last access token never outlives the session.
	f.clock.Add(3*time.Hour + 50*time.Minute) // 23h50m after login
	r, err := f.sessions.Refresh(ctx, tok)
	if err != nil || r.ExpiresIn != 10*time.Minute {
		t.Fatalf("last refresh: %v, lifetime %s (want capped at 10m)", err, r.ExpiresIn)
	}
	f.clock.Add(11 * time.Minute)
	_, err = f.sessions.Refresh(ctx, r.RefreshToken)
	wantKind(t, err, auth.ErrInvalidToken)

	// Idle: a session unused for longer than the timeout is over.
	l2 := f.login(t)
	f.clock.Add(6*time.Hour + time.Second)
	_, err = f.sessions.Refresh(ctx, l2.RefreshToken)
	wantKind(t, err, auth.ErrInvalidToken)
}

func TestLogoutScopesAndSessionList(t *testing.T) {
	f := newFixture(t, weak)
	f.user(t, ph)
	ctx := context.Background()
	a, b, c := f.login(t), f.login(t), f.login(t)
	p := f.authOK(t, a.AccessToken)
	list, err := f.sessions.List(auth.WithPrincipal(ctx, p))
	if err != nil || len(list) != 3 {
		t.Fatalf("ActiveSessions = %d, %v", len(list), err)
	}
	if err := f.sessions.Logout(auth.WithPrincipal(ctx, p), auth.ScopeOthers); err != nil {
		t.Fatal(err)
	}
	f.authOK(t, a.AccessToken)
	f.authRefused(t, b.AccessToken)
	f.authRefused(t, c.AccessToken)
	if _, err := f.sessions.Refresh(ctx, b.RefreshToken); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("refresh of an ended session: %v", err)
	}
	if err := f.sessions.Logout(auth.WithPrincipal(ctx, p), auth.ScopeLocal); err != nil {
		t.Fatal(err)
	}
	f.authRefused(t, a.AccessToken)
	d, e := f.login(t), f.login(t)
	if err := f.sessions.Logout(auth.WithPrincipal(ctx, f.authOK(t, d.AccessToken)), auth.ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	f.authRefused(t, d.AccessToken)
	f.authRefused(t, e.AccessToken)
	var verr *auth.ValidationError
	if err := f.sessions.Logout(auth.WithPrincipal(ctx, p), "everything"); !errors.As(err, &verr) {
		t.Fatalf("unknown scope: %v", err)
	}
}

func TestEndSessionOnlyOwn(t *testing.T) {
	f := newFixture(t, weak)
	f.user(t, ph)
	f.user(t, "+14155550101")
	ctx := context.Background()
	mine, mine2 := f.login(t), f.login(t)
	theirs, err := f.logins.PasswordLogin(auth.WithClient(ctx, ci), "+14155550101", "a long passphrase")
	if err != nil {
		t.Fatal(err)
	}
	p := f.authOK(t, mine.AccessToken)
	wantKind(t, f.sessions.End(auth.WithPrincipal(ctx, p), theirs.Session.ID), auth.ErrNotFound)
	f.authOK(t, theirs.AccessToken)
	if err := f.sessions.End(auth.WithPrincipal(ctx, p), mine2.Session.ID); err != nil {
		t.Fatal(err)
	}
	f.authRefused(t, mine2.AccessToken)
	wantKind(t, f.sessions.End(auth.WithPrincipal(ctx, p), uuid.New()), auth.ErrNotFound)
}

func TestPasswordChangeKeepsCurrentSession(t *testing.T) {
	f := newFixture(t, weak)
	f.user(t, ph)
	ctx := context.Background()
	cur, other := f.login(t), f.login(t)
	if err := f.accounts.ChangePassword(auth.WithPrincipal(ctx, f.authOK(t, cur.AccessToken)), "a long passphrase", "another passphrase"); err != nil {
		t.Fatal(err)
	}
	f.authOK(t, cur.AccessToken)
	f.authRefused(t, other.AccessToken)
	if _, err := f.sessions.Refresh(ctx, cur.RefreshToken); err != nil {
		t.Fatalf("the current session's refresh: %v", err)
	}
}

func jwksKids(t *testing.T, svc *auth.KeyService) []string {
	t.Helper()
	b, err := svc.JWKS()
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(b, &set); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.Kid)
	}
	return kids
}

func TestKeyRotation(t *testing.T) {
	f := newFixture(t, weak)
	f.user(t, ph)
	ctx := context.Background()
	before := f.login(t)
	old := jwksKids(t, f.keys)
	if len(old) != 1 {
		t.Fatalf("kids %v", old)
	}
	f.clock.Add(time.Minute)
	k, err := f.keys.Rotate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	after := f.login(t)
	if kid := jwtKid(t, after.AccessToken); kid != k.ID {
		t.Fatalf("new token kid %s, want %s", kid, k.ID)
	}
	if kids := jwksKids(t, f.keys); len(kids) != 2 {
		t.Fatalf("JWKS after rotation %v", kids)
	}
	f.authOK(t, before.AccessToken) // signed with the old key: still verifies
	states, _ := f.keys.States(ctx)
	if len(states) != 2 || states[0].Signing || !states[1].Signing || states[0].Until.IsZero() {
		t.Fatalf("states %+v", states)
	}
	// Once every token of the old key has expired (TTL + margin), it drops out of the JWKS.
	f.clock.Add(15*time.Minute + 2*time.Minute + time.Second)
	if _, err := f.sessions.Refresh(ctx, after.RefreshToken); err != nil { // triggers the periodic reload
		t.Fatal(err)
	}
	waitFor(t, func() bool { return len(jwksKids(t, f.keys)) == 1 })
	if kids := jwksKids(t, f.keys); kids[0] != k.ID {
		t.Fatalf("JWKS kept %v", kids)
	}
}

func TestOperatorKey(t *testing.T) {
	f := newFixture(t, weak)
	f.user(t, ph)
	k, _ := token.GenerateKey(time.Time{})
	ctx, env := context.Background(), auth.Env{Clock: f.clock}
	keys, err := auth.NewKeyService(ctx, env, auth.KeyConfig{Issuer: "test", AccessTokenTTL: 15 * time.Minute, FileKey: &k}, f.db.Keys())
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := auth.NewSessionService(env, auth.SessionConfig{MaxAge: time.Hour}, f.db.Sessions(), f.db.Users(), keys)
	if err != nil {
		t.Fatal(err)
	}
	logins, err := auth.NewLoginService(env, auth.LockoutConfig{}, auth.LoginDeps{Users: f.db.Users(), Hasher: f.hasher,
		Phones: phone.Parser{}, Codes: f.codes, Sessions: sessions})
	if err != nil {
		t.Fatal(err)
	}
	l, err := logins.PasswordLogin(auth.WithClient(ctx, ci), ph, "a long passphrase")
	if err != nil || jwtKid(t, l.AccessToken) != k.ID {
		t.Fatalf("login with the operator key: %v", err)
	}
	if kids := jwksKids(t, keys); len(kids) != 1 || kids[0] != k.ID {
		t.Fatalf("JWKS %v", kids)
	}
	if _, err := keys.Rotate(ctx); err == nil {
		t.Fatal("rotated an operator-supplied key")
	}
	stored, _ := f.db.Keys().List(context.Background())
	for _, s := range stored {
		if s.ID == k.ID {
			t.Fatal("the operator key was written to the database")
		}
	}
}

func jwtKid(t *testing.T, tok string) string {
	t.Helper()
	msg, err := jwsHeader(tok)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
