package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

// TestMemProfileInitRunsFirst checks memprofile's promise: its init runs before the dependencies'
// inits have allocated enough for the heap profiler to take a sample (one per 512 KiB on average).
// GODEBUG=inittrace=1 makes the runtime print each package's init with the bytes it allocated; this
// test binary links the same packages as phoneauth, in the same order.
func TestMemProfileInitRunsFirst(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("running %s: %v\n%s", os.Args[0], err, stderr.String())
	}
	line := regexp.MustCompile(`^init (\S+) @.* (\d+) bytes, \d+ allocs$`)
	const limit = 64 << 10
	var before, inits int
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		if m[1] == "github.com/phoneauth/phoneauth/cmd/phoneauth/internal/memprofile" {
			if before > limit {
				t.Errorf("memprofile's init ran after %d other inits had allocated %d bytes, want at most %d", inits, before, limit)
			}
			return
		}
		n, _ := strconv.Atoi(m[2])
		before += n
		inits++
	}
	t.Fatalf("memprofile's init is not in the init trace:\n%s", stderr.String())
}
