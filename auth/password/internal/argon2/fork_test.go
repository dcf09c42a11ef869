package argon2

import (
	"bytes"
	"crypto/rand"
	"testing"

	upstream "golang.org/x/crypto/argon2"
)

// TestMatchesUpstream holds the fork to golang.org/x/crypto/argon2 byte for byte, with one work area
// reused across hashes of different sizes (a stale block read would show here).
func TestMatchesUpstream(t *testing.T) {
	mem := &Memory{}
	cases := []struct {
		time, memory uint32
		threads      uint8
		keyLen       uint32
	}{
		{1, 64, 1, 32}, {2, 19 * 1024, 1, 32}, {3, 256, 2, 16}, {1, 8, 1, 64}, {2, 1024, 4, 32}, {1, 64, 1, 32},
	}
	for i, c := range cases {
		for range 3 {
			pw, salt := make([]byte, 1+i*7), make([]byte, 16)
			_, _ = rand.Read(pw)
			_, _ = rand.Read(salt)
			want := upstream.IDKey(pw, salt, c.time, c.memory, c.threads, c.keyLen)
			if got := IDKeyWith(mem, pw, salt, c.time, c.memory, c.threads, c.keyLen); !bytes.Equal(got, want) {
				t.Fatalf("case %+v: fork %x, upstream %x", c, got, want)
			}
			if got := IDKey(pw, salt, c.time, c.memory, c.threads, c.keyLen); !bytes.Equal(got, want) {
				t.Fatalf("case %+v: IDKey differs from upstream", c)
			}
		}
	}
}

// RFC 9106 §5.3 test vector for Argon2id (with secret and associated data).
func TestRFC9106Vector(t *testing.T) {
	pw, salt := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 16)
	secret, ad := bytes.Repeat([]byte{3}, 8), bytes.Repeat([]byte{4}, 12)
	want := []byte{0x0d, 0x64, 0x0d, 0xf5, 0x8d, 0x78, 0x76, 0x6c, 0x08, 0xc0, 0x37, 0xa3, 0x4a, 0x8b, 0x53, 0xc9,
		0xd0, 0x1e, 0xf0, 0x45, 0x2d, 0x75, 0xb6, 0x5e, 0xb5, 0x25, 0x20, 0xe9, 0x6b, 0x01, 0xe6, 0x59}
	mem := &Memory{blocks: make([]block, 64)}
	for i := range mem.blocks { // garbage in the reused area must not matter
		mem.blocks[i][0] = 0xdeadbeef
	}
	if got := deriveKeyWith(mem, argon2id, pw, salt, secret, ad, 3, 32, 4, 32); !bytes.Equal(got, want) {
		t.Fatalf("got %x, want %x", got, want)
	}
}
