package store_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/token"
	"github.com/phoneauth/phoneauth/store"
	"github.com/phoneauth/phoneauth/store/storetest"
)

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// forEachDialect runs the contract suite on SQLite, and on PostgreSQL when configured.
func forEachDialect(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	for _, d := range storetest.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, open(t, storetest.URL(t, d)))
		})
	}
}

func open(t *testing.T, url string) *store.DB {
	t.Helper()
	return openWith(t, url, nil)
}

// scan runs query, whose parameters are written ?, straight on the database (as a dump would read it)
// and scans its one row into dest.
func scan(t *testing.T, db *store.DB, query string, args []any, dest ...any) {
	t.Helper()
	if db.Dialect() == store.Postgres {
		for i := 1; strings.Contains(query, "?"); i++ {
			query = strings.Replace(query, "?", "$"+strconv.Itoa(i), 1)
		}
	}
	if err := db.SQL().QueryRow(query, args...).Scan(dest...); err != nil {
		t.Fatal(err)
	}
}

// count returns the rows of table matching where.
func count(t *testing.T, db *store.DB, table, where string, args ...any) int {
	t.Helper()
	var n int
	scan(t, db, "SELECT count(*) FROM "+table+" WHERE "+where, args, &n)
	return n
}

var seq struct {
	sync.Mutex
	n int
}

func newUser(phone string, email *string) *auth.User {
	seq.Lock()
	seq.n++
	n := seq.n
	seq.Unlock()
	return &auth.User{
		ID: uuid.MustParse(fmt.Sprintf("0190a000-0000-7000-8000-%012d", n)), Phone: phone, Name: "Alice", Email: email,
		PasswordHash: "$argon2id$x", IsActive: true, Roles: []string{"admin"}, CreatedAt: t0, UpdatedAt: t0,
	}
}

func ptr[T any](v T) *T { return &v }

func TestUsers(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		users := db.Users()
		dob := time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC)
		u := newUser("+14155550100", ptr("Alice@Example.com"))
		u.DateOfBirth, u.Gender, u.Place, u.ConsentGivenAt, u.HasGivenConsent = &dob, ptr("f"), ptr("SF"), &t0, true
		if err := users.Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		got, err := users.ByPhone(ctx, "+14155550100")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != u.ID || got.Name != "Alice" || *got.Email != "Alice@Example.com" || !got.DateOfBirth.Equal(dob) ||
			!got.CreatedAt.Equal(t0) || !got.ConsentGivenAt.Equal(t0) || got.LastLoginAt != nil || len(got.Roles) != 1 || got.Roles[0] != "admin" {
			t.Fatalf("ByPhone = %+v", got)
		}
		if _, err := users.ByID(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		// uuid.Nil ("none") matches no user. (A malformed id no longer reaches the store: its type rules it out.)
		for _, id := range []uuid.UUID{uuid.MustParse("0190a000-0000-7000-8000-999999999999"), uuid.Nil} {
			if _, err := users.ByID(ctx, id); !errors.Is(err, auth.ErrNotFound) {
				t.Errorf("ByID(%s) err = %v, want ErrNotFound", id, err)
			}
		}
		if _, err := users.ByPhone(ctx, "+14155550101"); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("ByPhone(unknown) err = %v", err)
		}
		// Same phone, and same email in another case: both conflicts.
		for _, dup := range []*auth.User{newUser("+14155550100", nil), newUser("+14155550102", ptr("alice@EXAMPLE.com"))} {
			if err := users.Create(ctx, dup); !errors.Is(err, auth.ErrConflict) {
				t.Errorf("Create(duplicate %s) err = %v, want ErrConflict", dup.Phone, err)
			}
		}
		// Users without email do not collide with each other.
		for _, p := range []string{"+14155550103", "+14155550104"} {
			if err := users.Create(ctx, newUser(p, nil)); err != nil {
				t.Fatalf("Create(%s, no email): %v", p, err)
			}
		}
		if err := users.RecordLogin(ctx, u.ID, t0.Add(time.Hour), "$argon2id$new"); err != nil {
			t.Fatal(err)
		}
		got, _ = users.ByID(ctx, u.ID)
		if !got.LastLoginAt.Equal(t0.Add(time.Hour)) || got.PasswordHash != "$argon2id$new" {
			t.Fatalf("after RecordLogin: %v %q", got.LastLoginAt, got.PasswordHash)
		}
		if err := users.RecordLogin(ctx, uuid.MustParse("0190a000-0000-7000-8000-999999999999"), t0, ""); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("RecordLogin(unknown) = %v", err)
		}
	})
}

func TestConcurrentCreateSamePhone(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const n = 16
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Go(func() { errs <- db.Users().Create(ctx, newUser("+14155550199", nil)) })
		}
		wg.Wait()
		close(errs)
		ok, conflicts := 0, 0
		for err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, auth.ErrConflict):
				conflicts++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 || conflicts != n-1 {
			t.Fatalf("%d created, %d conflicts; want 1 and %d", ok, conflicts, n-1)
		}
	})
}

func TestSessions(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := newUser("+14155550100", nil)
		if err := db.Users().Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		mk := func(id string) *auth.Session {
			s := &auth.Session{ID: uuid.MustParse(id), UserID: u.ID, AMR: auth.AMRPassword, IP: "192.0.2.1", UserAgent: "curl/8",
				CreatedAt: t0, LastUsedAt: t0, ExpiresAt: t0.Add(24 * time.Hour)}
			if err := db.Sessions().Create(ctx, s, "refresh-"+id); err != nil {
				t.Fatal(err)
			}
			return s
		}
		a := mk("0190a000-0000-7000-8000-00000000000a")
		b := mk("0190a000-0000-7000-8000-00000000000b")
		c := mk("0190a000-0000-7000-8000-00000000000c")
		s, got, err := db.Sessions().WithUser(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if s.ID != a.ID || s.UserID != u.ID || s.IP != "192.0.2.1" || s.AMR != "pwd" || !s.ExpiresAt.Equal(a.ExpiresAt) ||
			s.EndedAt != nil || got.ID != u.ID || got.Phone != u.Phone || len(got.Roles) != 1 {
			t.Fatalf("WithUser = %+v / %+v", s, got)
		}
		if _, _, err := db.Sessions().WithUser(ctx, uuid.MustParse("0190a000-0000-7000-8000-0000000000ff")); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("WithUser(unknown) = %v", err)
		}
		if _, _, err := db.Sessions().WithUser(ctx, uuid.Nil); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("WithUser(uuid.Nil) = %v", err)
		}
		n, err := db.Sessions().EndAll(ctx, u.ID, t0.Add(time.Minute), b.ID, auth.EndLogout)
		if err != nil || n != 2 {
			t.Fatalf("EndAll keep b = %d, %v; want 2", n, err)
		}
		for id, wantEnded := range map[uuid.UUID]bool{a.ID: true, b.ID: false, c.ID: true} {
			s, _, _ := db.Sessions().WithUser(ctx, id)
			if (s.EndedAt != nil) != wantEnded {
				t.Errorf("session %s ended = %v, want %v", id, s.EndedAt != nil, wantEnded)
			}
		}
		// SetPassword ends the rest in the same transaction.
		if err := db.Users().SetPassword(ctx, u.ID, "$argon2id$changed", t0.Add(2*time.Minute), uuid.Nil); err != nil {
			t.Fatal(err)
		}
		s, got, _ = db.Sessions().WithUser(ctx, b.ID)
		if s.EndedAt == nil || s.EndReason != auth.EndPasswordChanged || got.PasswordHash != "$argon2id$changed" || !got.UpdatedAt.Equal(t0.Add(2*time.Minute)) {
			t.Fatalf("after SetPassword: ended=%v hash=%q", s.EndedAt, got.PasswordHash)
		}
		if err := db.Users().SetPassword(ctx, uuid.MustParse("0190a000-0000-7000-8000-999999999999"), "h", t0, uuid.Nil); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("SetPassword(unknown) = %v", err)
		}
	})
}

func TestKeys(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		k1, _ := token.GenerateKey(t0)
		k2, _ := token.GenerateKey(t0.Add(time.Hour))
		for _, k := range []token.Key{k2, k1} {
			if err := db.Keys().Add(ctx, k); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Keys().Add(ctx, k1); !errors.Is(err, auth.ErrConflict) {
			t.Fatalf("Add(duplicate) = %v", err)
		}
		keys, err := db.Keys().List(ctx)
		if err != nil || len(keys) != 2 || keys[0].ID != k1.ID || keys[1].ID != k2.ID || !keys[0].Private.Equal(k1.Private) {
			t.Fatalf("List = %d keys, %v", len(keys), err)
		}
	})
}

func TestMigrations(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx); err != nil { // again: a no-op
			t.Fatal(err)
		}
		if pending, err := db.MigrationsPending(ctx); err != nil || pending {
			t.Fatalf("MigrationsPending = %v, %v", pending, err)
		}
		if err := db.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// TestPreviousVersionRunsOnNewerSchema: an instance of the version before (which knows fewer
// migrations) starts, migrates (nothing) and is ready on a schema the next version has migrated,
// which is what a rolling upgrade needs: the migrate job runs first, the old pods keep serving.
func TestPreviousVersionRunsOnNewerSchema(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// The next version's migration, as goose records it.
		if _, err := db.SQL().ExecContext(ctx, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)"); err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("Migrate on a newer schema: %v", err)
		}
		if err := db.Ready(ctx); err != nil {
			t.Fatalf("Ready on a newer schema: %v", err)
		}
	})
}

func TestConfigValidate(t *testing.T) {
	for url, ok := range map[string]bool{
		"phoneauth.db": true, "sqlite:/tmp/x.db": true, "file:x.db?cache=shared": true,
		"postgres://u:p@h/db": true, "postgresql://h/db": true, "": false, "mysql://h/db": false, "x.db?y": false,
		"file::memory:?cache=shared": true, "file:x?mode=memory": true,
		// pgx cannot parse these; SQLite could not create a file in a folder that is not there.
		"postgres://u:hunter2@[::1/db": false, "postgres://h/db?sslmode=sometimes": false,
		"/nonexistent-folder/x.db": false, "sqlite:/nonexistent-folder/x.db": false, "file:/nonexistent-folder/x.db?cache=shared": false,
	} {
		err := (store.Config{URL: url}).Validate()
		if (err == nil) != ok {
			t.Errorf("Validate(%q) = %v, want ok=%v", url, err, ok)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Validate(%q) shows the password: %v", url, err)
		}
	}
	err := (store.Config{URL: "/nonexistent-folder/x.db"}).Validate()
	if err == nil || !strings.Contains(err.Error(), "folder /nonexistent-folder does not exist") {
		t.Errorf("a missing folder: %v", err)
	}
}

// TestOpenSQLiteCannotOpen: SQLite's "out of memory (14)" for a file it cannot open is worded as what
// it means.
func TestOpenSQLiteCannotOpen(t *testing.T) {
	_, err := store.Open(context.Background(), store.Config{URL: t.TempDir()}) // a folder, not a file
	if err == nil || !strings.Contains(err.Error(), "cannot open the SQLite file") || strings.Contains(err.Error(), "out of memory") {
		t.Fatalf("err = %v", err)
	}
}

func TestChallenges(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Challenges()
		const p, purpose = "+14155550100", "login"
		if _, err := c.Get(ctx, p, purpose); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("Get(absent) = %v", err)
		}
		ok, prev, err := c.ClaimSend(ctx, p, purpose, t0, time.Minute)
		if !ok || !prev.IsZero() || err != nil {
			t.Fatalf("first ClaimSend = %v %v %v", ok, prev, err)
		}
		ok, prev, _ = c.ClaimSend(ctx, p, purpose, t0.Add(30*time.Second), time.Minute)
		if ok || !prev.Equal(t0) {
			t.Fatalf("ClaimSend within the interval = %v, previous %v", ok, prev)
		}
		if err := c.ReleaseSend(ctx, p, purpose, t0, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if ok, _, _ := c.ClaimSend(ctx, p, purpose, t0.Add(30*time.Second), time.Minute); !ok {
			t.Fatal("ClaimSend after ReleaseSend refused")
		}
		if err := c.SetCode(ctx, p, purpose, "h1", "ref1", t0.Add(5*time.Minute), true); err != nil {
			t.Fatal(err)
		}
		ch, _ := c.Get(ctx, p, purpose)
		if ch.CodeHash != "h1" || ch.ReferenceID != "ref1" || !ch.ExpiresAt.Equal(t0.Add(5*time.Minute)) || ch.Attempts != 0 {
			t.Fatalf("after SetCode: %+v", ch)
		}
		// Concurrent guesses never pass the limit.
		var wg sync.WaitGroup
		var mu sync.Mutex
		granted := 0
		for range 12 {
			wg.Go(func() {
				ok, err := c.ReserveAttempt(ctx, p, purpose, "h1", 5, t0)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					granted++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if ch, _ := c.Get(ctx, p, purpose); granted != 5 || ch.Attempts != 5 {
			t.Fatalf("granted %d attempts, stored %d; want 5", granted, ch.Attempts)
		}
		if ok, _ := c.ReserveAttempt(ctx, p, purpose, "h1", 5, t0); ok {
			t.Fatal("attempt past the limit")
		}
		// A resend keeps the count; a new send resets it.
		_ = c.SetCode(ctx, p, purpose, "h2", "ref2", t0.Add(5*time.Minute), false)
		if ch, _ := c.Get(ctx, p, purpose); ch.Attempts != 5 {
			t.Fatalf("resend reset attempts to %d", ch.Attempts)
		}
		_ = c.SetCode(ctx, p, purpose, "h3", "ref3", t0.Add(5*time.Minute), true)
		if ok, _ := c.ReserveAttempt(ctx, p, purpose, "h2", 5, t0); ok {
			t.Fatal("attempt against a replaced code")
		}
		if ok, _ := c.ReserveAttempt(ctx, p, purpose, "h3", 5, t0.Add(5*time.Minute)); ok {
			t.Fatal("attempt against an expired code")
		}
		// Concurrent consumes: exactly one wins.
		wins := 0
		for range 8 {
			wg.Go(func() {
				if ok, _ := c.Consume(ctx, p, purpose, "h3"); ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if ch, _ := c.Get(ctx, p, purpose); wins != 1 || ch.CodeHash != "" || ch.Attempts != 0 {
			t.Fatalf("%d consumes won; after: %+v", wins, ch)
		}
		_ = c.SetCode(ctx, p, purpose, "h4", "ref4", t0.Add(5*time.Minute), true)
		_ = c.ClearCode(ctx, p, purpose, "other")
		if ch, _ := c.Get(ctx, p, purpose); ch.CodeHash != "h4" {
			t.Fatal("ClearCode of another hash cleared the live code")
		}
		_ = c.ClearCode(ctx, p, purpose, "h4")
		if ch, _ := c.Get(ctx, p, purpose); ch.CodeHash != "" {
			t.Fatal("ClearCode did not clear")
		}
	})
}

func TestSecrets(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var wg sync.WaitGroup
		got := make([]string, 8)
		for i := range got {
			wg.Go(func() {
				v, err := db.Secrets().GetOrCreate(ctx, "k", fmt.Sprint("candidate-", i), t0)
				if err != nil {
					t.Error(err)
				}
				got[i] = v
			})
		}
		wg.Wait()
		for _, v := range got {
			if v != got[0] || v == "" {
				t.Fatalf("instances disagree on the secret: %v", got)
			}
		}
	})
}

func TestRefreshRotation(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := newUser("+14155550100", nil)
		if err := db.Users().Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		sessions := db.Sessions()
		sid := uuid.MustParse("0190a000-0000-7000-8000-0000000000aa")
		if err := sessions.Create(ctx, &auth.Session{ID: sid, UserID: u.ID, AMR: "otp", CreatedAt: t0, LastUsedAt: t0,
			ExpiresAt: t0.Add(time.Hour)}, "r0"); err != nil {
			t.Fatal(err)
		}
		s, got, err := sessions.ByRefreshToken(ctx, "r0")
		if err != nil || s.ID != sid || got.ID != u.ID {
			t.Fatalf("ByRefreshToken = %v %v %v", s, got, err)
		}
		if _, _, err := sessions.ByRefreshToken(ctx, "nope"); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("unknown token: %v", err)
		}
		grace := 10 * time.Second
		// Concurrent first uses: one rotates, the others are grace reuses; none ends the session.
		var wg sync.WaitGroup
		var mu sync.Mutex
		outcomes := map[auth.Rotation]int{}
		for i := range 6 {
			wg.Go(func() {
				o, err := sessions.Rotate(ctx, sid, "r0", fmt.Sprint("r1-", i), t0.Add(time.Minute), grace)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				outcomes[o]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if outcomes[auth.Rotated] != 1 || outcomes[auth.GraceReuse] != 5 {
			t.Fatalf("outcomes %v", outcomes)
		}
		s, _, _ = sessions.WithUser(ctx, sid)
		if s.EndedAt != nil || !s.LastUsedAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("after rotation: %+v", s)
		}
		// The spent token, after the grace period: the session ends, nothing is stored.
		o, err := sessions.Rotate(ctx, sid, "r0", "r2", t0.Add(time.Minute+grace+time.Millisecond), grace)
		if err != nil || o != auth.Reused {
			t.Fatalf("reuse = %v, %v", o, err)
		}
		s, _, _ = sessions.WithUser(ctx, sid)
		if s.EndedAt == nil || s.EndReason != auth.EndRefreshReuse {
			t.Fatalf("session after reuse: %+v", s)
		}
		if _, _, err := sessions.ByRefreshToken(ctx, "r2"); !errors.Is(err, auth.ErrNotFound) {
			t.Fatal("a successor was stored on reuse")
		}
	})
}

func TestEndAndList(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u, other := newUser("+14155550100", nil), newUser("+14155550101", nil)
		for _, x := range []*auth.User{u, other} {
			if err := db.Users().Create(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		ids := []uuid.UUID{uuid.MustParse("0190a000-0000-7000-8000-0000000000b1"), uuid.MustParse("0190a000-0000-7000-8000-0000000000b2")}
		for i, id := range ids {
			created := t0.Add(time.Duration(i) * time.Minute)
			if err := db.Sessions().Create(ctx, &auth.Session{ID: id, UserID: u.ID, AMR: "pwd", CreatedAt: created,
				LastUsedAt: created, ExpiresAt: t0.Add(time.Hour)}, "h"+id.String()); err != nil {
				t.Fatal(err)
			}
		}
		list, err := db.Sessions().ListActive(ctx, u.ID)
		if err != nil || len(list) != 2 || list[0].ID != ids[1] {
			t.Fatalf("ListActive = %v, %v (want newest first)", list, err)
		}
		if err := db.Sessions().End(ctx, other.ID, ids[0], t0, auth.EndRevoked); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("ending another user's session: %v", err)
		}
		if err := db.Sessions().End(ctx, u.ID, ids[0], t0, auth.EndRevoked); err != nil {
			t.Fatal(err)
		}
		if err := db.Sessions().End(ctx, u.ID, ids[0], t0, auth.EndRevoked); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("ending it twice: %v", err)
		}
		if list, _ := db.Sessions().ListActive(ctx, u.ID); len(list) != 1 || list[0].ID != ids[1] {
			t.Fatalf("after End: %v", list)
		}
	})
}

// TestCreateSessionIsAtomic: a session whose first refresh token cannot be stored is not stored
// either (PostgreSQL writes both in one statement, SQLite in one transaction).
func TestCreateSessionIsAtomic(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := newUser("+14155550100", nil)
		if err := db.Users().Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		mk := func(id string) error {
			return db.Sessions().Create(ctx, &auth.Session{ID: uuid.MustParse(id), UserID: u.ID, AMR: auth.AMRPassword,
				CreatedAt: t0, LastUsedAt: t0, ExpiresAt: t0.Add(time.Hour)}, "same-refresh-hash")
		}
		if err := mk("0190a000-0000-7000-8000-0000000000a1"); err != nil {
			t.Fatal(err)
		}
		if err := mk("0190a000-0000-7000-8000-0000000000a2"); err == nil {
			t.Fatal("a second session with a taken refresh-token hash was created")
		}
		if got := count(t, db, "sessions", "id = ?", "0190a000-0000-7000-8000-0000000000a2"); got != 0 {
			t.Fatal("the session whose refresh token failed was stored")
		}
		s, _, err := db.Sessions().WithUser(ctx, uuid.MustParse("0190a000-0000-7000-8000-0000000000a1"))
		if err != nil || s.UserID != u.ID || !s.ExpiresAt.Equal(t0.Add(time.Hour)) || s.EndedAt != nil {
			t.Fatalf("the first session reads back as %+v, %v", s, err)
		}
	})
}
