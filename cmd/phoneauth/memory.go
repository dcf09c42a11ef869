package main

import (
	"os"
	"runtime"
	"runtime/debug"
)

// tuneRuntime returns how many password-hashing workers to run: as many as the CPUs Go was given
// (container limits included). It then adds one scheduler slot beyond them, unless GOMAXPROCS is set,
// so that while every worker hashes (a login flood) requests still find a processor; the workers'
// threads have a lower OS priority, so the kernel favours those requests.
func tuneRuntime() (hashWorkers int) {
	procs := runtime.GOMAXPROCS(0)
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(procs + 1)
	}
	return procs
}

// releaseStartupMemory hands back to the OS what start-up used and dropped (metadata parsing, the
// spec, the dummy hash), so an idle instance stays small.
func releaseStartupMemory() {
	runtime.GC()
	debug.FreeOSMemory()
}
