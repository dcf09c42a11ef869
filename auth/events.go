package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Outbound events tell the operator's other services what happened to a user, through a
// transactional outbox: Emit writes an event in the transaction of the change it reports (the caller
// runs both in one Env.InTx), and a Dispatcher in every instance delivers it afterwards, at least once,
// in order per user, retrying until it is delivered or too old. Receivers de-duplicate by the event's
// id (docs/events.md).

// Outbound event types. They are a public contract: a type is only ever added.
const (
	TypeUserCreated     = "user.created"
	TypeUserUpdated     = "user.updated"
	TypeUserDeleted     = "user.deleted"
	TypeUserDeactivated = "user.deactivated"
	TypeUserActivated   = "user.activated"
	TypePhoneChanged    = "phone.changed"
	TypePasswordChanged = "password.changed"
	TypeSessionStarted  = "session.started"
	TypeSessionEnded    = "session.ended"
	TypeRoleChanged     = "role.changed"
	TypeMFAEnabled      = "mfa.enabled"
	TypeMFADisabled     = "mfa.disabled"
	TypePasskeyAdded    = "passkey.added"
	TypePasskeyDeleted  = "passkey.deleted"
)

// OutboundTypes lists every outbound event type.
var OutboundTypes = []string{
	TypeUserCreated, TypeUserUpdated, TypeUserDeleted, TypeUserDeactivated, TypeUserActivated,
	TypePhoneChanged, TypePasswordChanged, TypeSessionStarted, TypeSessionEnded, TypeRoleChanged,
	TypeMFAEnabled, TypeMFADisabled, TypePasskeyAdded, TypePasskeyDeleted,
}

// States of an outbound event.
const (
	EventPending   = "pending"   // to be delivered (or being delivered, or waiting for its next try)
	EventDelivered = "delivered" // a receiver answered 2xx
	EventDead      = "dead"      // it kept failing for EventConfig.MaxAge; an admin may redeliver it
)

// Defaults of EventConfig.
const (
	DefaultEventMaxAge    = 24 * time.Hour
	DefaultEventRetention = 7 * 24 * time.Hour
)

// OutboundEvent is one event of the outbox. Data is a JSON object with only what its type needs:
// never a secret, a code, a token or a hash.
type OutboundEvent struct {
	Seq           int64 // the outbox's order (and the admin list's cursor)
	ID            uuid.UUID
	Type          string
	UserID        uuid.UUID
	At            time.Time // when it happened
	Data          json.RawMessage
	State         string
	Attempts      int
	NextAttemptAt time.Time // when it is due (pending)
	RetryUntil    time.Time // when a failing event goes dead
	LastError     string    // why the last attempt failed ("" after a success)
	DeliveredAt   time.Time // zero unless delivered
}

// Body is the JSON the receiver gets.
func (e *OutboundEvent) Body() []byte {
	data := e.Data
	if len(data) == 0 {
		data = json.RawMessage("{}")
	}
	var user *uuid.UUID
	if e.UserID != uuid.Nil {
		user = &e.UserID
	}
	b, _ := json.Marshal(struct { // nothing in it can fail to marshal
		ID        uuid.UUID       `json:"id"`
		Type      string          `json:"type"`
		Timestamp time.Time       `json:"timestamp"`
		UserID    *uuid.UUID      `json:"user_id"`
		Data      json.RawMessage `json:"data"`
	}{e.ID, e.Type, e.At.UTC(), user, data})
	return b
}

// DeliveryOutcome is what Outbox.Finish records.
type DeliveryOutcome struct {
	State         string    // EventDelivered, EventPending (retry at NextAttemptAt) or EventDead
	At            time.Time // of the attempt
	NextAttemptAt time.Time
	Attempted     bool // false: the attempt was abandoned (shutdown) and does not count
	LastError     string
}

// OutboundFilter selects events; zero fields match everything.
type OutboundFilter struct {
	Type, State string
	UserID      uuid.UUID
	BeforeSeq   int64
	Limit       int
}

// EventConfig configures the events written.
type EventConfig struct {
	// Types are the types written (empty: every one of OutboundTypes).
	Types []string
	// MaxAge is how long a failing event is retried before it goes dead (0: DefaultEventMaxAge).
	MaxAge time.Duration
}

// Validate reports an unknown type or a bad age.
func (c EventConfig) Validate() error {
	for _, t := range c.Types {
		if !slices.Contains(OutboundTypes, t) {
			return fmt.Errorf("unknown event type %q (known: %s)", t, strings.Join(OutboundTypes, ", "))
		}
	}
	if c.MaxAge < 0 {
		return errors.New("the events' maximum age must not be negative")
	}
	return nil
}

// Events writes outbound events into the outbox. It is safe for concurrent use.
type Events struct {
	outbox Outbox
	clock  Clock
	types  map[string]bool
	maxAge time.Duration
}

// NewEvents returns the writer of the events cfg selects into outbox.
func NewEvents(clock Clock, cfg EventConfig, outbox Outbox) (*Events, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if outbox == nil {
		return nil, errors.New("auth: Events needs an Outbox")
	}
	if clock == nil {
		clock = SystemClock{}
	}
	e := &Events{outbox: outbox, clock: clock, types: map[string]bool{}, maxAge: cfg.MaxAge}
	if e.maxAge == 0 {
		e.maxAge = DefaultEventMaxAge
	}
	types := cfg.Types
	if len(types) == 0 {
		types = OutboundTypes
	}
	for _, t := range types {
		e.types[t] = true
	}
	return e, nil
}

// Emit writes an event of typ about userID with data (a value that marshals to a JSON object, nil
// for none) into ctx's transaction: the caller makes the change and emits in one Env.InTx, and returns
// Emit's error from it, so that the change is not committed without its event. Nothing is written
// when events are off or typ is filtered out.
func (e Env) Emit(ctx context.Context, typ string, userID uuid.UUID, data any) error {
	if e.Events == nil || !e.Events.types[typ] {
		return nil
	}
	raw := json.RawMessage("{}")
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return fmt.Errorf("encoding a %s event: %w", typ, err)
		}
		raw = b
	}
	now := e.Events.clock.Now()
	ev := &OutboundEvent{ID: NewID(now), Type: typ, UserID: userID, At: now, Data: raw, State: EventPending,
		NextAttemptAt: now, RetryUntil: now.Add(e.Events.maxAge)}
	return e.Events.outbox.Append(ctx, ev)
}

// The data of each type. Only what the type needs: the profile a receiver keeps goes with
// user.created and phone.changed; user.updated names the fields that changed (a receiver that keeps
// them reads the user through the admin API); user.deleted carries no personal data at all.

type createdData struct {
	Phone string   `json:"phone"`
	Name  string   `json:"name"`
	Email *string  `json:"email"`
	Roles []string `json:"roles"`
	Via   string   `json:"via"` // signup, admin, cli, import
	Actor *string  `json:"actor_id,omitempty"`
}

func userCreated(u *User, via string, actor uuid.UUID) createdData {
	return createdData{Phone: u.Phone, Name: u.Name, Email: u.Email, Roles: u.AllRoles(), Via: via, Actor: actorRef(actor)}
}

// actorRef is the admin who acted (nil: the user).
func actorRef(actor uuid.UUID) *string {
	if actor == uuid.Nil {
		return nil
	}
	s := actor.String()
	return &s
}

type actorData struct {
	Actor *string `json:"actor_id,omitempty"`
}

type updatedData struct {
	Fields []string `json:"fields"`
	Actor  *string  `json:"actor_id,omitempty"`
}

type deletedData struct {
	By string `json:"by"` // user, admin
}

type phoneData struct {
	Phone         string  `json:"phone"`
	By            string  `json:"by"` // code, admin
	SessionsEnded int     `json:"sessions_ended"`
	Actor         *string `json:"actor_id,omitempty"`
}

type passwordData struct {
	By    string  `json:"by"` // user (change), code (reset), admin (reset)
	Actor *string `json:"actor_id,omitempty"`
}

type sessionStartedData struct {
	SessionID uuid.UUID `json:"session_id"`
	AMR       []string  `json:"amr"`
	AAL       int       `json:"aal"`
}

type sessionEndedData struct {
	Reason    string     `json:"reason"`
	SessionID *uuid.UUID `json:"session_id,omitempty"` // one session
	Scope     string     `json:"scope,omitempty"`      // several: others, all
	Count     *int       `json:"count,omitempty"`
	Actor     *string    `json:"actor_id,omitempty"`
}

type factorData struct {
	Factor string  `json:"factor"` // totp
	Actor  *string `json:"actor_id,omitempty"`
}

type passkeyData struct {
	PasskeyID      uuid.UUID `json:"passkey_id"`
	BackupEligible *bool     `json:"backup_eligible,omitempty"` // passkey.added
	Actor          *string   `json:"actor_id,omitempty"`
}

type roleData struct {
	Role    string   `json:"role"`
	Granted bool     `json:"granted"`
	Roles   []string `json:"roles"`
	Actor   *string  `json:"actor_id,omitempty"`
}

// Admin: the outbox.

var errEventNotFound = newError(ErrNotFound, "Event not found")

// Events lists outbound events, newest first; nextCursor is "" on the last page.
func (s *AdminService) Events(ctx context.Context, f OutboundFilter, cursor string) ([]OutboundEvent, string, error) {
	if _, err := admin(ctx); err != nil {
		return nil, "", err
	}
	if s.d.Outbox == nil {
		return nil, "", &Error{Kind: ErrUnavailable, Detail: "The event outbox is not configured"}
	}
	return idPage(cursor, f.Limit, func(e OutboundEvent) int64 { return e.Seq }, func(before int64, limit int) ([]OutboundEvent, error) {
		f.BeforeSeq, f.Limit = before, limit
		return s.d.Outbox.List(ctx, f)
	})
}

// Redeliver makes an event pending again, due now: a dead one is retried for another
// EventConfig.MaxAge, a delivered one is sent again (a receiver lost it), a pending one is tried now.
func (s *AdminService) Redeliver(ctx context.Context, id uuid.UUID) (*OutboundEvent, error) {
	p, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	if s.d.Outbox == nil {
		return nil, &Error{Kind: ErrUnavailable, Detail: "The event outbox is not configured"}
	}
	maxAge := DefaultEventMaxAge
	if s.env.Events != nil {
		maxAge = s.env.Events.maxAge
	}
	now := s.env.Clock.Now()
	ev, err := s.d.Outbox.Redeliver(ctx, id, now, now.Add(maxAge))
	if errors.Is(err, ErrNotFound) {
		return nil, errEventNotFound
	} else if err != nil {
		return nil, err
	}
	s.env.Logger.InfoContext(ctx, "event redelivery requested", "event_id", id, "type", ev.Type, "admin_id", p.User.ID)
	return ev, nil
}
