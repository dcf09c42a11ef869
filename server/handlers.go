package server

import (
	"context"
	"fmt"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/gen"
)

// handler implements the generated strict-server interface on top of auth.Service.
type handler struct {
	svc *auth.Service
}

var _ gen.StrictServerInterface = (*handler)(nil)

const bearer = "bearer"

func (h *handler) LoginForAccessToken(ctx context.Context, req gen.LoginForAccessTokenRequestObject) (gen.LoginForAccessTokenResponseObject, error) {
	l, err := h.svc.PasswordLogin(ctx, req.Body.Phone, req.Body.Password, clientInfo(ctx))
	if err != nil {
		return nil, err
	}
	expires := int(l.ExpiresIn.Seconds())
	return gen.LoginForAccessToken200JSONResponse{AccessToken: l.AccessToken, TokenType: bearer, ExpiresIn: &expires}, nil
}

func (h *handler) ReadUsersMe(ctx context.Context, _ gen.ReadUsersMeRequestObject) (gen.ReadUsersMeResponseObject, error) {
	p := auth.PrincipalFrom(ctx)
	if p == nil {
		return nil, auth.ErrUnauthenticated
	}
	r, err := userResponse(p.User)
	if err != nil {
		return nil, err
	}
	return gen.ReadUsersMe200JSONResponse(r), nil
}

func (h *handler) ChangePassword(ctx context.Context, req gen.ChangePasswordRequestObject) (gen.ChangePasswordResponseObject, error) {
	if err := h.svc.ChangePassword(ctx, auth.PrincipalFrom(ctx), req.Body.CurrentPassword, req.Body.NewPassword); err != nil {
		return nil, err
	}
	return gen.ChangePassword200JSONResponse{Message: "Password changed successfully"}, nil
}

func (h *handler) ResetPassword(ctx context.Context, req gen.ResetPasswordRequestObject) (gen.ResetPasswordResponseObject, error) {
	if err := h.svc.ResetPassword(ctx, auth.PrincipalFrom(ctx), req.Body.Phone, req.Body.NewPassword); err != nil {
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
	b, err := h.svc.JWKS()
	if err != nil {
		return nil, err
	}
	return jwksResponse(b), nil
}

var errNotYet = echo.NewHTTPError(http.StatusNotImplemented, "Not implemented yet")

func (h *handler) SendLoginOtp(context.Context, gen.SendLoginOtpRequestObject) (gen.SendLoginOtpResponseObject, error) {
	return nil, errNotYet
}
func (h *handler) VerifyLoginOtp(context.Context, gen.VerifyLoginOtpRequestObject) (gen.VerifyLoginOtpResponseObject, error) {
	return nil, errNotYet
}
func (h *handler) ResendLoginOtp(context.Context, gen.ResendLoginOtpRequestObject) (gen.ResendLoginOtpResponseObject, error) {
	return nil, errNotYet
}
func (h *handler) InitiatePasswordReset(context.Context, gen.InitiatePasswordResetRequestObject) (gen.InitiatePasswordResetResponseObject, error) {
	return nil, errNotYet
}
func (h *handler) ConfirmPasswordReset(context.Context, gen.ConfirmPasswordResetRequestObject) (gen.ConfirmPasswordResetResponseObject, error) {
	return nil, errNotYet
}
func (h *handler) SendSignupOtp(context.Context, gen.SendSignupOtpRequestObject) (gen.SendSignupOtpResponseObject, error) {
	return nil, errNotYet
}
func (h *handler) VerifySignupOtp(context.Context, gen.VerifySignupOtpRequestObject) (gen.VerifySignupOtpResponseObject, error) {
	return nil, errNotYet
}
func (h *handler) ResendSignupOtp(context.Context, gen.ResendSignupOtpRequestObject) (gen.ResendSignupOtpResponseObject, error) {
	return nil, errNotYet
}

// userResponse maps a user to the documented shape; store rows never reach the wire.
func userResponse(u *auth.User) (gen.UserResponse, error) {
	id, err := uuid.Parse(u.ID)
	if err != nil {
		return gen.UserResponse{}, fmt.Errorf("user id %q: %w", u.ID, err)
	}
	r := gen.UserResponse{
		Phone: u.Phone, Name: u.Name, Gender: u.Gender, Place: u.Place, Id: id,
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
	return r, nil
}
