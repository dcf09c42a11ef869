package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// EndDeactivated is the end reason of the sessions of a deactivated user.
const EndDeactivated = "user_deactivated"

// UserAdmin is what user management needs beyond Users.
type UserAdmin interface {
	// List returns up to limit users, newest (highest id) first, with ids below beforeID when it is
	// set, matching query (a case-insensitive substring of phone, name or email) when it is set.
	List(ctx context.Context, query, beforeID string, limit int) ([]*User, error)
	// SetActive activates or deactivates the user; deactivating also ends all of its sessions (reason
	// EndDeactivated), in one transaction. ErrNotFound for an unknown user.
	SetActive(ctx context.Context, userID string, active bool, at time.Time) error
	// SetRoles replaces the user's stored roles; with endSessions it also ends all of its sessions
	// (reason EndRevoked), in one transaction. ErrNotFound for an unknown user.
	SetRoles(ctx context.Context, userID string, roles []string, at time.Time, endSessions bool) error
}

// AdminUser is a user with its login-lockout state.
type AdminUser struct {
	*User
	FailedLogins int
	LockedUntil  time.Time // zero when not locked
}

var (
	errNotAdmin     = newError(ErrForbidden, "Not enough permissions")
	errUserNotFound = newError(ErrNotFound, "User not found")
	errBadCursor    = newError(ErrBadRequest, "Invalid cursor")
)

func (s *Service) requireAdmin(p *Principal) error {
	switch {
	case p == nil:
		return errNoCredentials
	case !p.User.HasRole(RoleAdmin):
		return errNotAdmin
	case s.Admin == nil:
		return &Error{Kind: ErrUnavailable, Detail: "User management is not configured"}
	}
	return nil
}

func pageLimit(limit int) int {
	if limit <= 0 {
		return 50
	}
	return min(limit, 200)
}

// AdminListUsers lists users for an admin, newest first; nextCursor is "" on the last page.
func (s *Service) AdminListUsers(ctx context.Context, p *Principal, query, cursor string, limit int) ([]*User, string, error) {
	if err := s.requireAdmin(p); err != nil {
		return nil, "", err
	}
	before := ""
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || len(b) != 36 {
			return nil, "", errBadCursor
		}
		before = string(b)
	}
	limit = pageLimit(limit)
	users, err := s.Admin.List(ctx, strings.TrimSpace(query), before, limit+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(users) > limit {
		users = users[:limit]
		next = base64.RawURLEncoding.EncodeToString([]byte(users[limit-1].ID))
	}
	return users, next, nil
}

func (s *Service) adminUser(ctx context.Context, id string) (*AdminUser, error) {
	u, err := s.Users.ByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, errUserNotFound
	} else if err != nil {
		return nil, err
	}
	au := &AdminUser{User: u}
	if s.Throttle != nil {
		n, until, err := s.Throttle.State(ctx, u.Phone)
		if err != nil {
			return nil, err
		}
		au.FailedLogins = n
		if until.After(s.Clock.Now()) {
			au.LockedUntil = until
		}
	}
	return au, nil
}

// AdminGetUser returns one user with its lockout state.
func (s *Service) AdminGetUser(ctx context.Context, p *Principal, id string) (*AdminUser, error) {
	if err := s.requireAdmin(p); err != nil {
		return nil, err
	}
	return s.adminUser(ctx, id)
}

// AdminSetActive activates or deactivates a user; deactivation ends its sessions at once.
func (s *Service) AdminSetActive(ctx context.Context, p *Principal, id string, active bool) (*AdminUser, error) {
	if err := s.requireAdmin(p); err != nil {
		return nil, err
	}
	if !active && id == p.User.ID {
		return nil, newError(ErrBadRequest, "You cannot deactivate your own account")
	}
	if err := s.Admin.SetActive(ctx, id, active, s.Clock.Now()); errors.Is(err, ErrNotFound) {
		return nil, errUserNotFound
	} else if err != nil {
		return nil, err
	}
	typ := EventUserActivated
	if !active {
		typ = EventUserDeactivated
	}
	s.audit(ctx, typ, id, p.User.ID, "", nil)
	return s.adminUser(ctx, id)
}

// AdminSetRole grants or revokes a role. Revoking ends the user's sessions, so no token keeps it.
func (s *Service) AdminSetRole(ctx context.Context, p *Principal, id, role string, grant bool) (*AdminUser, error) {
	if err := s.requireAdmin(p); err != nil {
		return nil, err
	}
	if role == RoleUser || !slices.Contains(KnownRoles, role) {
		return nil, invalidField("role", "Input should be 'admin'", "enum")
	}
	if !grant && role == RoleAdmin && id == p.User.ID {
		return nil, newError(ErrBadRequest, "You cannot revoke your own admin role")
	}
	u, err := s.Users.ByID(ctx, id)
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
	changed := !slices.Equal(roles, u.Roles)
	if changed {
		if err := s.Admin.SetRoles(ctx, id, roles, s.Clock.Now(), !grant); errors.Is(err, ErrNotFound) {
			return nil, errUserNotFound
		} else if err != nil {
			return nil, err
		}
		typ := EventRoleGranted
		if !grant {
			typ = EventRoleRevoked
		}
		s.audit(ctx, typ, id, p.User.ID, "", map[string]string{"role": role})
	}
	return s.adminUser(ctx, id)
}

// AdminEndSessions ends every session of a user; it returns how many.
func (s *Service) AdminEndSessions(ctx context.Context, p *Principal, id string) (int, error) {
	if err := s.requireAdmin(p); err != nil {
		return 0, err
	}
	if _, err := s.adminUser(ctx, id); err != nil {
		return 0, err
	}
	n, err := s.Sessions.EndAll(ctx, id, s.Clock.Now(), "", EndRevoked)
	if err != nil {
		return 0, err
	}
	s.audit(ctx, EventSessionEnded, id, p.User.ID, "", map[string]string{"reason": EndRevoked, "count": strconv.Itoa(n)})
	return n, nil
}

// AdminUnlock clears the password lockout of a user's phone.
func (s *Service) AdminUnlock(ctx context.Context, p *Principal, id string) (*AdminUser, error) {
	if err := s.requireAdmin(p); err != nil {
		return nil, err
	}
	au, err := s.adminUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if s.Throttle != nil {
		if err := s.Throttle.Clear(ctx, au.Phone); err != nil {
			return nil, err
		}
	}
	s.audit(ctx, EventUserUnlocked, id, p.User.ID, "", map[string]string{"failed_logins": strconv.Itoa(au.FailedLogins)})
	au.FailedLogins, au.LockedUntil = 0, time.Time{}
	return au, nil
}

// AdminAuditEvents lists audit events, newest first; nextCursor is "" on the last page.
func (s *Service) AdminAuditEvents(ctx context.Context, p *Principal, f AuditFilter, cursor string) ([]AuditEvent, string, error) {
	if err := s.requireAdmin(p); err != nil {
		return nil, "", err
	}
	if s.Audit == nil {
		return nil, "", &Error{Kind: ErrUnavailable, Detail: "The audit log is not configured"}
	}
	if cursor != "" {
		id, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || id <= 0 {
			return nil, "", errBadCursor
		}
		f.BeforeID = id
	}
	limit := pageLimit(f.Limit)
	f.Limit = limit + 1
	events, err := s.Audit.List(ctx, f)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(events) > limit {
		events = events[:limit]
		next = fmt.Sprint(events[limit-1].ID)
	}
	return events, next, nil
}
