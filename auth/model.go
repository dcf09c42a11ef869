package auth

import (
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Roles. Every user has RoleUser; it is implied and not stored.
const (
	RoleUser  = "user"
	RoleAdmin = "admin"
)

// KnownRoles are the roles that may be granted.
var KnownRoles = []string{RoleUser, RoleAdmin}

// Methods a session can be authenticated by (the "amr" claim, RFC 8176 where it has a name).
const (
	AMRPassword = "pwd"
	AMROTP      = "otp" // a login code by SMS
	AMRWebAuthn = "webauthn"
	AMRTOTP     = "totp"     // a code of an authenticator app, as a second factor
	AMRRecovery = "recovery" // a recovery code, in place of a TOTP code
)

// Authentication assurance levels (NIST SP 800-63B), the "aal" claim.
const (
	AAL1 = 1 // one factor
	AAL2 = 2 // two factors: a first one and a TOTP or recovery code, or a passkey that verified the user
)

// User is an account. Phone is E.164; PasswordHash is a PHC string (or an imported bcrypt hash).
type User struct {
	ID              uuid.UUID
	Phone           string
	Name            string
	Email           *string
	Gender          *string
	DateOfBirth     *time.Time // a date; the time part is zero
	Place           *string
	PasswordHash    string
	IsActive        bool
	HasGivenConsent bool
	ConsentGivenAt  *time.Time
	LastLoginAt     *time.Time
	Roles           []string // stored roles beyond RoleUser, sorted
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// AllRoles returns RoleUser followed by the stored roles.
func (u *User) AllRoles() []string {
	out := []string{RoleUser}
	for _, r := range u.Roles {
		if r != RoleUser {
			out = append(out, r)
		}
	}
	return out
}

// HasRole reports whether the user has role r.
func (u *User) HasRole(r string) bool { return r == RoleUser || slices.Contains(u.Roles, r) }

// Session is one login of a user on one client. Access tokens carry its ID; ending it ends them.
type Session struct {
	ID     uuid.UUID
	UserID uuid.UUID
	// AMR is the methods the login used, in the order used, comma-separated ("pwd", "otp,totp"): one
	// column, so that the sessions stored before second factors existed read as they are.
	AMR        string
	AAL        int // AAL1 or AAL2 (0 reads as AAL1)
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastUsedAt time.Time // last refresh
	ExpiresAt  time.Time // absolute end
	EndedAt    *time.Time
	EndReason  string
}

// Methods returns the methods of AMR.
func (s *Session) Methods() []string { return strings.Split(s.AMR, ",") }

// Level is the session's assurance level, AAL1 or AAL2.
func (s *Session) Level() int { return max(s.AAL, AAL1) }

// Active reports whether the session may still be used at now, given the inactivity timeout.
func (s *Session) Active(now time.Time, idle time.Duration) bool {
	return s.EndedAt == nil && now.Before(s.ExpiresAt) && (idle <= 0 || now.Before(s.LastUsedAt.Add(idle)))
}

// Reasons a session ends.
const (
	EndLogout          = "logout"
	EndPasswordChanged = "password_changed"
	EndRefreshReuse    = "refresh_token_reuse"
	EndRevoked         = "revoked"
	EndDeactivated     = "user_deactivated"
	EndPhoneChanged    = "phone_changed"
)

// Rotation is the outcome of presenting a refresh token.
type Rotation int

// Outcomes of Sessions.Rotate.
const (
	Rotated    Rotation = iota // first use: its successor was stored
	GraceReuse                 // used moments ago (a concurrent refresh): another successor was stored
	Reused                     // used long ago: the token leaked, and the session has been ended
)

// Login is the result of a successful authentication. When MFA is set the user has a second factor
// to give first: there are no tokens and no session yet.
type Login struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    time.Duration
	User         *User
	Session      *Session
	MFA          *MFAPending
}

// Purposes a one-time code is bound to. A code of one purpose never verifies for another.
const (
	PurposeLogin  = "login"
	PurposeSignup = "signup"
	PurposeReset  = "password_reset"
	// PurposeReauth proves a sensitive request of a logged-in user; PurposePhoneChange proves the
	// number an account moves to. Both are bound to their user (boundPurpose).
	PurposeReauth      = "reauth"
	PurposePhoneChange = "phone_change"
	purposeNotice      = "notice" // an SMS that carries no code
)

// boundPurpose is purpose bound to one user, "<purpose>:<user id>": its codes verify only for that user
// (the purpose is part of the code's hash), it has a challenge of its own per user (two accounts can
// move to one number at once, and the first to verify wins), and the store deletes it with the user.
func boundPurpose(purpose string, user uuid.UUID) string { return purpose + ":" + user.String() }

// PurposeOwner returns the user a bound purpose belongs to, or uuid.Nil for a purpose of a phone
// alone (login, signup, password reset). The store names that user in the challenge's row.
func PurposeOwner(purpose string) uuid.UUID {
	_, id, ok := strings.Cut(purpose, ":")
	if !ok {
		return uuid.Nil
	}
	u, ok := ParseID(id)
	if !ok {
		return uuid.Nil
	}
	return u
}

// purposeLabel is a purpose without its user: what metrics, the audit trail and the SMS provider see.
func purposeLabel(purpose string) string {
	label, _, _ := strings.Cut(purpose, ":")
	return label
}

// Challenge is the state of the codes of one phone and purpose.
type Challenge struct {
	Phone       string
	Purpose     string
	CodeHash    string // hex HMAC of the live code; "" when there is none
	ReferenceID string
	ExpiresAt   time.Time
	Attempts    int // wrong guesses, counted across resends
	LastSentAt  time.Time
}

// AuditEvent is one security event. Details hold non-secret facts only (never a password, code,
// token or hash).
type AuditEvent struct {
	ID          int64
	At          time.Time
	Type        string
	UserID      uuid.UUID // the user the event is about (uuid.Nil when unknown, e.g. a login for an unknown phone)
	ActorID     uuid.UUID // who acted, when not the user (an admin); uuid.Nil otherwise
	IP          string
	UserAgent   string
	ReferenceID string
	Details     map[string]string
}

// AuditFilter selects events; zero fields match everything. Results are newest first, ids below
// BeforeID when it is set.
type AuditFilter struct {
	UserID, ActorID uuid.UUID
	Type            string
	Since, Until    time.Time
	BeforeID        int64
	Limit           int
}

// Audit event types.
const (
	EventSignup          = "user.signup"
	EventLoginSucceeded  = "login.succeeded"
	EventLoginFailed     = "login.failed"
	EventOTPSent         = "otp.sent"
	EventOTPSendFailed   = "otp.send_failed"
	EventOTPVerified     = "otp.verified"
	EventOTPFailed       = "otp.failed"
	EventOTPLocked       = "otp.locked"
	EventPasswordChanged = "password.changed"
	EventPasswordReset   = "password.reset"
	// EventPasswordCheckFailed is a wrong (or locked-out) password checked outside login: the current
	// password of change-password, and every re-authentication. It counts toward the login lockout.
	EventPasswordCheckFailed = "password.check_failed"
	EventSessionEnded        = "session.ended"
	EventRoleGranted         = "role.granted"
	EventRoleRevoked         = "role.revoked"
	EventUserDeactivated     = "user.deactivated"
	EventUserActivated       = "user.activated"
	EventUserUnlocked        = "user.unlocked"
	EventKeyRotated          = "key.rotated"
	EventUsersImported       = "users.imported" // one per import, with counts
	EventPurged              = "data.purged"    // one per Purge that deleted something, with counts
	// EventReauthFailed is a sensitive request without the fresh proof it needs (a wrong password is
	// EventPasswordCheckFailed, a wrong code EventOTPFailed).
	EventReauthFailed = "reauth.failed"
	EventUserCreated  = "user.created" // by an admin
	// EventUserUpdated names the changed profile fields ("fields"), never their values.
	EventUserUpdated      = "user.updated"
	EventConsentGiven     = "consent.given"
	EventConsentWithdrawn = "consent.withdrawn"
	EventPhoneChanged     = "phone.changed"
	EventUserDeleted      = "user.deleted"
	EventDataExported     = "data.exported"
	EventSMSGuardBlocked  = "sms.guard_blocked"
	EventSMSGuardCleared  = "sms.guard_cleared"
	// EventMFAChallenged is a first factor that passed for a user with a second factor to give;
	// EventMFAFailed a wrong, replayed or locked-out second factor.
	EventMFAChallenged            = "mfa.challenged"
	EventMFAFailed                = "mfa.failed"
	EventTOTPEnabled              = "totp.enabled"
	EventTOTPDisabled             = "totp.disabled"
	EventRecoveryCodesRegenerated = "recovery_codes.regenerated"
	EventRecoveryCodeUsed         = "recovery_code.used"
	EventPasskeyAdded             = "passkey.added"
	EventPasskeyRenamed           = "passkey.renamed"
	EventPasskeyDeleted           = "passkey.deleted"
	// EventPasskeyCloneSuspected is a passkey whose signature counter did not move forward: a copy of
	// it may be in use. The login was refused.
	EventPasskeyCloneSuspected = "passkey.clone_suspected"
)

// EventTypes lists every event type, for the documentation (openapi.yaml's AuditEvent.type names them
// all; a server test holds it to this list).
var EventTypes = []string{
	EventSignup, EventLoginSucceeded, EventLoginFailed, EventOTPSent, EventOTPSendFailed, EventOTPVerified,
	EventOTPFailed, EventOTPLocked, EventPasswordChanged, EventPasswordReset, EventPasswordCheckFailed, EventSessionEnded, EventRoleGranted,
	EventRoleRevoked, EventUserDeactivated, EventUserActivated, EventUserUnlocked, EventKeyRotated,

	EventUsersImported, EventPurged, EventSMSGuardBlocked, EventSMSGuardCleared, EventReauthFailed, EventUserCreated, EventUserUpdated, EventConsentGiven,
	EventConsentWithdrawn, EventPhoneChanged, EventUserDeleted, EventDataExported,
	EventMFAChallenged, EventMFAFailed, EventTOTPEnabled, EventTOTPDisabled, EventRecoveryCodesRegenerated, EventRecoveryCodeUsed,
	EventPasskeyAdded, EventPasskeyRenamed, EventPasskeyDeleted, EventPasskeyCloneSuspected,
}

// Edit is one field of a partial update: the zero Edit leaves the field alone, Set with a nil Value
// clears it, Set with a Value gives it that value.
type Edit[T any] struct {
	Set   bool
	Value *T
}

// Clear is the Edit that clears a field; To the one that sets it to v.
func Clear[T any]() Edit[T] { return Edit[T]{Set: true} }

// To is the Edit that sets a field to v.
func To[T any](v T) Edit[T] { return Edit[T]{Set: true, Value: &v} }

// ProfileChange is a partial update of a user's profile; a nil or zero field is left alone.
type ProfileChange struct {
	Phone       *string // E.164 (a raw number in a request; normalized before it reaches the store)
	Name        *string // cannot be cleared
	Email       Edit[string]
	Gender      Edit[string]
	DateOfBirth Edit[time.Time] // a date; the time part is zero
	Place       Edit[string]
	// Consent true gives consent at the update's time (a consent already given keeps its time); false
	// withdraws it and clears the time.
	Consent *bool
}

// empty reports whether c changes nothing.
func (c ProfileChange) empty() bool {
	return c.Phone == nil && c.Name == nil && !c.Email.Set && !c.Gender.Set && !c.DateOfBirth.Set && !c.Place.Set && c.Consent == nil
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }
