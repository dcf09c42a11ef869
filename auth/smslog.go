package auth

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"
)

// The message log: every SMS handed to a provider, with where it went (country, masked number), which
// provider took it and that provider's id of it, and its delivery status as the provider's receipts
// tell it. Never the text or the code.

// Delivery statuses of a message.
const (
	SMSSent        = "sent"        // a provider took it (or is still trying)
	SMSDelivered   = "delivered"   // the handset has it
	SMSFailed      = "failed"      // no provider took it, or the provider gave up before the carrier
	SMSUndelivered = "undelivered" // the carrier could not deliver it
)

// SMSStatuses lists the statuses, for validation and the documentation.
var SMSStatuses = []string{SMSSent, SMSDelivered, SMSFailed, SMSUndelivered}

// SMSMessage is one entry of the message log.
type SMSMessage struct {
	ID                int64
	ReferenceID       string // the code request's (a notice shares its code's)
	Purpose           string // login, signup, password_reset, notice
	Provider          string // the provider that took it, or last refused it
	ProviderMessageID string // the provider's id of it ("" when it gives none)
	Country           string // ISO region of the destination
	Phone             string // masked: "+141******00"
	Status            string
	ErrorCode         string // the provider's, or phoneauth's word for a failed send ("timeout", …)
	SentAt            time.Time
	UpdatedAt         time.Time // of the last status
}

// SMSMessageFilter selects messages; zero fields match everything. Results are newest first, ids
// below BeforeID when it is set.
type SMSMessageFilter struct {
	Status, Purpose, Country string
	Since, Until             time.Time
	BeforeID                 int64
	Limit                    int
}

// Receipt is a delivery status a provider reported: the message named by the provider's id of it
// (Twilio) or by its reference id (the webhook).
type Receipt struct {
	Provider          string
	ProviderMessageID string
	ReferenceID       string
	Status            string // one of SMSStatuses
	ErrorCode         string
}

// logMessage records a message handed to the provider in the message log (nothing when there is no
// provider or no log), with ctx's transaction when it has one.
func (s *CodeService) logMessage(ctx context.Context, c smsCall) error {
	if s.d.Messages == nil || !c.configured {
		return nil
	}
	now := s.env.Clock.Now()
	m := &SMSMessage{ReferenceID: c.ref, Purpose: c.purpose, Provider: c.provider, ProviderMessageID: c.id, Country: c.to.Region,
		Phone: maskPhone(c.to.E164), Status: SMSSent, SentAt: now, UpdatedAt: now}
	if c.err != nil {
		m.Status, m.ErrorCode = SMSFailed, sendErrorCode(c.err)
	}
	return s.d.Messages.Add(ctx, m)
}

// sendErrorCode names why a send failed, for the message log: the provider's code when it gave one.
func sendErrorCode(err error) string {
	var coded interface{ ErrorCode() string }
	switch {
	case errors.As(err, &coded):
		return coded.ErrorCode()
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return "unreachable"
}

// DeliveryReceipt records a provider's delivery status of a message; found=false when the log has no
// such message (purged, or sent by another deployment). The caller has checked the provider's
// signature.
func (s *CodeService) DeliveryReceipt(ctx context.Context, r Receipt) (found bool, err error) {
	if !slices.Contains(SMSStatuses, r.Status) {
		return false, invalidField("status", "Input should be "+quoteList(SMSStatuses), "enum")
	}
	if len(r.ErrorCode) > 64 {
		r.ErrorCode = r.ErrorCode[:64]
	}
	if s.d.Messages == nil {
		return false, nil
	}
	now := s.env.Clock.Now()
	if r.ProviderMessageID != "" {
		found, err = s.d.Messages.SetStatusByProviderID(ctx, r.Provider, r.ProviderMessageID, r.Status, r.ErrorCode, now)
	} else {
		found, err = s.d.Messages.SetStatusByReference(ctx, r.ReferenceID, r.Status, r.ErrorCode, now)
	}
	if err != nil {
		return false, err
	}
	s.env.Observer.SMSReceipt(r.Provider, r.Status)
	if !found {
		s.env.Logger.InfoContext(ctx, "delivery receipt for an unknown message", "provider", r.Provider,
			"reference_id", r.ReferenceID, "provider_message_id", r.ProviderMessageID)
	}
	return found, nil
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = strconv.Quote(v)
	}
	out := ""
	for i, v := range q {
		switch {
		case i == 0:
		case i == len(q)-1:
			out += " or "
		default:
			out += ", "
		}
		out += v
	}
	return out
}
