package auth

import (
	"errors"

	"github.com/phoneauth/phoneauth/auth/phone"
)

// LifecycleDeps are what LifecycleService works with.
type LifecycleDeps struct {
	Users    Users
	Sessions Sessions // the repository: an export lists them
	Erasure  Erasure
	Phones   phone.Parser
	// Accounts checks passwords (verifyPassword, which counts toward the login lockout) and clears a
	// number's lockout.
	Accounts *AccountService
	Codes    *CodeService
	// Passkeys and Factors are listed by an export (nil: none stored).
	Passkeys Passkeys
	Factors  SecondFactors
}

// LifecycleService is what users do with their own account after signing up, and what admins do to
// a whole account: edit the profile (profile.go), prove themselves again for a sensitive request
// (reauth.go), move to another phone number (phonechange.go), download their data (export.go) and
// delete the account (deletion.go). It is safe for concurrent use.
type LifecycleService struct {
	env Env
	cfg LifecycleConfig
	d   LifecycleDeps
}

// NewLifecycleService returns a LifecycleService.
func NewLifecycleService(env Env, cfg LifecycleConfig, d LifecycleDeps) (*LifecycleService, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Users == nil || d.Sessions == nil || d.Erasure == nil || d.Accounts == nil || d.Codes == nil {
		return nil, errors.New("auth: LifecycleService needs Users, Sessions, an Erasure, an AccountService and a CodeService")
	}
	return &LifecycleService{env: env.WithDefaults(), cfg: cfg, d: d}, nil
}
