package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth"
)

// TestNoPasswordFailsAsAWrongOne: a user made without a password never logs in by password; the
// answer and the time (one hash) are a wrong password's, and a password check elsewhere is a refusal,
// not an error.
func TestNoPasswordFailsAsAWrongOne(t *testing.T) {
	f := newFixture(t, weak)
	ctx := context.Background()
	f.user(t, "+14155550100")
	u, err := f.accounts.CreateUser(ctx, auth.NewUser{Phone: "+14155550101", Name: "No Password"})
	if err != nil || u.PasswordHash != "" {
		t.Fatalf("CreateUser without a password: %+v, %v", u, err)
	}
	var answers []string
	for _, ph := range []string{"+14155550100", "+14155550101"} {
		before := f.hashes.Load()
		_, err := f.logins.PasswordLogin(ctx, ph, "")
		if !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("%s: %v", ph, err)
		}
		if n := f.hashes.Load() - before; n != 1 {
			t.Errorf("%s: %d hashes, want 1 (timing parity)", ph, n)
		}
		answers = append(answers, err.Error())
	}
	if answers[0] != answers[1] {
		t.Fatalf("answers %q", answers)
	}
	// change-password for such a user: the current password is wrong, not a 500.
	code := f.sendAndRead(t, auth.PurposeLogin, "+14155550101")
	l, err := f.logins.CodeLogin(ctx, "+14155550101", code)
	if err != nil {
		t.Fatal(err)
	}
	pctx := auth.WithPrincipal(ctx, &auth.Principal{User: l.User, Session: l.Session})
	if err := f.accounts.ChangePassword(pctx, "anything at all", "a brand new passphrase"); !errors.Is(err, auth.ErrBadRequest) {
		t.Fatalf("ChangePassword without a password: %v, want the wrong-current-password refusal", err)
	}
}

// sendAndRead sends a code of purpose to phone and returns it.
func (f *fixture) sendAndRead(t *testing.T, purpose, phone string) string {
	t.Helper()
	if _, err := f.codes.Send(context.Background(), purpose, phone, false); err != nil {
		t.Fatal(err)
	}
	return f.lastCode(t, phone)
}

// TestReauthWindowCountsFromLogin: without a proof, a sensitive request is allowed only while the
// session's login is younger than the window; refreshing does not renew it.
func TestReauthWindowCountsFromLogin(t *testing.T) {
	f := newFixture(t, weak) // window 10m
	f.user(t, ph)
	ctx := context.Background()
	l := f.login(t)
	export := func(access string) error {
		_, err := f.lifecycle.Export(auth.WithPrincipal(ctx, f.authOK(t, access)), auth.Proof{})
		return err
	}
	f.clock.Add(9 * time.Minute)
	if err := export(l.AccessToken); err != nil {
		t.Fatalf("9 minutes after login: %v", err)
	}
	r, err := f.sessions.Refresh(ctx, l.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Add(2 * time.Minute)
	if err := export(r.AccessToken); !errors.Is(err, auth.ErrReauthRequired) {
		t.Fatalf("11 minutes after login, 2 after a refresh: %v, want ErrReauthRequired", err)
	}
	var ae *auth.Error
	if err := export(r.AccessToken); !errors.As(err, &ae) || ae.Detail == "" {
		t.Fatalf("the refusal says nothing: %v", err)
	}
}

func TestPurposeOwner(t *testing.T) {
	id := uuid.MustParse("0190a000-0000-7000-8000-000000000001")
	for purpose, want := range map[string]uuid.UUID{
		auth.PurposeLogin: uuid.Nil, auth.PurposeReauth + ":" + id.String(): id, auth.PurposePhoneChange + ":" + id.String(): id,
		"reauth:not-a-uuid": uuid.Nil, "reauth:": uuid.Nil,
	} {
		if got := auth.PurposeOwner(purpose); got != want {
			t.Errorf("PurposeOwner(%q) = %s, want %s", purpose, got, want)
		}
	}
}
