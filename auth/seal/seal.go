// Package seal encrypts the secrets phoneauth keeps in its database (the signing keys' private halves,
// the key that hashes one-time codes) with AES-256-GCM under keys only the operator holds
// (PHONEAUTH_ENCRYPTION_KEY), so that a copy of the database — a backup, a replica, a dump — does not
// give away the power to sign tokens or to recognise codes.
//
// A sealed value is "sealed:v1:<key id>:<base64 of nonce ‖ ciphertext>". The additional data binds it
// to its row (e.g. "signing_keys/<kid>"), so a value cannot be moved to another row. Several keys can
// be held at once: the first seals, all open, which is how the key is changed.
//
// It imports only the standard library.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of a key: AES-256.
const KeySize = 32

const prefix = "sealed:v1:"

// ErrNoKey means a value is sealed under a key this Box does not hold (or the Box holds none).
var ErrNoKey = errors.New("sealed under a key that is not configured")

// ErrCorrupt means a sealed value does not open: it was altered, truncated or moved to another row.
var ErrCorrupt = errors.New("sealed value does not open (altered, or moved from another row)")

// Box seals and opens values. A nil *Box holds no key: it leaves values in the clear and cannot open
// a sealed one.
type Box struct {
	keys []boxKey // keys[0] seals
}

type boxKey struct {
	id   string
	aead cipher.AEAD
}

// New returns a Box that seals with keys[0] and opens with any of keys.
func New(keys ...[]byte) (*Box, error) {
	if len(keys) == 0 {
		return nil, errors.New("seal: no key")
	}
	b := &Box{}
	seen := map[string]bool{}
	for i, k := range keys {
		if len(k) != KeySize {
			return nil, fmt.Errorf("seal: key %d is %d bytes, want %d", i+1, len(k), KeySize)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(append([]byte("phoneauth seal key id\x00"), k...))
		id := hex.EncodeToString(sum[:4])
		if seen[id] {
			return nil, fmt.Errorf("seal: key %d is listed twice", i+1)
		}
		seen[id] = true
		b.keys = append(b.keys, boxKey{id: id, aead: aead})
	}
	return b, nil
}

// ParseKeys reads a comma-separated list of base64 keys (standard or URL alphabet, padded or not).
func ParseKeys(s string) ([][]byte, error) {
	var keys [][]byte
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimRight(strings.TrimSpace(part), "=")
		k, err := base64.RawStdEncoding.DecodeString(part)
		if err != nil {
			if k, err = base64.RawURLEncoding.DecodeString(part); err != nil {
				return nil, fmt.Errorf("key %d is not base64", i+1)
			}
		}
		if len(k) != KeySize {
			return nil, fmt.Errorf("key %d is %d bytes, want %d (e.g. openssl rand -base64 32)", i+1, len(k), KeySize)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// IsSealed reports whether value is a sealed value rather than one in the clear.
func IsSealed(value string) bool { return strings.HasPrefix(value, prefix) }

// Seal encrypts plaintext for the row named by context. A nil Box returns plaintext unchanged.
func (b *Box) Seal(plaintext []byte, context string) (string, error) {
	if b == nil {
		return string(plaintext), nil
	}
	k := b.keys[0]
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	sealed := k.aead.Seal(nonce, nonce, plaintext, []byte(context))
	return prefix + k.id + ":" + base64.RawStdEncoding.EncodeToString(sealed), nil
}

// Open returns the plaintext of value, stored for the row named by context. A value in the clear is
// returned as it is (rows written before a key was configured).
func (b *Box) Open(value, context string) ([]byte, error) {
	if !IsSealed(value) {
		return []byte(value), nil
	}
	id, data, ok := strings.Cut(strings.TrimPrefix(value, prefix), ":")
	if !ok {
		return nil, ErrCorrupt
	}
	if b == nil {
		return nil, ErrNoKey
	}
	for _, k := range b.keys {
		if k.id != id {
			continue
		}
		raw, err := base64.RawStdEncoding.DecodeString(data)
		if err != nil || len(raw) < k.aead.NonceSize() {
			return nil, ErrCorrupt
		}
		plain, err := k.aead.Open(nil, raw[:k.aead.NonceSize()], raw[k.aead.NonceSize():], []byte(context))
		if err != nil {
			return nil, ErrCorrupt
		}
		return plain, nil
	}
	return nil, ErrNoKey
}

// Current reports whether value needs no rewriting: it is sealed under the key this Box seals with.
// A value in the clear or under an older key is not current. A nil Box rewrites nothing.
func (b *Box) Current(value string) bool {
	if b == nil {
		return true
	}
	return strings.HasPrefix(value, prefix+b.keys[0].id+":")
}
