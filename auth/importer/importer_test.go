package importer_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/google/uuid"
	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/importer"
	"github.com/phoneauth/phoneauth/auth/password"
	"github.com/phoneauth/phoneauth/auth/phone"
	"github.com/phoneauth/phoneauth/store"
	"github.com/phoneauth/phoneauth/store/storetest"
)

// passlibBcrypt returns a bcrypt hash of pw as passlib writes it ($2b$).
func passlibBcrypt(t *testing.T, pw string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return "$2b$" + strings.TrimPrefix(string(h), "$2a$")
}

type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

var weak = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

type fixture struct {
	db     *store.DB
	clock  *fakeClock
	hasher *password.Hasher
	svc    *importer.Service // storing into db
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{URL: storetest.URL(t, "sqlite")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	h, err := password.NewHasher(password.Config{Params: weak})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, clock: &fakeClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}, hasher: h}
	f.svc = f.with(db.Users())
	return f
}

// with returns an importer storing through repo.
func (f *fixture) with(repo importer.Repository) *importer.Service {
	svc, err := importer.New(auth.Env{Clock: f.clock, Audit: f.db.Audit(), Atomic: f.db, Logger: slog.New(slog.DiscardHandler)}, phone.Parser{}, repo)
	if err != nil {
		panic(err)
	}
	return svc
}

func TestParseImportRecord(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	bcryptHash := passlibBcrypt(t, "old fastapi password")
	argonHash, err := f.hasher.Hash(context.Background(), "another password")
	if err != nil {
		t.Fatal(err)
	}
	good := func() importer.Record {
		return importer.Record{Line: 2, Phone: "+14155550100", Name: "Ada", PasswordHash: bcryptHash}
	}
	with := func(mod func(r *importer.Record)) importer.Record {
		r := good()
		mod(&r)
		return r
	}

	t.Run("every field", func(t *testing.T) {
		rec := importer.Record{
			Line: 3, ID: " 0190A000-0000-4000-8000-00000000000A ", Phone: " +1 (415) 555-0100 ", Name: " Ada Lovelace ",
			Email: "Ada@Example.com", Gender: "female", DateOfBirth: "1990-05-17", Place: "London",
			IsActive: "False", HasGivenConsent: "1", ConsentGivenAt: "2024-01-02T03:04:05Z",
			CreatedAt: "2023-12-31 23:00:00+02:00", UpdatedAt: "2024-02-01T00:00:00.123456Z", LastLoginAt: "2024-03-01T10:00:00-05:00",
			PasswordHash: bcryptHash, Roles: []string{"admin", " user ", "admin", ""},
		}
		u, err := f.svc.Parse(&rec)
		if err != nil {
			t.Fatal(err)
		}
		dob := time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC)
		want := &auth.User{
			ID: uuid.MustParse("0190a000-0000-4000-8000-00000000000a"), Phone: "+14155550100", Name: "Ada Lovelace", Email: importPtr("Ada@Example.com"),
			Gender: importPtr("female"), DateOfBirth: &dob, Place: importPtr("London"), PasswordHash: bcryptHash, IsActive: false,
			HasGivenConsent: true, ConsentGivenAt: importPtr(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)),
			LastLoginAt: importPtr(time.Date(2024, 3, 1, 15, 0, 0, 0, time.UTC)), Roles: []string{"admin"},
			CreatedAt: time.Date(2023, 12, 31, 21, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2024, 2, 1, 0, 0, 0, 123456000, time.UTC),
		}
		if got, w := fmt.Sprintf("%+v", importUserString(u)), fmt.Sprintf("%+v", importUserString(want)); got != w {
			t.Fatalf("got  %s\nwant %s", got, w)
		}
	})

	t.Run("defaults", func(t *testing.T) {
		rec := good()
		u, err := f.svc.Parse(&rec)
		if err != nil {
			t.Fatal(err)
		}
		if !u.IsActive || u.HasGivenConsent || !u.CreatedAt.Equal(now) || !u.UpdatedAt.Equal(now) || u.Email != nil ||
			u.Gender != nil || u.DateOfBirth != nil || u.ConsentGivenAt != nil || u.LastLoginAt != nil || len(u.Roles) != 0 || u.ID == uuid.Nil {
			t.Fatalf("defaults: %+v", importUserString(u))
		}
		rec.CreatedAt = "2020-01-01T00:00:00Z"
		u, _ = f.svc.Parse(&rec)
		if !u.UpdatedAt.Equal(u.CreatedAt) || u.CreatedAt.Year() != 2020 {
			t.Fatalf("updated_at defaults to created_at: %v %v", u.CreatedAt, u.UpdatedAt)
		}
	})

	for _, tc := range []struct {
		name string
		rec  importer.Record
	}{
		{"argon2id", with(func(r *importer.Record) { r.PasswordHash = argonHash })},
		{"$2y$", with(func(r *importer.Record) { r.PasswordHash = "$2y$" + strings.TrimPrefix(bcryptHash, "$2b$") })},
		{"00 prefix", with(func(r *importer.Record) { r.Phone = "0014155550100" })},
		{"booleans", with(func(r *importer.Record) { r.IsActive, r.HasGivenConsent = "yes", "TRUE" })},
		{"empty optional values", with(func(r *importer.Record) { r.Email, r.DateOfBirth, r.IsActive, r.Roles = "  ", "", "", []string{""} })},
	} {
		t.Run("accepts "+tc.name, func(t *testing.T) {
			if _, err := f.svc.Parse(&tc.rec); err != nil {
				t.Fatal(err)
			}
		})
	}

	const plain = "hunter2 plain password"
	for _, tc := range []struct {
		name string
		rec  importer.Record
		want string
	}{
		{"no phone", with(func(r *importer.Record) { r.Phone = " " }), "phone: required"},
		{"bad phone", with(func(r *importer.Record) { r.Phone = "+12" }), "phone: value is not a valid phone number"},
		{"national phone, no region", with(func(r *importer.Record) { r.Phone = "(415) 555-0100" }), "phone: value is not a valid phone number: use the international format, e.g. +14155550100"},
		{"no name", with(func(r *importer.Record) { r.Name = "" }), "name: required"},
		{"long name", with(func(r *importer.Record) { r.Name = strings.Repeat("n", 201) }), "name: must be 1 to 200 characters"},
		{"bad email", with(func(r *importer.Record) { r.Email = "ada@" }), "email: value is not a valid email address"},
		{"display-name email", with(func(r *importer.Record) { r.Email = "Ada <ada@example.com>" }), "email: value is not a valid email address"},
		{"bad id", with(func(r *importer.Record) { r.ID = "42" }), "id: not a UUID"},
		{"bad date", with(func(r *importer.Record) { r.DateOfBirth = "17/05/1990" }), "date_of_birth: not a date (YYYY-MM-DD)"},
		{"impossible date", with(func(r *importer.Record) { r.DateOfBirth = "1990-02-30" }), "date_of_birth: not a date (YYYY-MM-DD)"},
		{"bad is_active", with(func(r *importer.Record) { r.IsActive = "maybe" }), "is_active: not a boolean (true or false)"},
		{"bad consent", with(func(r *importer.Record) { r.HasGivenConsent = "2" }), "has_given_consent: not a boolean (true or false)"},
		{"time without offset", with(func(r *importer.Record) { r.CreatedAt = "2024-01-02T03:04:05" }), "created_at: not an RFC 3339 time with an offset (e.g. 2024-05-01T12:00:00Z)"},
		{"bad times", with(func(r *importer.Record) {
			r.ConsentGivenAt, r.UpdatedAt, r.LastLoginAt = "yesterday", "2024-13-01T00:00:00Z", "1700000000"
		}), "consent_given_at: not an RFC 3339 time with an offset (e.g. 2024-05-01T12:00:00Z); " +
			"updated_at: not an RFC 3339 time with an offset (e.g. 2024-05-01T12:00:00Z); " +
			"last_login_at: not an RFC 3339 time with an offset (e.g. 2024-05-01T12:00:00Z)"},
		{"no hash", with(func(r *importer.Record) { r.PasswordHash = "" }), "password_hash: required"},
		{"plain password", with(func(r *importer.Record) { r.PasswordHash = plain }), "password_hash: not a bcrypt or argon2id hash"},
		{"truncated bcrypt", with(func(r *importer.Record) { r.PasswordHash = bcryptHash[:40] }), "password_hash: not a bcrypt or argon2id hash"},
		{"sha256_crypt", with(func(r *importer.Record) { r.PasswordHash = "$5$rounds=535000$abc$def" }), "password_hash: not a bcrypt or argon2id hash"},
		{"costly argon2id", with(func(r *importer.Record) {
			r.PasswordHash = strings.Replace(argonHash, "m=64,", "m=99999999,", 1)
		}), "password_hash: not a bcrypt or argon2id hash"},
		{"unknown role", with(func(r *importer.Record) { r.Roles = []string{"admin", "root"} }), "roles: unknown role root"},
		{"secret-looking role", with(func(r *importer.Record) { r.Roles = []string{plain} }), "roles: unknown role"},
		{"NUL", with(func(r *importer.Record) { r.Place = "a\x00b" }), "place: contains invalid characters (NUL or invalid UTF-8)"},
		{"invalid UTF-8", with(func(r *importer.Record) { r.Name = "Ad\xffa" }), "name: contains invalid characters (NUL or invalid UTF-8)"},
		{"every bad field at once, in field order", importer.Record{
			Line: 9, PasswordHash: plain, Email: "x@", Phone: "+12", ID: "nope", Roles: []string{"root"},
		}, "id: not a UUID; phone: value is not a valid phone number; name: required; email: value is not a valid email address; " +
			"password_hash: not a bcrypt or argon2id hash; roles: unknown role root"},
		{"reader problems kept, not doubled", with(func(r *importer.Record) {
			r.Name = ""
			r.Problems = []auth.FieldError{{Field: "hashed_password", Msg: "unknown field"}, {Field: "name", Msg: "must be a string"}}
		}), "name: must be a string; hashed_password: unknown field"},
		{"unreadable record", importer.Record{Line: 4, Problems: []auth.FieldError{{Msg: "not a JSON object"}}}, "not a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := f.svc.Parse(&tc.rec)
			var verr *auth.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("got %+v, %v; want a ValidationError", u, err)
			}
			if got := importer.Describe(verr.Fields); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			if strings.Contains(err.Error(), plain) || strings.Contains(err.Error(), bcryptHash[7:]) {
				t.Errorf("a password or hash is echoed: %v", err)
			}
		})
	}
}

func importUserString(u *auth.User) string {
	s := func(p *string) string {
		if p == nil {
			return "<nil>"
		}
		return *p
	}
	tm := func(p *time.Time) string {
		if p == nil {
			return "<nil>"
		}
		return p.Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("id=%s phone=%s name=%s email=%s gender=%s dob=%s place=%s active=%v consent=%v consent_at=%s last=%s roles=%v created=%s updated=%s hash=%v",
		u.ID, u.Phone, u.Name, s(u.Email), s(u.Gender), tm(u.DateOfBirth), s(u.Place), u.IsActive, u.HasGivenConsent,
		tm(u.ConsentGivenAt), tm(u.LastLoginAt), u.Roles, u.CreatedAt.Format(time.RFC3339Nano), u.UpdatedAt.Format(time.RFC3339Nano), u.PasswordHash != "")
}

func importPtr[T any](v T) *T { return &v }

// fakeImporter stores users in memory; outcome, if set, decides each user's fate.
type fakeImporter struct {
	batches [][]string // phones per call
	dryRuns []bool
	outcome func(u *auth.User) error
	failAt  int // with fatal: the outcomes stop before the failAt-th user of the batch
	fatal   error
}

func (f *fakeImporter) ImportBatch(_ context.Context, users []*auth.User, dryRun bool) ([]error, error) {
	var phones []string
	out := make([]error, len(users))
	for i, u := range users {
		phones = append(phones, u.Phone)
		if f.outcome != nil {
			out[i] = f.outcome(u)
		}
	}
	f.batches = append(f.batches, phones)
	f.dryRuns = append(f.dryRuns, dryRun)
	if f.fatal != nil {
		return out[:f.failAt], f.fatal
	}
	return out, nil
}

func importRecords(recs []importer.Record, tail error) iter.Seq2[*importer.Record, error] {
	return func(yield func(*importer.Record, error) bool) {
		for i := range recs {
			if !yield(&recs[i], nil) {
				return
			}
		}
		if tail != nil {
			yield(nil, tail)
		}
	}
}

type importRejection struct {
	line int
	why  string
}

func TestImportBatchesAndDuplicates(t *testing.T) {
	f := newFixture(t)
	h := passlibBcrypt(t, "x")
	id := "0190a000-0000-7000-8000-000000000001"
	recs := []importer.Record{
		{Line: 2, Phone: "+14155550100", Name: "A", Email: "a@example.com", PasswordHash: h, ID: id},
		{Line: 3, Phone: "+1 415 555 0100", Name: "B", PasswordHash: h},                                        // phone of line 2
		{Line: 4, Phone: "+14155550102", Name: "C", Email: "A@EXAMPLE.COM", PasswordHash: h},                   // email of line 2
		{Line: 5, Phone: "+14155550103", Name: "D", PasswordHash: h, ID: strings.ToUpper(id)},                  // id of line 2
		{Line: 6, Phone: "+14155550100", Name: "", PasswordHash: h},                                            // bad, and a duplicate
		{Line: 7, Phone: "+14155550107", Name: "G", Email: "bad@", PasswordHash: h},                            // bad: its phone stays free
		{Line: 8, Phone: "+14155550107", Name: "H", PasswordHash: h},                                           // so this one is good
		{Line: 9, Phone: "+14155550109", Name: "I", PasswordHash: h},                                           // taken in the database
		{Line: 10, Phone: "+14155550110", Name: "J", PasswordHash: h},                                          // refused by the database
		{Line: 11, Phone: "+14155550111", Name: "K", PasswordHash: h, Email: "k@example.com"},                  // good
		{Line: 12, Phone: "+14155550112", Name: "L", PasswordHash: h, Problems: []auth.FieldError{{Msg: "x"}}}, // unreadable
	}
	imp := &fakeImporter{outcome: func(u *auth.User) error {
		switch u.Phone {
		case "+14155550109":
			return &importer.ConflictError{Fields: []string{"phone"}}
		case "+14155550110":
			return errors.New("ERROR: value too long (SQLSTATE 22001)")
		}
		return nil
	}}
	var got []importRejection
	res, err := f.with(imp).Import(context.Background(), importRecords(recs, nil), importer.Options{
		BatchSize: 2,
		Rejected: func(line int, fields []auth.FieldError) {
			got = append(got, importRejection{line, importer.Describe(fields)})
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []importRejection{
		{3, "phone: already registered (line 2 of this file)"},
		{4, "email: already registered (line 2 of this file)"},
		{5, "id: already registered (line 2 of this file)"},
		{6, "phone: already registered (line 2 of this file); name: required"},
		{7, "email: value is not a valid email address"},
		{9, "phone: already registered"},
		{10, "refused by the database: ERROR: value too long (SQLSTATE 22001)"},
		{12, "x"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("rejections:\n got %v\nwant %v", got, want)
	}
	if res != (importer.Result{Imported: 3, Rejected: 8}) {
		t.Errorf("result %+v", res)
	}
	wantBatches := [][]string{{"+14155550100", "+14155550107"}, {"+14155550109", "+14155550110"}, {"+14155550111"}}
	if !slices.EqualFunc(imp.batches, wantBatches, slices.Equal) {
		t.Errorf("batches %v, want %v", imp.batches, wantBatches)
	}
	if slices.Contains(imp.dryRuns, true) {
		t.Errorf("dry run passed to a real import: %v", imp.dryRuns)
	}
	if got := importEvents(t, f); !slices.Equal(got, []string{"imported=3 rejected=8 complete=true"}) {
		t.Errorf("audit events %v, want one with the counts", got)
	}
}

// importEvents returns the users.imported audit events, oldest first, as "imported=… rejected=…
// complete=…".
func importEvents(t *testing.T, f *fixture) []string {
	t.Helper()
	events, err := f.db.Audit().List(context.Background(), auth.AuditFilter{Type: auth.EventUsersImported, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range slices.Backward(events) {
		out = append(out, "imported="+e.Details["imported"]+" rejected="+e.Details["rejected"]+" complete="+e.Details["complete"])
	}
	return out
}

func TestImportDryRunAndStops(t *testing.T) {
	f := newFixture(t)
	h := passlibBcrypt(t, "x")
	recs := []importer.Record{
		{Line: 1, Phone: "+14155550101", Name: "A", PasswordHash: h},
		{Line: 2, Phone: "+14155550102", Name: "B"},
		{Line: 3, Phone: "+14155550103", Name: "C", PasswordHash: h},
		{Line: 4, Phone: "+14155550104", Name: "D"},
		{Line: 5, Phone: "+14155550105", Name: "E", PasswordHash: h},
	}
	ctx := context.Background()

	t.Run("dry run", func(t *testing.T) {
		imp := &fakeImporter{}
		res, err := f.with(imp).Import(ctx, importRecords(recs, nil), importer.Options{DryRun: true})
		if err != nil || res != (importer.Result{Imported: 3, Rejected: 2}) {
			t.Fatalf("%+v, %v", res, err)
		}
		if !slices.Equal(imp.dryRuns, []bool{true}) {
			t.Fatalf("dry runs %v", imp.dryRuns)
		}
	})

	t.Run("reader error stores what came before", func(t *testing.T) {
		imp := &fakeImporter{}
		bad := errors.New("line 6: bare quote")
		res, err := f.with(imp).Import(ctx, importRecords(recs, bad), importer.Options{})
		if !errors.Is(err, bad) || res != (importer.Result{Imported: 3, Rejected: 2}) || len(imp.batches) != 1 {
			t.Fatalf("%+v, %v, batches %v", res, err, imp.batches)
		}
	})

	t.Run("database failure mid-batch", func(t *testing.T) {
		down := &auth.Error{Kind: auth.ErrUnavailable, Detail: "Database unavailable; please retry"}
		imp := &fakeImporter{fatal: down, failAt: 1} // stored line 1, then failed
		var lines []int
		res, err := f.with(imp).Import(ctx, importRecords(recs, nil), importer.Options{
			Rejected: func(line int, _ []auth.FieldError) { lines = append(lines, line) },
		})
		if !errors.Is(err, auth.ErrUnavailable) || res != (importer.Result{Imported: 1, Rejected: 1}) || !slices.Equal(lines, []int{2}) {
			t.Fatalf("%+v, %v, rejected lines %v", res, err, lines)
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		res, err := f.with(&fakeImporter{}).Import(cctx, importRecords(recs, nil), importer.Options{})
		if !errors.Is(err, context.Canceled) || res.Imported != 0 {
			t.Fatalf("%+v, %v", res, err)
		}
	})

	// The dry run and the cancelled import stored nothing; the two that stopped early say so.
	want := []string{"imported=3 rejected=2 complete=false", "imported=1 rejected=1 complete=false"}
	if got := importEvents(t, f); !slices.Equal(got, want) {
		t.Errorf("audit events %v, want %v", got, want)
	}
}

// An imported bcrypt user keeps its id, roles and hash (which verifies the old password); a second
// import of the same user is a conflict on every unique field.
func TestImportedUserKeepsItsHashAndCannotBeImportedTwice(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const pw = "old fastapi password"
	id := "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
	recs := []importer.Record{{Line: 2, ID: id, Phone: "+14155550100", Name: "Ada", Email: "ada@example.com", PasswordHash: passlibBcrypt(t, pw), Roles: []string{"admin"}}}
	res, err := f.with(f.db.Users()).Import(ctx, importRecords(recs, nil), importer.Options{})
	if err != nil || res.Imported != 1 {
		t.Fatalf("%+v, %v", res, err)
	}
	u, err := f.db.Users().ByID(ctx, uuid.MustParse(id))
	if err != nil {
		t.Fatal(err)
	}
	if !u.HasRole(auth.RoleAdmin) || u.Email == nil || *u.Email != "ada@example.com" {
		t.Fatalf("stored %+v", u)
	}
	// The hash is kept as it was; the login that upgrades it to argon2id is tested end to end.
	if ok, rehash, err := f.hasher.Verify(ctx, pw, u.PasswordHash); err != nil || !ok || !rehash {
		t.Fatalf("Verify(old password) = %v, %v, %v; want true, true (bcrypt is rehashed at login)", ok, rehash, err)
	}

	var why []string
	recs[0].Line = 7
	res, err = f.with(f.db.Users()).Import(ctx, importRecords(recs, nil), importer.Options{
		Rejected: func(line int, fields []auth.FieldError) {
			why = append(why, fmt.Sprint(line, " ", importer.Describe(fields)))
		},
	})
	want := []string{"7 id: already registered; phone: already registered; email: already registered"}
	if err != nil || res != (importer.Result{Rejected: 1}) || !slices.Equal(why, want) {
		t.Fatalf("re-import: %+v, %v, %q", res, err, why)
	}
}

// TestDescribe: a rejected row's reasons, as the import command prints them; a problem with the whole
// row (no field) is its message alone.
func TestDescribe(t *testing.T) {
	got := importer.Describe([]auth.FieldError{
		{Msg: "has 2 fields, the header has 3"}, {Field: "email", Msg: "value is not a valid email address"}, {Field: "phone", Msg: "required"},
	})
	if want := "has 2 fields, the header has 3; email: value is not a valid email address; phone: required"; got != want {
		t.Errorf("importer.Describe = %q, want %q", got, want)
	}
}
