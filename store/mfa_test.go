package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/store"
	"github.com/phoneauth/phoneauth/store/storetest"
)

func TestSecondFactors(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := newUser("+14155550160", nil)
		if err := db.Users().Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		f := db.SecondFactors()
		if _, err := f.TOTP(ctx, u.ID); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("no factor: %v, want ErrNotFound", err)
		}
		if err := f.PutPendingTOTP(ctx, uuid.New(), "SECRET", t0); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("for an unknown user: %v, want ErrNotFound", err)
		}
		for _, s := range []string{"FIRST", "SECOND"} { // a pending one is replaced
			if err := f.PutPendingTOTP(ctx, u.ID, s, t0); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := f.TOTP(ctx, u.ID); err != nil || got.Secret != "SECOND" || got.Active {
			t.Fatalf("pending factor %+v, %v", got, err)
		}
		if ok, err := f.ActivateTOTP(ctx, u.ID, 100, []string{"h1", "h2"}, t0); !ok || err != nil {
			t.Fatalf("activate = %v, %v", ok, err)
		}
		if ok, _ := f.ActivateTOTP(ctx, u.ID, 100, nil, t0); ok {
			t.Fatal("activated twice")
		}
		if err := f.PutPendingTOTP(ctx, u.ID, "THIRD", t0); !errors.Is(err, auth.ErrConflict) {
			t.Fatalf("pending over an active one: %v, want ErrConflict", err)
		}
		for _, tc := range []struct {
			step int64
			ok   bool
		}{{100, false}, {99, false}, {101, true}, {101, false}, {103, true}} {
			if ok, err := f.UseTOTPStep(ctx, u.ID, tc.step); ok != tc.ok || err != nil {
				t.Errorf("UseTOTPStep(%d) = %v, %v; want %v", tc.step, ok, err, tc.ok)
			}
		}
		if ok, _ := f.UseRecoveryCode(ctx, u.ID, "h1"); !ok {
			t.Fatal("a recovery code did not work")
		}
		if ok, _ := f.UseRecoveryCode(ctx, u.ID, "h1"); ok {
			t.Fatal("a recovery code worked twice")
		}
		if n, _ := f.RecoveryCodesLeft(ctx, u.ID); n != 1 {
			t.Fatalf("%d codes left, want 1", n)
		}
		if err := f.ReplaceRecoveryCodes(ctx, u.ID, []string{"h3", "h4", "h5"}, t0); err != nil {
			t.Fatal(err)
		}
		if ok, _ := f.UseRecoveryCode(ctx, u.ID, "h2"); ok {
			t.Fatal("an old recovery code worked after the replacement")
		}
		if ok, err := f.DeleteTOTP(ctx, u.ID); !ok || err != nil {
			t.Fatalf("delete = %v, %v", ok, err)
		}
		if n, _ := f.RecoveryCodesLeft(ctx, u.ID); n != 0 {
			t.Fatalf("%d codes left after deletion", n)
		}
		if err := f.ReplaceRecoveryCodes(ctx, u.ID, []string{"h6"}, t0); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("codes without a factor: %v, want ErrNotFound", err)
		}
	})
}

func TestMFAChallenges(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := newUser("+14155550161", nil)
		if err := db.Users().Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		c := db.MFAChallenges()
		ch := &auth.MFAChallenge{Hash: "abc", UserID: u.ID, Methods: []string{"pwd"}, Rehash: "$argon2id$new", ExpiresAt: t0.Add(5 * time.Minute)}
		if err := c.Create(ctx, ch); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 3; i++ {
			got, err := c.Attempt(ctx, "abc", 3, t0)
			if err != nil || got.Attempts != i || got.UserID != u.ID || strings.Join(got.Methods, ",") != "pwd" || got.Rehash != "$argon2id$new" {
				t.Fatalf("attempt %d = %+v, %v", i, got, err)
			}
		}
		if _, err := c.Attempt(ctx, "abc", 3, t0); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("a 4th attempt of 3: %v, want ErrNotFound", err)
		}
		if err := c.Create(ctx, &auth.MFAChallenge{Hash: "def", UserID: u.ID, Methods: []string{"otp"}, ExpiresAt: t0.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Attempt(ctx, "def", 5, t0.Add(time.Minute)); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("an expired challenge: %v, want ErrNotFound", err)
		}
		if ok, _ := c.Consume(ctx, "abc"); !ok {
			t.Fatal("consume failed")
		}
		if ok, _ := c.Consume(ctx, "abc"); ok {
			t.Fatal("consumed twice")
		}
		if n, err := db.Purger().PurgeChallenges(ctx, t0.Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("purge = %d, %v; want the expired challenge", n, err)
		}
	})
}

func TestPasskeysStore(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := newUser("+14155550162", nil)
		if err := db.Users().Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		p := db.Passkeys()
		pk := &auth.Passkey{ID: uuid.New(), UserID: u.ID, Name: "Laptop", CredentialID: []byte{1, 2, 3}, PublicKey: []byte{4, 5},
			SignCount: 7, Transports: []string{"internal", "hybrid"}, AAGUID: make([]byte, 16), BackupEligible: true, CreatedAt: t0}
		if err := p.Add(ctx, pk); err != nil {
			t.Fatal(err)
		}
		dup := *pk
		dup.ID = uuid.New()
		if err := p.Add(ctx, &dup); !errors.Is(err, auth.ErrConflict) {
			t.Fatalf("a credential id twice: %v, want ErrConflict", err)
		}
		got, err := p.ByCredentialID(ctx, []byte{1, 2, 3})
		if err != nil || got.ID != pk.ID || got.SignCount != 7 || strings.Join(got.Transports, ",") != "internal,hybrid" || !got.BackupEligible {
			t.Fatalf("by credential id = %+v, %v", got, err)
		}
		for _, tc := range []struct {
			count uint32
			moved bool
		}{{7, false}, {6, false}, {8, true}, {0, false}} {
			if moved, err := p.RecordUse(ctx, pk.ID, tc.count, true, t0); moved != tc.moved || err != nil {
				t.Errorf("RecordUse(%d) = %v, %v; want %v", tc.count, moved, err, tc.moved)
			}
		}
		if _, err := p.Rename(ctx, uuid.New(), pk.ID, "x"); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("renaming another user's: %v, want ErrNotFound", err)
		}
		if got, err := p.Rename(ctx, u.ID, pk.ID, "Phone"); err != nil || got.Name != "Phone" || got.LastUsedAt == nil || !got.BackupState {
			t.Fatalf("rename = %+v, %v", got, err)
		}

		w := db.WebAuthnChallenges()
		if err := w.Put(ctx, &auth.WebAuthnChallenge{Hash: "h", Purpose: "register", UserID: u.ID, State: []byte(`{"challenge":"x"}`), ExpiresAt: t0}); err != nil {
			t.Fatal(err)
		}
		if err := w.Put(ctx, &auth.WebAuthnChallenge{Hash: "anon", Purpose: "login", State: []byte(`{}`), ExpiresAt: t0}); err != nil {
			t.Fatal(err)
		}
		if c, err := w.Take(ctx, "h"); err != nil || c.UserID != u.ID || c.Purpose != "register" || string(c.State) != `{"challenge":"x"}` {
			t.Fatalf("take = %+v, %v", c, err)
		}
		if _, err := w.Take(ctx, "h"); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("taken twice: %v, want ErrNotFound", err)
		}
		if err := w.Put(ctx, &auth.WebAuthnChallenge{Hash: "gone", Purpose: "register", UserID: uuid.New(), State: []byte(`{}`), ExpiresAt: t0}); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("for an unknown user: %v, want ErrNotFound", err)
		}
	})
}

// TestDeleteUserDeletesFactors: deleting an account deletes its passkeys, TOTP factor, recovery codes
// and pending logins, and its lockout of second factors.
func TestDeleteUserDeletesFactors(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := newUser("+14155550163", nil)
		if err := db.Users().Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(db.Passkeys().Add(ctx, &auth.Passkey{ID: uuid.New(), UserID: u.ID, Name: "x", CredentialID: []byte{9}, PublicKey: []byte{9}, CreatedAt: t0}))
		must(db.SecondFactors().PutPendingTOTP(ctx, u.ID, "S", t0))
		_, err := db.SecondFactors().ActivateTOTP(ctx, u.ID, 1, []string{"r"}, t0)
		must(err)
		must(db.MFAChallenges().Create(ctx, &auth.MFAChallenge{Hash: "m", UserID: u.ID, Methods: []string{"pwd"}, ExpiresAt: t0}))
		must(db.WebAuthnChallenges().Put(ctx, &auth.WebAuthnChallenge{Hash: "w", Purpose: "register", UserID: u.ID, State: []byte("{}"), ExpiresAt: t0}))
		_, _, err = db.Throttle().Attempt(ctx, auth.MFALockKey(u.ID), t0, 10)
		must(err)
		if _, err := db.Users().DeleteUser(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"passkeys", "totp_factors", "recovery_codes", "mfa_challenges", "webauthn_challenges"} {
			if n := count(t, db, table, "user_id = ?", u.ID); n != 0 {
				t.Errorf("%d rows of %s left", n, table)
			}
		}
		if n := count(t, db, "login_throttle", "phone = ?", auth.MFALockKey(u.ID)); n != 0 {
			t.Error("the lockout of second factors is left")
		}
	})
}

// TestTOTPSecretSealed: with a key the TOTP secret is sealed at rest, and Reseal seals one written in
// the clear.
func TestTOTPSecretSealed(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			url := storetest.URL(t, d)
			clear := openWith(t, url, nil)
			u := newUser("+14155550164", nil)
			if err := clear.Users().Create(ctx, u); err != nil {
				t.Fatal(err)
			}
			if err := clear.SecondFactors().PutPendingTOTP(ctx, u.ID, "JBSWY3DPEHPK3PXP", t0); err != nil {
				t.Fatal(err)
			}
			raw := func(db *store.DB) string {
				var s string
				scan(t, db, "SELECT secret FROM totp_factors WHERE user_id = ?", []any{u.ID}, &s)
				return s
			}
			if raw(clear) != "JBSWY3DPEHPK3PXP" {
				t.Fatalf("without a key: %q", raw(clear))
			}
			sealed := openWith(t, url, box(t, 1))
			if n, err := sealed.Reseal(ctx); err != nil || n == 0 {
				t.Fatalf("reseal = %d, %v", n, err)
			}
			if r := raw(sealed); strings.Contains(r, "JBSWY3DPEHPK3PXP") || !strings.HasPrefix(r, "sealed:") {
				t.Fatalf("with a key the secret is stored as %q", r)
			}
			if f, err := sealed.SecondFactors().TOTP(ctx, u.ID); err != nil || f.Secret != "JBSWY3DPEHPK3PXP" {
				t.Fatalf("read back %+v, %v", f, err)
			}
			// A new secret is sealed as it is written.
			if err := sealed.SecondFactors().PutPendingTOTP(ctx, u.ID, "KRSXG5CTMVRXEZLU", t0); err != nil {
				t.Fatal(err)
			}
			if r := raw(sealed); !strings.HasPrefix(r, "sealed:") {
				t.Fatalf("a new secret is stored as %q", r)
			}
		})
	}
}
