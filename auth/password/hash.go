package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/text/unicode/norm"
)

// ErrBusy is returned when a hash could not start within the queue timeout: the service is
// overloaded, and the caller should answer 503 rather than queue without bound.
var ErrBusy = errors.New("password hashing is saturated")

// ErrMalformedHash is returned for a stored hash phoneauth cannot read.
var ErrMalformedHash = errors.New("malformed password hash")

// Params are argon2id's cost parameters; they are written into every PHC string, so raising them later
// leaves old hashes verifiable (and rehashed at the next successful login).
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams are OWASP's first argon2id recommendation (m=19 MiB, t=2, p=1).
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Observer is told how long hashes wait for the gate. auth.Observer has the same method, so the
// service's one observer serves here too.
type Observer interface {
	HashWait(d time.Duration)
}

// Config configures a Hasher.
type Config struct {
	Params Params
	// Concurrency is how many hashes may run at once; it bounds the CPU they take and the memory
	// (Params.Memory each). Default GOMAXPROCS.
	Concurrency int
	// QueueTimeout is how long a hash may wait for a slot before ErrBusy; default 5s.
	QueueTimeout time.Duration
	// Observer, if set, is told how long each hash waited for its slot (for metrics).
	Observer Observer
}

// Hasher hashes and verifies passwords behind a gate that lets Config.Concurrency hashes run at once;
// the others wait for a slot, at most Config.QueueTimeout, then get ErrBusy. It is safe for
// concurrent use.
type Hasher struct {
	params  Params
	slots   chan struct{} // a hash holds one for as long as it runs
	timeout time.Duration
	obs     Observer
	dummy   string
}

// NewHasher returns a Hasher; it computes one hash up front to use for VerifyDummy.
func NewHasher(cfg Config) (*Hasher, error) {
	if cfg.Params == (Params{}) {
		cfg.Params = DefaultParams
	}
	p := cfg.Params
	if p.Memory < 8 || p.Time < 1 || p.Threads < 1 || p.SaltLen < 8 || p.KeyLen < 16 {
		return nil, fmt.Errorf("password: invalid argon2id parameters %+v", p)
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = runtime.GOMAXPROCS(0)
	}
	if cfg.QueueTimeout <= 0 {
		cfg.QueueTimeout = 5 * time.Second
	}
	h := &Hasher{params: p, slots: make(chan struct{}, cfg.Concurrency), timeout: cfg.QueueTimeout, obs: cfg.Observer}
	// The dummy hash only has to cost what a real one costs to verify: the same parameters, with a
	// random salt and a random key that no password is known to derive. Nothing is computed (or
	// allocated) for it at start-up.
	salt, key := make([]byte, p.SaltLen), make([]byte, p.KeyLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	h.dummy = h.encode(salt, key)
	return h, nil
}

// Params returns the parameters new hashes use.
func (h *Hasher) Params() Params { return h.params }

// run takes a slot, waiting at most the queue timeout for one, runs fn and gives the slot back.
func (h *Hasher) run(ctx context.Context, fn func()) error {
	start := time.Now()
	select {
	case h.slots <- struct{}{}:
	default:
		timer := time.NewTimer(h.timeout)
		defer timer.Stop()
		select {
		case h.slots <- struct{}{}:
		case <-timer.C:
			return ErrBusy
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	defer func() { <-h.slots }()
	if h.obs != nil {
		h.obs.HashWait(time.Since(start))
	}
	fn()
	return nil
}

// Hash returns the PHC string of an argon2id hash of pw (NFKC-normalized, per NIST SP 800-63B).
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	var key []byte
	err := h.run(ctx, func() {
		key = argon2.IDKey([]byte(norm.NFKC.String(pw)), salt, h.params.Time, h.params.Memory, h.params.Threads, h.params.KeyLen)
	})
	if err != nil {
		return "", err
	}
	return h.encode(salt, key), nil
}

// encode writes the PHC string of a hash made with h's parameters.
func (h *Hasher) encode(salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.params.Memory, h.params.Time, h.params.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Verify reports whether pw matches encoded (an argon2id PHC string or a bcrypt hash as written by
// passlib), and whether encoded should be replaced by a fresh Hash (weaker parameters or bcrypt).
func (h *Hasher) Verify(ctx context.Context, pw, encoded string) (ok, rehash bool, err error) {
	switch {
	case strings.HasPrefix(encoded, "$argon2id$"):
		p, salt, want, err := parseArgon2id(encoded)
		if err != nil {
			return false, false, err
		}
		var got []byte
		err = h.run(ctx, func() {
			got = argon2.IDKey([]byte(norm.NFKC.String(pw)), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
		})
		if err != nil {
			return false, false, err
		}
		ok := subtle.ConstantTimeCompare(got, want) == 1
		weaker := p.Memory < h.params.Memory || p.Time < h.params.Time || p.Threads < h.params.Threads
		return ok, ok && weaker, nil
	case strings.HasPrefix(encoded, "$2a$") || strings.HasPrefix(encoded, "$2b$") || strings.HasPrefix(encoded, "$2y$"):
		if len(pw) > 72 {
			// bcrypt reads only 72 bytes; passlib raised on longer input, so no such user can exist.
			return false, false, nil
		}
		var err error
		if rerr := h.run(ctx, func() { err = bcrypt.CompareHashAndPassword([]byte(encoded), []byte(pw)) }); rerr != nil {
			return false, false, rerr
		}
		switch {
		case err == nil:
			return true, true, nil
		case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
			return false, false, nil
		default:
			return false, false, fmt.Errorf("%w: %v", ErrMalformedHash, err)
		}
	default:
		return false, false, ErrMalformedHash
	}
}

// VerifyDummy spends the time of one Verify and always fails: used when there is no user, so that an
// unknown phone cannot be told from a wrong password by timing.
func (h *Hasher) VerifyDummy(ctx context.Context, pw string) error {
	_, _, err := h.Verify(ctx, pw, h.dummy)
	return err
}

// ValidHash reports whether encoded is a hash Verify can read (used when importing users).
func ValidHash(encoded string) bool {
	if strings.HasPrefix(encoded, "$argon2id$") {
		_, _, _, err := parseArgon2id(encoded)
		return err == nil
	}
	if strings.HasPrefix(encoded, "$2a$") || strings.HasPrefix(encoded, "$2b$") || strings.HasPrefix(encoded, "$2y$") {
		_, err := bcrypt.Cost([]byte(encoded))
		return err == nil
	}
	return false
}

func parseArgon2id(encoded string) (Params, []byte, []byte, error) {
	// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return Params{}, nil, nil, ErrMalformedHash
	}
	var p Params
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return Params{}, nil, nil, ErrMalformedHash
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return Params{}, nil, nil, ErrMalformedHash
			}
			p.Threads = uint8(n)
		default:
			return Params{}, nil, nil, ErrMalformedHash
		}
	}
	// Refuse parameters that would let a crafted hash (say, an import) burn the server.
	if p.Memory < 8 || p.Memory > 1<<18 || p.Time < 1 || p.Time > 64 || p.Threads < 1 || p.Threads > 64 {
		return Params{}, nil, nil, ErrMalformedHash
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 128 {
		return Params{}, nil, nil, ErrMalformedHash
	}
	return p, salt, key, nil
}
