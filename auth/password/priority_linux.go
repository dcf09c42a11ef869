package password

import (
	"runtime"
	"syscall"
)

// lowerThreadPriority pins the calling goroutine to its OS thread and lowers that thread's priority
// (nice 10; Linux applies nice per thread), so that hashing yields the CPU to request handling.
func lowerThreadPriority() {
	runtime.LockOSThread()
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 10) // best effort: hashing works without it
}
