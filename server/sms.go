package server

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/gen"
	"github.com/phoneauth/phoneauth/sms"
)

// The SMS providers' delivery receipts, and the admin API of the SMS defences.

// SMSCallbacks are the secrets the providers sign their delivery receipts with. A provider whose
// secret is "" has no receipts here (404).
type SMSCallbacks struct {
	TwilioAuthToken string // PHONEAUTH_TWILIO_AUTH_TOKEN: X-Twilio-Signature
	WebhookSecret   string // PHONEAUTH_SMS_WEBHOOK_SECRET: Standard Webhooks signatures
}

const (
	twilioStatusPath  = "/api/v1/sms/status/twilio"
	webhookStatusPath = "/api/v1/sms/status/webhook"
)

var (
	errBadSignature     = &auth.Error{Kind: auth.ErrInvalidToken, Detail: "Invalid signature"}
	errNoReceiptsHere   = &auth.Error{Kind: auth.ErrNotFound, Detail: "This provider's receipts are not configured"}
	signatureTolerance  = 5 * time.Minute // Standard Webhooks' window for webhook-timestamp
	maxSignedBodyLength = int64(64 << 10)
)

// checkSignatures refuses a delivery receipt whose signature does not verify, before the request is
// validated or anything read from it is used: 401, and nothing changes. publicURL is the URL Twilio
// was told to call (Config.PublicURL), which its signature covers.
func checkSignatures(cb SMSCallbacks, publicURL string, now func() time.Time) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			path := req.URL.Path
			if req.Method != http.MethodPost || (path != twilioStatusPath && path != webhookStatusPath) {
				return next(c)
			}
			body, err := io.ReadAll(io.LimitReader(req.Body, maxSignedBodyLength+1))
			_ = req.Body.Close()
			if err != nil {
				return err // over the body limit: 413
			}
			if int64(len(body)) > maxSignedBodyLength {
				return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
			}
			req.Body = io.NopCloser(bytes.NewReader(body))
			switch path {
			case twilioStatusPath:
				if cb.TwilioAuthToken == "" {
					return errNoReceiptsHere
				}
				form, err := url.ParseQuery(string(body))
				full := publicURL + path
				if req.URL.RawQuery != "" {
					full += "?" + req.URL.RawQuery
				}
				if err != nil || !sms.VerifyTwilioSignature(cb.TwilioAuthToken, full, form, req.Header.Get("X-Twilio-Signature")) {
					return errBadSignature
				}
			case webhookStatusPath:
				if cb.WebhookSecret == "" {
					return errNoReceiptsHere
				}
				if err := sms.VerifyWebhook(cb.WebhookSecret, req.Header, body, now(), signatureTolerance); err != nil {
					return errBadSignature
				}
			}
			return next(c)
		}
	}
}

func (h *handler) TwilioStatusCallback(ctx context.Context, req gen.TwilioStatusCallbackRequestObject) (gen.TwilioStatusCallbackResponseObject, error) {
	status := sms.TwilioStatus(req.Body.MessageStatus)
	if status == "" {
		return gen.TwilioStatusCallback204Response{}, nil // queued, sending, …: nothing new
	}
	r := auth.Receipt{Provider: "twilio", ProviderMessageID: req.Body.MessageSid, Status: status, ErrorCode: deref(req.Body.ErrorCode)}
	if _, err := h.Codes.DeliveryReceipt(ctx, r); err != nil {
		return nil, err
	}
	return gen.TwilioStatusCallback204Response{}, nil
}

func (h *handler) WebhookStatusCallback(ctx context.Context, req gen.WebhookStatusCallbackRequestObject) (gen.WebhookStatusCallbackResponseObject, error) {
	r := auth.Receipt{Provider: "webhook", ReferenceID: req.Body.ReferenceId, Status: string(req.Body.Status), ErrorCode: deref(req.Body.ErrorCode)}
	if _, err := h.Codes.DeliveryReceipt(ctx, r); err != nil {
		return nil, err
	}
	return gen.WebhookStatusCallback204Response{}, nil
}

func (h *handler) AdminGetSmsGuard(ctx context.Context, _ gen.AdminGetSmsGuardRequestObject) (gen.AdminGetSmsGuardResponseObject, error) {
	st, err := h.Admin.SMSGuard(ctx)
	if err != nil {
		return nil, err
	}
	out := gen.AdminGetSmsGuard200JSONResponse{WindowSeconds: int(st.Config.Window.Seconds()), MinSends: st.Config.MinSends,
		MinRate: float32(st.Config.MinRate), BlockSeconds: int(st.Config.Block.Seconds()), Exempt: st.Config.Exempt,
		Prefixes: make([]gen.SMSGuardPrefix, 0, len(st.Prefixes))}
	if out.Exempt == nil {
		out.Exempt = []string{}
	}
	for _, p := range st.Prefixes {
		c := auth.PrefixCount{Sends: p.Sends, Verified: p.Verified}
		gp := gen.SMSGuardPrefix{Prefix: p.Prefix, Country: p.Country, Sends: p.Sends, Verified: p.Verified,
			VerificationRate: float32(c.Rate()), State: gen.SMSGuardPrefixState(p.State)}
		if p.State == auth.GuardBlocked {
			at, until := p.BlockedAt.UTC(), p.BlockedUntil.UTC()
			gp.BlockedAt, gp.BlockedUntil = &at, &until
		}
		out.Prefixes = append(out.Prefixes, gp)
	}
	return out, nil
}

func (h *handler) AdminClearSmsGuard(ctx context.Context, req gen.AdminClearSmsGuardRequestObject) (gen.AdminClearSmsGuardResponseObject, error) {
	if err := h.Admin.ClearSMSGuard(ctx, req.Prefix); err != nil {
		return nil, err
	}
	return gen.AdminClearSmsGuard204Response{}, nil
}

func (h *handler) AdminListSmsMessages(ctx context.Context, req gen.AdminListSmsMessagesRequestObject) (gen.AdminListSmsMessagesResponseObject, error) {
	p := req.Params
	f := auth.SMSMessageFilter{Status: string(deref(p.Status)), Purpose: string(deref(p.Purpose)), Country: deref(p.Country),
		Since: deref(p.Since), Until: deref(p.Until), Limit: deref(p.Limit)}
	msgs, next, err := h.Admin.SMSMessages(ctx, f, deref(p.Cursor))
	if err != nil {
		return nil, err
	}
	out := gen.AdminListSmsMessages200JSONResponse{Messages: make([]gen.SMSMessage, 0, len(msgs))}
	for _, m := range msgs {
		out.Messages = append(out.Messages, gen.SMSMessage{Id: m.ID, ReferenceId: m.ReferenceID, Purpose: m.Purpose, Provider: m.Provider,
			ProviderMessageId: m.ProviderMessageID, Country: m.Country, Phone: m.Phone, Status: gen.SMSStatus(m.Status),
			ErrorCode: m.ErrorCode, SentAt: m.SentAt.UTC(), UpdatedAt: m.UpdatedAt.UTC()})
	}
	if next != "" {
		out.NextCursor = &next
	}
	return out, nil
}
