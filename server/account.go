package server

import (
	"context"
	"time"

	"github.com/oapi-codegen/nullable"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/gen"
)

// The caller's own account: profile, re-authentication, phone change, export and deletion
// (auth.LifecycleService).

// phoneChangeFields renames auth's field vocabulary to the phone-change endpoints' names.
var phoneChangeFields = fieldNames{"phone": "new_phone_number"}

// edit is a PATCH field as auth takes it: absent leaves it, null clears it.
func edit[T any](n nullable.Nullable[T]) auth.Edit[T] {
	switch {
	case !n.IsSpecified():
		return auth.Edit[T]{}
	case n.IsNull():
		return auth.Clear[T]()
	}
	return auth.To(n.MustGet())
}

// profileChange maps the fields of a profile PATCH.
func profileChange(f gen.ProfileFields) auth.ProfileChange {
	c := auth.ProfileChange{Name: f.Name, Email: edit(f.Email), Gender: edit(f.Gender), Place: edit(f.Place)}
	if d := edit(f.DateOfBirth); d.Value != nil {
		c.DateOfBirth = auth.To(d.Value.Time)
	} else {
		c.DateOfBirth = auth.Edit[time.Time]{Set: d.Set}
	}
	return c
}

// proof is the re-authentication a body carries (none without a body).
func proof(password, code *string) auth.Proof {
	return auth.Proof{Password: deref(password), Code: deref(code)}
}

func (h *handler) UpdateUsersMe(ctx context.Context, req gen.UpdateUsersMeRequestObject) (gen.UpdateUsersMeResponseObject, error) {
	c := profileChange(req.Body.ProfileFields)
	c.Consent = req.Body.HasGivenConsent
	u, err := h.Lifecycle.UpdateProfile(ctx, c)
	if err != nil {
		return nil, err
	}
	return gen.UpdateUsersMe200JSONResponse(meResponse(ctx, u)), nil
}

func (h *handler) SendReauthenticationCode(ctx context.Context, _ gen.SendReauthenticationCodeRequestObject) (gen.SendReauthenticationCodeResponseObject, error) {
	ref, err := h.Lifecycle.SendReauthCode(ctx)
	if err != nil {
		return nil, err
	}
	return gen.SendReauthenticationCode200JSONResponse{OTPSentJSONResponse: gen.OTPSentJSONResponse{
		Status: "success", Message: "A code has been sent by SMS to your phone number", ReferenceId: ref}}, nil
}

func (h *handler) StartPhoneChange(ctx context.Context, req gen.StartPhoneChangeRequestObject) (gen.StartPhoneChangeResponseObject, error) {
	b := req.Body
	ref, err := h.Lifecycle.StartPhoneChange(ctx, b.NewPhoneNumber, proof(b.Password, b.OtpCode))
	if err != nil {
		return nil, phoneChangeFields.wireError(err)
	}
	return gen.StartPhoneChange200JSONResponse{OTPSentJSONResponse: gen.OTPSentJSONResponse{
		Status: "success", Message: codeSentMessage, ReferenceId: ref}}, nil
}

func (h *handler) VerifyPhoneChange(ctx context.Context, req gen.VerifyPhoneChangeRequestObject) (gen.VerifyPhoneChangeResponseObject, error) {
	u, err := h.Lifecycle.ConfirmPhoneChange(ctx, req.Body.NewPhoneNumber, req.Body.OtpCode)
	if err != nil {
		return nil, phoneChangeFields.wireError(err)
	}
	return gen.VerifyPhoneChange200JSONResponse(userResponse(u)), nil
}

func (h *handler) DeleteAccount(ctx context.Context, req gen.DeleteAccountRequestObject) (gen.DeleteAccountResponseObject, error) {
	var pr auth.Proof
	if b := req.Body; b != nil {
		pr = proof(b.Password, b.OtpCode)
	}
	if err := h.Lifecycle.DeleteAccount(ctx, pr); err != nil {
		return nil, err
	}
	return gen.DeleteAccount200JSONResponse{Message: "Account deleted"}, nil
}

func (h *handler) ExportMyData(ctx context.Context, req gen.ExportMyDataRequestObject) (gen.ExportMyDataResponseObject, error) {
	var pr auth.Proof
	if b := req.Body; b != nil {
		pr = proof(b.Password, b.OtpCode)
	}
	x, err := h.Lifecycle.Export(ctx, pr)
	if err != nil {
		return nil, err
	}
	out := gen.AccountExport{ExportedAt: x.At.UTC(), User: userResponse(x.User), AuditEventsTruncated: x.EventsTruncated,
		Sessions: make([]gen.ExportedSession, 0, len(x.Sessions)), AuditEvents: make([]gen.AuditEvent, 0, len(x.Events))}
	for _, s := range x.Sessions {
		es := gen.ExportedSession{Id: s.ID, CreatedAt: s.CreatedAt, LastUsedAt: s.LastUsedAt, ExpiresAt: s.ExpiresAt,
			EndedAt: s.EndedAt, Ip: s.IP, UserAgent: s.UserAgent, Amr: gen.ExportedSessionAmr(s.Methods()[0]), AmrValues: s.Methods(),
			Aal: gen.AAL(s.Level())}
		if s.EndReason != "" {
			es.EndReason = &s.EndReason
		}
		out.Sessions = append(out.Sessions, es)
	}
	for _, e := range x.Events {
		out.AuditEvents = append(out.AuditEvents, auditEvent(e))
	}
	out.Passkeys = passkeyList(x.Passkeys).Passkeys
	if f := x.TOTP; f != nil {
		out.Totp = &struct {
			CreatedAt time.Time  `json:"created_at"`
			Enabled   bool       `json:"enabled"`
			EnabledAt *time.Time `json:"enabled_at"`
		}{CreatedAt: f.CreatedAt, Enabled: f.Active, EnabledAt: f.ActivatedAt}
	}
	return gen.ExportMyData200JSONResponse{Body: out, Headers: gen.ExportMyData200ResponseHeaders{
		ContentDisposition: `attachment; filename="phoneauth-export-` + x.At.UTC().Format(time.DateOnly) + `.json"`}}, nil
}

// dateOf is an optional date of a request body.
func dateOf(d *openapi_types.Date) *time.Time {
	if d == nil {
		return nil
	}
	return &d.Time
}
