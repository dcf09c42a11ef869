// Package memprofile switches the runtime's heap profiler off unless pprof is served
// (PHONEAUTH_DEBUG_ADDR) or GODEBUG sets memprofilerate. main imports it for that side effect alone.
//
// By default the runtime samples one allocation in every 512 KiB from the very first one: each sample
// unwinds the stack, which pulls pages of the binary's line tables into memory, and the first sample
// maps a 1.4 MiB bucket table. That was about 4 MB of an idle instance's resident memory, spent on
// profiles nobody can read while the debug listener is off.
//
// The switch has to happen before the other packages' init functions allocate, so it cannot wait for
// main: this is the one init with a side effect in the project (an exception to STYLE rule 7). Since
// Go 1.21 the spec fixes the order: among packages whose imports are initialized, the first by import
// path goes next. This package imports only runtime and syscall (not even strings, which waits for
// unicode and everything sorted before it), so it runs before any dependency that allocates much; TestMemProfileInitRunsFirst in cmd/phoneauth checks that with
// GODEBUG=inittrace=1.
package memprofile

import (
	"runtime"
	"syscall"
)

func init() {
	if !Wanted(syscall.Getenv) {
		runtime.MemProfileRate = 0
	}
}

// Wanted reports whether heap profiles may be asked for, given the environment: when the debug
// listener serves pprof, or when GODEBUG sets the rate (which the runtime has applied already).
func Wanted(getenv func(string) (string, bool)) bool {
	if addr, _ := getenv("PHONEAUTH_DEBUG_ADDR"); addr != "" {
		return true
	}
	godebug, _ := getenv("GODEBUG")
	const key = "memprofilerate="
	for start := 0; start < len(godebug); {
		end := start
		for end < len(godebug) && godebug[end] != ',' {
			end++
		}
		setting := godebug[start:end]
		for len(setting) > 0 && setting[0] == ' ' {
			setting = setting[1:]
		}
		if len(setting) >= len(key) && setting[:len(key)] == key {
			return true
		}
		start = end + 1
	}
	return false
}
