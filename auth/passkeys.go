package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth/limit"
	"github.com/phoneauth/phoneauth/auth/passkey"
)

// Passkeys (WebAuthn). A logged-in user with a fresh proof asks for creation options
// (RegistrationOptions) and registers the passkey the browser made (Register); anyone asks for request
// options (LoginOptions) and logs in with any discoverable passkey (Login), without saying who they
// are. Each ceremony's challenge is kept server-side (WebAuthnChallenges), by hash, for
// WebAuthnChallengeTTL, bound to its purpose (and a registration's to the user and session that asked),
// and is taken once, whatever the answer. Every signature counter must move forward: one that does
// not is refused and audited as a possible clone. Failed logins count against a budget per client IP.
// A passkey login whose assertion verified the user (its UV flag, this time) is AAL2; otherwise it is
// one factor, and a user with TOTP is asked for it (MFAService.complete).

const (
	// WebAuthnChallengeTTL is how long a ceremony's options stay good.
	WebAuthnChallengeTTL = 5 * time.Minute
	// DefaultPasskeyIPFailureLimit is PasskeyConfig.IPFailureLimit when it is 0.
	DefaultPasskeyIPFailureLimit = 20
	// passkeyOptionsIPLimit bounds the login challenges one client IP may have stored per hour.
	passkeyOptionsIPLimit = 600
	maxPasskeyName        = 64
	purposeRegister       = "register"
	purposePasskeyLogin   = "login"
)

// Passkey is a registered WebAuthn credential of a user. Its public key is no secret, but it never
// leaves the service: lists and exports show the rest.
type Passkey struct {
	ID              uuid.UUID
	UserID          uuid.UUID
	Name            string
	CredentialID    []byte
	PublicKey       []byte // COSE
	SignCount       uint32
	Transports      []string
	AAGUID          []byte
	AttestationType string
	BackupEligible  bool
	BackupState     bool // backed up (synced) as of its last use
	UserVerified    bool // at registration
	CreatedAt       time.Time
	LastUsedAt      *time.Time
}

// WebAuthnChallenge is the server-side half of a ceremony between its two steps.
type WebAuthnChallenge struct {
	Hash      string // SHA-256 of the challenge
	Purpose   string // "register" or "login"
	UserID    uuid.UUID
	SessionID uuid.UUID
	State     []byte
	ExpiresAt time.Time
}

// PasskeyConfig configures passkeys.
type PasskeyConfig struct {
	// RelyingParty is the WebAuthn relying party; the zero value turns passkeys off (their endpoints
	// answer 404).
	RelyingParty passkey.Config
	// IPFailureLimit is how many failed passkey logins a client IP may have per rolling hour (0:
	// DefaultPasskeyIPFailureLimit).
	IPFailureLimit int
}

// Validate reports a bad setting.
func (c PasskeyConfig) Validate() error {
	if c.IPFailureLimit < 0 {
		return errors.New("the passkey failure limit must not be negative")
	}
	if !c.RelyingParty.Enabled() {
		return nil
	}
	return c.RelyingParty.Validate()
}

// PasskeyDeps are what PasskeyService works with.
type PasskeyDeps struct {
	Users      Users
	Passkeys   Passkeys
	Challenges WebAuthnChallenges
	Limiter    Limiter // nil: in this process's memory
	// MFA completes logins (asking a TOTP user for a code after a passkey that did not verify them);
	// Lifecycle checks the proof a registration needs; Codes texts the notice of a new passkey.
	MFA       *MFAService
	Lifecycle *LifecycleService
	Codes     *CodeService
}

// PasskeyService is passkeys: registering, listing, renaming and deleting them, and logging in with
// them. It is safe for concurrent use.
type PasskeyService struct {
	env Env
	cfg PasskeyConfig
	d   PasskeyDeps
	rp  *passkey.RP // nil: passkeys are off
}

// NewPasskeyService returns a PasskeyService.
func NewPasskeyService(env Env, cfg PasskeyConfig, d PasskeyDeps) (*PasskeyService, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Users == nil || d.Passkeys == nil || d.Challenges == nil || d.MFA == nil || d.Lifecycle == nil || d.Codes == nil {
		return nil, errors.New("auth: PasskeyService needs Users, Passkeys, WebAuthnChallenges, an MFAService, a LifecycleService and a CodeService")
	}
	env = env.WithDefaults()
	if d.Limiter == nil {
		d.Limiter = limit.NewMemory(env.Clock.Now, 0)
	}
	if cfg.IPFailureLimit == 0 {
		cfg.IPFailureLimit = DefaultPasskeyIPFailureLimit
	}
	s := &PasskeyService{env: env, cfg: cfg, d: d}
	if cfg.RelyingParty.Enabled() {
		rp, err := passkey.New(cfg.RelyingParty)
		if err != nil {
			return nil, err
		}
		s.rp = rp
	}
	return s, nil
}

var (
	errPasskeysOff = newError(ErrNotFound,
		"Passkeys are not enabled on this server (it needs PHONEAUTH_WEBAUTHN_RP_ID and PHONEAUTH_WEBAUTHN_ORIGINS)")
	errPasskeyNotFound  = newError(ErrNotFound, "Passkey not found")
	errPasskeyChallenge = newError(ErrBadRequest, "Unknown, used or expired passkey challenge; ask for new options")
	errPasskeyInvalid   = newError(ErrBadRequest, "The passkey's answer did not verify")
	errPasskeyTaken     = newError(ErrConflict, "This passkey is registered already")
	errPasskeyLogin     = newError(ErrInvalidCredentials, "Passkey not accepted")
)

func challengeHash(challenge string) string {
	h := sha256.Sum256([]byte(challenge))
	return hex.EncodeToString(h[:])
}

// take finds and spends the ceremony a response answers: ErrNotFound when there is none (unknown,
// used or expired at now) or it was issued for another purpose.
func (s *PasskeyService) take(ctx context.Context, challenge, purpose string) (*WebAuthnChallenge, error) {
	if challenge == "" {
		return nil, ErrNotFound
	}
	c, err := s.d.Challenges.Take(ctx, challengeHash(challenge))
	if err != nil {
		return nil, err
	}
	if c.Purpose != purpose || !s.env.Clock.Now().Before(c.ExpiresAt) {
		return nil, ErrNotFound
	}
	return c, nil
}

func (s *PasskeyService) put(ctx context.Context, cer passkey.Ceremony, purpose string, user, session uuid.UUID) error {
	return s.d.Challenges.Put(ctx, &WebAuthnChallenge{Hash: challengeHash(cer.Challenge), Purpose: purpose, UserID: user,
		SessionID: session, State: cer.State, ExpiresAt: s.env.Clock.Now().Add(WebAuthnChallengeTTL)})
}

func webUser(u *User, exclude [][]byte) passkey.User {
	return passkey.User{Handle: u.ID[:], Name: u.Phone, DisplayName: u.Name, Exclude: exclude}
}

// RegistrationOptions checks the caller's proof and returns the creation options of a new passkey
// (JSON, {"publicKey": …}); the caller's passkeys are excluded.
func (s *PasskeyService) RegistrationOptions(ctx context.Context, pr Proof) ([]byte, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if s.rp == nil {
		return nil, errPasskeysOff
	}
	proof, err := s.d.Lifecycle.reauthenticate(ctx, p, pr, "passkey_register")
	if err != nil {
		return nil, err
	}
	opts, err := s.registrationOptions(ctx, p)
	if err != nil {
		proof.release(ctx)
		return nil, err
	}
	if err := proof.commit(ctx); err != nil {
		return nil, err
	}
	return opts, nil
}

func (s *PasskeyService) registrationOptions(ctx context.Context, p *Principal) ([]byte, error) {
	have, err := s.d.Passkeys.List(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	var exclude [][]byte
	for _, pk := range have {
		exclude = append(exclude, pk.CredentialID)
	}
	opts, cer, err := s.rp.BeginRegistration(webUser(p.User, exclude))
	if err != nil {
		return nil, err
	}
	if err := s.put(ctx, cer, purposeRegister, p.User.ID, p.Session.ID); errors.Is(err, ErrNotFound) {
		return nil, errCallerGone
	} else if err != nil {
		return nil, err
	}
	return opts, nil
}

// checkName normalizes a passkey's name; def when it is empty.
func checkName(name, def string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return def, nil
	case utf8.RuneCountInString(name) > maxPasskeyName:
		return "", invalidField("name", "String should have at most 64 characters", "string_too_long")
	}
	return name, nil
}

// Register verifies the browser's answer (PublicKeyCredential JSON) to the caller's registration
// options and stores the passkey under name (default "Passkey"). The account's number gets a notice.
func (s *PasskeyService) Register(ctx context.Context, credential []byte, name string) (*Passkey, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if s.rp == nil {
		return nil, errPasskeysOff
	}
	if name, err = checkName(name, "Passkey"); err != nil {
		return nil, err
	}
	r, err := passkey.ParseRegistration(credential)
	if err != nil {
		return nil, &Error{Kind: ErrBadRequest, Detail: errPasskeyInvalid.Detail, Cause: err}
	}
	c, err := s.take(ctx, r.Challenge(), purposeRegister)
	if errors.Is(err, ErrNotFound) || (err == nil && (c.UserID != p.User.ID || c.SessionID != p.Session.ID)) {
		return nil, errPasskeyChallenge
	} else if err != nil {
		return nil, err
	}
	cred, err := s.rp.FinishRegistration(webUser(p.User, nil), passkey.Ceremony{State: c.State}, r)
	if errors.Is(err, passkey.ErrInvalid) {
		return nil, &Error{Kind: ErrBadRequest, Detail: errPasskeyInvalid.Detail, Cause: err}
	} else if err != nil {
		return nil, err
	}
	now := s.env.Clock.Now()
	pk := &Passkey{ID: NewID(now), UserID: p.User.ID, Name: name, CredentialID: cred.ID, PublicKey: cred.PublicKey,
		SignCount: cred.SignCount, Transports: cred.Transports, AAGUID: cred.AAGUID, AttestationType: cred.AttestationType,
		BackupEligible: cred.BackupEligible, BackupState: cred.BackupState, UserVerified: cred.UserVerified, CreatedAt: now}
	err = s.env.InTx(ctx, func(ctx context.Context) error {
		if err := s.d.Passkeys.Add(ctx, pk); err != nil {
			return err
		}
		s.env.Record(ctx, EventPasskeyAdded, p.User.ID, uuid.Nil, "", map[string]string{"passkey_id": pk.ID.String(),
			"backup_eligible": strconv.FormatBool(pk.BackupEligible)})
		return s.env.Emit(ctx, TypePasskeyAdded, p.User.ID, passkeyData{PasskeyID: pk.ID, BackupEligible: &pk.BackupEligible})
	})
	switch {
	case errors.Is(err, ErrConflict):
		return nil, errPasskeyTaken
	case errors.Is(err, ErrNotFound):
		return nil, errCallerGone
	case err != nil:
		return nil, err
	}
	s.d.Codes.notify(ctx, p.User.Phone, noticePasskeyAdded, "")
	return pk, nil
}

// List returns the caller's passkeys, oldest first.
func (s *PasskeyService) List(ctx context.Context) ([]*Passkey, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if s.rp == nil {
		return nil, errPasskeysOff
	}
	return s.d.Passkeys.List(ctx, p.User.ID)
}

// Rename renames one of the caller's passkeys.
func (s *PasskeyService) Rename(ctx context.Context, id uuid.UUID, name string) (*Passkey, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if s.rp == nil {
		return nil, errPasskeysOff
	}
	if name, err = checkName(name, ""); err != nil {
		return nil, err
	} else if name == "" {
		return nil, invalidField("name", "String should have at least 1 character", "string_too_short")
	}
	pk, err := s.d.Passkeys.Rename(ctx, p.User.ID, id, name)
	if errors.Is(err, ErrNotFound) {
		return nil, errPasskeyNotFound
	} else if err != nil {
		return nil, err
	}
	s.env.Record(ctx, EventPasskeyRenamed, p.User.ID, uuid.Nil, "", map[string]string{"passkey_id": id.String()})
	return pk, nil
}

// Delete deletes one of the caller's passkeys: it logs nobody in any more.
func (s *PasskeyService) Delete(ctx context.Context, id uuid.UUID) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	if s.rp == nil {
		return errPasskeysOff
	}
	return s.delete(ctx, p.User.ID, id, uuid.Nil)
}

func (s *PasskeyService) delete(ctx context.Context, user, id, actor uuid.UUID) error {
	by := "user"
	if actor != uuid.Nil {
		by = "admin"
	}
	err := s.env.InTx(ctx, func(ctx context.Context) error {
		if err := s.d.Passkeys.Delete(ctx, user, id); err != nil {
			return err
		}
		s.env.Record(ctx, EventPasskeyDeleted, user, actor, "", map[string]string{"passkey_id": id.String(), "by": by})
		return s.env.Emit(ctx, TypePasskeyDeleted, user, passkeyData{PasskeyID: id, Actor: actorRef(actor)})
	})
	if errors.Is(err, ErrNotFound) {
		return errPasskeyNotFound
	}
	return err
}

// AdminList returns a user's passkeys, for an admin (whether or not passkeys are on now).
func (s *PasskeyService) AdminList(ctx context.Context, user uuid.UUID) ([]*Passkey, error) {
	if _, err := admin(ctx); err != nil {
		return nil, err
	}
	if _, err := s.d.Users.ByID(ctx, user); errors.Is(err, ErrNotFound) {
		return nil, errUserNotFound
	} else if err != nil {
		return nil, err
	}
	return s.d.Passkeys.List(ctx, user)
}

// AdminDelete deletes a user's passkey, for an admin.
func (s *PasskeyService) AdminDelete(ctx context.Context, user, id uuid.UUID) error {
	p, err := admin(ctx)
	if err != nil {
		return err
	}
	return s.delete(ctx, user, id, p.User.ID)
}

// LoginOptions returns the request options of a passkey login (JSON, {"publicKey": …}): any
// discoverable passkey of the relying party answers them, so they say nothing about any account.
func (s *PasskeyService) LoginOptions(ctx context.Context) ([]byte, error) {
	if s.rp == nil {
		return nil, errPasskeysOff
	}
	if ip := ClientFrom(ctx).IP; ip != "" {
		ok, after, _, err := s.d.Limiter.Reserve(ctx, "passkey:options:ip:"+ip, passkeyOptionsIPLimit, time.Hour)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, rateLimited("Too many passkey logins from your network", after)
		}
	}
	opts, cer, err := s.rp.BeginLogin()
	if err != nil {
		return nil, err
	}
	if err := s.put(ctx, cer, purposePasskeyLogin, uuid.Nil, uuid.Nil); err != nil {
		return nil, err
	}
	return opts, nil
}

// Login verifies the browser's answer (PublicKeyCredential JSON) to LoginOptions. It logs the passkey's
// owner in with amr webauthn: at AAL2 when the assertion verified the user, else at AAL1, or, for a
// user with TOTP, with the challenge for a code. Every refusal is the same 401, audited with its reason,
// and counts against the client IP's budget of failures.
func (s *PasskeyService) Login(ctx context.Context, credential []byte) (*Login, error) {
	if s.rp == nil {
		return nil, errPasskeysOff
	}
	giveBack := func() {}
	if ip := ClientFrom(ctx).IP; ip != "" {
		ok, after, cancel, err := s.d.Limiter.Reserve(ctx, "passkey:fail:ip:"+ip, s.cfg.IPFailureLimit, time.Hour)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, rateLimited("Too many failed passkey logins from your network", after)
		}
		giveBack = cancel
	}
	l, err := s.login(ctx, credential)
	if !errors.Is(err, ErrInvalidCredentials) {
		giveBack() // only refusals count, not a success or a failing database
	}
	return l, err
}

func (s *PasskeyService) login(ctx context.Context, credential []byte) (*Login, error) {
	fail := func(user uuid.UUID, reason string, cause error) (*Login, error) {
		s.env.Record(ctx, EventLoginFailed, user, uuid.Nil, "", map[string]string{"method": AMRWebAuthn, "reason": reason})
		s.env.Observer.Login(AMRWebAuthn, "failed")
		return nil, &Error{Kind: ErrInvalidCredentials, Detail: errPasskeyLogin.Detail, Cause: cause}
	}
	l, err := passkey.ParseLogin(credential)
	if err != nil {
		return fail(uuid.Nil, "malformed", err)
	}
	c, err := s.take(ctx, l.Challenge(), purposePasskeyLogin)
	if errors.Is(err, ErrNotFound) {
		return fail(uuid.Nil, "unknown_challenge", nil)
	} else if err != nil {
		return nil, err
	}
	pk, err := s.d.Passkeys.ByCredentialID(ctx, l.CredentialID())
	if errors.Is(err, ErrNotFound) {
		return fail(uuid.Nil, "unknown_passkey", nil)
	} else if err != nil {
		return nil, err
	}
	u, err := s.d.Users.ByID(ctx, pk.UserID)
	if errors.Is(err, ErrNotFound) {
		return fail(uuid.Nil, "unknown_passkey", nil)
	} else if err != nil {
		return nil, err
	}
	a, err := s.rp.FinishLogin(passkey.Ceremony{State: c.State}, l, u.ID[:], passkey.Credential{
		ID: pk.CredentialID, PublicKey: pk.PublicKey, SignCount: pk.SignCount, AAGUID: pk.AAGUID, AttestationType: pk.AttestationType,
		BackupEligible: pk.BackupEligible, BackupState: pk.BackupState, UserVerified: pk.UserVerified})
	if errors.Is(err, passkey.ErrInvalid) {
		return fail(u.ID, "invalid_assertion", err)
	} else if err != nil {
		return nil, err
	}
	if !u.IsActive {
		return fail(u.ID, "inactive", nil)
	}
	now := s.env.Clock.Now()
	moved := false
	if a.CounterOK {
		if moved, err = s.d.Passkeys.RecordUse(ctx, pk.ID, a.SignCount, a.BackupState, now); err != nil {
			return nil, err
		}
	}
	if !moved {
		s.env.Logger.WarnContext(ctx, "passkey counter went backwards: possible clone", "user_id", u.ID, "passkey_id", pk.ID)
		s.env.Record(ctx, EventPasskeyCloneSuspected, u.ID, uuid.Nil, "", map[string]string{"passkey_id": pk.ID.String(),
			"stored_count": uintString(pk.SignCount), "presented_count": uintString(a.SignCount)})
		return fail(u.ID, "counter_regression", nil)
	}
	aal := AAL1
	if a.UserVerified {
		aal = AAL2
	}
	login, err := s.d.MFA.complete(ctx, u, []string{AMRWebAuthn}, aal, "")
	if errors.Is(err, ErrNotFound) {
		return fail(uuid.Nil, "deleted", nil) // the account was deleted while this login ran
	}
	return login, err
}

func uintString(n uint32) string { return strconv.FormatUint(uint64(n), 10) }
