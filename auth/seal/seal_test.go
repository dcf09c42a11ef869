package seal

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func mustBox(t *testing.T, keys ...[]byte) *Box {
	t.Helper()
	b, err := New(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealOpen(t *testing.T) {
	b := mustBox(t, key(1))
	secret := []byte("-----BEGIN PRIVATE KEY-----\nMC4CAQ...\n-----END PRIVATE KEY-----\n")
	sealed, err := b.Seal(secret, "signing_keys/k1")
	if err != nil {
		t.Fatal(err)
	}
	if !IsSealed(sealed) || strings.Contains(sealed, "PRIVATE KEY") || !b.Current(sealed) {
		t.Fatalf("sealed value %q: want the prefix, no plaintext, and current", sealed)
	}
	again, _ := b.Seal(secret, "signing_keys/k1")
	if again == sealed {
		t.Error("two seals of one value are equal: the nonce must be fresh")
	}
	got, err := b.Open(sealed, "signing_keys/k1")
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Open = %q, %v", got, err)
	}
}

func TestOpenRefuses(t *testing.T) {
	b := mustBox(t, key(1))
	sealed, err := b.Seal([]byte("otp hmac key"), "server_secrets/otp")
	if err != nil {
		t.Fatal(err)
	}
	id, data, _ := strings.Cut(strings.TrimPrefix(sealed, prefix), ":")
	raw, _ := base64.RawStdEncoding.DecodeString(data)
	raw[len(raw)-1] ^= 1
	flipped := prefix + id + ":" + base64.RawStdEncoding.EncodeToString(raw)
	for _, tc := range []struct {
		name, value, context string
		b                    *Box
		want                 error
	}{
		{"another row", sealed, "server_secrets/other", b, ErrCorrupt},
		{"a flipped bit", flipped, "server_secrets/otp", b, ErrCorrupt},
		{"truncated", sealed[:len(sealed)-10], "server_secrets/otp", b, ErrCorrupt},
		{"not base64", prefix + id + ":!!!", "server_secrets/otp", b, ErrCorrupt},
		{"no key id", prefix + "abc", "server_secrets/otp", b, ErrCorrupt},
		{"another key", sealed, "server_secrets/otp", mustBox(t, key(2)), ErrNoKey},
		{"no key at all", sealed, "server_secrets/otp", nil, ErrNoKey},
	} {
		if _, err := tc.b.Open(tc.value, tc.context); !errors.Is(err, tc.want) {
			t.Errorf("%s: Open = %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestKeyChange: with the new key first and the old after it, old values open and are not current
// (so they get re-sealed), new values seal under the new key.
func TestKeyChange(t *testing.T) {
	old := mustBox(t, key(1))
	sealedOld, _ := old.Seal([]byte("v"), "c")
	both := mustBox(t, key(2), key(1))
	if got, err := both.Open(sealedOld, "c"); err != nil || string(got) != "v" {
		t.Fatalf("old value under the new list: %q, %v", got, err)
	}
	if both.Current(sealedOld) {
		t.Error("a value under the old key counts as current")
	}
	sealedNew, _ := both.Seal([]byte("v"), "c")
	if !both.Current(sealedNew) || old.Current(sealedNew) {
		t.Error("a new value is not sealed under the first key")
	}
	if _, err := old.Open(sealedNew, "c"); !errors.Is(err, ErrNoKey) {
		t.Errorf("the old box opened a value sealed under the new key: %v", err)
	}
}

func TestClearValues(t *testing.T) {
	var none *Box
	if v, err := none.Seal([]byte("plain"), "c"); err != nil || v != "plain" {
		t.Fatalf("nil Box Seal = %q, %v; want the value in the clear", v, err)
	}
	if !none.Current("plain") {
		t.Error("a nil Box wants to rewrite a value")
	}
	b := mustBox(t, key(1))
	if got, err := b.Open("plain", "c"); err != nil || string(got) != "plain" {
		t.Fatalf("Open of a value in the clear = %q, %v", got, err)
	}
	if b.Current("plain") {
		t.Error("a value in the clear counts as current under a key")
	}
}

func TestParseKeysAndNew(t *testing.T) {
	k1 := base64.StdEncoding.EncodeToString(key(1))
	k2 := base64.RawURLEncoding.EncodeToString(append(key(2)[:31], 0xfb))
	keys, err := ParseKeys(" " + k1 + " , " + k2)
	if err != nil || len(keys) != 2 || !bytes.Equal(keys[0], key(1)) {
		t.Fatalf("ParseKeys = %d keys, %v", len(keys), err)
	}
	for _, bad := range []string{"", "not base64!", base64.StdEncoding.EncodeToString(key(1)[:16]), k1 + ","} {
		if _, err := ParseKeys(bad); err == nil {
			t.Errorf("ParseKeys(%q) accepted", bad)
		}
	}
	if _, err := New(key(1), key(1)); err == nil {
		t.Error("New accepted one key twice")
	}
	if _, err := New(); err == nil {
		t.Error("New accepted no key")
	}
}
