package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth/token"
)

const (
	// keyReloadEvery bounds how long an instance keeps signing with a key another instance (or
	// `phoneauth keys rotate`) has superseded.
	keyReloadEvery = time.Minute
	// retireMargin keeps a superseded key verifying past its last possible token: the reload delay
	// above plus clock skew.
	retireMargin = keyReloadEvery + time.Minute
)

// KeyService signs and verifies access tokens and publishes their keys. It holds the current
// token.Set, reloading it from Keys at most once a minute in the background, and at once (at most
// once a second) when a token names a kid it lacks. It is safe for concurrent use.
type KeyService struct {
	env  Env
	cfg  KeyConfig
	keys Keys

	verified   *verifiedCache
	hook       *tokenHook // nil: no claims hook
	set        atomic.Pointer[token.Set]
	loadedAt   atomic.Int64 // unix nanoseconds of the last load
	reloading  atomic.Bool
	mu         sync.Mutex
	lastReload time.Time
}

// NewKeyService loads the signing keys, creating the first one if there is none.
func NewKeyService(ctx context.Context, env Env, cfg KeyConfig, keys Keys) (*KeyService, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if keys == nil && cfg.FileKey == nil {
		return nil, errors.New("auth: KeyService needs Keys or a FileKey")
	}
	k := &KeyService{env: env.WithDefaults(), cfg: cfg, keys: keys, verified: newVerifiedCache(100_000)}
	var err error
	if k.hook, err = newTokenHook(k.env, cfg.Hook); err != nil {
		return nil, err
	}
	if err := k.load(ctx); err != nil {
		return nil, err
	}
	return k, nil
}

// JWKS returns the public keys as a JSON Web Key Set.
func (k *KeyService) JWKS() ([]byte, error) { return k.signer().JWKS() }

// Issuer is the "iss" of every token.
func (k *KeyService) Issuer() string { return k.cfg.Issuer }

// KeyState describes one stored signing key.
type KeyState struct {
	ID        string
	CreatedAt time.Time
	Signing   bool      // new tokens are signed with it
	Until     time.Time // for a superseded key: when it stops verifying
	Published bool      // in the JWKS (verifying)
}

// classify describes keys at now: the newest signs; each older one verifies until its successor's
// creation plus a token lifetime and the margin, then drops out.
func classify(keys []token.Key, now time.Time, ttl time.Duration) []KeyState {
	sorted := slices.Clone(keys)
	slices.SortFunc(sorted, func(a, b token.Key) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	out := make([]KeyState, len(sorted))
	for i, key := range sorted {
		st := KeyState{ID: key.ID, CreatedAt: key.CreatedAt, Published: true}
		if i == len(sorted)-1 {
			st.Signing = true
		} else {
			st.Until = sorted[i+1].CreatedAt.Add(ttl + retireMargin)
			st.Published = now.Before(st.Until)
		}
		out[i] = st
	}
	return out
}

// load reads the keys; when there are none it creates the first (racing instances each add one; all
// of them verify, and the newest signs everywhere).
func (k *KeyService) load(ctx context.Context) error {
	now := k.env.Clock.Now()
	if fk := k.cfg.FileKey; fk != nil {
		set, err := token.NewSet(k.cfg.Issuer, []token.Key{*fk}, fk.ID)
		if err != nil {
			return err
		}
		k.set.Store(set)
		k.loadedAt.Store(now.UnixNano())
		return nil
	}
	keys, err := k.keys.List(ctx)
	if err != nil {
		return fmt.Errorf("loading signing keys: %w", err)
	}
	if len(keys) == 0 {
		nk, err := token.GenerateKey(now)
		if err != nil {
			return err
		}
		if err := k.keys.Add(ctx, nk); err != nil && !errors.Is(err, ErrConflict) {
			return fmt.Errorf("storing the first signing key: %w", err)
		}
		if keys, err = k.keys.List(ctx); err != nil {
			return fmt.Errorf("loading signing keys: %w", err)
		}
	}
	byID := map[string]token.Key{}
	for _, key := range keys {
		byID[key.ID] = key
	}
	var live []token.Key
	signing := ""
	for _, st := range classify(keys, now, k.cfg.AccessTokenTTL) {
		if st.Published {
			live = append(live, byID[st.ID])
		}
		if st.Signing {
			signing = st.ID
		}
	}
	set, err := token.NewSet(k.cfg.Issuer, live, signing)
	if err != nil {
		return err
	}
	k.set.Store(set)
	k.loadedAt.Store(now.UnixNano())
	return nil
}

// signer returns the set to sign (and publish) with, starting a background reload when it is stale.
func (k *KeyService) signer() *token.Set {
	if k.env.Clock.Now().Sub(time.Unix(0, k.loadedAt.Load())) >= keyReloadEvery && k.reloading.CompareAndSwap(false, true) {
		go func() {
			defer k.reloading.Store(false)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := k.load(ctx); err != nil {
				k.env.Logger.Warn("reloading signing keys", "err", err)
			}
		}()
	}
	return k.set.Load()
}

// hooked reports whether the claims hook is set: then issue makes an HTTP call, which no transaction
// may be open across.
func (k *KeyService) hooked() bool { return k.hook != nil }

// issue signs an access token for the session; it never outlives the session. It is the one place
// tokens are signed, and asks the claims hook (when there is one) first: then the caller must not
// hold a transaction, and issues before its writes, so that a refusal under HookFail changes nothing.
func (k *KeyService) issue(ctx context.Context, u *User, sess *Session, now time.Time) (string, time.Duration, error) {
	exp := now.Add(k.cfg.AccessTokenTTL)
	if sess.ExpiresAt.Before(exp) {
		exp = sess.ExpiresAt
	}
	c := token.Claims{
		Subject: u.ID.String(), SessionID: sess.ID.String(), Roles: u.AllRoles(), AMR: sess.Methods(), AAL: sess.Level(),
		ID: randomToken(16), IssuedAt: now, ExpiresAt: exp,
	}
	if k.hook != nil {
		extra, err := k.hook.extra(ctx, k.cfg.Issuer, c)
		if err != nil {
			return "", 0, err
		}
		c.Extra = extra
	}
	tok, err := k.signer().Sign(c)
	return tok, exp.Sub(now), err
}

// claims are a verified token's, with its ids parsed.
type claims struct {
	user, session uuid.UUID
}

// verify checks raw, reloading the keys once if it names an unknown kid. Tokens whose ids are not
// UUIDs are invalid like any other forgery.
func (k *KeyService) verify(ctx context.Context, raw string) (claims, error) {
	now := k.env.Clock.Now()
	c, ok := k.verified.get(raw, now)
	if !ok {
		var err error
		if c, err = k.verifyUncached(ctx, raw); err != nil {
			return claims{}, err
		}
		k.verified.put(raw, c, now)
	}
	user, uok := ParseID(c.Subject)
	session, sok := ParseID(c.SessionID)
	if !uok || !sok {
		return claims{}, token.ErrInvalid
	}
	return claims{user: user, session: session}, nil
}

func (k *KeyService) verifyUncached(ctx context.Context, raw string) (token.Claims, error) {
	c, err := k.signer().Verify(raw, k.env.Clock.Now())
	if !errors.Is(err, token.ErrUnknownKey) {
		return c, err
	}
	k.mu.Lock()
	reload := k.env.Clock.Now().Sub(k.lastReload) >= time.Second
	if reload {
		k.lastReload = k.env.Clock.Now()
	}
	k.mu.Unlock()
	if !reload {
		return c, err
	}
	if lerr := k.load(ctx); lerr != nil {
		return token.Claims{}, lerr
	}
	return k.set.Load().Verify(raw, k.env.Clock.Now())
}

// Rotate makes a new signing key. Every instance signs with it within a minute; the previous key
// keeps verifying until the tokens it signed have expired.
func (k *KeyService) Rotate(ctx context.Context) (KeyState, error) {
	if k.cfg.FileKey != nil {
		return KeyState{}, errors.New("the signing key comes from PHONEAUTH_JWT_PRIVATE_KEY_FILE: replace the file to rotate")
	}
	nk, err := token.GenerateKey(k.env.Clock.Now())
	if err != nil {
		return KeyState{}, err
	}
	if err := k.keys.Add(ctx, nk); err != nil {
		return KeyState{}, err
	}
	if err := k.load(ctx); err != nil {
		return KeyState{}, err
	}
	k.env.Record(ctx, EventKeyRotated, uuid.Nil, uuid.Nil, "", map[string]string{"kid": nk.ID})
	return KeyState{ID: nk.ID, CreatedAt: nk.CreatedAt, Signing: true, Published: true}, nil
}

// States lists the stored signing keys, oldest first.
func (k *KeyService) States(ctx context.Context) ([]KeyState, error) {
	if fk := k.cfg.FileKey; fk != nil {
		return []KeyState{{ID: fk.ID, Signing: true, Published: true}}, nil
	}
	keys, err := k.keys.List(ctx)
	if err != nil {
		return nil, err
	}
	return classify(keys, k.env.Clock.Now(), k.cfg.AccessTokenTTL), nil
}
