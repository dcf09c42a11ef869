package auth

import "context"

// A request's data travels in its context only: the server puts it there once, at the edge, and the
// services read it where they need it. Nothing passes it again as a parameter.

type (
	principalKey struct{}
	clientKey    struct{}
	requestIDKey struct{}
)

// Principal is the authenticated caller of a request.
type Principal struct {
	User    *User
	Session *Session
	// NeedsSecondFactor: the user has a role that needs a second factor (SessionConfig.MFARequiredRoles)
	// and the session has not got one (it is not AAL2). Admin operations refuse such a caller.
	NeedsSecondFactor bool
}

// ClientInfo describes where a request came from, for sessions and the audit trail.
type ClientInfo struct {
	IP        string
	UserAgent string // valid UTF-8 without control characters (the server makes it so)
}

// WithPrincipal returns ctx carrying the authenticated caller.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller, or nil when the request is anonymous.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// caller returns the authenticated caller, or the 401 an operation that needs one answers.
func caller(ctx context.Context) (*Principal, error) {
	if p := PrincipalFrom(ctx); p != nil && p.User != nil && p.Session != nil {
		return p, nil
	}
	return nil, errNoCredentials
}

// WithClient returns ctx carrying where the request came from.
func WithClient(ctx context.Context, ci ClientInfo) context.Context {
	return context.WithValue(ctx, clientKey{}, ci)
}

// ClientFrom returns where the request came from (zero outside a request).
func ClientFrom(ctx context.Context) ClientInfo {
	ci, _ := ctx.Value(clientKey{}).(ClientInfo)
	return ci
}

// WithRequestID returns ctx carrying the request's id, which every log line about it names.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFrom returns the request's id ("" outside a request).
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
