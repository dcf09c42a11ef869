package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth/password"
	"github.com/phoneauth/phoneauth/auth/phone"
)

// Env is what every service shares: the time, where logs go, and the two places what happened is
// reported to, the audit trail and the Observer. It holds no collaborator of any one capability.
type Env struct {
	Clock    Clock        // default SystemClock
	Logger   *slog.Logger // default slog.Default()
	Audit    Audit        // nil: no audit trail
	Observer Observer     // nil: nothing observes
	// Atomic makes a request's writes one transaction (see InTx); nil runs them one by one, for
	// stores without transactions.
	Atomic Atomic
	// Events writes the outbound events (Emit, events.go); nil: none are written.
	Events *Events
}

// WithDefaults fills in what is unset: the system clock, the default logger, an observer that
// ignores everything.
func (e Env) WithDefaults() Env {
	if e.Clock == nil {
		e.Clock = SystemClock{}
	}
	if e.Logger == nil {
		e.Logger = slog.Default()
	}
	if e.Observer == nil {
		e.Observer = nopObserver{}
	}
	if e.Atomic == nil {
		e.Atomic = oneByOne{}
	}
	return e
}

// InTx runs fn in one transaction of e.Atomic: what fn writes with the ctx it is given, its audit events
// included, commits together when fn returns nil and not at all otherwise. Two things differ from
// Atomic.InTx. An error fn wraps in keep is an answer, not a failure: the transaction commits (a wrong
// code's counted guess and its audit event must stay) and InTx returns the error unwrapped. And an
// audit event that cannot be written fails the transaction (see Record). An InTx inside fn joins the
// outer one, which alone decides.
func (e Env) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, nested := ctx.Value(unitKey{}).(*unit); nested {
		return e.Atomic.InTx(ctx, fn)
	}
	var answer error
	err := e.Atomic.InTx(ctx, func(ctx context.Context) error {
		u := &unit{}
		err := fn(context.WithValue(ctx, unitKey{}, u))
		if u.auditErr != nil {
			// The first cause: on PostgreSQL whatever fn did after the failed write failed with it.
			return u.auditErr
		}
		var k *kept
		if errors.As(err, &k) {
			answer = k.err
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	return answer
}

// keep marks err as an expected answer whose transaction still commits (see Env.InTx).
func keep(err error) error {
	if err == nil {
		return nil
	}
	return &kept{err: err}
}

type kept struct{ err error }

func (k *kept) Error() string { return k.err.Error() }
func (k *kept) Unwrap() error { return k.err }

// unit is the state of one Env.InTx, in its context.
type unit struct{ auditErr error }

type unitKey struct{}

type oneByOne struct{}

func (oneByOne) InTx(ctx context.Context, fn func(ctx context.Context) error) error { return fn(ctx) }

type nopObserver struct{}

func (nopObserver) Login(string, string)                     {}
func (nopObserver) Code(string, string)                      {}
func (nopObserver) SMS(string, time.Duration, error)         {}
func (nopObserver) HashWait(time.Duration)                   {}
func (nopObserver) SMSAttempt(string, string, time.Duration) {}
func (nopObserver) SMSGuard(string, string)                  {}
func (nopObserver) SMSCap(string, float64)                   {}
func (nopObserver) SMSReceipt(string, string)                {}
func (nopObserver) EventDelivery(string, time.Duration)      {}

// Record appends an event about userID to the audit trail, filling in the time and the client from
// ctx. Inside Env.InTx the event is written in the transaction of the change it describes, and a
// failure to write it fails that transaction: the change is rolled back rather than left unaudited.
// Outside one, a failure is logged, not returned: the action it describes has already happened.
func (e Env) Record(ctx context.Context, typ string, userID, actorID uuid.UUID, ref string, details map[string]string) {
	if e.Audit == nil {
		return
	}
	ci := ClientFrom(ctx)
	ev := AuditEvent{At: e.Clock.Now(), Type: typ, UserID: userID, ActorID: actorID, IP: ci.IP,
		UserAgent: truncate(ci.UserAgent, 512), ReferenceID: ref, Details: details}
	u, inTx := ctx.Value(unitKey{}).(*unit)
	if inTx && u.auditErr != nil {
		return // the transaction has failed already
	}
	if err := e.Audit.Record(context.WithoutCancel(ctx), ev); err != nil {
		if inTx {
			u.auditErr = fmt.Errorf("writing the audit event %s: %w", typ, err)
			return
		}
		e.Logger.ErrorContext(ctx, "writing the audit log", "type", typ, "err", err)
	}
}

// parsePhone normalizes raw to E.164; the error is a *ValidationError on field.
func parsePhone(p phone.Parser, field, raw string) (phone.Number, error) {
	n, err := p.Parse(raw)
	if err != nil {
		return phone.Number{}, invalidField(field, "Value error, "+err.Error(), "value_error")
	}
	return n, nil
}

// checkNewPassword applies the policy to a new password, reporting a failure on field.
func checkNewPassword(p *password.Policy, field, pw string, context ...string) error {
	var pe *password.PolicyError
	if err := p.Check(pw, context...); errors.As(err, &pe) {
		return invalidField(field, pe.Reason, pe.Type)
	} else if err != nil {
		return err
	}
	return nil
}

// hashErr turns a saturated hashing gate into a 503 the client can retry.
func hashErr(err error) error {
	if errors.Is(err, password.ErrBusy) {
		return &Error{Kind: ErrUnavailable, Detail: "Service is busy; please retry shortly", RetryAfter: time.Second, Cause: err}
	}
	return err
}

// NewID returns a UUIDv7 (time-ordered, so index-friendly) from crypto/rand, stamped with the
// injected clock's time.
func NewID(now time.Time) uuid.UUID {
	var id uuid.UUID
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails (Go 1.24+)
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(now.UnixMilli())<<16)
	copy(id[:6], ts[:6])
	id[6] = (id[6] & 0x0f) | 0x70
	id[8] = (id[8] & 0x3f) | 0x80
	return id
}

// randomToken returns n random bytes, base64url-encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseID reads a UUID in its canonical 8-4-4-4-12 form (either case); other forms uuid.Parse takes
// (braces, a urn: prefix, no hyphens) are refused, as the API's format: uuid is.
func ParseID(s string) (uuid.UUID, bool) {
	if len(s) != 36 {
		return uuid.Nil, false
	}
	id, err := uuid.Parse(s)
	return id, err == nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary.
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// maskPhone keeps a number recognizable in logs without writing it whole.
func maskPhone(p string) string {
	if len(p) < 7 {
		return "***"
	}
	return p[:4] + strings.Repeat("*", len(p)-6) + p[len(p)-2:]
}
