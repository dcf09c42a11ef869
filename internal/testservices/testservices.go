// Package testservices runs throwaway PostgreSQL and Redis servers from the machine's own binaries
// (Debian's postgresql and redis-server packages), on free loopback ports in a temporary folder: for
// the test suite when no PHONEAUTH_TEST_DATABASE_URL / PHONEAUTH_TEST_REDIS_URL is given (see
// cmd/testservices), and for the tests that kill and restart a database of their own.
package testservices

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// PostgresBin returns the folder of the newest PostgreSQL server binaries (initdb, pg_ctl) under
// /usr/lib/postgresql/*/bin, or "" when there are none.
func PostgresBin() string {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(matches, func(i, j int) bool { return majorOf(matches[i]) < majorOf(matches[j]) })
	if len(matches) == 0 {
		return ""
	}
	return filepath.Dir(matches[len(matches)-1])
}

func majorOf(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

// Postgres is a PostgreSQL server of its own, in a folder of its own.
type Postgres struct {
	Bin, Dir string
	Port     int
	// asPostgres: running as root, which PostgreSQL refuses, so its tools run as user postgres.
	asPostgres bool
	options    []string
}

// NewPostgres makes a cluster in a new folder under parent (trust authentication, superuser
// postgres) on a free port; Start starts it. options are extra -c settings, e.g. "fsync=off".
// parent "" is the system's temporary folder; run as root, user postgres must be able to reach it.
func NewPostgres(parent string, options ...string) (*Postgres, error) {
	bin := PostgresBin()
	if bin == "" {
		return nil, errors.New("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb): apt-get install postgresql")
	}
	dir, err := os.MkdirTemp(parent, "phoneauth-pg-")
	if err != nil {
		return nil, err
	}
	p := &Postgres{Bin: bin, Dir: dir, options: options}
	if me, _ := user.Current(); me != nil && me.Uid == "0" {
		p.asPostgres = true
		if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root, PostgreSQL must run as user postgres: chown: %v: %s", err, out)
		}
	}
	if p.Port, err = FreePort(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	if out, err := p.run(filepath.Join(bin, "initdb"), "-D", p.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8"); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	return p, nil
}

func (p *Postgres) data() string { return filepath.Join(p.Dir, "data") }

func (p *Postgres) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	if p.asPostgres {
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			runuser = "/usr/sbin/runuser" // util-linux's; /usr/sbin may not be on PATH
		}
		cmd = exec.Command(runuser, append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	return cmd.CombinedOutput()
}

// PgCtl runs pg_ctl on the cluster with args (e.g. "stop", "-m", "immediate").
func (p *Postgres) PgCtl(args ...string) error {
	out, err := p.run(filepath.Join(p.Bin, "pg_ctl"), append([]string{"-D", p.data()}, args...)...)
	if err != nil {
		return fmt.Errorf("pg_ctl %v: %v\n%s", args, err, out)
	}
	return nil
}

// Start starts the server and waits until it accepts connections.
func (p *Postgres) Start() error {
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", p.Port, p.Dir)
	for _, o := range p.options {
		opts += " -c " + o
	}
	return p.PgCtl("-w", "-t", "60", "-l", filepath.Join(p.Dir, "log"), "-o", opts, "start")
}

// Stop stops the server: mode is smart, fast or immediate (a crash).
func (p *Postgres) Stop(mode string) error { return p.PgCtl("stop", "-m", mode) }

// Remove stops the server, if it runs, and deletes its folder.
func (p *Postgres) Remove() {
	_ = p.Stop("immediate")
	_ = os.RemoveAll(p.Dir)
}

// URL is the address of database db (trust authentication, user postgres).
func (p *Postgres) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.Port, db)
}

// CreateDB creates database name.
func (p *Postgres) CreateDB(name string) error {
	out, err := p.run(filepath.Join(p.Bin, "createdb"), "-h", "127.0.0.1", "-p", strconv.Itoa(p.Port), "-U", "postgres", name)
	if err != nil {
		return fmt.Errorf("createdb %s: %v\n%s", name, err, out)
	}
	return nil
}

// Log is the server's log so far.
func (p *Postgres) Log() string {
	b, _ := os.ReadFile(filepath.Join(p.Dir, "log"))
	return string(b)
}

// Redis is a redis-server of its own that keeps nothing on disk.
type Redis struct {
	Port int
	Dir  string
	cmd  *exec.Cmd
	done chan error
}

// RedisServer is the redis-server binary on PATH, or "".
func RedisServer() string {
	p, _ := exec.LookPath("redis-server")
	return p
}

// StartRedis starts redis-server on a free loopback port and waits until it answers PING.
func StartRedis(parent string) (*Redis, error) {
	bin := RedisServer()
	if bin == "" {
		return nil, errors.New("no redis-server on PATH: apt-get install redis-server")
	}
	dir, err := os.MkdirTemp(parent, "phoneauth-redis-")
	if err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	r := &Redis{Port: port, Dir: dir, done: make(chan error, 1)}
	r.cmd = exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", dir, "--logfile", filepath.Join(dir, "log"))
	if err := r.cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	go func() { r.done <- r.cmd.Wait() }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		if pingRedis(r.Addr()) {
			return r, nil
		}
		select {
		case err := <-r.done:
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("redis-server exited: %v\n%s", err, log)
		case <-ctx.Done():
			r.Stop()
			return nil, errors.New("redis-server did not answer within 30s")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Addr is host:port.
func (r *Redis) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(r.Port)) }

// URL is the server's redis:// URL (database 0).
func (r *Redis) URL() string { return "redis://" + r.Addr() + "/0" }

// Stop ends the server and deletes its folder.
func (r *Redis) Stop() {
	_ = r.cmd.Process.Signal(os.Interrupt)
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.done
	}
	_ = os.RemoveAll(r.Dir)
}

func pingRedis(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	buf := make([]byte, 16)
	n, _ := c.Read(buf)
	return bytes.HasPrefix(buf[:n], []byte("+PONG"))
}

// FreePort returns a loopback TCP port nothing listens on now.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Banner is the loud notice of what went untested.
func Banner(word, what string) string {
	line := strings.Repeat("*", 76)
	return line + "\n" + word + " " + what + "\n" + line + "\n"
}
