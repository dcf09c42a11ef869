package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// receiver is the SMS provider as far as the server knows: the webhook endpoint, inside the benchmark
// process. It keeps only the newest code per phone, which is all a login needs, so memory stays flat
// however many messages a scenario sends.
type receiver struct {
	srv      *http.Server
	url      string
	received atomic.Int64
	// conns counts the TCP connections the server opened to deliver: close to received means the
	// server's HTTP client does not keep connections alive under concurrency, which costs it a
	// handshake (and a TIME_WAIT port) per SMS.
	conns atomic.Int64

	mu    sync.Mutex
	codes map[string]string // E.164 → newest code
	// prefix, when set, is counted in watched: the messages to numbers that start with it.
	prefix  string
	watched atomic.Int64
}

// watch counts the messages to numbers that start with prefix from now on.
func (r *receiver) watch(prefix string) {
	r.mu.Lock()
	r.prefix = prefix
	r.mu.Unlock()
	r.watched.Store(0)
}

func startReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{codes: map[string]string{}, url: "http://" + ln.Addr().String() + "/sms"}
	r.srv = &http.Server{Handler: http.HandlerFunc(r.webhook), ReadHeaderTimeout: 5 * time.Second,
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				r.conns.Add(1)
			}
		}}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

func (r *receiver) close() { _ = r.srv.Close() }

func (r *receiver) webhook(w http.ResponseWriter, req *http.Request) {
	var m struct {
		To      string `json:"to"`
		Message string `json:"message"`
	}
	if err := json.NewDecoder(io.LimitReader(req.Body, 64<<10)).Decode(&m); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.received.Add(1)
	r.mu.Lock()
	if r.prefix != "" && strings.HasPrefix(m.To, r.prefix) {
		r.watched.Add(1)
	}
	if code := findCode(m.Message); code != "" {
		r.codes[m.To] = code
	}
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// code returns the newest code sent to phone ("" if none).
func (r *receiver) code(phone string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.codes[phone]
}

// findCode returns the first run of exactly six digits in msg: the message's one-time code. A plain
// scan instead of a regexp, because the receiver shares the CPUs with the server it measures.
func findCode(msg string) string {
	for i := 0; i < len(msg); {
		if msg[i] < '0' || msg[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(msg) && msg[j] >= '0' && msg[j] <= '9' {
			j++
		}
		if j-i == 6 {
			return msg[i:j]
		}
		i = j
	}
	return ""
}
