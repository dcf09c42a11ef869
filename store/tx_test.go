package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/store"
)

// TestInTx checks the unit of work: repository calls made with InTx's context commit together or not at
// all, a nested InTx joins the outer one, and a repository method's own transaction joins it too (on
// SQLite, where the one writer would otherwise wait for itself, that last is what keeps it from hanging).
func TestInTx(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		session := func(u *auth.User, id string) *auth.Session {
			return &auth.Session{ID: uuid.MustParse(id), UserID: u.ID, AMR: auth.AMROTP, CreatedAt: t0, LastUsedAt: t0,
				ExpiresAt: t0.Add(time.Hour)}
		}
		audit := func(ctx context.Context, u *auth.User) error {
			return db.Audit().Record(ctx, auth.AuditEvent{At: t0, Type: "tx_test", UserID: u.ID})
		}

		// Rolled back: the user, the session, its refresh token and the audit event all go.
		u := newUser("+14155550190", nil)
		boom := errors.New("boom")
		err := db.InTx(ctx, func(ctx context.Context) error {
			if err := db.Users().Create(ctx, u); err != nil {
				return err
			}
			if err := db.Sessions().Create(ctx, session(u, "0190a000-0000-7000-8000-0000000000c1"), "tx-hash-1"); err != nil {
				return err
			}
			if err := audit(ctx, u); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx returned %v, want fn's error", err)
		}
		for table, where := range map[string]string{"users": "phone = '+14155550190'", "sessions": "id = '0190a000-0000-7000-8000-0000000000c1'",
			"refresh_tokens": "hash = 'tx-hash-1'", "audit_events": "type = 'tx_test'"} {
			if n := count(t, db, table, where); n != 0 {
				t.Errorf("after a rollback %s still has %d rows where %s", table, n, where)
			}
		}

		// Committed, with a nested InTx and a method that opens its own transaction (SetPassword ends
		// sessions in one) inside.
		u = newUser("+14155550191", nil)
		err = db.InTx(ctx, func(ctx context.Context) error {
			if err := db.Users().Create(ctx, u); err != nil {
				return err
			}
			if err := db.InTx(ctx, func(ctx context.Context) error {
				return db.Sessions().Create(ctx, session(u, "0190a000-0000-7000-8000-0000000000c2"), "tx-hash-2")
			}); err != nil {
				return err
			}
			if err := db.Users().SetPassword(ctx, u.ID, "$argon2id$new", t0, uuid.Nil); err != nil {
				return err
			}
			return audit(ctx, u)
		})
		if err != nil {
			t.Fatal(err)
		}
		s, got, err := db.Sessions().WithUser(ctx, uuid.MustParse("0190a000-0000-7000-8000-0000000000c2"))
		if err != nil || got.PasswordHash != "$argon2id$new" || s.EndedAt == nil || s.EndReason != auth.EndPasswordChanged {
			t.Fatalf("after the commit: session %+v, user %+v, %v", s, got, err)
		}
		if n := count(t, db, "audit_events", "type = 'tx_test'"); n != 1 {
			t.Errorf("audit events after the commit: %d, want 1", n)
		}

		// A conflict inside fails the whole transaction with the repository's error kind.
		err = db.InTx(ctx, func(ctx context.Context) error {
			if err := audit(ctx, u); err != nil {
				return err
			}
			return db.Users().Create(ctx, newUser("+14155550191", nil))
		})
		if !errors.Is(err, auth.ErrConflict) {
			t.Fatalf("a taken phone inside InTx: %v, want ErrConflict", err)
		}
		if n := count(t, db, "audit_events", "type = 'tx_test'"); n != 1 {
			t.Errorf("the audit event of the failed transaction was kept: %d events, want 1", n)
		}
	})
}
