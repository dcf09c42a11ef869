package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The SMS-pumping scenario: bots request signup codes for random numbers of one premium-rate prefix,
// from many addresses behind a trusted proxy, and never verify one; meanwhile real users of three
// other countries request login codes and verify them. The server runs with the SMS guard's defaults.
// Goals: at most 50 SMS reach the attacked prefix before it is blocked, and at least 99% of the real
// users' sends get through.

const (
	attackedPrefix  = "+996700"
	pumpGoalSMS     = 50
	pumpGoalUsersOK = 0.99
)

// pumpConfig sizes the attack.
type pumpConfig struct {
	attacks     int // code requests of the attack
	ips         int // distinct client addresses they come from
	users       int // real users, in three countries
	attackConns int // concurrent attack clients
	userConns   int // concurrent real users
}

var fullPump = pumpConfig{attacks: 2000, ips: 500, users: 200, attackConns: 16, userConns: 4}

// pumpResult is what the scenario measured.
type pumpResult struct {
	AttackRequests int            `json:"attack_requests"`
	AttackSMS      int64          `json:"attack_sms"`      // SMS that reached the attacked prefix
	AttackStatuses map[string]int `json:"attack_statuses"` // of the attack's requests
	Users          int            `json:"users"`
	UsersSent      int            `json:"users_sent"`     // real users whose send answered 200 and whose code arrived
	UsersVerified  int            `json:"users_verified"` // … and whose verify answered 200
	UserStatuses   map[string]int `json:"user_statuses"`  // of the real users' sends
	ElapsedS       float64        `json:"elapsed_s"`
}

// UsersOK is the share of real users whose code got through.
func (p pumpResult) UsersOK() float64 {
	if p.Users == 0 {
		return 0
	}
	return float64(p.UsersSent) / float64(p.Users)
}

// realUserPhone is real user i: a valid mobile number of Great Britain, India or Germany in turn.
func realUserPhone(i int) string {
	switch i % 3 {
	case 0:
		return fmt.Sprintf("+4474001%05d", i)
	case 1:
		return fmt.Sprintf("+9198765%05d", i)
	}
	return fmt.Sprintf("+49151123%05d", i)
}

// attackIP is the attack's client address i (of up to 512), from the documentation ranges: only
// a header value, no traffic goes there.
func attackIP(i int) string {
	if i < 256 {
		return fmt.Sprintf("203.0.113.%d", i)
	}
	return fmt.Sprintf("198.51.100.%d", i%256)
}

// runCLI runs a phoneauth subcommand.
func runCLI(ctx context.Context, bin string, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("phoneauth %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// pumpEnv is the attacked server's settings: the defaults, but for the webhook and the trusted proxy
// that sets X-Forwarded-For.
func pumpEnv(dbURL, webhook string) []string {
	return serverEnv(
		"PHONEAUTH_DATABASE_URL="+dbURL,
		"PHONEAUTH_SMS_PROVIDER=webhook",
		"PHONEAUTH_SMS_WEBHOOK_URL="+webhook,
		"PHONEAUTH_SMS_WEBHOOK_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		"PHONEAUTH_TRUSTED_PROXIES=127.0.0.1",
		"PHONEAUTH_LOG_LEVEL=warn",
	)
}

// importUsers creates the real users with the CLI's import (one process, the hash computed once).
func importUsers(ctx context.Context, bin, dir, dbURL string, phones []string) error {
	path := filepath.Join(dir, "pump-users.jsonl")
	var b strings.Builder
	hash := phcHash(benchPassword)
	for i, p := range phones {
		line, _ := json.Marshal(map[string]any{"phone": p, "name": fmt.Sprintf("Real User %d", i), "password_hash": hash, "is_active": true})
		b.Write(line)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return err
	}
	return runCLI(ctx, bin, serverEnv("PHONEAUTH_DATABASE_URL="+dbURL), "users", "import", path)
}

// runPumping runs the attack and the real users at once against the server g talks to, whose SMS go
// to rcv.
func runPumping(ctx context.Context, g *loadgen, rcv *receiver, cfg pumpConfig, phones []string) pumpResult {
	res := pumpResult{AttackRequests: cfg.attacks, Users: len(phones), AttackStatuses: map[string]int{}, UserStatuses: map[string]int{}}
	rcv.watch(attackedPrefix)
	var mu sync.Mutex
	tally := func(m map[string]int, st int, err error) {
		k := fmt.Sprint(st)
		if err != nil {
			k = "error"
		}
		mu.Lock()
		m[k]++
		mu.Unlock()
	}
	start := time.Now()
	var wg sync.WaitGroup
	var next atomic.Int64
	for range cfg.attackConns {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
			for {
				i := int(next.Add(1) - 1)
				if i >= cfg.attacks || ctx.Err() != nil {
					return
				}
				body, _ := json.Marshal(map[string]string{"phone_number": fmt.Sprintf("%s%06d", attackedPrefix, r.IntN(1_000_000))})
				h := http.Header{"X-Forwarded-For": {attackIP(i % cfg.ips)}}
				st, _, err := g.send(ctx, http.MethodPost, "/api/v1/auth/signup/send-otp", body, h, false)
				tally(res.AttackStatuses, st, err)
			}
		})
	}
	var nextUser atomic.Int64
	var sent, verified atomic.Int64
	for range cfg.userConns {
		wg.Go(func() {
			for {
				i := int(nextUser.Add(1) - 1)
				if i >= len(phones) || ctx.Err() != nil {
					return
				}
				// Spread the users over the attack, as real traffic would be.
				sleepCtx(ctx, time.Duration(rand.IntN(20))*time.Millisecond)
				p := phones[i]
				h := http.Header{"X-Forwarded-For": {fmt.Sprintf("192.0.2.%d", i%256)}}
				body, _ := json.Marshal(map[string]string{"phone_number": p})
				st, _, err := g.send(ctx, http.MethodPost, "/api/v1/auth/login/send-otp", body, h, false)
				tally(res.UserStatuses, st, err)
				code := rcv.code(p)
				if err != nil || st != http.StatusOK || code == "" {
					continue
				}
				sent.Add(1)
				vb, _ := json.Marshal(map[string]string{"phone_number": p, "otp_code": code})
				if st, _, err := g.send(ctx, http.MethodPost, "/api/v1/auth/login/verify-otp", vb, h, false); err == nil && st == http.StatusOK {
					verified.Add(1)
				}
			}
		})
	}
	wg.Wait()
	res.ElapsedS = time.Since(start).Seconds()
	res.AttackSMS = rcv.watched.Load()
	res.UsersSent, res.UsersVerified = int(sent.Load()), int(verified.Load())
	return res
}

// pumpTargets are the scenario's goals.
func (p pumpResult) targets() []target {
	return []target{
		atMost("pumping: SMS to the attacked prefix", float64(p.AttackSMS), pumpGoalSMS, "SMS"),
		atLeast("pumping: real users' codes through", p.UsersOK(), pumpGoalUsersOK, "share"),
	}
}

// pumping sets up its own server (fresh database, the guard's defaults), runs the attack and stops
// the server.
func pumping(ctx context.Context, bin, dir, dbURL string, cfg pumpConfig, hc *http.Client) (pumpResult, error) {
	rcv, err := startReceiver()
	if err != nil {
		return pumpResult{}, err
	}
	defer rcv.close()
	addr, err := freeAddr()
	if err != nil {
		return pumpResult{}, err
	}
	logPath := filepath.Join(dir, "pumping.log")
	srv, err := startServer(ctx, bin, addr, logPath, pumpEnv(dbURL, rcv.url))
	if err != nil {
		return pumpResult{}, err
	}
	defer srv.stop()
	if _, err := srv.waitReady(ctx, hc, 60*time.Second); err != nil {
		return pumpResult{}, fmt.Errorf("%w; see %s", err, logPath)
	}
	phones := make([]string, cfg.users)
	for i := range phones {
		phones[i] = realUserPhone(i)
	}
	if err := importUsers(ctx, bin, dir, dbURL, phones); err != nil {
		return pumpResult{}, err
	}
	return runPumping(ctx, &loadgen{hc: hc, base: srv.url}, rcv, cfg, phones), nil
}
