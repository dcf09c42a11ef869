package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
)

// fixture is what the scenarios share: the server, the seeded users and the sessions made for them.
type fixture struct {
	g      *loadgen
	rcv    *receiver
	phones []string
	// Request bodies are built once: JSON encoding per request would be load-generator CPU taken
	// from the server on a small machine.
	loginBodies [][]byte
	otpBodies   [][]byte
	meHeaders   []http.Header // Authorization of distinct users' sessions
	refresh     []string      // one refresh token per refresh client, each a chain of its own
}

type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

func newFixture(g *loadgen, rcv *receiver, phones []string) *fixture {
	f := &fixture{g: g, rcv: rcv, phones: phones}
	for _, p := range phones {
		lb, _ := json.Marshal(map[string]string{"phone": p, "password": benchPassword})
		ob, _ := json.Marshal(map[string]string{"phone_number": p})
		f.loginBodies = append(f.loginBodies, lb)
		f.otpBodies = append(f.otpBodies, ob)
	}
	return f
}

// login logs phone i in with its password.
func (f *fixture) login(ctx context.Context, i int) (tokenAnswer, error) {
	status, body, err := f.g.send(ctx, http.MethodPost, "/api/v1/auth/login", f.loginBodies[i], nil, true)
	var t tokenAnswer
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("login %s: status %d: %s", f.phones[i], status, body)
	}
	if err == nil {
		err = json.Unmarshal(body, &t)
	}
	return t, err
}

// openSessions logs in the first meUsers users (their access tokens drive GET /me) and refreshUsers
// more (one refresh chain each), with 2×CPUs logins in flight, which keeps the hashing gate busy
// without queueing.
func (f *fixture) openSessions(ctx context.Context, meUsers, refreshUsers int) error {
	n := meUsers + refreshUsers
	answers := make([]tokenAnswer, n)
	errs := make(chan error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 2 * runtime.NumCPU() {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				t, err := f.login(ctx, i%len(f.phones))
				if err != nil {
					errs <- err
					return
				}
				answers[i] = t
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for i, t := range answers {
		if i < meUsers {
			f.meHeaders = append(f.meHeaders, http.Header{"Authorization": {"Bearer " + t.AccessToken}})
		} else {
			f.refresh = append(f.refresh, t.RefreshToken)
		}
	}
	return nil
}

// roundRobin hands out 0, 1, …, n-1, 0, … across all clients of a scenario, so that consecutive
// requests hit different users (and different rows), as real traffic does.
func roundRobin(n int) func() int {
	var next atomic.Uint64
	return func() int { return int((next.Add(1) - 1) % uint64(n)) }
}

func (f *fixture) healthz(int) op {
	return func(ctx context.Context) (int, error) {
		st, _, err := f.g.send(ctx, http.MethodGet, "/healthz", nil, nil, false)
		return st, err
	}
}

// meOps returns a factory of GET /me clients sharing one round-robin over the users' tokens.
func (f *fixture) meOps() func(int) op {
	next := roundRobin(len(f.meHeaders))
	return func(int) op {
		return func(ctx context.Context) (int, error) {
			st, _, err := f.g.send(ctx, http.MethodGet, "/api/v1/auth/me", nil, f.meHeaders[next()], false)
			return st, err
		}
	}
}

func (f *fixture) loginOps() func(int) op {
	next := roundRobin(len(f.phones))
	return func(int) op {
		return func(ctx context.Context) (int, error) {
			st, _, err := f.g.send(ctx, http.MethodPost, "/api/v1/auth/login", f.loginBodies[next()], nil, false)
			return st, err
		}
	}
}

// refreshOp rotates client c's own chain: each answer's refresh_token is the next request's, as a real
// client does. After a failure it retries the token it has; a dead chain shows up as a run of 401s.
func (f *fixture) refreshOp(c int) op {
	tok := f.refresh[c]
	return func(ctx context.Context) (int, error) {
		body, _ := json.Marshal(map[string]string{"refresh_token": tok})
		st, resp, err := f.g.send(ctx, http.MethodPost, "/api/v1/auth/refresh", body, nil, true)
		if err != nil || st != http.StatusOK {
			return st, err
		}
		var t tokenAnswer
		if json.Unmarshal(resp, &t) != nil || t.RefreshToken == "" {
			return 0, fmt.Errorf("refresh answer without refresh_token")
		}
		tok = t.RefreshToken
		return st, nil
	}
}

func (f *fixture) sendOTPOps() func(int) op {
	next := roundRobin(len(f.phones))
	return func(int) op {
		return func(ctx context.Context) (int, error) {
			st, _, err := f.g.send(ctx, http.MethodPost, "/api/v1/auth/login/send-otp", f.otpBodies[next()], nil, false)
			return st, err
		}
	}
}

// codeLoginOps is the whole code login a user makes: send-otp, read the SMS, verify-otp. Client c owns
// the phones i ≡ c (mod clients), so no two clients race for one phone's newest code.
func (f *fixture) codeLoginOps(clients int) func(int) op {
	return func(c int) op {
		i := c
		return func(ctx context.Context) (int, error) {
			phone := f.phones[i]
			body := f.otpBodies[i]
			if i += clients; i >= len(f.phones) {
				i = c
			}
			st, _, err := f.g.send(ctx, http.MethodPost, "/api/v1/auth/login/send-otp", body, nil, false)
			if err != nil || st != http.StatusOK {
				return st, err
			}
			// The webhook is called before send-otp answers, so the code is already here.
			code := f.rcv.code(phone)
			vb, _ := json.Marshal(map[string]string{"phone_number": phone, "otp_code": code})
			st, _, err = f.g.send(ctx, http.MethodPost, "/api/v1/auth/login/verify-otp", vb, nil, false)
			return st, err
		}
	}
}

// hashResult is the raw speed of the service's password hash on this machine.
type hashResult struct {
	goroutines int
	hashes     int
	elapsed    time.Duration
}

func (h hashResult) rate() float64 {
	if h.elapsed <= 0 {
		return 0
	}
	return float64(h.hashes) / h.elapsed.Seconds()
}

// rawHashRate runs GOMAXPROCS goroutines computing argon2id with the service's parameters for d. It is
// the ceiling of password logins here: the server's gate admits GOMAXPROCS hashes at a time, and each
// login costs exactly one hash, so login/raw-hash shows what the HTTP, database and session work
// around the hash take away.
func rawHashRate(ctx context.Context, d time.Duration) hashResult {
	n := runtime.GOMAXPROCS(0)
	var count atomic.Int64
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			pw := []byte(benchPassword)
			salt := []byte(fmt.Sprintf("bench-salt-%05d", w))
			for ctx.Err() == nil && time.Now().Before(deadline) {
				argon2.IDKey(pw, salt, hashTime, hashMemoryKiB, hashThreads, hashKeyLen)
				count.Add(1)
			}
		})
	}
	wg.Wait()
	return hashResult{goroutines: n, hashes: int(count.Load()), elapsed: time.Since(start)}
}
