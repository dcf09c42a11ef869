package main

import (
	"os"
	"runtime"
	"runtime/debug"
)

// tuneGC sets the garbage collector for a service whose main allocation is argon2id's 19 MiB work
// area, thrown away after every hash: with Go's default (GOGC=100 over a small live heap) a
// collection runs every two or three hashes and costs a tenth of each login. A soft memory limit
// lets garbage accumulate up to a bound instead. GOGC and GOMEMLIMIT, when set, win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(800)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(192 << 20)
	}
}

// releaseStartupMemory hands back to the OS what start-up used and dropped (metadata parsing, the
// spec, the dummy hash), so an idle instance stays small.
func releaseStartupMemory() {
	runtime.GC()
	debug.FreeOSMemory()
}
