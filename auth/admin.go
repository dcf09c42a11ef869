package auth

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth/password"
	"github.com/phoneauth/phoneauth/auth/phone"
)

// AdminDeps are what AdminService works with.
type AdminDeps struct {
	Users    Users
	Admin    UserAdmin
	Sessions Sessions
	Throttle Throttle // nil: no lockout state to show or clear
	Hasher   *password.Hasher
	Policy   *password.Policy
	Phones   phone.Parser
	// Accounts creates users and Lifecycle edits and deletes them, by the rules users are held to.
	Accounts  *AccountService
	Lifecycle *LifecycleService
	Guard     *SMSGuard   // nil: no SMS guard to show or clear
	Messages  SMSMessages // nil: no message log
	Outbox    Outbox      // nil: no outbound events to list or redeliver
}

// AdminService is user management for callers with RoleAdmin, and the audit trail. Every method
// checks the caller's role first. It is safe for concurrent use.
type AdminService struct {
	env  Env
	d    AdminDeps
	lock lockout
}

// NewAdminService returns an AdminService.
func NewAdminService(env Env, d AdminDeps) (*AdminService, error) {
	if d.Users == nil || d.Admin == nil || d.Sessions == nil || d.Hasher == nil || d.Policy == nil || d.Accounts == nil || d.Lifecycle == nil {
		return nil, errors.New("auth: AdminService needs Users, UserAdmin, Sessions, a Hasher, a Policy, an AccountService and a LifecycleService")
	}
	env = env.WithDefaults()
	return &AdminService{env: env, d: d, lock: lockout{env: env, t: d.Throttle}}, nil
}

// AdminUser is a user with its login-lockout state.
type AdminUser struct {
	*User
	FailedLogins int
	LockedUntil  time.Time // zero when not locked
}

var (
	errNotAdmin     = newError(ErrForbidden, "Not enough permissions")
	errSecondFactor = newError(ErrForbidden, "second factor required")
	errUserNotFound = newError(ErrNotFound, "User not found")
	errBadCursor    = newError(ErrBadRequest, "Invalid cursor")
)

// admin returns the calling admin, or why the caller may not act as one.
func admin(ctx context.Context) (*Principal, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if !p.User.HasRole(RoleAdmin) {
		return nil, errNotAdmin
	}
	if p.NeedsSecondFactor {
		return nil, errSecondFactor
	}
	return p, nil
}

func pageLimit(limit int) int {
	if limit <= 0 {
		return 50
	}
	return min(limit, 200)
}

// ListUsers lists users, newest first; nextCursor is "" on the last page. A query that is a phone
// number finds the account with that number; any other is a case-insensitive substring of the phone,
// the name or the email.
func (s *AdminService) ListUsers(ctx context.Context, query, cursor string, limit int) ([]*User, string, error) {
	if _, err := admin(ctx); err != nil {
		return nil, "", err
	}
	before := uuid.Nil
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		id, ok := ParseID(string(b))
		if err != nil || !ok {
			return nil, "", errBadCursor
		}
		before = id
	}
	limit = pageLimit(limit)
	query = strings.TrimSpace(query)
	var users []*User
	if n, err := s.d.Phones.Parse(query); err == nil {
		// A phone number, in any format the parser reads (digits and separators only, the default
		// region for a national number): the one account that has it, by the unique index, rather
		// than a substring search of every row.
		u, err := s.d.Users.ByPhone(ctx, n.E164)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return nil, "", err
		case before == uuid.Nil || bytes.Compare(u.ID[:], before[:]) < 0:
			users = []*User{u}
		}
	} else if users, err = s.d.Admin.List(ctx, query, before, limit+1); err != nil {
		return nil, "", err
	}
	next := ""
	if len(users) > limit {
		users = users[:limit]
		next = base64.RawURLEncoding.EncodeToString([]byte(users[limit-1].ID.String()))
	}
	return users, next, nil
}

func (s *AdminService) user(ctx context.Context, id uuid.UUID) (*AdminUser, error) {
	u, err := s.d.Users.ByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, errUserNotFound
	} else if err != nil {
		return nil, err
	}
	au := &AdminUser{User: u}
	if s.lock.t != nil {
		n, until, err := s.lock.t.State(ctx, u.Phone)
		if err != nil {
			return nil, err
		}
		au.FailedLogins = n
		if until.After(s.env.Clock.Now()) {
			au.LockedUntil = until
		}
	}
	return au, nil
}

// GetUser returns one user with its lockout state.
func (s *AdminService) GetUser(ctx context.Context, id uuid.UUID) (*AdminUser, error) {
	if _, err := admin(ctx); err != nil {
		return nil, err
	}
	return s.user(ctx, id)
}

// SetActive activates or deactivates a user; deactivation ends its sessions at once.
func (s *AdminService) SetActive(ctx context.Context, id uuid.UUID, active bool) (*AdminUser, error) {
	p, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	if !active && id == p.User.ID {
		return nil, newError(ErrBadRequest, "You cannot deactivate your own account")
	}
	typ, event := EventUserActivated, TypeUserActivated
	if !active {
		typ, event = EventUserDeactivated, TypeUserDeactivated
	}
	err = s.env.InTx(ctx, func(ctx context.Context) error {
		if err := s.d.Admin.SetActive(ctx, id, active, s.env.Clock.Now()); err != nil {
			return err
		}
		s.env.Record(ctx, typ, id, p.User.ID, "", nil)
		return s.env.Emit(ctx, event, id, actorData{Actor: actorRef(p.User.ID)})
	})
	if errors.Is(err, ErrNotFound) {
		return nil, errUserNotFound
	} else if err != nil {
		return nil, err
	}
	return s.user(ctx, id)
}

// SetRole grants or revokes a role. Revoking ends the user's sessions, so no token keeps it.
func (s *AdminService) SetRole(ctx context.Context, id uuid.UUID, role string, grant bool) (*AdminUser, error) {
	p, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	if role == RoleUser || !slices.Contains(KnownRoles, role) {
		return nil, invalidField("role", "Input should be 'admin'", "enum")
	}
	if !grant && role == RoleAdmin && id == p.User.ID {
		return nil, newError(ErrBadRequest, "You cannot revoke your own admin role")
	}
	u, err := s.d.Users.ByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, errUserNotFound
	} else if err != nil {
		return nil, err
	}
	roles := slices.DeleteFunc(slices.Clone(u.Roles), func(r string) bool { return r == role })
	if grant {
		roles = append(roles, role)
		slices.Sort(roles)
	}
	if !slices.Equal(roles, u.Roles) {
		typ := EventRoleGranted
		if !grant {
			typ = EventRoleRevoked
		}
		err := s.env.InTx(ctx, func(ctx context.Context) error {
			if err := s.d.Admin.SetRoles(ctx, id, roles, s.env.Clock.Now(), !grant); err != nil {
				return err
			}
			s.env.Record(ctx, typ, id, p.User.ID, "", map[string]string{"role": role})
			all := (&User{Roles: roles}).AllRoles()
			return s.env.Emit(ctx, TypeRoleChanged, id, roleData{Role: role, Granted: grant, Roles: all, Actor: actorRef(p.User.ID)})
		})
		if errors.Is(err, ErrNotFound) {
			return nil, errUserNotFound
		} else if err != nil {
			return nil, err
		}
	}
	return s.user(ctx, id)
}

// EndSessions ends every session of a user; it returns how many.
func (s *AdminService) EndSessions(ctx context.Context, id uuid.UUID) (int, error) {
	p, err := admin(ctx)
	if err != nil {
		return 0, err
	}
	if _, err := s.user(ctx, id); err != nil {
		return 0, err
	}
	var n int
	err = s.env.InTx(ctx, func(ctx context.Context) error {
		var err error
		if n, err = s.d.Sessions.EndAll(ctx, id, s.env.Clock.Now(), uuid.Nil, EndRevoked); err != nil {
			return err
		}
		s.env.Record(ctx, EventSessionEnded, id, p.User.ID, "", map[string]string{"reason": EndRevoked, "count": strconv.Itoa(n)})
		if n == 0 {
			return nil // nothing ended: nothing to tell
		}
		return s.env.Emit(ctx, TypeSessionEnded, id, sessionEndedData{Reason: EndRevoked, Scope: "all", Count: &n, Actor: actorRef(p.User.ID)})
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// Unlock clears the password lockout of a user's phone and the user's lockout of second factors.
func (s *AdminService) Unlock(ctx context.Context, id uuid.UUID) (*AdminUser, error) {
	p, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	au, err := s.user(ctx, id)
	if err != nil {
		return nil, err
	}
	if s.lock.t != nil {
		for _, key := range []string{au.Phone, MFALockKey(id)} {
			if err := s.lock.t.Clear(ctx, key); err != nil {
				return nil, err
			}
		}
	}
	s.env.Record(ctx, EventUserUnlocked, id, p.User.ID, "", map[string]string{"failed_logins": strconv.Itoa(au.FailedLogins)})
	au.FailedLogins, au.LockedUntil = 0, time.Time{}
	return au, nil
}

// ResetPassword sets another user's password and ends all of that user's sessions.
func (s *AdminService) ResetPassword(ctx context.Context, rawPhone, next string) error {
	p, err := admin(ctx)
	if err != nil {
		return err
	}
	n, err := parsePhone(s.d.Phones, "phone", rawPhone)
	fields := fieldsOf(nil, err)
	fields = fieldsOf(fields, checkNewPassword(s.d.Policy, "new_password", next, n.E164))
	if len(fields) > 0 {
		return &ValidationError{Fields: fields} // every bad field at once, as request validation does
	}
	u, err := s.d.Users.ByPhone(ctx, n.E164)
	if errors.Is(err, ErrNotFound) {
		return errUserNotFound
	} else if err != nil {
		return err
	}
	hash, err := s.d.Hasher.Hash(ctx, next)
	if err != nil {
		return hashErr(err)
	}
	err = s.env.InTx(ctx, func(ctx context.Context) error {
		if err := s.d.Users.SetPassword(ctx, u.ID, hash, s.env.Clock.Now(), uuid.Nil); err != nil {
			return err
		}
		s.env.Record(ctx, EventPasswordReset, u.ID, p.User.ID, "", map[string]string{"by": "admin"})
		return s.env.Emit(ctx, TypePasswordChanged, u.ID, passwordData{By: "admin", Actor: actorRef(p.User.ID)})
	})
	if err != nil {
		return err
	}
	s.lock.clear(ctx, u.Phone)
	return nil
}

// AuditEvents lists audit events, newest first; nextCursor is "" on the last page.
func (s *AdminService) AuditEvents(ctx context.Context, f AuditFilter, cursor string) ([]AuditEvent, string, error) {
	if _, err := admin(ctx); err != nil {
		return nil, "", err
	}
	if s.env.Audit == nil {
		return nil, "", &Error{Kind: ErrUnavailable, Detail: "The audit log is not configured"}
	}
	return idPage(cursor, f.Limit, func(e AuditEvent) int64 { return e.ID }, func(before int64, limit int) ([]AuditEvent, error) {
		f.BeforeID, f.Limit = before, limit
		return s.env.Audit.List(ctx, f)
	})
}

// idPage reads one page of rows with int64 ids, newest first, through list (asked for one row more than
// the page, to know whether another follows). cursor is the id the page starts below ("" for the first
// page; anything else that is not a positive id is errBadCursor); the next cursor is "" on the last page.
func idPage[T any](cursor string, limit int, id func(T) int64, list func(beforeID int64, limit int) ([]T, error)) ([]T, string, error) {
	var before int64
	if cursor != "" {
		n, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || n <= 0 {
			return nil, "", errBadCursor
		}
		before = n
	}
	limit = pageLimit(limit)
	rows, err := list(before, limit+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = strconv.FormatInt(id(rows[limit-1]), 10)
	}
	return rows, next, nil
}
