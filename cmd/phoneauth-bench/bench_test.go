package main

import (
	"context"
	"testing"
	"time"

	"github.com/phoneauth/phoneauth/auth/password"
	"github.com/phoneauth/phoneauth/auth/phone"
)

// The seeded hash must be one the server accepts as current: a format drift would turn every
// benchmark login into a 401, and a parameter drift into a silent rehash (two hashes per login).
func TestSeedHashVerifies(t *testing.T) {
	h, err := password.NewHasher(password.Config{Params: password.DefaultParams})
	if err != nil {
		t.Fatal(err)
	}
	ok, rehash, err := h.Verify(context.Background(), benchPassword, phcHash(benchPassword))
	if err != nil || !ok || rehash {
		t.Fatalf("Verify(seed hash) = ok %v, rehash %v, err %v; want ok, no rehash", ok, rehash, err)
	}
}

func TestBenchPhonesAreValid(t *testing.T) {
	for _, i := range []int{0, 1, 9999, 10000, 45678, maxUsers - 1} {
		p := benchPhone(i)
		n, err := phone.Parser{}.Parse(p)
		if err != nil || n.E164 != p {
			t.Errorf("benchPhone(%d) = %q: parses to %q, %v", i, p, n.E164, err)
		}
	}
}

func TestParseStatCPU(t *testing.T) {
	// The command name may contain spaces and parentheses.
	line := []byte("4242 (phone auth) (x)) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 75 0 0 20 0 9 0 100 0 0")
	got, err := parseStatCPU(line)
	if err != nil || got != 3.25 {
		t.Fatalf("parseStatCPU = %v, %v; want 3.25", got, err)
	}
}

func TestQuantile(t *testing.T) {
	s := &sample{}
	for i := 1; i <= 100; i++ {
		s.latencies = append(s.latencies, time.Duration(i)*time.Millisecond)
	}
	for _, tt := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 50 * time.Millisecond}, {0.9, 90 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}} {
		if got := s.quantile(tt.q); got != tt.want {
			t.Errorf("quantile(%v) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestFindCode(t *testing.T) {
	for msg, want := range map[string]string{
		"123456 is your phoneauth login code.":                 "123456",
		"Your code: 042917\n\n@example.com #042917":            "042917",
		"call 14155550100 then 1234 or 98765, finally 654321.": "654321",
		"no code here": "",
	} {
		if got := findCode(msg); got != want {
			t.Errorf("findCode(%q) = %q, want %q", msg, got, want)
		}
	}
}

func TestIdleRSSIsTheMedian(t *testing.T) {
	var r results
	r.setIdleRSS([]int64{31 * 1024, 29 * 1024, 30 * 1024})
	if r.IdleRSSMB != 30 || len(r.IdleRSSRunsMB) != 3 || r.IdleRSSRunsMB[0] != 31 {
		t.Fatalf("median %.1f of %v, want 30 of the three in start order", r.IdleRSSMB, r.IdleRSSRunsMB)
	}
	r.setIdleRSS(nil)
	if len(r.IdleRSSRunsMB) != 0 {
		t.Fatalf("runs %v after no samples", r.IdleRSSRunsMB)
	}
}
