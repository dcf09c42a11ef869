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

// keyring holds the current token.Set and reloads it when a token names a kid it lacks (another
// instance rotated) at most once a second.
type keyring struct {
	keys   Keys
	issuer string
	clock  Clock

	set        atomic.Pointer[token.Set]
	mu         sync.Mutex
	lastReload time.Time
}

// load reads the keys; when there are none it creates the first (racing instances each add one; both
// then verify, and the newest signs everywhere).
func (k *keyring) load(ctx context.Context) error {
	keys, err := k.keys.List(ctx)
	if err != nil {
		return fmt.Errorf("loading signing keys: %w", err)
	}
	if len(keys) == 0 {
		nk, err := token.GenerateKey(k.clock.Now())
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
	newest := slices.MaxFunc(keys, func(a, b token.Key) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return compareStrings(a.ID, b.ID)
	})
	set, err := token.NewSet(k.issuer, keys, newest.ID)
	if err != nil {
		return err
	}
	k.set.Store(set)
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

func (k *keyring) current() *token.Set { return k.set.Load() }

// verify checks raw, reloading the keys once if it names an unknown kid.
func (k *keyring) verify(ctx context.Context, raw string) (token.Claims, error) {
	c, err := k.current().Verify(raw, k.clock.Now())
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
	return k.current().Verify(raw, k.clock.Now())
}
