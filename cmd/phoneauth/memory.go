package main

import (
	"runtime"
	"runtime/debug"
)

// releaseStartupMemory hands back to the OS what start-up used and dropped (metadata parsing, the
// spec, the dummy hash), so an idle instance stays small.
func releaseStartupMemory() {
	runtime.GC()
	debug.FreeOSMemory()
}
