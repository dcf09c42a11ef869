package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// buildServer compiles ./cmd/phoneauth of the module at root into dir, so the benchmark measures the
// working tree, not whatever bin/phoneauth happens to be. It builds the way make build and the
// Dockerfile do (static, trimmed, stripped): a cgo build maps the C library as well, about 1.5 MB more
// resident memory than what ships.
func buildServer(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "phoneauth")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "./cmd/phoneauth")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/phoneauth: %v\n%s", err, out)
	}
	return bin, nil
}

// moduleRoot is the directory of the main module's go.mod, so the benchmark works from any directory
// inside the repository.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside a Go module: run from the phoneauth repository")
	}
	return filepath.Dir(mod), nil
}

// serverProc is one running phoneauth process.
type serverProc struct {
	cmd     *exec.Cmd
	url     string
	started time.Time     // just before exec
	listen  time.Time     // when the "listening" line was read (zero when not logged)
	exited  chan struct{} // closed when the process has exited
	logged  chan struct{} // closed when its output is all in the log file
	waitErr error
}

func (p *serverProc) pid() int { return p.cmd.Process.Pid }

// serverEnv is the parent's environment without any PHONEAUTH_* variable (a developer's own settings
// must not leak into the benchmark), plus the given settings.
func serverEnv(settings ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PHONEAUTH_") {
			env = append(env, kv)
		}
	}
	return append(env, settings...)
}

// startServer runs `phoneauth serve` with env, its stderr copied to logPath. With a fixed addr the
// server is found there; with addr "127.0.0.1:0" the address is read from its "listening" log line
// (which needs log level info). It returns once the process listens, not once it is ready.
func startServer(ctx context.Context, bin, addr, logPath string, env []string) (*serverProc, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(env, "PHONEAUTH_ADDR="+addr)
	cmd.SysProcAttr = childAttr()
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = logFile, pw
	p := &serverProc{cmd: cmd, exited: make(chan struct{}), logged: make(chan struct{})}
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	listening := make(chan string, 1)
	go func() {
		defer close(p.logged)
		defer logFile.Close()
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Bytes()
			_, _ = logFile.Write(append(line, '\n'))
			if sent {
				continue
			}
			var rec struct{ Msg, Addr string }
			if json.Unmarshal(line, &rec) == nil && rec.Msg == "listening" {
				p.listen = time.Now()
				listening <- rec.Addr
				sent = true
			}
		}
		_, _ = io.Copy(logFile, pr)
	}()
	go func() {
		p.waitErr = cmd.Wait()
		_ = pw.Close()
		close(p.exited)
	}()

	if !strings.HasSuffix(addr, ":0") {
		p.url = "http://" + addr
		return p, nil
	}
	select {
	case a := <-listening:
		p.url = "http://" + a
		return p, nil
	case <-p.exited:
		return nil, fmt.Errorf("server exited before listening (%v); see %s", p.waitErr, logPath)
	case <-ctx.Done():
		p.stop()
		return nil, ctx.Err()
	case <-time.After(60 * time.Second):
		p.stop()
		return nil, fmt.Errorf("server did not listen within 60s; see %s", logPath)
	}
}

// waitReady polls /readyz until it answers 200, and returns when it did. The poll is tight (2 ms)
// because the start-up time is itself measured with it.
func (p *serverProc) waitReady(ctx context.Context, hc *http.Client, limit time.Duration) (time.Time, error) {
	deadline := time.Now().Add(limit)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.url+"/readyz", nil)
		if resp, err := hc.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Now(), nil
			}
		}
		select {
		case <-p.exited:
			return time.Time{}, fmt.Errorf("server exited before it was ready: %v", p.waitErr)
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return time.Time{}, fmt.Errorf("server not ready within %s", limit)
		}
	}
}

// stop asks the server to shut down gracefully, kills it if it has not within 20 s, and returns once
// its last words are in the log file. Safe to call more than once.
func (p *serverProc) stop() {
	defer func() { <-p.logged }()
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// freeAddr finds a free loopback port. The server at log level warn does not print its "listening"
// line (it is logged at info), so the benchmark chooses the port itself; the window in which another
// process could take the port is a few milliseconds.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startupRun is one measured cold start on SQLite.
type startupRun struct {
	ToListening time.Duration
	ToReady     time.Duration
	IdleRSSKB   int64
}

// measureStartup starts the binary on a fresh SQLite file and times exec → "listening" → first 200
// from /readyz. SQLite is what `make run` and most first impressions use; a fresh file means the
// migrations run too, as on a first deployment.
func measureStartup(ctx context.Context, bin, dir string, n int, hc *http.Client) ([]startupRun, error) {
	var runs []startupRun
	for i := range n {
		db := filepath.Join(dir, fmt.Sprintf("startup-%d.db", i))
		env := serverEnv("PHONEAUTH_DATABASE_URL="+db, "PHONEAUTH_LOG_LEVEL=info")
		p, err := startServer(ctx, bin, "127.0.0.1:0", filepath.Join(dir, fmt.Sprintf("startup-%d.log", i)), env)
		if err != nil {
			return nil, err
		}
		ready, err := p.waitReady(ctx, hc, 30*time.Second)
		if err != nil {
			p.stop()
			return nil, err
		}
		rss, _, _ := memKB(p.pid())
		p.stop()
		runs = append(runs, startupRun{ToListening: p.listen.Sub(p.started), ToReady: ready.Sub(p.started), IdleRSSKB: rss})
	}
	return runs, nil
}

// measureIdlePostgres starts the binary n times, each on a fresh PostgreSQL database (created from
// adminURL and dropped after), and returns the resident memory of each right after it is ready.
func measureIdlePostgres(ctx context.Context, bin, dir, adminURL string, env func(dbURL string) []string, n int, hc *http.Client) ([]int64, error) {
	var kb []int64
	for i := range n {
		rss, err := func() (int64, error) {
			db, err := createDB(ctx, adminURL)
			if err != nil {
				return 0, err
			}
			defer func() { _ = db.drop() }()
			addr, err := freeAddr() // at warn level the server does not log the address it bound
			if err != nil {
				return 0, err
			}
			p, err := startServer(ctx, bin, addr, filepath.Join(dir, fmt.Sprintf("idle-%d.log", i)), env(db.url))
			if err != nil {
				return 0, err
			}
			defer p.stop()
			if _, err := p.waitReady(ctx, hc, 60*time.Second); err != nil {
				return 0, err
			}
			rss, _, err := memKB(p.pid())
			return rss, err
		}()
		if err != nil {
			return nil, err
		}
		kb = append(kb, rss)
	}
	return kb, nil
}
