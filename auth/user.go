package auth

import (
	"context"
	"slices"
	"time"
)

// Roles. Every user has RoleUser; it is implied and not stored.
const (
	RoleUser  = "user"
	RoleAdmin = "admin"
)

// Methods a session can be authenticated by (the "amr" claim, RFC 8176).
const (
	AMRPassword = "pwd"
	AMROTP      = "otp"
)

// User is an account. Phone is E.164; PasswordHash is a PHC string (or an imported bcrypt hash).
type User struct {
	ID              string
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
	ID         string
	UserID     string
	AMR        string // AMRPassword or AMROTP
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastUsedAt time.Time
	ExpiresAt  time.Time
	EndedAt    *time.Time
}

// Active reports whether the session may still be used at now.
func (s *Session) Active(now time.Time) bool { return s.EndedAt == nil && now.Before(s.ExpiresAt) }

// Users stores accounts.
type Users interface {
	// Create inserts u (ID, timestamps set by the caller). ErrConflict when the phone or email is taken.
	Create(ctx context.Context, u *User) error
	// ByPhone returns the user with the E.164 phone, or ErrNotFound.
	ByPhone(ctx context.Context, phone string) (*User, error)
	// ByEmail returns the user with the email (case-insensitively), or ErrNotFound.
	ByEmail(ctx context.Context, email string) (*User, error)
	// ByID returns the user, or ErrNotFound.
	ByID(ctx context.Context, id string) (*User, error)
	// SetPassword replaces the user's password hash and, in the same transaction, ends every active
	// session of the user except keepSession (which may be ""). ErrNotFound for an unknown user.
	SetPassword(ctx context.Context, userID, hash string, at time.Time, keepSession string) error
	// RecordLogin sets last_login_at and, when rehash is not "", replaces the password hash.
	RecordLogin(ctx context.Context, userID string, at time.Time, rehash string) error
}

// Sessions stores sessions.
type Sessions interface {
	// Create inserts s.
	Create(ctx context.Context, s *Session) error
	// WithUser returns a session and its user in one lookup, or ErrNotFound.
	WithUser(ctx context.Context, sessionID string) (*Session, *User, error)
	// EndAll ends the user's active sessions except keep (may be ""); it returns how many it ended.
	EndAll(ctx context.Context, userID string, at time.Time, keep string) (int, error)
}

// Clock tells the time; injected so expiry is testable without sleeping.
type Clock interface{ Now() time.Time }

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

type principalKey struct{}

// Principal is the authenticated caller of a request.
type Principal struct {
	User    *User
	Session *Session
}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller, or nil when the request is anonymous.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
