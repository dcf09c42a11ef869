package store_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/phoneauth/phoneauth/auth/seal"
	"github.com/phoneauth/phoneauth/auth/token"
	"github.com/phoneauth/phoneauth/store"
	"github.com/phoneauth/phoneauth/store/storetest"
)

func box(t *testing.T, fill ...byte) *seal.Box {
	t.Helper()
	var keys [][]byte
	for _, b := range fill {
		keys = append(keys, bytes.Repeat([]byte{b}, seal.KeySize))
	}
	b, err := seal.New(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// openWith opens and migrates the database at url, sealing its secrets with b (nil: none).
func openWith(t *testing.T, url string, b *seal.Box) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{URL: url, Box: b})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// rawSecrets returns what the database holds for the key and the secret, as a dump would show it.
func rawSecrets(t *testing.T, db *store.DB, kid string) (key, secret string) {
	t.Helper()
	scan(t, db, "SELECT private_key FROM signing_keys WHERE id = ?", []any{kid}, &key)
	scan(t, db, "SELECT value FROM server_secrets WHERE name = ?", []any{"test"}, &secret)
	return key, secret
}

// TestSealedSecrets: with a key, signing keys and server secrets are stored sealed and read back;
// values written in the clear before, or under a key being replaced, are resealed; without the key
// nothing sealed can be read.
func TestSealedSecrets(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(d, func(t *testing.T) { testSealedSecrets(t, storetest.URL(t, d)) })
	}
}

func testSealedSecrets(t *testing.T, url string) {
	ctx := context.Background()
	k, err := token.GenerateKey(t0)
	if err != nil {
		t.Fatal(err)
	}

	// Written before any key was configured: in the clear.
	clear := openWith(t, url, nil)
	if err := clear.Keys().Add(ctx, k); err != nil {
		t.Fatal(err)
	}
	if _, err := clear.Secrets().GetOrCreate(ctx, "test", "hmac-secret-value", t0); err != nil {
		t.Fatal(err)
	}
	if key, secret := rawSecrets(t, clear, k.ID); !strings.Contains(key, "PRIVATE KEY") || secret != "hmac-secret-value" {
		t.Fatalf("without a key: stored %q / %q, want the clear values", key, secret)
	}

	// A key is configured: Reseal seals both, and they still read back.
	sealed := openWith(t, url, box(t, 1))
	if n, err := sealed.Reseal(ctx); err != nil || n != 2 {
		t.Fatalf("Reseal = %d, %v; want 2", n, err)
	}
	key, secret := rawSecrets(t, sealed, k.ID)
	if !seal.IsSealed(key) || !seal.IsSealed(secret) || strings.Contains(key, "PRIVATE KEY") || strings.Contains(secret, "hmac") {
		t.Fatalf("after Reseal the database holds %q / %q", key, secret)
	}
	if n, err := sealed.Reseal(ctx); err != nil || n != 0 {
		t.Fatalf("second Reseal = %d, %v; want nothing to do", n, err)
	}
	checkReadable(t, sealed, k)

	// New secrets are sealed as they are written.
	k2, _ := token.GenerateKey(t0)
	if err := sealed.Keys().Add(ctx, k2); err != nil {
		t.Fatal(err)
	}
	if key, _ := rawSecrets(t, sealed, k2.ID); !seal.IsSealed(key) {
		t.Fatalf("a key added under a Box is stored as %q", key)
	}

	// Without the key, nothing sealed can be read, and the error says so.
	if _, err := clear.Keys().List(ctx); !errors.Is(err, seal.ErrNoKey) {
		t.Fatalf("List without the key = %v, want ErrNoKey", err)
	}
	if _, err := clear.Secrets().GetOrCreate(ctx, "test", "other", t0); !errors.Is(err, seal.ErrNoKey) {
		t.Fatalf("GetOrCreate without the key = %v, want ErrNoKey", err)
	}

	// Changing the key: new first, old after. Reseal moves everything to the new one, after which
	// the old key is no longer needed.
	both := openWith(t, url, box(t, 2, 1))
	if n, err := both.Reseal(ctx); err != nil || n != 3 {
		t.Fatalf("Reseal under the new key = %d, %v; want 3", n, err)
	}
	checkReadable(t, openWith(t, url, box(t, 2)), k)
	if _, err := sealed.Keys().List(ctx); !errors.Is(err, seal.ErrNoKey) {
		t.Fatalf("List with only the old key = %v, want ErrNoKey", err)
	}
}

func checkReadable(t *testing.T, db *store.DB, k token.Key) {
	t.Helper()
	ctx := context.Background()
	keys, err := db.Keys().List(ctx)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	i := slices.IndexFunc(keys, func(got token.Key) bool { return got.ID == k.ID })
	if i < 0 || !keys[i].Private.Equal(k.Private) {
		t.Fatalf("List = %d keys; want %s back as it was stored", len(keys), k.ID)
	}
	if v, err := db.Secrets().GetOrCreate(ctx, "test", "ignored", t0); err != nil || v != "hmac-secret-value" {
		t.Fatalf("GetOrCreate = %q, %v; want the stored secret", v, err)
	}
}
