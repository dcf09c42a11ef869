package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/phoneauth/phoneauth/auth/phone"
)

func TestPumpPhonesAreValid(t *testing.T) {
	regions := map[string]bool{}
	for i := range 300 {
		p := realUserPhone(i)
		n, err := phone.Parser{}.Parse(p)
		if err != nil || n.E164 != p {
			t.Fatalf("realUserPhone(%d) = %q: %v", i, p, err)
		}
		regions[n.Region] = true
	}
	if len(regions) != 3 {
		t.Fatalf("regions %v, want 3", regions)
	}
	n, err := phone.Parser{}.Parse(attackedPrefix + "123456")
	if err != nil || n.Prefix() != attackedPrefix {
		t.Fatalf("attacked number: %+v, %v", n, err)
	}
	seen := map[string]bool{}
	for i := range fullPump.ips {
		seen[attackIP(i)] = true
	}
	if len(seen) != fullPump.ips {
		t.Fatalf("%d distinct attack addresses, want %d", len(seen), fullPump.ips)
	}
}

// TestPumpingIsStopped is the pumping scenario, shorter, on SQLite: the server's defaults stop the
// attack within its goal while the real users carry on. It asserts the goals, not the timing.
func TestPumpingIsStopped(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	root, err := moduleRoot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin, err := buildServer(ctx, root, dir)
	if err != nil {
		t.Fatal(err)
	}
	hc := newHTTPClient(64)
	defer hc.CloseIdleConnections()
	cfg := pumpConfig{attacks: 600, ips: 150, users: 60, attackConns: 8, userConns: 2}
	res, err := pumping(ctx, bin, dir, filepath.Join(dir, "pump.db"), cfg, hc)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	if res.AttackSMS > pumpGoalSMS || res.AttackSMS == 0 {
		t.Errorf("%d SMS reached the attacked prefix, want 1 to %d", res.AttackSMS, pumpGoalSMS)
	}
	if res.UsersOK() < pumpGoalUsersOK || res.UsersVerified != res.UsersSent {
		t.Errorf("%d of %d real users got their code (%d verified), want %.0f%%", res.UsersSent, res.Users, res.UsersVerified, 100*pumpGoalUsersOK)
	}
	if res.AttackStatuses["429"] < cfg.attacks-pumpGoalSMS {
		t.Errorf("attack statuses %v: want the rest refused with 429", res.AttackStatuses)
	}
}
