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
	LastUsedAt time.Time // last refresh
	ExpiresAt  time.Time // absolute end
	EndedAt    *time.Time
	EndReason  string
}

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
)

// Rotation is the outcome of presenting a refresh token.
type Rotation int

// Outcomes of Sessions.Rotate.
const (
	Rotated    Rotation = iota // first use: its successor was stored
	GraceReuse                 // used moments ago (a concurrent refresh): another successor was stored
	Reused                     // used long ago: the token leaked, and the session has been ended
)

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
	// session of the user except keepSession (which may be ""), with reason EndPasswordChanged.
	// ErrNotFound for an unknown user.
	SetPassword(ctx context.Context, userID, hash string, at time.Time, keepSession string) error
	// RecordLogin sets last_login_at and, when rehash is not "", replaces the password hash.
	RecordLogin(ctx context.Context, userID string, at time.Time, rehash string) error
}

// Sessions stores sessions and their refresh tokens.
type Sessions interface {
	// Create inserts s with its first refresh token (by hash), atomically.
	Create(ctx context.Context, s *Session, refreshHash string) error
	// WithUser returns a session and its user in one lookup, or ErrNotFound.
	WithUser(ctx context.Context, sessionID string) (*Session, *User, error)
	// ByRefreshToken returns the session a refresh token (by hash) belongs to, and its user, or ErrNotFound.
	ByRefreshToken(ctx context.Context, hash string) (*Session, *User, error)
	// Rotate spends the refresh token oldHash at now and stores newHash as its successor, unless the
	// token was spent more than grace ago: then it ends the session (reason EndRefreshReuse) and
	// stores nothing. It also records now as the session's last use. One transaction.
	Rotate(ctx context.Context, sessionID, oldHash, newHash string, now time.Time, grace time.Duration) (Rotation, error)
	// ListActive returns the user's sessions that have not been ended, newest first.
	ListActive(ctx context.Context, userID string) ([]*Session, error)
	// End ends one of the user's sessions; ErrNotFound when the user has no such active session.
	End(ctx context.Context, userID, sessionID string, at time.Time, reason string) error
	// EndAll ends the user's active sessions except keep (may be ""); it returns how many it ended.
	EndAll(ctx context.Context, userID string, at time.Time, keep, reason string) (int, error)
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

// ValidUUID reports whether s is a UUID in the 8-4-4-4-12 hex form (either case).
func ValidUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'):
			return false
		}
	}
	return true
}
