package auth

import (
	"context"

	"github.com/google/uuid"
)

// The admin side of the SMS defences: the guard's prefixes and the message log.

var errGuardOff = &Error{Kind: ErrNotFound, Detail: "The SMS guard is not enabled"}

// SMSGuardState is what the admin API shows of the guard.
type SMSGuardState struct {
	Config   SMSGuardConfig
	Prefixes []GuardPrefix
}

// SMSGuard lists the blocked prefixes and those with sends in the window (up to 200), most first.
func (s *AdminService) SMSGuard(ctx context.Context) (*SMSGuardState, error) {
	if _, err := admin(ctx); err != nil {
		return nil, err
	}
	if s.d.Guard == nil {
		return nil, errGuardOff
	}
	prefixes, err := s.d.Guard.list(ctx, 200)
	if err != nil {
		return nil, err
	}
	cfg := s.d.Guard.Config()
	cfg.Exempt = s.d.Guard.exemptList()
	return &SMSGuardState{Config: cfg, Prefixes: prefixes}, nil
}

// ClearSMSGuard lifts the block of a prefix ("+996700" or "996700") and forgets its counts, so that
// it starts over. ErrNotFound when it is not blocked.
func (s *AdminService) ClearSMSGuard(ctx context.Context, prefix string) error {
	p, err := admin(ctx)
	if err != nil {
		return err
	}
	if s.d.Guard == nil {
		return errGuardOff
	}
	prefix = NormalizePrefix(prefix)
	if !ValidPrefix(prefix) {
		return invalidField("prefix", "Value error, a prefix is + and 2 to 8 digits, e.g. +996700", "value_error")
	}
	b, ok, err := s.d.Guard.clear(ctx, prefix)
	if err != nil {
		return err
	}
	if !ok {
		return newError(ErrNotFound, "Prefix is not blocked")
	}
	s.env.Record(ctx, EventSMSGuardCleared, uuid.Nil, p.User.ID, "", map[string]string{"prefix": prefix, "country": b.Region})
	s.env.Observer.SMSGuard(b.Region, "cleared")
	return nil
}

// SMSMessages lists the message log, newest first; nextCursor is "" on the last page.
func (s *AdminService) SMSMessages(ctx context.Context, f SMSMessageFilter, cursor string) ([]SMSMessage, string, error) {
	if _, err := admin(ctx); err != nil {
		return nil, "", err
	}
	if s.d.Messages == nil {
		return nil, "", &Error{Kind: ErrUnavailable, Detail: "The message log is not configured"}
	}
	return idPage(cursor, f.Limit, func(m SMSMessage) int64 { return m.ID }, func(before int64, limit int) ([]SMSMessage, error) {
		f.BeforeID, f.Limit = before, limit
		return s.d.Messages.List(ctx, f)
	})
}
