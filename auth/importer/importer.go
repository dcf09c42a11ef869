package importer

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/password"
	"github.com/phoneauth/phoneauth/auth/phone"
)

// Describe renders a rejected record's reasons as one line: "field: message" for each, or the message
// alone for a problem with the whole record, joined by "; ". No message ever holds a value of the file.
func Describe(fields []auth.FieldError) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		if f.Field == "" {
			parts[i] = f.Msg
		} else {
			parts[i] = f.Field + ": " + f.Msg
		}
	}
	return strings.Join(parts, "; ")
}

// Service imports users: it applies the rules to each record, finds duplicates within the file and
// against the database, and stores the good records in batches through its Repository.
type Service struct {
	env    auth.Env
	phones phone.Parser
	repo   Repository
}

// New returns a Service storing users through repo.
func New(env auth.Env, phones phone.Parser, repo Repository) (*Service, error) {
	if repo == nil {
		return nil, errors.New("importer: no Repository")
	}
	return &Service{env: env.WithDefaults(), phones: phones, repo: repo}, nil
}

// Fields are the fields of an imported user, as files name them (CSV columns, JSON keys) and
// as errors report them.
var Fields = []string{
	"id", "phone", "name", "email", "gender", "date_of_birth", "place", "is_active", "has_given_consent",
	"consent_given_at", "created_at", "updated_at", "last_login_at", "password_hash", "roles",
}

// RequiredFields must be given in every record (and so be columns of every CSV file).
var RequiredFields = []string{"phone", "name", "password_hash"}

// Record is one user as read from an export, before any rule is applied: each field's text as
// the file wrote it, "" when absent, empty or null.
type Record struct {
	Line int // where the record starts in the file, counting from 1

	ID, Phone, Name, Email, Gender, DateOfBirth, Place string
	IsActive, HasGivenConsent                          string // "true", "false", "1", "0" …; "" for the default
	ConsentGivenAt, CreatedAt, UpdatedAt, LastLoginAt  string // RFC 3339
	PasswordHash                                       string // bcrypt ($2a$/$2b$/$2y$) or argon2id PHC
	Roles                                              []string

	// Problems the reader found already: a value of the wrong type or an unknown field (reported on
	// that field), or a record it could not read at all (Field ""; then nothing else is checked).
	Problems []auth.FieldError
}

// Set sets a scalar field by its name in Fields; it reports false for "roles" (a list) and for
// names that are not fields.
func (r *Record) Set(field, value string) bool {
	p := r.field(field)
	if p == nil {
		return false
	}
	*p = value
	return true
}

func (r *Record) field(name string) *string {
	switch name {
	case "id":
		return &r.ID
	case "phone":
		return &r.Phone
	case "name":
		return &r.Name
	case "email":
		return &r.Email
	case "gender":
		return &r.Gender
	case "date_of_birth":
		return &r.DateOfBirth
	case "place":
		return &r.Place
	case "is_active":
		return &r.IsActive
	case "has_given_consent":
		return &r.HasGivenConsent
	case "consent_given_at":
		return &r.ConsentGivenAt
	case "created_at":
		return &r.CreatedAt
	case "updated_at":
		return &r.UpdatedAt
	case "last_login_at":
		return &r.LastLoginAt
	case "password_hash":
		return &r.PasswordHash
	}
	return nil
}

// Messages of import field errors.
const (
	importMsgRequired = "required"
	importMsgTaken    = "already registered"
)

// Parse applies the rules to one record and returns the user to store (with an id, a
// new one unless the record keeps its own, and timestamps). The error is a *auth.ValidationError naming
// every bad field; no message ever contains a password hash.
func (s *Service) Parse(rec *Record) (*auth.User, error) {
	v := importValidator{fields: slices.Clone(rec.Problems)}
	for _, f := range rec.Problems {
		if f.Field == "" {
			return nil, &auth.ValidationError{Fields: v.fields} // unreadable: the fields mean nothing
		}
	}
	now := s.env.Clock.Now()
	u := &auth.User{IsActive: true}

	if id := v.text("id", rec.ID); id != "" {
		if parsed, ok := auth.ParseID(id); ok {
			u.ID = parsed
		} else {
			v.bad("id", "not a UUID")
		}
	}
	if raw := v.required("phone", rec.Phone); raw != "" {
		if n, err := s.phones.Parse(raw); err != nil {
			v.bad("phone", err.Error())
		} else {
			u.Phone = n.E164
		}
	}
	if name := v.required("name", rec.Name); name != "" {
		if len(name) > 200 { // CreateUser's rule
			v.bad("name", "must be 1 to 200 characters")
		}
		u.Name = name
	}
	if e := v.text("email", rec.Email); e != "" {
		if !auth.ValidEmail(e) {
			v.bad("email", "value is not a valid email address")
		}
		u.Email = &e
	}
	u.Gender = v.optional("gender", rec.Gender)
	if d := v.text("date_of_birth", rec.DateOfBirth); d != "" {
		if t, err := time.Parse(time.DateOnly, d); err != nil {
			v.bad("date_of_birth", "not a date (YYYY-MM-DD)")
		} else {
			u.DateOfBirth = &t
		}
	}
	u.Place = v.optional("place", rec.Place)
	if b, ok := v.boolean("is_active", rec.IsActive); ok {
		u.IsActive = b
	}
	u.HasGivenConsent, _ = v.boolean("has_given_consent", rec.HasGivenConsent)
	u.ConsentGivenAt = v.timestamp("consent_given_at", rec.ConsentGivenAt)
	u.LastLoginAt = v.timestamp("last_login_at", rec.LastLoginAt)
	u.CreatedAt = now
	if t := v.timestamp("created_at", rec.CreatedAt); t != nil {
		u.CreatedAt = *t
	}
	u.UpdatedAt = u.CreatedAt
	if t := v.timestamp("updated_at", rec.UpdatedAt); t != nil {
		u.UpdatedAt = *t
	}
	if h := v.required("password_hash", rec.PasswordHash); h != "" {
		if !password.ValidHash(h) {
			v.bad("password_hash", "not a bcrypt or argon2id hash") // never echo it: it may be a password
		}
		u.PasswordHash = h
	}
	for _, r := range rec.Roles {
		r = strings.TrimSpace(r)
		switch {
		case r == "" || r == auth.RoleUser || slices.Contains(u.Roles, r):
		case slices.Contains(auth.KnownRoles, r):
			u.Roles = append(u.Roles, r)
		case printableRole(r):
			v.bad("roles", "unknown role "+r)
		default:
			v.bad("roles", "unknown role") // not echoed: it may be a misplaced secret
		}
	}
	slices.Sort(u.Roles)

	if len(v.fields) > 0 {
		slices.SortStableFunc(v.fields, func(a, b auth.FieldError) int { return fieldIndex(a.Field) - fieldIndex(b.Field) })
		return nil, &auth.ValidationError{Fields: v.fields}
	}
	if u.ID == uuid.Nil {
		at := u.CreatedAt // time-ordered ids keep listings in sign-up order
		if at.Before(time.UnixMilli(0)) || at.After(now) {
			at = now
		}
		u.ID = auth.NewID(at)
	}
	return u, nil
}

// importValidator collects the field errors of one record. A field the reader already found bad is
// not checked again.
type importValidator struct{ fields []auth.FieldError }

func (v *importValidator) bad(field, msg string) {
	v.fields = append(v.fields, auth.FieldError{Field: field, Msg: msg, Type: "value_error"})
}

func (v *importValidator) seen(field string) bool {
	return slices.ContainsFunc(v.fields, func(f auth.FieldError) bool { return f.Field == field })
}

// text returns the trimmed value, or "" when it is absent, already reported, or unstorable.
func (v *importValidator) text(field, raw string) string {
	s := strings.TrimSpace(raw)
	if s == "" || v.seen(field) {
		return ""
	}
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		v.bad(field, "contains invalid characters (NUL or invalid UTF-8)")
		return ""
	}
	return s
}

func (v *importValidator) required(field, raw string) string {
	s := v.text(field, raw)
	if s == "" && !v.seen(field) {
		v.fields = append(v.fields, auth.FieldError{Field: field, Msg: importMsgRequired, Type: "missing"})
	}
	return s
}

func (v *importValidator) optional(field, raw string) *string {
	if s := v.text(field, raw); s != "" {
		return &s
	}
	return nil
}

// boolean accepts what exporters write: true/false (any case, Python writes True), 1/0, t/f, yes/no.
func (v *importValidator) boolean(field, raw string) (value, ok bool) {
	s := v.text(field, raw)
	if s == "" {
		return false, false
	}
	switch strings.ToLower(s) {
	case "true", "t", "1", "yes", "y":
		return true, true
	case "false", "f", "0", "no", "n":
		return false, true
	}
	v.bad(field, "not a boolean (true or false)")
	return false, false
}

// timestamp accepts RFC 3339, also with a space for the "T" (as Python's str() of a datetime writes it);
// an offset is required, since guessing a zone would shift every time silently.
func (v *importValidator) timestamp(field, raw string) *time.Time {
	s := v.text(field, raw)
	if s == "" {
		return nil
	}
	if len(s) > 10 && s[10] == ' ' {
		s = s[:10] + "T" + s[11:]
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		v.bad(field, "not an RFC 3339 time with an offset (e.g. 2024-05-01T12:00:00Z)")
		return nil
	}
	t = t.UTC()
	return &t
}

func fieldIndex(field string) int {
	if i := slices.Index(Fields, field); i >= 0 {
		return i
	}
	return len(Fields) // unknown fields last, in the reader's order
}

func printableRole(r string) bool {
	if len(r) > 32 {
		return false
	}
	for _, c := range r {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// Repository stores imported users in bulk. It is separate from Users because only the import
// command needs it.
type Repository interface {
	// ImportBatch stores each of users whole or not at all, as many per transaction as it can, and
	// returns one outcome per user: nil when stored, a *ConflictError (which wraps auth.ErrConflict) when
	// its id, phone or email is taken, or another error when the database refused that user alone.
	// With dryRun it reports the same outcomes and writes nothing.
	// A non-nil err means the batch could not be finished (ErrUnavailable, a cancelled ctx): then
	// the outcomes returned are those of the first len(outcomes) users, and the others were not stored.
	ImportBatch(ctx context.Context, users []*auth.User, dryRun bool) (outcomes []error, err error)
}

// ConflictError names the unique fields ("id", "phone", "email") of an imported user that an
// existing user already has. Fields is empty when they could not be told (a concurrent change).
type ConflictError struct{ Fields []string }

func (e *ConflictError) Error() string {
	if len(e.Fields) == 0 {
		return "phone or email already registered"
	}
	return strings.Join(e.Fields, ", ") + " already registered"
}

func (e *ConflictError) Unwrap() error { return auth.ErrConflict }

// Options tune Import.
type Options struct {
	DryRun    bool // check every record against the rules and the database, write nothing
	BatchSize int  // users per transaction; default 500
	// Rejected, if set, is told of each record that was not imported, in file order, with every
	// reason. A field error with Field "" is about the whole record.
	Rejected func(line int, fields []auth.FieldError)
}

// Result counts the records.
type Result struct {
	Imported int // stored (with DryRun: that would have been)
	Rejected int // skipped whole
}

// Import validates records and stores the good ones in batches through imp; a bad record is skipped
// whole and reported, never stored in part. A record is bad when a rule fails or its id, phone or
// email is taken, by an existing user or by an earlier good record of the same import.
//
// records is read once, as it streams; an error from it stops the import after the records before
// it have been stored, and is returned as is. Import's own memory grows only by a hash per unique
// value (to find duplicates within the file), never by the records.
//
// An import that stored anything, finished or not, writes one users.imported audit event with the
// counts (complete=false when it stopped early).
func (s *Service) Import(ctx context.Context, records iter.Seq2[*Record, error], opt Options) (res Result, err error) {
	if opt.BatchSize <= 0 {
		opt.BatchSize = 500
	}
	if !opt.DryRun {
		defer func() {
			if res.Imported > 0 {
				s.env.Record(ctx, auth.EventUsersImported, uuid.Nil, uuid.Nil, "", map[string]string{"imported": strconv.Itoa(res.Imported),
					"rejected": strconv.Itoa(res.Rejected), "complete": strconv.FormatBool(err == nil)})
			}
		}()
	}
	if opt.Rejected == nil {
		opt.Rejected = func(int, []auth.FieldError) {}
	}
	im := &importRun{svc: s, imp: s.repo, opt: opt, seen: importSeen{seed: maphash.MakeSeed(), lines: map[uint64]int{}}}
	for rec, err := range records {
		if err != nil {
			if ferr := im.flush(ctx); ferr != nil {
				return im.res, ferr
			}
			return im.res, err
		}
		im.add(rec)
		// Rejected records wait with the good ones so that reports come in file order; the cap bounds
		// a file that is all bad.
		if im.users >= opt.BatchSize || len(im.pending) >= 4*opt.BatchSize {
			if err := im.flush(ctx); err != nil {
				return im.res, err
			}
		}
	}
	if err := im.flush(ctx); err != nil {
		return im.res, err
	}
	return im.res, nil
}

type importRun struct {
	svc     *Service
	imp     Repository
	opt     Options
	seen    importSeen
	pending []importEntry
	users   int // entries of pending with a user
	res     Result
}

type importEntry struct {
	line   int
	user   *auth.User        // nil when rejected
	fields []auth.FieldError // why it was rejected
}

func (im *importRun) add(rec *Record) {
	u, err := im.svc.Parse(rec)
	var fields []auth.FieldError
	var verr *auth.ValidationError
	if errors.As(err, &verr) {
		fields = verr.Fields
	}
	// Duplicates are checked on every usable value, so a bad record learns of them too; only a good
	// record claims its values.
	keys := im.keys(rec, u)
	for _, k := range keys {
		if line, dup := im.seen.lines[k.hash]; dup {
			fields = append(fields, auth.FieldError{Field: k.field, Msg: fmt.Sprintf("%s (line %d of this file)", importMsgTaken, line), Type: "value_error"})
		}
	}
	if len(fields) > 0 {
		slices.SortStableFunc(fields, func(a, b auth.FieldError) int { return fieldIndex(a.Field) - fieldIndex(b.Field) })
		im.pending = append(im.pending, importEntry{line: rec.Line, fields: fields})
		return
	}
	for _, k := range keys {
		im.seen.lines[k.hash] = rec.Line
	}
	im.pending = append(im.pending, importEntry{line: rec.Line, user: u})
	im.users++
}

type importKey struct {
	field string
	hash  uint64
}

// keys returns the unique values of a record that passed the rules, or of one that did not, those
// of its values that are valid on their own.
func (im *importRun) keys(rec *Record, u *auth.User) []importKey {
	var id, ph, email string
	if u != nil {
		id, ph = u.ID.String(), u.Phone
		if u.Email != nil {
			email = *u.Email
		}
	} else {
		if parsed, ok := auth.ParseID(strings.TrimSpace(rec.ID)); ok {
			id = parsed.String()
		}
		if n, err := im.svc.phones.Parse(rec.Phone); err == nil {
			ph = n.E164
		}
		if e := strings.TrimSpace(rec.Email); auth.ValidEmail(e) {
			email = e
		}
	}
	var keys []importKey
	if id != "" && rec.ID != "" { // a new id cannot collide
		keys = append(keys, importKey{"id", im.seen.hash('i', id)})
	}
	if ph != "" {
		keys = append(keys, importKey{"phone", im.seen.hash('p', ph)})
	}
	if email != "" {
		keys = append(keys, importKey{"email", im.seen.hash('e', strings.ToLower(email))})
	}
	return keys
}

// importSeen remembers the unique values of the good records so far by a 64-bit hash, not the
// values: 16 to 32 bytes each however long they are (measured: 75 MB of heap for a million records
// with a phone and an email each), at the price of a one-in-10^7 chance, for such a file, of one
// false "already registered". The records themselves are never kept past their batch.
type importSeen struct {
	seed  maphash.Seed
	lines map[uint64]int // hash → line
}

func (s *importSeen) hash(kind byte, v string) uint64 {
	var h maphash.Hash
	h.SetSeed(s.seed)
	_ = h.WriteByte(kind)
	_, _ = h.WriteString(v)
	return h.Sum64()
}

// flush stores the pending users and reports the pending rejections, in file order.
func (im *importRun) flush(ctx context.Context) error {
	if len(im.pending) == 0 {
		return nil
	}
	users := make([]*auth.User, 0, im.users)
	for _, e := range im.pending {
		if e.user != nil {
			users = append(users, e.user)
		}
	}
	var outcomes []error
	var fatal error
	if len(users) > 0 {
		if err := ctx.Err(); err != nil {
			fatal = err
		} else {
			outcomes, fatal = im.imp.ImportBatch(ctx, users, im.opt.DryRun)
			if fatal == nil && len(outcomes) != len(users) {
				fatal = fmt.Errorf("importer returned %d outcomes for %d users", len(outcomes), len(users))
			}
		}
	}
	i := 0 // index into users and outcomes
	for _, e := range im.pending {
		if e.user != nil {
			if i >= len(outcomes) {
				break // not settled: the batch stopped before it
			}
			err := outcomes[i]
			i++
			if err == nil {
				im.res.Imported++
				continue
			}
			e.fields = importOutcomeFields(err)
		}
		im.res.Rejected++
		im.opt.Rejected(e.line, e.fields)
	}
	im.pending, im.users = im.pending[:0], 0
	if fatal != nil {
		return fmt.Errorf("storing imported users: %w", fatal)
	}
	return nil
}

func importOutcomeFields(err error) []auth.FieldError {
	var c *ConflictError
	if errors.As(err, &c) {
		if len(c.Fields) == 0 {
			return []auth.FieldError{{Msg: c.Error(), Type: "value_error"}}
		}
		out := make([]auth.FieldError, len(c.Fields))
		for i, f := range c.Fields {
			out[i] = auth.FieldError{Field: f, Msg: importMsgTaken, Type: "value_error"}
		}
		return out
	}
	if errors.Is(err, auth.ErrConflict) {
		return []auth.FieldError{{Msg: "phone or email already registered", Type: "value_error"}}
	}
	return []auth.FieldError{{Msg: "refused by the database: " + err.Error(), Type: "value_error"}}
}
