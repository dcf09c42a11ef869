package server

import (
	"context"
	"encoding/json"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/gen"
)

// Passkeys (auth.PasskeyService): registration, the caller's list, passwordless login, and the admin's
// view of a user's passkeys.

// passkeyOptions is the options a ceremony's first step made ({"publicKey": …}), as the wire shape.
func passkeyOptions(opts []byte) (gen.PasskeyOptions, error) {
	var o gen.PasskeyOptions
	err := json.Unmarshal(opts, &o)
	return o, err
}

func passkeyResponse(pk *auth.Passkey) gen.Passkey {
	out := gen.Passkey{Id: pk.ID, Name: pk.Name, CreatedAt: pk.CreatedAt, LastUsedAt: pk.LastUsedAt, Transports: pk.Transports,
		BackupEligible: pk.BackupEligible, BackedUp: pk.BackupState}
	if out.Transports == nil {
		out.Transports = []string{}
	}
	return out
}

func passkeyList(list []*auth.Passkey) gen.PasskeyList {
	out := gen.PasskeyList{Passkeys: make([]gen.Passkey, 0, len(list))}
	for _, pk := range list {
		out.Passkeys = append(out.Passkeys, passkeyResponse(pk))
	}
	return out
}

func (h *handler) PasskeyRegistrationOptions(ctx context.Context, req gen.PasskeyRegistrationOptionsRequestObject) (gen.PasskeyRegistrationOptionsResponseObject, error) {
	var pr auth.Proof
	if b := req.Body; b != nil {
		pr = proof(b.Password, b.OtpCode)
	}
	opts, err := h.Passkeys.RegistrationOptions(ctx, pr)
	if err != nil {
		return nil, err
	}
	o, err := passkeyOptions(opts)
	return gen.PasskeyRegistrationOptions200JSONResponse(o), err
}

func (h *handler) RegisterPasskey(ctx context.Context, req gen.RegisterPasskeyRequestObject) (gen.RegisterPasskeyResponseObject, error) {
	pk, err := h.Passkeys.Register(ctx, req.Body.Credential, deref(req.Body.Name))
	if err != nil {
		return nil, err
	}
	return gen.RegisterPasskey201JSONResponse(passkeyResponse(pk)), nil
}

func (h *handler) ListPasskeys(ctx context.Context, _ gen.ListPasskeysRequestObject) (gen.ListPasskeysResponseObject, error) {
	list, err := h.Passkeys.List(ctx)
	if err != nil {
		return nil, err
	}
	return gen.ListPasskeys200JSONResponse(passkeyList(list)), nil
}

func (h *handler) RenamePasskey(ctx context.Context, req gen.RenamePasskeyRequestObject) (gen.RenamePasskeyResponseObject, error) {
	pk, err := h.Passkeys.Rename(ctx, req.PasskeyId, req.Body.Name)
	if err != nil {
		return nil, err
	}
	return gen.RenamePasskey200JSONResponse(passkeyResponse(pk)), nil
}

func (h *handler) DeletePasskey(ctx context.Context, req gen.DeletePasskeyRequestObject) (gen.DeletePasskeyResponseObject, error) {
	if err := h.Passkeys.Delete(ctx, req.PasskeyId); err != nil {
		return nil, err
	}
	return gen.DeletePasskey204Response{}, nil
}

func (h *handler) PasskeyLoginOptions(ctx context.Context, _ gen.PasskeyLoginOptionsRequestObject) (gen.PasskeyLoginOptionsResponseObject, error) {
	opts, err := h.Passkeys.LoginOptions(ctx)
	if err != nil {
		return nil, err
	}
	o, err := passkeyOptions(opts)
	return gen.PasskeyLoginOptions200JSONResponse(o), err
}

func (h *handler) LoginWithPasskey(ctx context.Context, req gen.LoginWithPasskeyRequestObject) (gen.LoginWithPasskeyResponseObject, error) {
	l, err := h.Passkeys.Login(ctx, req.Body.Credential)
	if err != nil {
		return nil, err
	}
	r, err := loginResult(l)
	return gen.LoginWithPasskey200JSONResponse(r), err
}

func (h *handler) AdminListUserPasskeys(ctx context.Context, req gen.AdminListUserPasskeysRequestObject) (gen.AdminListUserPasskeysResponseObject, error) {
	list, err := h.Passkeys.AdminList(ctx, req.UserId)
	if err != nil {
		return nil, err
	}
	return gen.AdminListUserPasskeys200JSONResponse(passkeyList(list)), nil
}

func (h *handler) AdminDeleteUserPasskey(ctx context.Context, req gen.AdminDeleteUserPasskeyRequestObject) (gen.AdminDeleteUserPasskeyResponseObject, error) {
	if err := h.Passkeys.AdminDelete(ctx, req.UserId, req.PasskeyId); err != nil {
		return nil, err
	}
	return gen.AdminDeleteUserPasskey204Response{}, nil
}
