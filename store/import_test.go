package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/importer"
	"github.com/phoneauth/phoneauth/store"
)

// outcomesOf renders ImportBatch's outcomes: "ok", "conflict id,phone" or "error".
func outcomesOf(out []error) []string {
	s := make([]string, len(out))
	for i, err := range out {
		var c *importer.ConflictError
		switch {
		case err == nil:
			s[i] = "ok"
		case errors.As(err, &c):
			s[i] = fmt.Sprint("conflict ", c.Fields)
		default:
			s[i] = "error"
		}
	}
	return s
}

func TestImportBatch(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		users := db.Users()
		existing := newUser("+14155550100", ptr("Old@Example.com"))
		if err := users.Create(ctx, existing); err != nil {
			t.Fatal(err)
		}
		stored := func(phone string) bool {
			t.Helper()
			_, err := users.ByPhone(ctx, phone)
			if err != nil && !errors.Is(err, auth.ErrNotFound) {
				t.Fatal(err)
			}
			return err == nil
		}

		t.Run("no conflicts", func(t *testing.T) {
			batch := []*auth.User{newUser("+14155550101", ptr("a@example.com")), newUser("+14155550102", nil)}
			out, err := users.ImportBatch(ctx, batch, false)
			if err != nil || !slices.Equal(outcomesOf(out), []string{"ok", "ok"}) {
				t.Fatalf("%v, %v", outcomesOf(out), err)
			}
			got, err := users.ByID(ctx, batch[0].ID)
			if err != nil || got.Phone != "+14155550101" || *got.Email != "a@example.com" || !got.CreatedAt.Equal(t0) || got.Roles[0] != "admin" {
				t.Fatalf("stored %+v, %v", got, err)
			}
		})

		// A batch with conflicting users imports the others and names each conflict.
		sameID := newUser("+14155550113", nil)
		sameID.ID = existing.ID
		batch := []*auth.User{
			newUser("+14155550110", nil),
			newUser("+14155550100", nil),                    // the existing phone
			newUser("+14155550111", ptr("old@EXAMPLE.com")), // the existing email, in another case
			newUser("+14155550112", ptr("new@example.com")),
			sameID,
			newUser("+14155550100", ptr("OLD@example.com")), // both
		}
		want := []string{"ok", "conflict [phone]", "conflict [email]", "ok", "conflict [id]", "conflict [phone email]"}

		t.Run("dry run", func(t *testing.T) {
			out, err := users.ImportBatch(ctx, batch, true)
			if err != nil || !slices.Equal(outcomesOf(out), want) {
				t.Fatalf("got %v, %v\nwant %v", outcomesOf(out), err, want)
			}
			if stored("+14155550110") || stored("+14155550112") {
				t.Fatal("a dry run wrote users")
			}
		})

		t.Run("conflicts", func(t *testing.T) {
			out, err := users.ImportBatch(ctx, batch, false)
			if err != nil || !slices.Equal(outcomesOf(out), want) {
				t.Fatalf("got %v, %v\nwant %v", outcomesOf(out), err, want)
			}
			for _, p := range []string{"+14155550110", "+14155550112"} {
				if !stored(p) {
					t.Errorf("%s was not imported", p)
				}
			}
			for _, p := range []string{"+14155550111", "+14155550113"} {
				if stored(p) {
					t.Errorf("%s was imported despite its conflict", p)
				}
			}
			if got, _ := users.ByPhone(ctx, "+14155550100"); got.ID != existing.ID || *got.Email != "Old@Example.com" {
				t.Errorf("the existing user changed: %+v", got)
			}
		})

		t.Run("conflict inside the batch", func(t *testing.T) {
			out, err := users.ImportBatch(ctx, []*auth.User{newUser("+14155550120", nil), newUser("+14155550120", nil)}, false)
			if err != nil || !slices.Equal(outcomesOf(out), []string{"ok", "conflict [phone]"}) {
				t.Fatalf("%v, %v", outcomesOf(out), err)
			}
		})

		if db.Dialect() == store.Postgres {
			t.Run("row refused for another reason", func(t *testing.T) {
				bad := newUser("+14155550131", nil)
				bad.Name = "nul\x00byte" // PostgreSQL text cannot hold NUL
				out, err := users.ImportBatch(ctx, []*auth.User{newUser("+14155550130", nil), bad, newUser("+14155550132", nil)}, false)
				if err != nil || !slices.Equal(outcomesOf(out), []string{"ok", "error", "ok"}) {
					t.Fatalf("%v, %v", outcomesOf(out), err)
				}
				if stored("+14155550131") || !stored("+14155550130") || !stored("+14155550132") {
					t.Fatal("wrong rows stored")
				}
			})
		}

		t.Run("cancelled", func(t *testing.T) {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			out, err := users.ImportBatch(cctx, []*auth.User{newUser("+14155550140", nil)}, false)
			if err == nil || len(out) != 0 {
				t.Fatalf("%v, %v; want an error and no outcomes", outcomesOf(out), err)
			}
		})
	})
}

// A large batch crosses the insert chunk size and the bound-parameter limits of both databases.
func TestImportBatchLarge(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		batch := make([]*auth.User, 2500)
		for i := range batch {
			batch[i] = newUser(fmt.Sprintf("+1415556%04d", i), ptr(fmt.Sprintf("u%d@example.com", i)))
		}
		existing := newUser("+14155561234", nil)
		if err := db.Users().Create(ctx, existing); err != nil {
			t.Fatal(err)
		}
		out, err := db.Users().ImportBatch(ctx, batch, false)
		if err != nil {
			t.Fatal(err)
		}
		for i, o := range outcomesOf(out) {
			want := "ok"
			if i == 1234 {
				want = "conflict [phone]"
			}
			if o != want {
				t.Fatalf("user %d: %s, want %s", i, o, want)
			}
		}
	})
}
