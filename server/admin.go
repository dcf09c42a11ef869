package server

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/gen"
)

func adminUser(au *auth.AdminUser) gen.AdminUser {
	out := gen.AdminUser{UserResponse: userResponse(au.User), FailedLogins: au.FailedLogins}
	if !au.LockedUntil.IsZero() {
		out.LockedUntil = &au.LockedUntil
	}
	return out
}

func deref[T any](p *T) (v T) {
	if p != nil {
		v = *p
	}
	return v
}

func (h *handler) AdminListUsers(ctx context.Context, req gen.AdminListUsersRequestObject) (gen.AdminListUsersResponseObject, error) {
	p := req.Params
	users, next, err := h.Admin.ListUsers(ctx, deref(p.Q), deref(p.Cursor), deref(p.Limit))
	if err != nil {
		return nil, err
	}
	out := gen.AdminListUsers200JSONResponse{Users: make([]gen.UserResponse, 0, len(users))}
	for _, u := range users {
		out.Users = append(out.Users, userResponse(u))
	}
	if next != "" {
		out.NextCursor = &next
	}
	return out, nil
}

func (h *handler) AdminGetUser(ctx context.Context, req gen.AdminGetUserRequestObject) (gen.AdminGetUserResponseObject, error) {
	au, err := h.Admin.GetUser(ctx, req.UserId)
	if err != nil {
		return nil, err
	}
	return gen.AdminGetUser200JSONResponse(adminUser(au)), nil
}

func (h *handler) AdminActivateUser(ctx context.Context, req gen.AdminActivateUserRequestObject) (gen.AdminActivateUserResponseObject, error) {
	au, err := h.Admin.SetActive(ctx, req.UserId, true)
	if err != nil {
		return nil, err
	}
	return gen.AdminActivateUser200JSONResponse(adminUser(au)), nil
}

func (h *handler) AdminDeactivateUser(ctx context.Context, req gen.AdminDeactivateUserRequestObject) (gen.AdminDeactivateUserResponseObject, error) {
	au, err := h.Admin.SetActive(ctx, req.UserId, false)
	if err != nil {
		return nil, err
	}
	return gen.AdminDeactivateUser200JSONResponse(adminUser(au)), nil
}

func (h *handler) AdminGrantRole(ctx context.Context, req gen.AdminGrantRoleRequestObject) (gen.AdminGrantRoleResponseObject, error) {
	au, err := h.Admin.SetRole(ctx, req.UserId, string(req.Role), true)
	if err != nil {
		return nil, err
	}
	return gen.AdminGrantRole200JSONResponse(adminUser(au)), nil
}

func (h *handler) AdminRevokeRole(ctx context.Context, req gen.AdminRevokeRoleRequestObject) (gen.AdminRevokeRoleResponseObject, error) {
	au, err := h.Admin.SetRole(ctx, req.UserId, string(req.Role), false)
	if err != nil {
		return nil, err
	}
	return gen.AdminRevokeRole200JSONResponse(adminUser(au)), nil
}

func (h *handler) AdminEndUserSessions(ctx context.Context, req gen.AdminEndUserSessionsRequestObject) (gen.AdminEndUserSessionsResponseObject, error) {
	n, err := h.Admin.EndSessions(ctx, req.UserId)
	if err != nil {
		return nil, err
	}
	return gen.AdminEndUserSessions200JSONResponse{Ended: n}, nil
}

func (h *handler) AdminUnlockUser(ctx context.Context, req gen.AdminUnlockUserRequestObject) (gen.AdminUnlockUserResponseObject, error) {
	au, err := h.Admin.Unlock(ctx, req.UserId)
	if err != nil {
		return nil, err
	}
	return gen.AdminUnlockUser200JSONResponse(adminUser(au)), nil
}

func (h *handler) AdminListAuditEvents(ctx context.Context, req gen.AdminListAuditEventsRequestObject) (gen.AdminListAuditEventsResponseObject, error) {
	p := req.Params
	f := auth.AuditFilter{Type: deref(p.Type), Since: deref(p.Since), Until: deref(p.Until), Limit: deref(p.Limit)}
	f.UserID, f.ActorID = deref(p.UserId), deref(p.ActorId)
	events, next, err := h.Admin.AuditEvents(ctx, f, deref(p.Cursor))
	if err != nil {
		return nil, err
	}
	out := gen.AdminListAuditEvents200JSONResponse{Events: make([]gen.AuditEvent, 0, len(events))}
	for _, e := range events {
		out.Events = append(out.Events, auditEvent(e))
	}
	if next != "" {
		out.NextCursor = &next
	}
	return out, nil
}

func auditEvent(e auth.AuditEvent) gen.AuditEvent {
	return gen.AuditEvent{
		Id: e.ID, At: e.At.In(time.UTC), Type: e.Type, UserId: optionalID(e.UserID), ActorId: optionalID(e.ActorID),
		Ip: e.IP, UserAgent: e.UserAgent, ReferenceId: e.ReferenceID, Details: e.Details,
	}
}

func (h *handler) AdminCreateUser(ctx context.Context, req gen.AdminCreateUserRequestObject) (gen.AdminCreateUserResponseObject, error) {
	b := req.Body
	in := auth.NewUser{Phone: b.Phone, Name: b.Name, Gender: b.Gender, DateOfBirth: dateOf(b.DateOfBirth), Place: b.Place}
	if b.Email != nil {
		in.Email = string(*b.Email)
	}
	if b.Password != nil {
		in.Password = *b.Password
	}
	if b.Roles != nil {
		for _, r := range *b.Roles {
			in.Roles = append(in.Roles, string(r))
		}
	}
	au, err := h.Admin.CreateUser(ctx, in)
	if err != nil {
		return nil, err
	}
	return gen.AdminCreateUser201JSONResponse(adminUser(au)), nil
}

func (h *handler) AdminUpdateUser(ctx context.Context, req gen.AdminUpdateUserRequestObject) (gen.AdminUpdateUserResponseObject, error) {
	c := profileChange(req.Body.ProfileFields)
	c.Phone = req.Body.Phone
	au, err := h.Admin.UpdateUser(ctx, req.UserId, c)
	if err != nil {
		return nil, err
	}
	return gen.AdminUpdateUser200JSONResponse(adminUser(au)), nil
}

func (h *handler) AdminDeleteUser(ctx context.Context, req gen.AdminDeleteUserRequestObject) (gen.AdminDeleteUserResponseObject, error) {
	if err := h.Admin.DeleteUser(ctx, req.UserId); err != nil {
		return nil, err
	}
	return gen.AdminDeleteUser200JSONResponse{Message: "User deleted"}, nil
}

// optionalID writes uuid.Nil (no user, no actor) as null.
func optionalID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}
