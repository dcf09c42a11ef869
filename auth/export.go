package auth

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
)

// Bounds of one export: sessions are purged after their retention, events (when no audit retention is
// set) may not be, so the newest are given and the export says when there were more.
const (
	maxExportSessions = 10_000
	maxExportEvents   = 50_000
	exportEventsPage  = 1_000
)

// Export is everything phoneauth holds about one user (GDPR access and portability): never a password
// hash, token or code. A feature that stores more about a user (passkeys, second factors: their names
// and dates, never their secrets) adds it here.
type Export struct {
	At              time.Time
	User            *User
	Sessions        []*Session   // every session still stored, ended or not, newest first
	Events          []AuditEvent // the audit events about the user, newest first
	EventsTruncated bool         // there were more than maxExportEvents
	Passkeys        []*Passkey   // oldest first; the wire shows neither key nor credential id
	TOTP            *TOTPFactor  // nil: none; the wire never shows its secret
}

// Export returns the caller's data after checking the caller's proof, and audits it.
func (s *LifecycleService) Export(ctx context.Context, pr Proof) (*Export, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	proof, err := s.reauthenticate(ctx, p, pr, "export")
	if err != nil {
		return nil, err
	}
	x, err := s.collect(ctx, p.User.ID)
	if err != nil {
		proof.release(ctx)
		return nil, err
	}
	if err := proof.commit(ctx); err != nil {
		return nil, err
	}
	s.env.Record(ctx, EventDataExported, p.User.ID, uuid.Nil, "", map[string]string{"proof": proof.method})
	return x, nil
}

func (s *LifecycleService) collect(ctx context.Context, id uuid.UUID) (*Export, error) {
	u, err := s.d.Users.ByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, errCallerGone
	} else if err != nil {
		return nil, err
	}
	x := &Export{At: s.env.Clock.Now(), User: u}
	if x.Sessions, err = s.d.Sessions.History(ctx, id, maxExportSessions); err != nil {
		return nil, err
	}
	if s.d.Passkeys != nil {
		if x.Passkeys, err = s.d.Passkeys.List(ctx, id); err != nil {
			return nil, err
		}
	}
	if s.d.Factors != nil {
		if x.TOTP, err = s.d.Factors.TOTP(ctx, id); errors.Is(err, ErrNotFound) {
			x.TOTP = nil
		} else if err != nil {
			return nil, err
		}
	}
	if s.env.Audit == nil {
		return x, nil
	}
	f := AuditFilter{UserID: id, Limit: exportEventsPage}
	for len(x.Events) <= maxExportEvents {
		page, err := s.env.Audit.List(ctx, f)
		if err != nil {
			return nil, err
		}
		x.Events = append(x.Events, page...)
		if len(page) < exportEventsPage {
			break
		}
		f.BeforeID = page[len(page)-1].ID
	}
	if len(x.Events) > maxExportEvents {
		x.Events, x.EventsTruncated = x.Events[:maxExportEvents], true
	}
	return x, nil
}
