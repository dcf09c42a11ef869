package server

import (
	"context"
	"net/http"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/gen"
)

// handler implements the generated strict-server interface on top of the auth services. It maps gen
// types to calls and back; the request's caller and client travel in the context, not through here.
type handler struct {
	Services
	metrics *Metrics                        // nil: no metrics
	ready   func(ctx context.Context) error // nil: always ready
	// publicURL is Config.PublicURL without a trailing slash.
	publicURL string
}

var _ gen.StrictServerInterface = (*handler)(nil)

const bearer = "bearer"

func (h *handler) LoginForAccessToken(ctx context.Context, req gen.LoginForAccessTokenRequestObject) (gen.LoginForAccessTokenResponseObject, error) {
	l, err := h.Logins.PasswordLogin(ctx, req.Body.Phone, req.Body.Password)
	if err != nil {
		return nil, err
	}
	r, err := loginResult(l)
	return gen.LoginForAccessToken200JSONResponse(r), err
}

// tokenResponse is the answer of password login and refresh.
func tokenResponse(l *auth.Login) gen.Token {
	expires := int(l.ExpiresIn.Seconds())
	return gen.Token{AccessToken: l.AccessToken, TokenType: bearer, ExpiresIn: &expires, RefreshToken: &l.RefreshToken}
}

func (h *handler) ReadUsersMe(ctx context.Context, _ gen.ReadUsersMeRequestObject) (gen.ReadUsersMeResponseObject, error) {
	p := auth.PrincipalFrom(ctx) // the validator authenticated the request, or it would not be here
	return gen.ReadUsersMe200JSONResponse(meResponse(ctx, p.User)), nil
}

// meResponse is u, the caller, with the assurance of the caller's session.
func meResponse(ctx context.Context, u *auth.User) gen.MeResponse {
	s := auth.PrincipalFrom(ctx).Session
	return gen.MeResponse{UserResponse: userResponse(u), Aal: gen.AAL(s.Level()), AmrValues: s.Methods()}
}

func (h *handler) ChangePassword(ctx context.Context, req gen.ChangePasswordRequestObject) (gen.ChangePasswordResponseObject, error) {
	if err := h.Accounts.ChangePassword(ctx, req.Body.CurrentPassword, req.Body.NewPassword); err != nil {
		return nil, err
	}
	return gen.ChangePassword200JSONResponse{Message: "Password changed successfully"}, nil
}

func (h *handler) ResetPassword(ctx context.Context, req gen.ResetPasswordRequestObject) (gen.ResetPasswordResponseObject, error) {
	if err := h.Admin.ResetPassword(ctx, req.Body.Phone, req.Body.NewPassword); err != nil {
		return nil, err
	}
	return gen.ResetPassword200JSONResponse{Message: "Password reset successfully"}, nil
}

// jwksResponse writes the key set as the service serialized it.
type jwksResponse []byte

func (r jwksResponse) VisitGetJwksResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(r)
	return err
}

func (h *handler) GetJwks(context.Context, gen.GetJwksRequestObject) (gen.GetJwksResponseObject, error) {
	b, err := h.Keys.JWKS()
	if err != nil {
		return nil, err
	}
	return jwksResponse(b), nil
}

// otpFields renames auth's field vocabulary to the OTP endpoints' names.
var otpFields = fieldNames{"phone": "phone_number"}

const codeSentMessage = "If this number can receive it, a code has been sent by SMS"

func (h *handler) sendCode(ctx context.Context, purpose string, body *gen.OTPSendRequest, resend bool) (gen.OTPSentJSONResponse, error) {
	ref, err := h.Codes.Send(auth.WithCaptchaToken(ctx, deref(body.CaptchaToken)), purpose, body.PhoneNumber, resend)
	if err != nil {
		return gen.OTPSentJSONResponse{}, otpFields.wireError(err)
	}
	return gen.OTPSentJSONResponse{Status: "success", Message: codeSentMessage, ReferenceId: ref}, nil
}

func otpToken(l *auth.Login) gen.OTPTokenJSONResponse {
	expires := int(l.ExpiresIn.Seconds())
	return gen.OTPTokenJSONResponse{AccessToken: l.AccessToken, TokenType: bearer, UserId: l.User.ID.String(),
		PhoneNumber: l.User.Phone, Roles: l.User.AllRoles(), ExpiresIn: &expires, RefreshToken: &l.RefreshToken}
}

func (h *handler) SendLoginOtp(ctx context.Context, req gen.SendLoginOtpRequestObject) (gen.SendLoginOtpResponseObject, error) {
	r, err := h.sendCode(ctx, auth.PurposeLogin, req.Body, false)
	if err != nil {
		return nil, err
	}
	return gen.SendLoginOtp200JSONResponse{OTPSentJSONResponse: r}, nil
}

func (h *handler) ResendLoginOtp(ctx context.Context, req gen.ResendLoginOtpRequestObject) (gen.ResendLoginOtpResponseObject, error) {
	r, err := h.sendCode(ctx, auth.PurposeLogin, req.Body, true)
	if err != nil {
		return nil, err
	}
	return gen.ResendLoginOtp200JSONResponse{OTPSentJSONResponse: r}, nil
}

func (h *handler) VerifyLoginOtp(ctx context.Context, req gen.VerifyLoginOtpRequestObject) (gen.VerifyLoginOtpResponseObject, error) {
	l, err := h.Logins.CodeLogin(ctx, req.Body.PhoneNumber, req.Body.OtpCode)
	if err != nil {
		return nil, otpFields.wireError(err)
	}
	var r gen.OTPLoginResult
	if l.MFA != nil {
		err = r.FromMFARequired(mfaRequired(l.MFA))
	} else {
		err = r.FromOTPTokenResponse(gen.OTPTokenResponse(otpToken(l)))
	}
	return gen.VerifyLoginOtp200JSONResponse(r), err
}

func (h *handler) SendSignupOtp(ctx context.Context, req gen.SendSignupOtpRequestObject) (gen.SendSignupOtpResponseObject, error) {
	r, err := h.sendCode(ctx, auth.PurposeSignup, req.Body, false)
	if err != nil {
		return nil, err
	}
	return gen.SendSignupOtp200JSONResponse{OTPSentJSONResponse: r}, nil
}

func (h *handler) ResendSignupOtp(ctx context.Context, req gen.ResendSignupOtpRequestObject) (gen.ResendSignupOtpResponseObject, error) {
	r, err := h.sendCode(ctx, auth.PurposeSignup, req.Body, true)
	if err != nil {
		return nil, err
	}
	return gen.ResendSignupOtp200JSONResponse{OTPSentJSONResponse: r}, nil
}

func (h *handler) VerifySignupOtp(ctx context.Context, req gen.VerifySignupOtpRequestObject) (gen.VerifySignupOtpResponseObject, error) {
	b := req.Body
	in := auth.Signup{Phone: b.PhoneNumber, Code: b.OtpCode, Name: b.Name, Password: b.Password}
	if b.Email != nil {
		e := string(*b.Email)
		in.Email = &e
	}
	if b.HasGivenConsent != nil {
		in.HasGivenConsent = *b.HasGivenConsent
	}
	l, err := h.Accounts.SignupWithCode(ctx, in)
	if err != nil {
		return nil, otpFields.wireError(err)
	}
	return gen.VerifySignupOtp200JSONResponse{OTPTokenJSONResponse: otpToken(l)}, nil
}

func (h *handler) InitiatePasswordReset(ctx context.Context, req gen.InitiatePasswordResetRequestObject) (gen.InitiatePasswordResetResponseObject, error) {
	r, err := h.sendCode(ctx, auth.PurposeReset, req.Body, false)
	if err != nil {
		return nil, err
	}
	return gen.InitiatePasswordReset200JSONResponse{OTPSentJSONResponse: r}, nil
}

func (h *handler) ConfirmPasswordReset(ctx context.Context, req gen.ConfirmPasswordResetRequestObject) (gen.ConfirmPasswordResetResponseObject, error) {
	b := req.Body
	ref, err := h.Accounts.ResetWithCode(ctx, b.PhoneNumber, b.OtpCode, b.NewPassword, b.ConfirmPassword)
	if err != nil {
		return nil, otpFields.wireError(err)
	}
	return gen.ConfirmPasswordReset200JSONResponse{OTPSentJSONResponse: gen.OTPSentJSONResponse{
		Status: "success", Message: "Password has been reset; log in with the new password", ReferenceId: ref}}, nil
}

// userResponse maps a user to the documented shape; store rows never reach the wire.
func userResponse(u *auth.User) gen.UserResponse {
	r := gen.UserResponse{
		Phone: u.Phone, Name: u.Name, Gender: u.Gender, Place: u.Place, Id: u.ID,
		IsActive: u.IsActive, HasGivenConsent: u.HasGivenConsent, ConsentGivenAt: u.ConsentGivenAt,
		LastLoginAt: u.LastLoginAt, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, Roles: u.AllRoles(),
	}
	if u.Email != nil {
		e := openapi_types.Email(*u.Email)
		r.Email = &e
	}
	if u.DateOfBirth != nil {
		r.DateOfBirth = &openapi_types.Date{Time: *u.DateOfBirth}
	}
	return r
}
