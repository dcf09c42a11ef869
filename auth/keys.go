package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/phoneauth/phoneauth/auth/token"
)

// Keys stores signing keys, shared by every instance through the database.
type Keys interface {
	// List returns every stored key.
	List(ctx context.Context) ([]token.Key, error)
	// Add stores k. ErrConflict when a key with its ID exists.
	Add(ctx context.Context, k token.Key) error
}

const (
	// keyReloadEvery bounds how long an instance keeps signing with a key another instance (or
	// `phoneauth keys rotate`) has superseded.
	keyReloadEvery = time.Minute
	// retireMargin keeps a superseded key verifying past its last possible token: the reload delay
	// above plus clock skew.
	retireMargin = keyReloadEvery + time.Minute
)

// keyring holds the current token.Set. It reloads from Keys at most once a minute in the
// background, and at once (at most once a second) when a token names a kid it lacks.
type keyring struct {
	keys    Keys
	issuer  string
	clock   Clock
	ttl     time.Duration // access-token lifetime: how long a superseded key must keep verifying
	fileKey *token.Key    // operator-supplied key: when set, the only key
	onError func(error)

	verified   *verifiedCache
	set        atomic.Pointer[token.Set]
	loadedAt   atomic.Int64 // unix nanoseconds of the last load
	reloading  atomic.Bool
	mu         sync.Mutex
	lastReload time.Time
}

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
		return compareStrings(a.ID, b.ID)
	})
	out := make([]KeyState, len(sorted))
	for i, k := range sorted {
		st := KeyState{ID: k.ID, CreatedAt: k.CreatedAt, Published: true}
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
func (k *keyring) load(ctx context.Context) error {
	now := k.clock.Now()
	if k.fileKey != nil {
		set, err := token.NewSet(k.issuer, []token.Key{*k.fileKey}, k.fileKey.ID)
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
	for _, st := range classify(keys, now, k.ttl) {
		if st.Published {
			live = append(live, byID[st.ID])
		}
		if st.Signing {
			signing = st.ID
		}
	}
	set, err := token.NewSet(k.issuer, live, signing)
	if err != nil {
		return err
	}
	k.set.Store(set)
	k.loadedAt.Store(now.UnixNano())
	return nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// signer returns the set to sign (and publish) with, starting a background reload when it is stale.
func (k *keyring) signer() *token.Set {
	if k.clock.Now().Sub(time.Unix(0, k.loadedAt.Load())) >= keyReloadEvery && k.reloading.CompareAndSwap(false, true) {
		go func() {
			defer k.reloading.Store(false)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := k.load(ctx); err != nil && k.onError != nil {
				k.onError(err)
			}
		}()
	}
	return k.set.Load()
}

// verify checks raw, reloading the keys once if it names an unknown kid.
func (k *keyring) verify(ctx context.Context, raw string) (token.Claims, error) {
	now := k.clock.Now()
	if c, ok := k.verified.get(raw, now); ok {
		return c, nil
	}
	c, err := k.verifyUncached(ctx, raw)
	if err == nil {
		k.verified.put(raw, c, now)
	}
	return c, err
}

func (k *keyring) verifyUncached(ctx context.Context, raw string) (token.Claims, error) {
	c, err := k.signer().Verify(raw, k.clock.Now())
	if !errors.Is(err, token.ErrUnknownKey) {
		return c, err
	}
	k.mu.Lock()
	reload := k.clock.Now().Sub(k.lastReload) >= time.Second
	if reload {
		k.lastReload = k.clock.Now()
	}
	k.mu.Unlock()
	if !reload {
		return c, err
	}
	if lerr := k.load(ctx); lerr != nil {
		return token.Claims{}, lerr
	}
	return k.set.Load().Verify(raw, k.clock.Now())
}

// RotateKey makes a new signing key. Every instance signs with it within a minute; the previous key
// keeps verifying until the tokens it signed have expired.
func (s *Service) RotateKey(ctx context.Context) (KeyState, error) {
	if s.keys.fileKey != nil {
		return KeyState{}, errors.New("the signing key comes from PHONEAUTH_JWT_PRIVATE_KEY_FILE: replace the file to rotate")
	}
	k, err := token.GenerateKey(s.Clock.Now())
	if err != nil {
		return KeyState{}, err
	}
	if err := s.Keys.Add(ctx, k); err != nil {
		return KeyState{}, err
	}
	if err := s.keys.load(ctx); err != nil {
		return KeyState{}, err
	}
	s.audit(ctx, EventKeyRotated, "", "", "", map[string]string{"kid": k.ID})
	return KeyState{ID: k.ID, CreatedAt: k.CreatedAt, Signing: true, Published: true}, nil
}

// KeyStates lists the stored signing keys, oldest first.
func (s *Service) KeyStates(ctx context.Context) ([]KeyState, error) {
	if s.keys.fileKey != nil {
		return []KeyState{{ID: s.keys.fileKey.ID, Signing: true, Published: true}}, nil
	}
	keys, err := s.Keys.List(ctx)
	if err != nil {
		return nil, err
	}
	return classify(keys, s.Clock.Now(), s.cfg.AccessTokenTTL), nil
}
