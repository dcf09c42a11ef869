package server

import (
	"context"
	"time"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/gen"
)

func adminUser(au *auth.AdminUser) (gen.AdminUser, error) {
	u, err := userResponse(au.User)
	if err != nil {
		return gen.AdminUser{}, err
	}
	out := gen.AdminUser{
		Phone: u.Phone, Name: u.Name, Email: u.Email, Gender: u.Gender, DateOfBirth: u.DateOfBirth, Place: u.Place,
		Id: u.Id, IsActive: u.IsActive, HasGivenConsent: u.HasGivenConsent, ConsentGivenAt: u.ConsentGivenAt,
		LastLoginAt: u.LastLoginAt, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, Roles: u.Roles,
		FailedLogins: au.FailedLogins,
	}
	if !au.LockedUntil.IsZero() {
		out.LockedUntil = &au.LockedUntil
	}
	return out, nil
}

func deref[T any](p *T) (v T) {
	if p != nil {
		v = *p
	}
	return v
}

func (h *handler) AdminListUsers(ctx context.Context, req gen.AdminListUsersRequestObject) (gen.AdminListUsersResponseObject, error) {
	p := req.Params
	users, next, err := h.svc.AdminListUsers(ctx, auth.PrincipalFrom(ctx), deref(p.Q), deref(p.Cursor), deref(p.Limit))
	if err != nil {
		return nil, err
	}
	out := gen.AdminListUsers200JSONResponse{Users: make([]gen.UserResponse, 0, len(users))}
	for _, u := range users {
		r, err := userResponse(u)
		if err != nil {
			return nil, err
		}
		out.Users = append(out.Users, r)
	}
	if next != "" {
		out.NextCursor = &next
	}
	return out, nil
}

func (h *handler) AdminGetUser(ctx context.Context, req gen.AdminGetUserRequestObject) (gen.AdminGetUserResponseObject, error) {
	au, err := h.svc.AdminGetUser(ctx, auth.PrincipalFrom(ctx), req.UserId.String())
	if err != nil {
		return nil, err
	}
	r, err := adminUser(au)
	return gen.AdminGetUser200JSONResponse(r), err
}

func (h *handler) AdminActivateUser(ctx context.Context, req gen.AdminActivateUserRequestObject) (gen.AdminActivateUserResponseObject, error) {
	au, err := h.svc.AdminSetActive(ctx, auth.PrincipalFrom(ctx), req.UserId.String(), true)
	if err != nil {
		return nil, err
	}
	r, err := adminUser(au)
	return gen.AdminActivateUser200JSONResponse(r), err
}

func (h *handler) AdminDeactivateUser(ctx context.Context, req gen.AdminDeactivateUserRequestObject) (gen.AdminDeactivateUserResponseObject, error) {
	au, err := h.svc.AdminSetActive(ctx, auth.PrincipalFrom(ctx), req.UserId.String(), false)
	if err != nil {
		return nil, err
	}
	r, err := adminUser(au)
	return gen.AdminDeactivateUser200JSONResponse(r), err
}

func (h *handler) AdminGrantRole(ctx context.Context, req gen.AdminGrantRoleRequestObject) (gen.AdminGrantRoleResponseObject, error) {
	au, err := h.svc.AdminSetRole(ctx, auth.PrincipalFrom(ctx), req.UserId.String(), string(req.Role), true)
	if err != nil {
		return nil, err
	}
	r, err := adminUser(au)
	return gen.AdminGrantRole200JSONResponse(r), err
}

func (h *handler) AdminRevokeRole(ctx context.Context, req gen.AdminRevokeRoleRequestObject) (gen.AdminRevokeRoleResponseObject, error) {
	au, err := h.svc.AdminSetRole(ctx, auth.PrincipalFrom(ctx), req.UserId.String(), string(req.Role), false)
	if err != nil {
		return nil, err
	}
	r, err := adminUser(au)
	return gen.AdminRevokeRole200JSONResponse(r), err
}

func (h *handler) AdminEndUserSessions(ctx context.Context, req gen.AdminEndUserSessionsRequestObject) (gen.AdminEndUserSessionsResponseObject, error) {
	n, err := h.svc.AdminEndSessions(ctx, auth.PrincipalFrom(ctx), req.UserId.String())
	if err != nil {
		return nil, err
	}
	return gen.AdminEndUserSessions200JSONResponse{Ended: n}, nil
}

func (h *handler) AdminUnlockUser(ctx context.Context, req gen.AdminUnlockUserRequestObject) (gen.AdminUnlockUserResponseObject, error) {
	au, err := h.svc.AdminUnlock(ctx, auth.PrincipalFrom(ctx), req.UserId.String())
	if err != nil {
		return nil, err
	}
	r, err := adminUser(au)
	return gen.AdminUnlockUser200JSONResponse(r), err
}

func (h *handler) AdminListAuditEvents(ctx context.Context, req gen.AdminListAuditEventsRequestObject) (gen.AdminListAuditEventsResponseObject, error) {
	p := req.Params
	f := auth.AuditFilter{Type: deref(p.Type), Since: deref(p.Since), Until: deref(p.Until), Limit: deref(p.Limit)}
	if p.UserId != nil {
		f.UserID = p.UserId.String()
	}
	if p.ActorId != nil {
		f.ActorID = p.ActorId.String()
	}
	events, next, err := h.svc.AdminAuditEvents(ctx, auth.PrincipalFrom(ctx), f, deref(p.Cursor))
	if err != nil {
		return nil, err
	}
	out := gen.AdminListAuditEvents200JSONResponse{Events: make([]gen.AuditEvent, 0, len(events))}
	for _, e := range events {
		out.Events = append(out.Events, gen.AuditEvent{
			Id: e.ID, At: e.At.In(time.UTC), Type: e.Type, UserId: optional(e.UserID), ActorId: optional(e.ActorID),
			Ip: e.IP, UserAgent: e.UserAgent, ReferenceId: e.ReferenceID, Details: e.Details,
		})
	}
	if next != "" {
		out.NextCursor = &next
	}
	return out, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
