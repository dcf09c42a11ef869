package server

import (
	"context"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/gen"
)

// Second factors (auth.MFAService): TOTP enrolment, recovery codes, and the second step of a login.

// mfaRequired is the answer of a first factor that needs a second.
func mfaRequired(p *auth.MFAPending) gen.MFARequired {
	expires := int(p.ExpiresIn.Seconds())
	out := gen.MFARequired{MfaRequired: gen.True, MfaToken: p.Token, ExpiresIn: &expires}
	for _, f := range p.Factors {
		out.Factors = append(out.Factors, gen.MFARequiredFactors(f))
	}
	return out
}

// loginResult is a password or passkey login's answer: the tokens, or the second factor to give.
func loginResult(l *auth.Login) (gen.LoginResult, error) {
	var r gen.LoginResult
	if l.MFA != nil {
		return r, r.FromMFARequired(mfaRequired(l.MFA))
	}
	return r, r.FromToken(tokenResponse(l))
}

func (h *handler) GetMfaStatus(ctx context.Context, _ gen.GetMfaStatusRequestObject) (gen.GetMfaStatusResponseObject, error) {
	st, err := h.MFA.Status(ctx)
	if err != nil {
		return nil, err
	}
	return gen.GetMfaStatus200JSONResponse{Totp: st.TOTP, TotpPending: st.TOTPPending, RecoveryCodesLeft: st.RecoveryCodesLeft,
		TotpEnabledAt: st.EnabledAt}, nil
}

func (h *handler) EnrollTotp(ctx context.Context, req gen.EnrollTotpRequestObject) (gen.EnrollTotpResponseObject, error) {
	var pr auth.Proof
	if b := req.Body; b != nil {
		pr = proof(b.Password, b.OtpCode)
	}
	e, err := h.MFA.EnrollTOTP(ctx, pr)
	if err != nil {
		return nil, err
	}
	return gen.EnrollTotp200JSONResponse{Secret: e.Secret, OtpauthUri: e.URI, QrCode: e.QRCode}, nil
}

func (h *handler) ActivateTotp(ctx context.Context, req gen.ActivateTotpRequestObject) (gen.ActivateTotpResponseObject, error) {
	codes, err := h.MFA.ActivateTOTP(ctx, req.Body.Code)
	if err != nil {
		return nil, err
	}
	return gen.ActivateTotp200JSONResponse{RecoveryCodes: codes}, nil
}

func (h *handler) DisableTotp(ctx context.Context, req gen.DisableTotpRequestObject) (gen.DisableTotpResponseObject, error) {
	var pr auth.Proof
	if b := req.Body; b != nil {
		pr = proof(b.Password, b.OtpCode)
	}
	if err := h.MFA.DisableTOTP(ctx, pr); err != nil {
		return nil, err
	}
	return gen.DisableTotp200JSONResponse{Message: "Two-factor authentication is off"}, nil
}

func (h *handler) RegenerateRecoveryCodes(ctx context.Context, req gen.RegenerateRecoveryCodesRequestObject) (gen.RegenerateRecoveryCodesResponseObject, error) {
	var pr auth.Proof
	if b := req.Body; b != nil {
		pr = proof(b.Password, b.OtpCode)
	}
	codes, err := h.MFA.RegenerateRecoveryCodes(ctx, pr)
	if err != nil {
		return nil, err
	}
	return gen.RegenerateRecoveryCodes200JSONResponse{RecoveryCodes: codes}, nil
}

func (h *handler) VerifyMfa(ctx context.Context, req gen.VerifyMfaRequestObject) (gen.VerifyMfaResponseObject, error) {
	b := req.Body
	l, err := h.MFA.Verify(ctx, b.MfaToken, deref(b.Code), deref(b.RecoveryCode))
	if err != nil {
		return nil, err
	}
	return gen.VerifyMfa200JSONResponse(tokenResponse(l)), nil
}

func (h *handler) AdminDisableUserTotp(ctx context.Context, req gen.AdminDisableUserTotpRequestObject) (gen.AdminDisableUserTotpResponseObject, error) {
	if err := h.MFA.AdminDisableTOTP(ctx, req.UserId); err != nil {
		return nil, err
	}
	return gen.AdminDisableUserTotp204Response{}, nil
}
