// Package passkey runs the two WebAuthn ceremonies of a relying party for phoneauth's passkeys:
// registration (attestation "none" and any other the library verifies without a metadata service) and
// login with discoverable credentials. It makes the options a browser passes to
// navigator.credentials.create() and .get(), and verifies what the browser answers against the state
// the first step returned (Ceremony), which the caller keeps server-side, and the credential the
// caller stored.
//
// It imports only the standard library and github.com/go-webauthn/webauthn; never phoneauth's other
// packages. Where ceremonies and credentials are stored, and which user owns what, is the caller's
// business. Every failure to parse or verify a response is ErrInvalid, whatever the input.
package passkey

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// ceremonyTimeout is the timeout the options give browsers: the caller keeps a ceremony as long.
const ceremonyTimeout = 5 * time.Minute

// MaxResponse bounds the JSON of one response a browser sends, far above any real one (a few KiB).
const MaxResponse = 64 << 10

// ErrInvalid is a response that does not parse or does not verify: malformed, for another challenge,
// origin or relying party, with a wrong signature, or not the kind of response the ceremony expects.
var ErrInvalid = errors.New("passkey: invalid response")

// Config is the relying party.
type Config struct {
	// RPID is the domain passkeys are bound to, e.g. example.com (or localhost for development).
	RPID string
	// Origins are where the ceremonies may run: https://host[:port] within RPID, http://localhost[:port]
	// when RPID is localhost, or an Android app's android:apk-key-hash:….
	Origins []string
	// DisplayName is the relying party's name browsers show.
	DisplayName string
}

// Enabled reports whether passkeys are configured at all (an RPID and origins).
func (c Config) Enabled() bool { return c.RPID != "" || len(c.Origins) > 0 }

// Validate reports the first bad setting.
func (c Config) Validate() error {
	if c.RPID == "" || len(c.Origins) == 0 {
		return errors.New("passkeys need both a relying party ID and at least one origin")
	}
	if err := CheckRPID(c.RPID); err != nil {
		return err
	}
	if strings.TrimSpace(c.DisplayName) == "" {
		return errors.New("passkeys need a display name")
	}
	for _, o := range c.Origins {
		if err := checkOrigin(c.RPID, o); err != nil {
			return err
		}
	}
	return nil
}

// CheckRPID reports whether id can be a relying party ID: a lowercase domain, without scheme or port.
func CheckRPID(id string) error {
	if id == "" || strings.ContainsAny(id, "/:@ ") || strings.ToLower(id) != id || protocol.ValidateRPID(id) != nil {
		return fmt.Errorf("relying party ID %q must be a lowercase domain such as example.com, without scheme or port", id)
	}
	return nil
}

func checkOrigin(rpID, o string) error {
	if strings.HasPrefix(o, "android:apk-key-hash:") {
		if len(o) == len("android:apk-key-hash:") || !protocol.IsKnownOpaqueOrigin(o) {
			return fmt.Errorf("origin %q: an Android origin is android:apk-key-hash: and the app's signing key hash", o)
		}
		return nil
	}
	u, err := url.Parse(o)
	if err != nil || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("origin %q must be scheme://host[:port], e.g. https://app.example.com", o)
	}
	host := u.Hostname()
	switch {
	case u.Scheme == "http" && (host == "localhost" || strings.HasSuffix(host, ".localhost")):
	case u.Scheme == "http":
		return fmt.Errorf("origin %q: plain http is only for http://localhost (browsers refuse passkeys elsewhere without https)", o)
	case u.Scheme != "https":
		return fmt.Errorf("origin %q must be https://…, http://localhost[:port] or android:apk-key-hash:…", o)
	}
	if host != rpID && !strings.HasSuffix(host, "."+rpID) {
		return fmt.Errorf("origin %q is not within the relying party ID %s (its host must be %s or a subdomain of it)", o, rpID, rpID)
	}
	return nil
}

// RP is a configured relying party. It is safe for concurrent use.
type RP struct {
	w *webauthn.WebAuthn
}

// New returns the relying party of cfg.
func New(cfg Config) (*RP, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	wc := &webauthn.Config{
		RPID: cfg.RPID, RPDisplayName: cfg.DisplayName,
		AttestationPreference: protocol.PreferNoAttestation,
		// The ceremony's expiry is the caller's (its clock, its stored state): none here.
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: ceremonyTimeout, TimeoutUVD: ceremonyTimeout},
			Registration: webauthn.TimeoutConfig{Timeout: ceremonyTimeout, TimeoutUVD: ceremonyTimeout},
		},
	}
	for _, o := range cfg.Origins {
		if strings.HasPrefix(o, "android:") {
			wc.RPOpaqueOrigins = append(wc.RPOpaqueOrigins, o)
		} else {
			wc.RPOrigins = append(wc.RPOrigins, strings.TrimSuffix(o, "/"))
		}
	}
	if len(wc.RPOrigins) == 0 {
		return nil, errors.New("passkeys need at least one web origin (https://… or http://localhost)")
	}
	w, err := webauthn.New(wc)
	if err != nil {
		return nil, err
	}
	return &RP{w: w}, nil
}

// User is the account a registration is for: Handle is the opaque user.id authenticators keep with
// the passkey (and give back at login), Exclude the credential ids it has already.
type User struct {
	Handle      []byte
	Name        string // e.g. the phone number, shown by the browser
	DisplayName string
	Exclude     [][]byte
}

// Ceremony is what the first step of a ceremony leaves for the second: Challenge (base64url, as the
// response's clientDataJSON carries it) to find it by, and State to keep unchanged until then.
type Ceremony struct {
	Challenge string
	State     []byte
}

// Credential is a registered passkey as the relying party keeps it.
type Credential struct {
	ID              []byte
	PublicKey       []byte // COSE
	SignCount       uint32
	Transports      []string
	AAGUID          []byte
	AttestationType string
	BackupEligible  bool
	BackupState     bool
	UserVerified    bool // at registration
}

type webUser struct {
	u     User
	creds []webauthn.Credential
}

func (w webUser) WebAuthnID() []byte                         { return w.u.Handle }
func (w webUser) WebAuthnName() string                       { return w.u.Name }
func (w webUser) WebAuthnDisplayName() string                { return w.u.DisplayName }
func (w webUser) WebAuthnCredentials() []webauthn.Credential { return w.creds }

// BeginRegistration returns the creation options for u ({"publicKey": …}, for
// PublicKeyCredential.parseCreationOptionsFromJSON) and the ceremony to keep: a discoverable credential
// (resident key required), user verification preferred, u's existing credentials excluded.
func (rp *RP) BeginRegistration(u User) ([]byte, Ceremony, error) {
	exclude := make([]protocol.CredentialDescriptor, 0, len(u.Exclude))
	for _, id := range u.Exclude {
		exclude = append(exclude, protocol.CredentialDescriptor{Type: protocol.PublicKeyCredentialType, CredentialID: id})
	}
	creation, session, err := rp.w.BeginRegistration(webUser{u: u},
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementRequired, RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification: protocol.VerificationPreferred,
		}),
		webauthn.WithExclusions(exclude),
		webauthn.WithExtensions(webauthn.WithExtensionCredProps()),
	)
	if err != nil {
		return nil, Ceremony{}, err
	}
	return finishBegin(creation, session)
}

// BeginLogin returns the request options of a login by any discoverable credential ({"publicKey": …},
// for PublicKeyCredential.parseRequestOptionsFromJSON, which conditional mediation takes as well) and
// the ceremony to keep.
func (rp *RP) BeginLogin() ([]byte, Ceremony, error) {
	assertion, session, err := rp.w.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationPreferred))
	if err != nil {
		return nil, Ceremony{}, err
	}
	return finishBegin(assertion, session)
}

func finishBegin(options any, session *webauthn.SessionData) ([]byte, Ceremony, error) {
	opts, err := json.Marshal(options)
	if err != nil {
		return nil, Ceremony{}, err
	}
	state, err := json.Marshal(session)
	if err != nil {
		return nil, Ceremony{}, err
	}
	return opts, Ceremony{Challenge: session.Challenge, State: state}, nil
}

func invalid(err error) error {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return fmt.Errorf("%w: %s: %s", ErrInvalid, pe.Details, pe.DevInfo)
	}
	return fmt.Errorf("%w: %v", ErrInvalid, err)
}

func session(state []byte) (webauthn.SessionData, error) {
	var s webauthn.SessionData
	if err := json.Unmarshal(state, &s); err != nil {
		return s, fmt.Errorf("passkey: unreadable ceremony state: %w", err)
	}
	return s, nil
}

// Registration is a parsed registration response.
type Registration struct {
	p *protocol.ParsedCredentialCreationData
}

// ParseRegistration parses what navigator.credentials.create() answered (PublicKeyCredential.toJSON()).
func ParseRegistration(body []byte) (*Registration, error) {
	if len(body) > MaxResponse {
		return nil, fmt.Errorf("%w: response too large", ErrInvalid)
	}
	p, err := protocol.ParseCredentialCreationResponseBytes(body)
	if err != nil {
		return nil, invalid(err)
	}
	return &Registration{p: p}, nil
}

// Challenge is the challenge the response answers, to find its ceremony by.
func (r *Registration) Challenge() string { return r.p.Response.CollectedClientData.Challenge }

// FinishRegistration verifies r against its ceremony for u and returns the new credential.
func (rp *RP) FinishRegistration(u User, c Ceremony, r *Registration) (Credential, error) {
	s, err := session(c.State)
	if err != nil {
		return Credential{}, err
	}
	cred, err := rp.w.CreateCredential(webUser{u: u}, s, r.p)
	if err != nil {
		return Credential{}, invalid(err)
	}
	out := Credential{
		ID: cred.ID, PublicKey: cred.PublicKey, SignCount: cred.Authenticator.SignCount, AAGUID: cred.Authenticator.AAGUID,
		AttestationType: cred.AttestationType, BackupEligible: cred.Flags.BackupEligible, BackupState: cred.Flags.BackupState,
		UserVerified: cred.Flags.UserVerified,
	}
	for _, t := range cred.Transport {
		out.Transports = append(out.Transports, string(t))
	}
	return out, nil
}

// Login is a parsed login (assertion) response.
type Login struct {
	p *protocol.ParsedCredentialAssertionData
}

// ParseLogin parses what navigator.credentials.get() answered (PublicKeyCredential.toJSON()).
func ParseLogin(body []byte) (*Login, error) {
	if len(body) > MaxResponse {
		return nil, fmt.Errorf("%w: response too large", ErrInvalid)
	}
	p, err := protocol.ParseCredentialRequestResponseBytes(body)
	if err != nil {
		return nil, invalid(err)
	}
	if len(p.Response.UserHandle) == 0 {
		return nil, fmt.Errorf("%w: no user handle (not a discoverable credential)", ErrInvalid)
	}
	return &Login{p: p}, nil
}

// Challenge is the challenge the response answers, to find its ceremony by.
func (l *Login) Challenge() string { return l.p.Response.CollectedClientData.Challenge }

// CredentialID is the id of the credential that signed.
func (l *Login) CredentialID() []byte { return l.p.RawID }

// UserHandle is the user.id the authenticator keeps with the credential.
func (l *Login) UserHandle() []byte { return l.p.Response.UserHandle }

// Assertion is a verified login.
type Assertion struct {
	// SignCount is the authenticator's counter; CounterOK is false when it did not move past the stored
	// one (while either is not zero): a cloned authenticator, or one that malfunctions.
	SignCount uint32
	CounterOK bool
	// UserVerified is this assertion's UV flag: the authenticator verified the user (PIN, biometrics)
	// this time.
	UserVerified bool
	BackupState  bool
}

// FinishLogin verifies l against its ceremony and cred, the stored credential l names, owned by the
// user whose handle is handle.
func (rp *RP) FinishLogin(c Ceremony, l *Login, handle []byte, cred Credential) (Assertion, error) {
	s, err := session(c.State)
	if err != nil {
		return Assertion{}, err
	}
	if !bytes.Equal(l.p.RawID, cred.ID) || !bytes.Equal(l.p.Response.UserHandle, handle) {
		return Assertion{}, fmt.Errorf("%w: credential or user handle mismatch", ErrInvalid)
	}
	stored := webauthn.Credential{
		ID: cred.ID, PublicKey: cred.PublicKey, AttestationType: cred.AttestationType,
		Flags:         webauthn.CredentialFlags{UserPresent: true, UserVerified: cred.UserVerified, BackupEligible: cred.BackupEligible, BackupState: cred.BackupState},
		Authenticator: webauthn.Authenticator{AAGUID: cred.AAGUID, SignCount: cred.SignCount},
	}
	owner := webUser{u: User{Handle: handle}, creds: []webauthn.Credential{stored}}
	_, got, err := rp.w.ValidatePasskeyLogin(func(_, _ []byte) (webauthn.User, error) { return owner, nil }, s, l.p)
	if err != nil {
		return Assertion{}, invalid(err)
	}
	flags := l.p.Response.AuthenticatorData.Flags
	return Assertion{
		SignCount: l.p.Response.AuthenticatorData.Counter, CounterOK: !got.Authenticator.CloneWarning,
		UserVerified: flags.HasUserVerified(), BackupState: flags.HasBackupState(),
	}, nil
}
