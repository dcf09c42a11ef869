package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth/totp"
)

// Second factors. A user turns on TOTP (an authenticator app) with a fresh proof: EnrollTOTP keeps a
// pending secret and shows it once, ActivateTOTP turns it on with a first code and gives the user 10
// single-use recovery codes, kept as hashes. From then on a first factor (password, login code, or a
// passkey that did not verify the user) does not log the user in: it answers an MFA challenge, a
// random token kept by hash, single use, valid MFAChallengeTTL and dead after MFAMaxAttempts wrong
// codes, and Verify logs in with it and a TOTP code (each time step accepted once, one step of clock
// skew either way) or a recovery code, at AAL2. Every wrong code counts toward the account's lockout of
// second factors: the login lockout's rules (LockoutConfig, lockout.go) on a counter of the user's own
// (MFALockKey), which a right password or login code does not clear, so that the lockout bounds the
// guesses of someone who has the first factor across all the challenges they can get; a right second
// factor or an admin's unlock clears it.

const (
	// MFAChallengeTTL is how long a first factor waits for its second.
	MFAChallengeTTL = 5 * time.Minute
	// MFAMaxAttempts is how many codes one challenge takes.
	MFAMaxAttempts = 5
	// RecoveryCodes is how many recovery codes a user gets at a time.
	RecoveryCodes = 10
	// FactorTOTP names the TOTP factor in an MFA challenge's factors.
	FactorTOTP  = "totp"
	mfaTokenLen = 32
	totpSkew    = 1
)

// TOTPFactor is a user's authenticator-app secret: pending until a first code confirmed it.
type TOTPFactor struct {
	UserID    uuid.UUID
	Secret    string // base32; sealed at rest by the store when it holds a key
	Active    bool
	LastStep  int64 // the latest time step a code was accepted for
	CreatedAt time.Time
	// ActivatedAt is when a first code confirmed it (nil while pending).
	ActivatedAt *time.Time
}

// MFAChallenge is a login that waits for its second factor.
type MFAChallenge struct {
	Hash      string // SHA-256 of the mfa_token
	UserID    uuid.UUID
	Methods   []string // of the first factor
	Rehash    string   // a password hash to store once the login completes ("": none)
	ExpiresAt time.Time
	Attempts  int
}

// MFAPending is the answer of a first factor that needs a second: no tokens yet, a challenge for the
// factors the user has.
type MFAPending struct {
	Token     string
	Factors   []string
	ExpiresIn time.Duration
}

// TOTPEnrollment is a new TOTP secret, shown once: as base32, as an otpauth:// URI and as a QR code of
// the URI (a PNG in a data: URI).
type TOTPEnrollment struct {
	Secret, URI, QRCode string
}

// MFAStatus is what a user has turned on.
type MFAStatus struct {
	TOTP              bool
	TOTPPending       bool // enrolled, not yet confirmed with a code
	RecoveryCodesLeft int
	EnabledAt         *time.Time
}

// MFAConfig configures second factors.
type MFAConfig struct {
	// Issuer is the name authenticator apps show next to the codes (PHONEAUTH_SMS_APP_NAME).
	Issuer string
}

// Validate reports a bad setting.
func (c MFAConfig) Validate() error {
	if strings.TrimSpace(c.Issuer) == "" || strings.Contains(c.Issuer, ":") {
		return fmt.Errorf("TOTP issuer %q must be a name without a colon", c.Issuer)
	}
	return nil
}

// MFADeps are what MFAService works with.
type MFADeps struct {
	Users      Users
	Factors    SecondFactors
	Challenges MFAChallenges
	Throttle   Throttle // nil: no lockout
	Sessions   *SessionService
	// Lifecycle checks the fresh proof enrolment and its changes need; Codes texts the notices.
	Lifecycle *LifecycleService
	Codes     *CodeService
}

// MFAService is second factors: TOTP enrolment and recovery codes, and the second step of a login.
// It is safe for concurrent use.
type MFAService struct {
	env  Env
	cfg  MFAConfig
	d    MFADeps
	lock lockout
}

// NewMFAService returns an MFAService; lockCfg is the login lockout wrong codes count toward.
func NewMFAService(env Env, cfg MFAConfig, lockCfg LockoutConfig, d MFADeps) (*MFAService, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := lockCfg.Validate(); err != nil {
		return nil, err
	}
	if d.Users == nil || d.Factors == nil || d.Challenges == nil || d.Sessions == nil || d.Lifecycle == nil || d.Codes == nil {
		return nil, errors.New("auth: MFAService needs Users, SecondFactors, MFAChallenges, a SessionService, a LifecycleService and a CodeService")
	}
	env = env.WithDefaults()
	return &MFAService{env: env, cfg: cfg, d: d, lock: lockout{env: env, t: d.Throttle, cfg: lockCfg}}, nil
}

var (
	errTOTPOn       = newError(ErrConflict, "Two-factor authentication is already on; turn it off first")
	errTOTPOff      = newError(ErrNotFound, "Two-factor authentication is not on")
	errNoEnrollment = newError(ErrBadRequest, "No TOTP enrolment to confirm; start one with POST /api/v1/auth/mfa/totp")
	errBadMFAToken  = newError(ErrInvalidToken, "Invalid or expired MFA token; log in again")
	errMFADead      = newError(ErrRateLimited, "Too many wrong codes; log in again")
	errBadTOTPCode  = newError(ErrBadRequest, "Invalid code")
)

// MFALockKey is the key of the user's lockout of second factors in the Throttle: no phone number
// looks like it.
func MFALockKey(user uuid.UUID) string { return "mfa:" + user.String() }

// complete ends a first factor's login of u (by methods, at aal): a session, unless u has turned on a
// second factor the login has not given; then the challenge for it.
func (s *MFAService) complete(ctx context.Context, u *User, methods []string, aal int, rehash string) (*Login, error) {
	if aal < AAL2 {
		f, err := s.d.Factors.TOTP(ctx, u.ID)
		if err == nil && f.Active {
			return s.challenge(ctx, u, methods, rehash)
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	return s.d.Sessions.startWith(ctx, u, methods, aal, rehash)
}

func (s *MFAService) challenge(ctx context.Context, u *User, methods []string, rehash string) (*Login, error) {
	now := s.env.Clock.Now()
	raw := randomToken(mfaTokenLen)
	c := &MFAChallenge{Hash: refreshHash(raw), UserID: u.ID, Methods: methods, Rehash: rehash, ExpiresAt: now.Add(MFAChallengeTTL)}
	if err := s.d.Challenges.Create(ctx, c); err != nil {
		return nil, err // ErrNotFound: the user was deleted meanwhile
	}
	s.env.Record(ctx, EventMFAChallenged, u.ID, uuid.Nil, "", map[string]string{"method": strings.Join(methods, ","), "factors": FactorTOTP})
	return &Login{User: u, MFA: &MFAPending{Token: raw, Factors: []string{FactorTOTP}, ExpiresIn: MFAChallengeTTL}}, nil
}

// Verify completes the login of an MFA challenge with a TOTP code or a recovery code (one of them):
// a session at AAL2 whose methods are the first factor's and the second's.
func (s *MFAService) Verify(ctx context.Context, mfaToken, code, recoveryCode string) (*Login, error) {
	switch {
	case code != "" && recoveryCode != "":
		return nil, invalidField("recovery_code", "Value error, send either code or recovery_code, not both", "value_error")
	case code == "" && recoveryCode == "":
		return nil, invalidField("code", "Value error, send code or recovery_code", "value_error")
	}
	if b, err := base64.RawURLEncoding.DecodeString(mfaToken); err != nil || len(b) != mfaTokenLen {
		return nil, errBadMFAToken
	}
	hash := refreshHash(mfaToken)
	now := s.env.Clock.Now()
	c, err := s.d.Challenges.Attempt(ctx, hash, MFAMaxAttempts, now)
	if errors.Is(err, ErrNotFound) {
		return nil, errBadMFAToken
	} else if err != nil {
		return nil, err
	}
	u, err := s.d.Users.ByID(ctx, c.UserID)
	if errors.Is(err, ErrNotFound) || (err == nil && !u.IsActive) {
		return nil, errBadMFAToken
	} else if err != nil {
		return nil, err
	}
	fail := func(reason string) (*Login, error) {
		// Counted only now, after the lock was checked: a right code must get through once a lock
		// ends, and the count only ever holds wrong ones.
		if _, _, err := s.lock.attempt(ctx, MFALockKey(u.ID)); err != nil {
			return nil, err
		}
		s.env.Record(ctx, EventMFAFailed, u.ID, uuid.Nil, "", map[string]string{"reason": reason})
		s.env.Observer.Login(c.Methods[0], "failed")
		if left := MFAMaxAttempts - c.Attempts; left > 0 {
			return nil, newError(ErrBadRequest, fmt.Sprintf("Invalid code; %d attempt%s left", left, map[bool]string{true: "", false: "s"}[left == 1]))
		}
		return nil, errMFADead
	}
	key := MFALockKey(u.ID)
	if s.lock.on() {
		if _, until, err := s.lock.t.State(ctx, key); err != nil {
			return nil, err
		} else if until.After(now) {
			s.env.Record(ctx, EventMFAFailed, u.ID, uuid.Nil, "", map[string]string{"reason": "locked_out"})
			return nil, rateLimited("Too many wrong codes", until.Sub(now))
		}
	}
	second := AMRTOTP
	if code != "" {
		f, err := s.d.Factors.TOTP(ctx, u.ID)
		if errors.Is(err, ErrNotFound) || (err == nil && !f.Active) {
			return fail("no_factor") // turned off since the first factor
		} else if err != nil {
			return nil, err
		}
		step, ok, err := totp.Match(f.Secret, code, now, totpSkew)
		if err != nil {
			return nil, err
		}
		if !ok {
			return fail("wrong_code")
		}
		if fresh, err := s.d.Factors.UseTOTPStep(ctx, u.ID, step); err != nil {
			return nil, err
		} else if !fresh {
			return fail("replayed_code")
		}
	} else {
		second = AMRRecovery
		used, err := s.d.Factors.UseRecoveryCode(ctx, u.ID, recoveryHash(u.ID, recoveryCode))
		if err != nil {
			return nil, err
		}
		if !used {
			return fail("wrong_recovery_code")
		}
		left, err := s.d.Factors.RecoveryCodesLeft(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		s.env.Record(ctx, EventRecoveryCodeUsed, u.ID, uuid.Nil, "", map[string]string{"left": strconv.Itoa(left)})
	}
	if ok, err := s.d.Challenges.Consume(ctx, hash); err != nil {
		return nil, err
	} else if !ok {
		return nil, errBadMFAToken // completed by a concurrent request
	}
	s.lock.clear(ctx, key)
	l, err := s.d.Sessions.startWith(ctx, u, append(c.Methods, second), AAL2, c.Rehash)
	if errors.Is(err, ErrNotFound) {
		return nil, errBadMFAToken // the account was deleted while this login ran
	}
	return l, err
}

// Status is what the caller has turned on.
func (s *MFAService) Status(ctx context.Context) (MFAStatus, error) {
	p, err := caller(ctx)
	if err != nil {
		return MFAStatus{}, err
	}
	f, err := s.d.Factors.TOTP(ctx, p.User.ID)
	if errors.Is(err, ErrNotFound) {
		return MFAStatus{}, nil
	} else if err != nil {
		return MFAStatus{}, err
	}
	st := MFAStatus{TOTP: f.Active, TOTPPending: !f.Active, EnabledAt: f.ActivatedAt}
	if f.Active {
		if st.RecoveryCodesLeft, err = s.d.Factors.RecoveryCodesLeft(ctx, p.User.ID); err != nil {
			return MFAStatus{}, err
		}
	}
	return st, nil
}

// EnrollTOTP checks the caller's proof and makes a pending TOTP secret (replacing a pending one),
// returned this once. A first code confirms it (ActivateTOTP).
func (s *MFAService) EnrollTOTP(ctx context.Context, pr Proof) (*TOTPEnrollment, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	proof, err := s.d.Lifecycle.reauthenticate(ctx, p, pr, "totp_enroll")
	if err != nil {
		return nil, err
	}
	if f, err := s.d.Factors.TOTP(ctx, p.User.ID); err == nil && f.Active {
		proof.release(ctx)
		return nil, errTOTPOn
	} else if err != nil && !errors.Is(err, ErrNotFound) {
		proof.release(ctx)
		return nil, err
	}
	k, err := totp.NewKey(s.cfg.Issuer, p.User.Phone)
	if err != nil {
		proof.release(ctx)
		return nil, err
	}
	switch err := s.d.Factors.PutPendingTOTP(ctx, p.User.ID, k.Secret, s.env.Clock.Now()); {
	case errors.Is(err, ErrConflict):
		proof.release(ctx)
		return nil, errTOTPOn
	case errors.Is(err, ErrNotFound):
		proof.release(ctx)
		return nil, errCallerGone
	case err != nil:
		proof.release(ctx)
		return nil, err
	}
	if err := proof.commit(ctx); err != nil {
		return nil, err
	}
	return &TOTPEnrollment{Secret: k.Secret, URI: k.URI, QRCode: k.QRCode}, nil
}

// ActivateTOTP turns on the caller's pending TOTP factor with a first code from it, and returns the
// recovery codes, shown this once.
func (s *MFAService) ActivateTOTP(ctx context.Context, code string) ([]string, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	f, err := s.d.Factors.TOTP(ctx, p.User.ID)
	if errors.Is(err, ErrNotFound) {
		return nil, errNoEnrollment
	} else if err != nil {
		return nil, err
	}
	if f.Active {
		return nil, errTOTPOn
	}
	step, ok, err := totp.Match(f.Secret, code, s.env.Clock.Now(), totpSkew)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errBadTOTPCode
	}
	codes, hashes := newRecoveryCodes(p.User.ID)
	if err := s.env.InTx(ctx, func(ctx context.Context) error {
		if ok, err := s.d.Factors.ActivateTOTP(ctx, p.User.ID, step, hashes, s.env.Clock.Now()); err != nil {
			return err
		} else if !ok {
			return errNoEnrollment // replaced or activated concurrently
		}
		s.env.Record(ctx, EventTOTPEnabled, p.User.ID, uuid.Nil, "", nil)
		return s.env.Emit(ctx, TypeMFAEnabled, p.User.ID, factorData{Factor: FactorTOTP})
	}); err != nil {
		return nil, err
	}
	s.d.Codes.notify(ctx, p.User.Phone, noticeTOTPEnabled, "")
	return codes, nil
}

// DisableTOTP checks the caller's proof and turns TOTP off, recovery codes included.
func (s *MFAService) DisableTOTP(ctx context.Context, pr Proof) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	proof, err := s.d.Lifecycle.reauthenticate(ctx, p, pr, "totp_disable")
	if err != nil {
		return err
	}
	f, err := s.d.Factors.TOTP(ctx, p.User.ID)
	if err != nil || !f.Active {
		proof.release(ctx)
		if err == nil || errors.Is(err, ErrNotFound) {
			return errTOTPOff
		}
		return err
	}
	if err := proof.commit(ctx); err != nil {
		return err
	}
	if err := s.env.InTx(ctx, func(ctx context.Context) error {
		if ok, err := s.d.Factors.DeleteTOTP(ctx, p.User.ID); err != nil {
			return err
		} else if !ok {
			return errTOTPOff // turned off concurrently
		}
		s.env.Record(ctx, EventTOTPDisabled, p.User.ID, uuid.Nil, "", map[string]string{"proof": proof.method})
		return s.env.Emit(ctx, TypeMFADisabled, p.User.ID, factorData{Factor: FactorTOTP})
	}); err != nil {
		return err
	}
	s.d.Codes.notify(ctx, p.User.Phone, noticeTOTPDisabled, "")
	return nil
}

// AdminDisableTOTP turns a user's TOTP off, for an admin helping a user who lost the app and the
// recovery codes. The user's number gets the notice.
func (s *MFAService) AdminDisableTOTP(ctx context.Context, user uuid.UUID) error {
	p, err := admin(ctx)
	if err != nil {
		return err
	}
	u, err := s.d.Users.ByID(ctx, user)
	if errors.Is(err, ErrNotFound) {
		return errUserNotFound
	} else if err != nil {
		return err
	}
	if err := s.env.InTx(ctx, func(ctx context.Context) error {
		if ok, err := s.d.Factors.DeleteTOTP(ctx, user); err != nil {
			return err
		} else if !ok {
			return errTOTPOff
		}
		s.env.Record(ctx, EventTOTPDisabled, user, p.User.ID, "", map[string]string{"by": "admin"})
		return s.env.Emit(ctx, TypeMFADisabled, user, factorData{Factor: FactorTOTP, Actor: actorRef(p.User.ID)})
	}); err != nil {
		return err
	}
	s.d.Codes.notify(ctx, u.Phone, noticeTOTPDisabled, "")
	return nil
}

// RegenerateRecoveryCodes checks the caller's proof and replaces the recovery codes, returning the new
// ones this once.
func (s *MFAService) RegenerateRecoveryCodes(ctx context.Context, pr Proof) ([]string, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	proof, err := s.d.Lifecycle.reauthenticate(ctx, p, pr, "recovery_codes")
	if err != nil {
		return nil, err
	}
	f, err := s.d.Factors.TOTP(ctx, p.User.ID)
	if err != nil || !f.Active {
		proof.release(ctx)
		if err == nil || errors.Is(err, ErrNotFound) {
			return nil, errTOTPOff
		}
		return nil, err
	}
	if err := proof.commit(ctx); err != nil {
		return nil, err
	}
	codes, hashes := newRecoveryCodes(p.User.ID)
	if err := s.d.Factors.ReplaceRecoveryCodes(ctx, p.User.ID, hashes, s.env.Clock.Now()); errors.Is(err, ErrNotFound) {
		return nil, errTOTPOff
	} else if err != nil {
		return nil, err
	}
	s.env.Record(ctx, EventRecoveryCodesRegenerated, p.User.ID, uuid.Nil, "", map[string]string{"proof": proof.method})
	s.d.Codes.notify(ctx, p.User.Phone, noticeRecoveryCodes, "")
	return codes, nil
}

var recoveryEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newRecoveryCodes returns RecoveryCodes fresh codes of 80 random bits ("abcd-efgh-ijkl-mnop") and the
// hashes they are stored as.
func newRecoveryCodes(user uuid.UUID) (codes, hashes []string) {
	for range RecoveryCodes {
		b := make([]byte, 10)
		_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
		s := strings.ToLower(recoveryEncoding.EncodeToString(b))
		code := s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
		codes, hashes = append(codes, code), append(hashes, recoveryHash(user, code))
	}
	return codes, hashes
}

// recoveryHash is a recovery code's SHA-256, bound to its user; spaces, dashes and case do not count.
// 80 random bits need no slow hash.
func recoveryHash(user uuid.UUID, code string) string {
	norm := strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToLower(code))
	h := sha256.Sum256([]byte(user.String() + ":" + norm))
	return hex.EncodeToString(h[:])
}
