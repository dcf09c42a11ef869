package server

import (
	"context"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/gen"
)

func (h *handler) RefreshAccessToken(ctx context.Context, req gen.RefreshAccessTokenRequestObject) (gen.RefreshAccessTokenResponseObject, error) {
	l, err := h.Sessions.Refresh(ctx, req.Body.RefreshToken)
	if err != nil {
		return nil, err
	}
	return gen.RefreshAccessToken200JSONResponse(tokenResponse(l)), nil
}

func (h *handler) Logout(ctx context.Context, req gen.LogoutRequestObject) (gen.LogoutResponseObject, error) {
	scope := auth.ScopeLocal
	if req.Body != nil && req.Body.Scope != nil {
		scope = string(*req.Body.Scope)
	}
	if err := h.Sessions.Logout(ctx, scope); err != nil {
		return nil, err
	}
	return gen.Logout204Response{}, nil
}

func (h *handler) ListSessions(ctx context.Context, _ gen.ListSessionsRequestObject) (gen.ListSessionsResponseObject, error) {
	list, err := h.Sessions.List(ctx)
	if err != nil {
		return nil, err
	}
	current := auth.PrincipalFrom(ctx).Session.ID
	out := gen.ListSessions200JSONResponse{Sessions: make([]gen.SessionInfo, 0, len(list))}
	for _, s := range list {
		out.Sessions = append(out.Sessions, gen.SessionInfo{
			Id: s.ID, CreatedAt: s.CreatedAt, LastUsedAt: s.LastUsedAt, ExpiresAt: s.ExpiresAt, Ip: s.IP,
			UserAgent: s.UserAgent, Amr: gen.SessionInfoAmr(s.Methods()[0]), AmrValues: s.Methods(), Aal: gen.AAL(s.Level()),
			Current: s.ID == current,
		})
	}
	return out, nil
}

func (h *handler) DeleteSession(ctx context.Context, req gen.DeleteSessionRequestObject) (gen.DeleteSessionResponseObject, error) {
	if err := h.Sessions.End(ctx, req.SessionId); err != nil {
		return nil, err
	}
	return gen.DeleteSession204Response{}, nil
}

// GetOpenidConfiguration is built from configuration only (Config.PublicURL), never from the request,
// so that no Host header can make a cache in front serve somebody else's jwks_uri.
func (h *handler) GetOpenidConfiguration(context.Context, gen.GetOpenidConfigurationRequestObject) (gen.GetOpenidConfigurationResponseObject, error) {
	return gen.GetOpenidConfiguration200JSONResponse{
		Issuer: h.Keys.Issuer(), JwksUri: h.publicURL + "/.well-known/jwks.json",
		IdTokenSigningAlgValuesSupported: []string{"EdDSA"},
		SubjectTypesSupported:            []string{"public"},
		ResponseTypesSupported:           []string{"token"},
	}, nil
}
