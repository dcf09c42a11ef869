package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// Signup is what SignupWithCode needs.
type Signup struct {
	Phone           string
	Code            string
	Name            string
	Email           *string
	Password        string
	HasGivenConsent bool
}

// SignupWithCode creates the account of a phone that proved itself with a signup code, and logs it in.
func (s *AccountService) SignupWithCode(ctx context.Context, in Signup) (*Login, error) {
	n, err := parsePhone(s.d.Phones, "phone", in.Phone)
	fields := fieldsOf(nil, err)
	name := strings.TrimSpace(in.Name)
	if name == "" {
		fields = append(fields, FieldError{Field: "name", Msg: "Value error, name must not be blank", Type: "value_error"})
	}
	var email *string
	if in.Email != nil && strings.TrimSpace(*in.Email) != "" {
		e := strings.TrimSpace(*in.Email)
		if !ValidEmail(e) {
			fields = append(fields, FieldError{Field: "email", Msg: "value is not a valid email address", Type: "value_error"})
		}
		email = &e
	}
	fields = fieldsOf(fields, checkNewPassword(s.d.Policy, "password", in.Password, n.E164, name))
	if len(fields) > 0 {
		return nil, &ValidationError{Fields: fields}
	}
	phone := n.E164
	// Prove the code first, so that an email probe without it learns nothing; consume it only once
	// the email is known to be free, so a taken email does not cost the user their code.
	hash, _, err := s.d.Codes.check(ctx, phone, PurposeSignup, in.Code)
	if err != nil {
		return nil, err
	}
	refused := func(err error) (*Login, error) {
		s.d.Codes.release(ctx, phone, PurposeSignup, hash)
		return nil, err
	}
	if email != nil {
		if _, err := s.d.Users.ByEmail(ctx, *email); err == nil {
			return refused(newError(ErrConflict, "Email already registered"))
		} else if !errors.Is(err, ErrNotFound) {
			return refused(err)
		}
	}
	pwHash, err := s.d.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return refused(hashErr(err))
	}
	// The login's tokens are signed before anything is stored (the claims hook may refuse them, and
	// is never asked inside a transaction). Then one transaction: the code consumed, the account
	// created and logged in. A taken phone or email (or anything else failing) rolls it all back, the
	// code stays live, and the guess is given back.
	nu := &User{ID: NewID(s.env.Clock.Now()), Phone: phone, Name: name, Email: email, PasswordHash: pwHash, HasGivenConsent: in.HasGivenConsent}
	l, err := s.d.Sessions.prepare(ctx, nu, []string{AMROTP}, AAL1)
	if err != nil {
		return refused(err)
	}
	err = s.env.InTx(ctx, func(ctx context.Context) error {
		if err := s.d.Codes.consume(ctx, phone, PurposeSignup, hash); err != nil {
			return err
		}
		u, err := s.insertUser(ctx, nu,
			func(ctx context.Context, u *User) error {
				s.env.Record(ctx, EventSignup, u.ID, uuid.Nil, "", map[string]string{"method": AMROTP, "consent": fmt.Sprint(u.HasGivenConsent)})
				return s.env.Emit(ctx, TypeUserCreated, u.ID, userCreated(u, "signup", uuid.Nil))
			})
		if err != nil {
			return err
		}
		l.User = u
		_, err = s.d.Sessions.open(ctx, l, "")
		return err
	})
	if err != nil {
		return refused(err)
	}
	return l, nil
}
