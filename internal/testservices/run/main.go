// Command run runs a command (the test suite) against PostgreSQL and Redis servers of its own:
//
//	go run ./internal/testservices/run go test ./...
//
// Unless PHONEAUTH_TEST_DATABASE_URL is set, it starts a throwaway PostgreSQL from the machine's
// binaries (/usr/lib/postgresql/*/bin) and points the variable at it; unless PHONEAUTH_TEST_REDIS_URL
// is set, a redis-server when one is installed. It stops them when the command ends, however it
// ends, and exits with the command's status. What it cannot start goes untested: it says so in a
// loud banner, and with CI set it fails instead.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/phoneauth/phoneauth/internal/testservices"
)

const (
	envDB    = "PHONEAUTH_TEST_DATABASE_URL"
	envRedis = "PHONEAUTH_TEST_REDIS_URL"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(os.Stderr, "usage: go run ./internal/testservices/run COMMAND [ARGS...]")
		return 2
	}
	ci := os.Getenv("CI") != ""
	var cleanups []func()
	defer func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}()
	// On SIGINT or SIGTERM the command is told (a terminal's ^C reaches it anyway), and the servers
	// are stopped once it has ended.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	var missing []string

	if os.Getenv(envDB) == "" {
		pg, err := startPostgres()
		if err != nil {
			missing = append(missing, "the PostgreSQL tests ("+envDB+" is not set and "+err.Error()+")")
		} else {
			cleanups = append(cleanups, pg.Remove)
			url := pg.URL("test")
			os.Setenv(envDB, url)
			fmt.Fprintf(os.Stderr, "test services: PostgreSQL (%s) on 127.0.0.1:%d: %s=%s\n", filepath.Base(filepath.Dir(pg.Bin)), pg.Port, envDB, url)
		}
	}
	if os.Getenv(envRedis) == "" {
		r, err := testservices.StartRedis("")
		if err != nil {
			missing = append(missing, "the Redis tests ("+envRedis+" is not set and "+err.Error()+")")
		} else {
			cleanups = append(cleanups, r.Stop)
			os.Setenv(envRedis, r.URL())
			fmt.Fprintf(os.Stderr, "test services: Redis on %s: %s=%s\n", r.Addr(), envRedis, r.URL())
		}
	}
	if len(missing) > 0 {
		word := "SKIP"
		if ci {
			word = "FAIL (CI is set: a missing database fails the build):"
		}
		fmt.Fprint(os.Stderr, testservices.Banner(word, strings.Join(missing, ";\n     ")))
		if ci {
			return 1
		}
	}

	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Start()
	if err == nil {
		go func() {
			for s := range sigs {
				_ = cmd.Process.Signal(s)
			}
		}()
		err = cmd.Wait()
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode()
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if len(missing) > 0 {
		fmt.Fprint(os.Stderr, testservices.Banner("SKIPPED", strings.Join(missing, ";\n        ")))
	}
	return 0
}

func startPostgres() (*testservices.Postgres, error) {
	// Durability is not what these tests test; connections are (many servers in parallel).
	pg, err := testservices.NewPostgres("", "fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=300")
	if err != nil {
		return nil, err
	}
	if err := pg.Start(); err != nil {
		pg.Remove()
		return nil, err
	}
	if err := pg.CreateDB("test"); err != nil {
		pg.Remove()
		return nil, err
	}
	return pg, nil
}
