package auth

import (
	"context"
	"time"
)

// AuditEvent is one security event. Details hold non-secret facts only (never a password, code,
// token or hash).
type AuditEvent struct {
	ID          int64
	At          time.Time
	Type        string
	UserID      string // the user the event is about ("" when unknown, e.g. a login for an unknown phone)
	ActorID     string // who acted, when not the user (an admin)
	IP          string
	UserAgent   string
	ReferenceID string
	Details     map[string]string
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
	EventSessionEnded    = "session.ended"
	EventRoleGranted     = "role.granted"
	EventRoleRevoked     = "role.revoked"
	EventUserDeactivated = "user.deactivated"
	EventUserActivated   = "user.activated"
	EventUserUnlocked    = "user.unlocked"
	EventKeyRotated      = "key.rotated"
	EventUsersImported   = "users.imported" // one per import, with counts
	EventPurged          = "data.purged"    // one per Purge that deleted something, with counts
)

// EventTypes lists every event type, for the documentation (openapi.yaml's AuditEvent.type names them
// all; a server test holds it to this list).
var EventTypes = []string{
	EventSignup, EventLoginSucceeded, EventLoginFailed, EventOTPSent, EventOTPSendFailed, EventOTPVerified,
	EventOTPFailed, EventOTPLocked, EventPasswordChanged, EventPasswordReset, EventSessionEnded, EventRoleGranted,
	EventRoleRevoked, EventUserDeactivated, EventUserActivated, EventUserUnlocked, EventKeyRotated,
	EventUsersImported, EventPurged,
}

// AuditFilter selects events; zero fields match everything. Results are newest first, ids below
// BeforeID when it is set.
type AuditFilter struct {
	UserID, ActorID, Type string
	Since, Until          time.Time
	BeforeID              int64
	Limit                 int
}

// Audit is the append-only log of security events.
type Audit interface {
	// Record appends e (its ID is assigned by the store).
	Record(ctx context.Context, e AuditEvent) error
	// List returns events matching f, newest first.
	List(ctx context.Context, f AuditFilter) ([]AuditEvent, error)
}

type clientInfoKey struct{}

// WithClientInfo returns ctx carrying where the request came from.
func WithClientInfo(ctx context.Context, ci ClientInfo) context.Context {
	return context.WithValue(ctx, clientInfoKey{}, ci)
}

// ClientInfoFrom returns where the request came from (zero outside a request).
func ClientInfoFrom(ctx context.Context) ClientInfo {
	ci, _ := ctx.Value(clientInfoKey{}).(ClientInfo)
	return ci
}

// audit records an event about userID, filling in time and client; a failure is logged, not
// returned: the action it describes has already happened.
func (s *Service) audit(ctx context.Context, typ, userID, actorID, ref string, details map[string]string) {
	if s.Audit == nil {
		return
	}
	ci := ClientInfoFrom(ctx)
	e := AuditEvent{At: s.Clock.Now(), Type: typ, UserID: userID, ActorID: actorID, IP: ci.IP,
		UserAgent: truncate(ci.UserAgent, 512), ReferenceID: ref, Details: details}
	if err := s.Audit.Record(context.WithoutCancel(ctx), e); err != nil {
		s.Logger.ErrorContext(ctx, "writing the audit log", "type", typ, "err", err)
	}
}
