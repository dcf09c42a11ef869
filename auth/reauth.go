package auth

import (
	"context"
	"errors"

	"github.com/google/uuid"
)

// Re-authentication: changing the phone number, exporting the data and deleting the account need a
// fresh proof that the caller is the account's owner, not just someone holding its access token: the
// password (through AccountService.verifyPassword, so it counts toward the login lockout), or a code
// texted to the account's number (PurposeReauth, bound to the user, with the usual cooldown, budgets
// and attempts). None is needed while the session's login is younger than
// LifecycleConfig.ReauthWindow; refreshing does not make a session younger.

// Proof is a credential a sensitive request carries; the zero Proof carries none.
type Proof struct {
	Password string
	Code     string // from SendReauthCode
}

// Ways a request was proven, for the audit trail.
const (
	provenByPassword = "password"
	provenByCode     = "code"
	provenByLogin    = "recent_login"
)

var (
	errReauthMissing = &Error{Kind: ErrReauthRequired,
		Detail: "Please confirm it is you: send your password, or a code from POST /api/v1/auth/reauthenticate"}
	errReauthNoPassword = &Error{Kind: ErrReauthRequired,
		Detail: "This account has no password: confirm with a code from POST /api/v1/auth/reauthenticate"}
	errReauthPassword = &Error{Kind: ErrReauthRequired, Detail: "Incorrect password"}
)

// proven is a proof that passed. A code is only counted by then: commit consumes it once the request
// is sure to succeed, release gives its attempt back when the request is refused after all, so that a
// refused request spends nothing.
type proven struct {
	method  string
	commit  func(ctx context.Context) error
	release func(ctx context.Context)
}

// SendReauthCode texts a re-authentication code to the caller's own number and returns its reference
// id.
func (s *LifecycleService) SendReauthCode(ctx context.Context) (string, error) {
	p, err := caller(ctx)
	if err != nil {
		return "", err
	}
	ref, err := s.d.Codes.send(ctx, sendRequest{phone: p.User.Phone, purpose: boundPurpose(PurposeReauth, p.User.ID),
		user: p.User.ID, eligible: true})
	if errors.Is(err, ErrNotFound) {
		return "", errCallerGone // the challenge could not be stored: the account is gone
	}
	return ref, err
}

// reauthenticate checks the proof of the caller p for the operation where (for the audit trail). A
// missing or wrong proof is ErrReauthRequired with a detail saying what to send; a locked-out phone or
// a code out of attempts is ErrRateLimited.
func (s *LifecycleService) reauthenticate(ctx context.Context, p *Principal, pr Proof, where string) (*proven, error) {
	u := p.User
	fail := func(reason string, err error) (*proven, error) {
		s.env.Record(ctx, EventReauthFailed, u.ID, uuid.Nil, "", map[string]string{"where": where, "reason": reason})
		return nil, err
	}
	switch {
	case pr.Password != "" && pr.Code != "":
		return nil, invalidField("otp_code", "Value error, send either password or otp_code, not both", "value_error")
	case pr.Password != "":
		if u.PasswordHash == "" {
			return fail("no_password", errReauthNoPassword)
		}
		if err := s.d.Accounts.verifyPassword(ctx, u, pr.Password, where, errReauthPassword); err != nil {
			return nil, err // audited as password.check_failed
		}
		return &proven{method: provenByPassword, commit: func(context.Context) error { return nil }, release: func(context.Context) {}}, nil
	case pr.Code != "":
		purpose := boundPurpose(PurposeReauth, u.ID)
		hash, _, err := s.d.Codes.check(ctx, u.Phone, purpose, pr.Code)
		var ae *Error
		if errors.As(err, &ae) && errors.Is(err, ErrBadRequest) {
			// A wrong or expired code (audited as otp.failed): the same detail, as the 401 of a
			// missing proof.
			return nil, &Error{Kind: ErrReauthRequired, Detail: ae.Detail}
		} else if err != nil {
			return nil, err
		}
		return &proven{
			method: provenByCode,
			commit: func(ctx context.Context) error {
				if err := s.d.Codes.consume(ctx, u.Phone, purpose, hash); err != nil {
					return &Error{Kind: ErrReauthRequired, Detail: errCodeInvalid.Detail} // used by a concurrent request
				}
				return nil
			},
			release: func(ctx context.Context) { s.d.Codes.release(ctx, u.Phone, purpose, hash) },
		}, nil
	case s.cfg.ReauthWindow > 0 && s.env.Clock.Now().Sub(p.Session.CreatedAt) < s.cfg.ReauthWindow:
		return &proven{method: provenByLogin, commit: func(context.Context) error { return nil }, release: func(context.Context) {}}, nil
	}
	return fail("missing", errReauthMissing)
}
