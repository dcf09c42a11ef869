//go:build !linux

package password

// lowerThreadPriority does nothing where threads have no priority of their own to lower.
func lowerThreadPriority() {}
