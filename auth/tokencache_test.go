package auth

import (
	"testing"
	"time"

	"github.com/phoneauth/phoneauth/auth/token"
)

func TestVerifiedCache(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newVerifiedCache(3)
	claims := token.Claims{Subject: "u", ExpiresAt: now.Add(time.Minute)}
	c.put("tok-a", claims, now)
	if got, ok := c.get("tok-a", now); !ok || got.Subject != "u" {
		t.Fatal("a verified token was not remembered")
	}
	if _, ok := c.get("tok-a ", now); ok {
		t.Fatal("a different token string hit the cache")
	}
	if _, ok := c.get("tok-a", now.Add(time.Minute)); ok {
		t.Fatal("an expired token hit the cache")
	}
	// Bounded: never more than max entries.
	for i := range 10 {
		c.put(string(rune('a'+i)), token.Claims{ExpiresAt: now.Add(time.Hour)}, now)
		if len(c.entries) > 3 {
			t.Fatalf("%d entries, max 3", len(c.entries))
		}
	}
}
