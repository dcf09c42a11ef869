package main

import "syscall"

// childAttr makes the kernel kill the server if the benchmark itself dies without cleaning up (kill -9,
// a crash), so no orphan keeps a port and a database connection.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
