package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// userHZ is the unit of utime and stime in /proc/<pid>/stat. Linux fixes it at 100 for user space
// on every architecture Go supports (the kernel's own HZ may differ), so no sysconf (and no cgo) is needed.
const userHZ = 100

// cpuSeconds is the user+system CPU time a process has used so far.
func cpuSeconds(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(b)
}

// parseStatCPU reads utime and stime from a /proc/<pid>/stat line. The command name (field 2) may hold
// spaces and parentheses, so fields are counted from the last ')'.
func parseStatCPU(b []byte) (float64, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("malformed /proc stat")
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state), so utime (field 14) is f[11] and stime (field 15) is f[12].
	if len(f) < 13 {
		return 0, errors.New("malformed /proc stat")
	}
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("malformed /proc stat")
	}
	return float64(ut+st) / userHZ, nil
}

// memKB returns VmRSS and VmHWM (peak RSS) of a process, in KiB.
func memKB(pid int) (rss, hwm int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	rss, hwm = parseStatusKB(b, "VmRSS:"), parseStatusKB(b, "VmHWM:")
	if rss < 0 {
		return 0, 0, errors.New("no VmRSS in /proc status")
	}
	return rss, hwm, nil
}

func parseStatusKB(b []byte, key string) int64 {
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				if n, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return n
				}
			}
		}
	}
	return -1
}

// resetPeakRSS sets VmHWM back to the current RSS (Linux ≥ 4.0), so a scenario's peak is its own and
// not the high-water mark of everything before it. Polling alone would miss spikes shorter than
// the polling interval.
func resetPeakRSS(pid int) bool {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0) == nil
}

// machineCPU reads the first line of /proc/stat: CPU seconds of the whole machine, busy and idle.
// The benchmark, the server and PostgreSQL share the machine, and other people's work may too; the
// idle share tells a server that waits from a machine that is full.
func machineCPU() (busy, idle float64, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, 0, errors.New("malformed /proc/stat")
	}
	// user nice system idle iowait irq softirq steal [guest guest_nice, already inside user and nice]
	for i, v := range f[1:min(len(f), 9)] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, 0, errors.New("malformed /proc/stat")
		}
		if i == 3 || i == 4 {
			idle += float64(n)
		} else {
			busy += float64(n)
		}
	}
	return busy / userHZ, idle / userHZ, nil
}

// postgresCPU is the CPU time of every process named "postgres" (the postmaster and its backends;
// the database shares this machine). A backend that exits during a measurement takes its time with
// it, but the server's pool keeps its connections open, so the loss is small.
func postgresCPU() float64 {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	total := 0.0
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil || !bytes.Contains(b, []byte(" (postgres) ")) {
			continue
		}
		if s, err := parseStatCPU(b); err == nil {
			total += s
		}
	}
	return total
}

// usage is what was spent during one measurement.
type usage struct {
	serverCPU float64 // seconds
	benchCPU  float64 // seconds: the load generator shares the machine, so its cost is part of the story
	pgCPU     float64 // seconds, every postgres process
	busyCPU   float64 // seconds, the whole machine (all of the above and anything else)
	idleCPU   float64 // seconds, the whole machine (idle + iowait)
	peakRSSKB int64
	peakExact bool // VmHWM could be reset, so peakRSSKB includes spikes between polls
}

// other is the machine's busy time that is not the server's, the benchmark's or PostgreSQL's.
func (u usage) other() float64 { return max(0, u.busyCPU-u.serverCPU-u.benchCPU-u.pgCPU) }

// otherShare is other() as a share of all the machine's CPU time during the measurement.
func (u usage) otherShare() float64 {
	if all := u.busyCPU + u.idleCPU; all > 0 {
		return u.other() / all
	}
	return 0
}

// meter measures a server process's CPU time and peak RSS across a piece of work.
type meter struct {
	pid          int
	cpu0, self0  float64
	pg0          float64
	busy0, idle0 float64
	hwmReset     bool
	stop         chan struct{}
	done         sync.WaitGroup
	mu           sync.Mutex
	maxRSS       int64 // KiB
}

// startMeter begins a measurement: it reads the CPU counters and polls RSS every 100 ms until finish.
func startMeter(pid int) *meter {
	m := &meter{pid: pid, stop: make(chan struct{})}
	m.hwmReset = resetPeakRSS(pid)
	m.cpu0, _ = cpuSeconds(pid)
	m.self0, _ = cpuSeconds(os.Getpid())
	m.pg0 = postgresCPU()
	m.busy0, m.idle0, _ = machineCPU()
	m.poll()
	m.done.Go(func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-m.stop:
				return
			case <-t.C:
				m.poll()
			}
		}
	})
	return m
}

func (m *meter) poll() {
	rss, _, err := memKB(m.pid)
	if err != nil {
		return // the process has gone; the scenario's errors will say so
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.maxRSS = max(m.maxRSS, rss)
}

// finish ends the measurement.
func (m *meter) finish() usage {
	close(m.stop)
	m.done.Wait()
	m.poll()
	cpu1, _ := cpuSeconds(m.pid)
	self1, _ := cpuSeconds(os.Getpid())
	busy1, idle1, _ := machineCPU()
	u := usage{serverCPU: cpu1 - m.cpu0, benchCPU: self1 - m.self0, pgCPU: postgresCPU() - m.pg0,
		busyCPU: busy1 - m.busy0, idleCPU: idle1 - m.idle0, peakExact: m.hwmReset}
	u.peakRSSKB = m.maxRSS
	if m.hwmReset {
		if _, hwm, err := memKB(m.pid); err == nil {
			u.peakRSSKB = max(u.peakRSSKB, hwm)
		}
	}
	return u
}

// loadavg is /proc/loadavg's first three numbers, to tell a busy machine from a slow server.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
