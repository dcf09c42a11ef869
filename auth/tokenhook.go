package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/phoneauth/phoneauth/auth/token"
	"github.com/phoneauth/phoneauth/auth/webhook"
)

// The access-token claims hook: before a token is signed (login, signup, refresh), the operator's URL
// is asked for claims to add, such as a tenant id. It is called before the session's writes, never
// inside a transaction, with a deadline; whatever goes wrong (no answer in time, an error status, a
// redirect, an answer too large or not JSON) follows the failure policy: the login answers 503, or
// the token is issued without the extra claims. Never a 500.

// Failure policies of the token hook (TokenHookConfig.Failure).
const (
	HookFail = "fail" // the request answers 503: no token without the hook's claims
	HookOmit = "omit" // the token is issued without the extra claims
)

// DefaultTokenHookTimeout is TokenHookConfig.Timeout when it is 0.
const DefaultTokenHookTimeout = 2 * time.Second

const (
	// maxHookAnswer bounds the hook's answer; a longer one is a failure.
	maxHookAnswer = 16 << 10
	// maxExtraClaims bounds the added claims, encoded: the token stays well under the 4 KiB every
	// verifier here accepts (token.Set.Verify) and fits in a header.
	maxExtraClaims = 2 << 10
)

// ReservedClaims are the claims phoneauth sets, which the hook cannot replace (nbf too: a token not yet
// valid would be refused).
var ReservedClaims = []string{"iss", "sub", "aud", "exp", "iat", "jti", "sid", "amr", "aal", "roles", "nbf"}

// TokenHookConfig configures the claims hook; URL "" is none.
type TokenHookConfig struct {
	URL     string
	Secret  string        // whsec_…: signs each call per Standard Webhooks
	Timeout time.Duration // default DefaultTokenHookTimeout
	Failure string        // HookFail or HookOmit: required with URL
}

// Validate reports a bad setting; its messages never quote the URL or the secret.
func (c TokenHookConfig) Validate() error {
	if c.URL == "" {
		return nil
	}
	if err := webhook.ValidateURL(c.URL); err != nil {
		return fmt.Errorf("token hook URL: %w", err)
	}
	if c.Secret != "" {
		if _, err := webhook.ParseSecret(c.Secret); err != nil {
			return fmt.Errorf("token hook secret: %w", err)
		}
	}
	if c.Failure != HookFail && c.Failure != HookOmit {
		return errors.New("the token hook needs a failure policy: fail or omit")
	}
	if c.Timeout < 0 || c.Timeout > time.Minute {
		return errors.New("the token hook timeout must be between 0 and 1m")
	}
	return nil
}

var errHookUnavailable = &Error{Kind: ErrUnavailable, Detail: "Token issuance is unavailable; please retry", RetryAfter: time.Second}

// tokenHook calls the hook.
type tokenHook struct {
	env     Env
	cfg     TokenHookConfig
	sender  *webhook.Sender
	timeout time.Duration
}

func newTokenHook(env Env, cfg TokenHookConfig) (*tokenHook, error) {
	if cfg.URL == "" {
		return nil, nil
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTokenHookTimeout
	}
	s, err := webhook.NewSender(webhook.SenderConfig{URL: cfg.URL, Secret: cfg.Secret, MaxAnswer: maxHookAnswer, Timeout: timeout})
	if err != nil {
		return nil, err
	}
	return &tokenHook{env: env, cfg: cfg, sender: s, timeout: timeout}, nil
}

// hookCall is what the hook gets.
type hookCall struct {
	UserID    string         `json:"user_id"`
	SessionID string         `json:"session_id"`
	Roles     []string       `json:"roles"`
	AMR       []string       `json:"amr"`
	Claims    map[string]any `json:"claims"` // as they are about to be signed
}

// extra asks the hook for the claims to add to c (signed by issuer). The error, only under HookFail,
// is a 503.
func (h *tokenHook) extra(ctx context.Context, issuer string, c token.Claims) (map[string]any, error) {
	claims, err := h.call(ctx, issuer, c)
	if err == nil {
		return claims, nil
	}
	h.env.Logger.WarnContext(ctx, "token hook failed", "policy", h.cfg.Failure, "user_id", c.Subject, "err", err)
	if h.cfg.Failure == HookOmit {
		return nil, nil
	}
	e := *errHookUnavailable
	e.Cause = err
	return nil, &e
}

// inTransaction reports whether ctx carries an open transaction of the store (when it can tell).
func (h *tokenHook) inTransaction(ctx context.Context) bool {
	p, ok := h.env.Atomic.(interface{ InTransaction(context.Context) bool })
	return ok && p.InTransaction(ctx)
}

func (h *tokenHook) call(ctx context.Context, issuer string, c token.Claims) (map[string]any, error) {
	if h.inTransaction(ctx) {
		// A wait on the hook would hold the transaction's locks for its whole deadline.
		return nil, errors.New("called inside a database transaction: refused")
	}
	body, err := json.Marshal(hookCall{UserID: c.Subject, SessionID: c.SessionID, Roles: nonNilStrings(c.Roles), AMR: nonNilStrings(c.AMR),
		Claims: map[string]any{"iss": issuer, "sub": c.Subject, "sid": c.SessionID, "roles": nonNilStrings(c.Roles),
			"amr": nonNilStrings(c.AMR), "jti": c.ID, "iat": c.IssuedAt.Unix(), "exp": c.ExpiresAt.Unix()}})
	if err != nil {
		return nil, err
	}
	hctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	ans, err := h.sender.Post(hctx, "msg_"+randomToken(16), body)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return nil, fmt.Errorf("no answer within %s", h.timeout)
	case err != nil:
		return nil, err
	case !ans.OK():
		return nil, fmt.Errorf("HTTP %d", ans.Status)
	}
	if len(bytes.TrimSpace(ans.Body)) == 0 {
		return nil, nil // nothing to add
	}
	var a struct {
		Claims json.RawMessage `json:"claims"`
	}
	if err := json.Unmarshal(ans.Body, &a); err != nil {
		return nil, errors.New("the answer is not a JSON object")
	}
	if len(a.Claims) == 0 || string(a.Claims) == "null" {
		return nil, nil
	}
	var extra map[string]any
	if err := json.Unmarshal(a.Claims, &extra); err != nil {
		return nil, errors.New(`"claims" is not a JSON object`)
	}
	for name := range extra {
		if slices.Contains(ReservedClaims, name) {
			h.env.Logger.WarnContext(ctx, "token hook: a reserved claim is ignored", "claim", name)
			delete(extra, name)
		}
	}
	if b, _ := json.Marshal(extra); len(b) > maxExtraClaims {
		return nil, fmt.Errorf("the extra claims take %d bytes encoded; at most %d", len(b), maxExtraClaims)
	}
	if len(extra) == 0 {
		return nil, nil
	}
	return extra, nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
