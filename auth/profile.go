package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Profile limits in characters (Unicode code points), as openapi.yaml states them. The spec refuses
// longer values before a handler runs; the service holds to them whatever reaches it.
const (
	MaxNameLength   = 200
	MaxGenderLength = 64
	MaxPlaceLength  = 200
)

// EarliestBirthDate is the first date of birth accepted; the last is today.
var EarliestBirthDate = time.Date(1900, time.January, 1, 0, 0, 0, 0, time.UTC)

var (
	errEmailTaken    = newError(ErrConflict, "Email already registered")
	errPhoneTaken    = newError(ErrConflict, "Phone number already registered")
	errProfileTaken  = newError(ErrConflict, "Phone number or email already registered")
	errCallerGone    = errBadToken // the caller's account was deleted while the request ran
	errNotAPhoneEdit = errors.New("auth: the caller's phone number changes only by code")
)

func tooLong(field string, max int) FieldError {
	return FieldError{Field: field, Msg: fmt.Sprintf("String should have at most %d characters", max), Type: "string_too_long"}
}

// normalizeProfile checks every profile field c sets (not the phone, whose rules depend on who changes
// it) and returns c normalized: strings trimmed, a blank gender or place cleared, a date of birth as a
// date in UTC. It reports every invalid field at once. today is the current time.
func normalizeProfile(c ProfileChange, today time.Time) (ProfileChange, []FieldError) {
	var fields []FieldError
	if c.Name != nil {
		name := strings.TrimSpace(*c.Name)
		switch {
		case name == "":
			fields = append(fields, FieldError{Field: "name", Msg: "Value error, name must not be blank", Type: "value_error"})
		case utf8.RuneCountInString(name) > MaxNameLength:
			fields = append(fields, tooLong("name", MaxNameLength))
		}
		c.Name = &name
	}
	if c.Email.Value != nil {
		e := strings.TrimSpace(*c.Email.Value)
		if !ValidEmail(e) {
			fields = append(fields, FieldError{Field: "email", Msg: "value is not a valid email address", Type: "value_error"})
		}
		c.Email = To(e)
	}
	text := func(field string, e Edit[string], max int) Edit[string] {
		if e.Value == nil {
			return e
		}
		v := strings.TrimSpace(*e.Value)
		switch {
		case v == "":
			return Clear[string]()
		case utf8.RuneCountInString(v) > max:
			fields = append(fields, tooLong(field, max))
		}
		return To(v)
	}
	c.Gender = text("gender", c.Gender, MaxGenderLength)
	if c.DateOfBirth.Value != nil {
		d := c.DateOfBirth.Value.UTC()
		d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
		y, m, day := today.UTC().Date()
		if d.Before(EarliestBirthDate) || d.After(time.Date(y, m, day, 0, 0, 0, 0, time.UTC)) {
			fields = append(fields, FieldError{Field: "date_of_birth", Msg: "Value error, date of birth must be between 1900-01-01 and today", Type: "value_error"})
		}
		c.DateOfBirth = To(d)
	}
	c.Place = text("place", c.Place, MaxPlaceLength)
	return c, fields
}

// against drops from c what would not change u, and names the profile fields that would (the phone
// and consent, which have events of their own, are not among them).
func (c ProfileChange) against(u *User) (ProfileChange, []string) {
	var changed []string
	if c.Phone != nil && *c.Phone == u.Phone {
		c.Phone = nil
	}
	if c.Name != nil {
		if *c.Name == u.Name {
			c.Name = nil
		} else {
			changed = append(changed, "name")
		}
	}
	keep := func(field string, e Edit[string], cur *string) Edit[string] {
		if !e.Set || equalPtr(e.Value, cur) {
			return Edit[string]{}
		}
		changed = append(changed, field)
		return e
	}
	c.Email = keep("email", c.Email, u.Email)
	c.Gender = keep("gender", c.Gender, u.Gender)
	c.Place = keep("place", c.Place, u.Place)
	if c.DateOfBirth.Set {
		if equalPtr(c.DateOfBirth.Value, u.DateOfBirth) {
			c.DateOfBirth = Edit[time.Time]{}
		} else {
			changed = append(changed, "date_of_birth")
		}
	}
	if c.Consent != nil && *c.Consent == u.HasGivenConsent {
		c.Consent = nil
	}
	slices.Sort(changed)
	return c, changed
}

func equalPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// UpdateProfile changes the caller's profile fields that c sets (a nil or zero field is left alone;
// an Edit with a nil Value clears an optional field) and returns the profile as it is then. A taken
// email is ErrConflict; every invalid field is one *ValidationError. Consent changes are audited as
// consent.given or consent.withdrawn, every other change as user.updated naming the fields.
func (s *LifecycleService) UpdateProfile(ctx context.Context, c ProfileChange) (*User, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if c.Phone != nil {
		return nil, errNotAPhoneEdit
	}
	return s.updateProfile(ctx, p.User.ID, uuid.Nil, c)
}

// updateProfile applies c to the user, for the user (actor uuid.Nil) or for an admin (actor). A new
// phone (only an admin's change has one) ends every session of the user and is told to both numbers.
func (s *LifecycleService) updateProfile(ctx context.Context, id, actor uuid.UUID, c ProfileChange) (*User, error) {
	now := s.env.Clock.Now()
	c, fields := s.normalize(c)
	if len(fields) > 0 {
		return nil, &ValidationError{Fields: fields}
	}
	gone := errUserNotFound
	if actor == uuid.Nil {
		gone = errCallerGone
	}
	cur, err := s.d.Users.ByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, gone
	} else if err != nil {
		return nil, err
	}
	c, changed := c.against(cur)
	if c.empty() {
		return cur, nil
	}
	if err := s.checkFree(ctx, id, c); err != nil {
		return nil, err
	}
	var (
		u     *User
		ended int
	)
	err = s.env.InTx(ctx, func(ctx context.Context) error {
		var err error
		if u, ended, err = s.d.Users.UpdateProfile(ctx, id, c, now, uuid.Nil); err != nil {
			return err
		}
		if len(changed) > 0 {
			s.env.Record(ctx, EventUserUpdated, id, actor, "", map[string]string{"fields": strings.Join(changed, ",")})
		}
		if c.Consent != nil {
			typ := EventConsentWithdrawn
			if *c.Consent {
				typ = EventConsentGiven
			}
			s.env.Record(ctx, typ, id, actor, "", nil)
		}
		if fields := updatedFields(changed, c.Consent != nil); len(fields) > 0 {
			if err := s.env.Emit(ctx, TypeUserUpdated, id, updatedData{Fields: fields, Actor: actorRef(actor)}); err != nil {
				return err
			}
		}
		if c.Phone != nil {
			return s.phoneMoved(ctx, u, actor, ended, "admin", "")
		}
		return nil
	})
	switch {
	case errors.Is(err, ErrConflict):
		taken := errEmailTaken
		if c.Phone != nil {
			taken = errProfileTaken
		}
		return nil, &Error{Kind: ErrConflict, Detail: taken.Detail, Cause: err}
	case errors.Is(err, ErrNotFound):
		return nil, gone
	case err != nil:
		return nil, err
	}
	if c.Phone != nil {
		s.d.Codes.notify(ctx, cur.Phone, noticePhoneMoved, "")
		s.d.Codes.notify(ctx, u.Phone, noticePhoneAssigned, "")
	}
	return u, nil
}

// updatedFields are the fields a user.updated event names: the profile's, and consent.
func updatedFields(changed []string, consent bool) []string {
	if !consent {
		return changed
	}
	fields := append(slices.Clone(changed), "consent")
	slices.Sort(fields)
	return fields
}

// normalize is normalizeProfile with the phone of an admin's change, normalized as CreateUser does.
func (s *LifecycleService) normalize(c ProfileChange) (ProfileChange, []FieldError) {
	raw := c.Phone
	c.Phone = nil
	c, fields := normalizeProfile(c, s.env.Clock.Now())
	if raw != nil {
		n, err := parsePhone(s.d.Phones, "phone", *raw)
		c.Phone = &n.E164
		fields = append(fieldsOf(nil, err), fields...) // the phone first, as every operation reports it
	}
	return c, fields
}

// ProfileErrors reports every field of c that UpdateProfile (or an admin's UpdateUser, with a phone)
// would refuse, looking nothing up: for a request whose other fields its schema refused, so that one
// answer names them all.
func (s *LifecycleService) ProfileErrors(c ProfileChange) []FieldError {
	_, fields := s.normalize(c)
	return fields
}

// PhoneErrors reports what StartPhoneChange and ConfirmPhoneChange would refuse in a new number (its
// format, its country), on field "phone".
func (s *LifecycleService) PhoneErrors(raw string) []FieldError {
	_, err := s.d.Codes.parseSMSPhone(raw)
	return fieldsOf(nil, err)
}

// checkFree answers the conflict of a new email or phone that another user has, before anything is
// written (the unique indexes still decide a race).
func (s *LifecycleService) checkFree(ctx context.Context, id uuid.UUID, c ProfileChange) error {
	if c.Email.Value != nil {
		if other, err := s.d.Users.ByEmail(ctx, *c.Email.Value); err == nil && other.ID != id {
			return errEmailTaken
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	if c.Phone != nil {
		if other, err := s.d.Users.ByPhone(ctx, *c.Phone); err == nil && other.ID != id {
			return errPhoneTaken
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}
