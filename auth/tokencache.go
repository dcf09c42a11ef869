package auth

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/phoneauth/phoneauth/auth/token"
)

// verifiedCache remembers tokens whose signature and claims already verified, until they expire: a
// client presents the same access token for its whole lifetime, and checking an Ed25519 signature
// is most of the CPU an authenticated request costs. Keys are SHA-256 digests of the whole token, so
// any change to a token misses the cache and is verified in full. It holds no session state:
// whether the session still lives is checked on every request, so revocation stays immediate.
type verifiedCache struct {
	mu      sync.RWMutex
	entries map[[32]byte]token.Claims
	max     int
}

func newVerifiedCache(max int) *verifiedCache {
	return &verifiedCache{entries: make(map[[32]byte]token.Claims), max: max}
}

func (c *verifiedCache) get(raw string, now time.Time) (token.Claims, bool) {
	k := sha256.Sum256([]byte(raw))
	c.mu.RLock()
	claims, ok := c.entries[k]
	c.mu.RUnlock()
	if !ok || !now.Before(claims.ExpiresAt) {
		return token.Claims{}, false
	}
	return claims, true
}

func (c *verifiedCache) put(raw string, claims token.Claims, now time.Time) {
	k := sha256.Sum256([]byte(raw))
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		// Bounded memory: drop the expired entries, and if that is not enough, everything (the cost
		// is one signature check per live token).
		for key, cl := range c.entries {
			if !now.Before(cl.ExpiresAt) {
				delete(c.entries, key)
			}
		}
		if len(c.entries) >= c.max {
			clear(c.entries)
		}
	}
	c.entries[k] = claims
}
