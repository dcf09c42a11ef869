package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// requestTimeout bounds every single HTTP request. It matches the server's own request timeout, so a
// client timeout means the server broke its promise rather than the benchmark giving up early.
const requestTimeout = 30 * time.Second

// newHTTPClient returns the one client every scenario shares. Connections are kept and reused so that
// the numbers measure phoneauth, not TCP handshakes; the idle pool is sized for the largest scenario
// (the flood) so no connection is closed and reopened between two requests of one client.
func newHTTPClient(maxConns int) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:               nil, // an HTTP_PROXY in the environment must not sit between us and 127.0.0.1
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        maxConns,
			MaxIdleConnsPerHost: maxConns,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
		// Requests carry their own deadline (requestTimeout) through the context, so that a timeout can
		// be told from a cancellation (Ctrl-C) with errors.Is.
	}
}

// op is one unit of work of one client: usually one HTTP request, sometimes a short flow (send a code,
// then verify it). It returns the HTTP status that decides the outcome (the first non-2xx of a flow),
// or an error when no response arrived.
type op func(ctx context.Context) (status int, err error)

// loadgen runs closed-loop load: a fixed number of clients, each sending its next request as soon as the
// previous answer is in. Closed loops cannot overload the server beyond the client count, which is what
// makes results at a given concurrency comparable between runs.
type loadgen struct {
	hc   *http.Client
	base string // http://127.0.0.1:port
}

// sample is what one run of a scenario measured on the client side.
type sample struct {
	clients   int
	elapsed   time.Duration   // from the first request to the last answer (in-flight requests finish)
	latencies []time.Duration // every request that ended, sorted, errors included
	statuses  map[int]int     // HTTP statuses
	failures  map[string]int  // requests without a response: "timeout", "transport", "canceled"
}

// worker is one client's private tally, merged after the run so the hot loop takes no locks.
type worker struct {
	latencies []time.Duration
	statuses  map[int]int
	failures  map[string]int
}

// run drives clients goroutines for d. newOp is called once per client, so a client can keep state of
// its own (a refresh-token chain, its share of the phones).
func (g *loadgen) run(ctx context.Context, clients int, d time.Duration, newOp func(client int) op) *sample {
	workers := make([]worker, clients)
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for i := range workers {
		w := &workers[i]
		w.statuses, w.failures = map[int]int{}, map[string]int{}
		w.latencies = make([]time.Duration, 0, 1024)
		do := newOp(i)
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) {
				t0 := time.Now()
				status, err := do(ctx)
				w.latencies = append(w.latencies, time.Since(t0))
				switch {
				case err == nil:
					w.statuses[status]++
				case ctx.Err() != nil:
					w.failures["canceled"]++
				case errors.Is(err, context.DeadlineExceeded):
					w.failures["timeout"]++
				default:
					w.failures["transport"]++
				}
			}
		})
	}
	wg.Wait()
	s := &sample{clients: clients, elapsed: time.Since(start), statuses: map[int]int{}, failures: map[string]int{}}
	for _, w := range workers {
		s.latencies = append(s.latencies, w.latencies...)
		for k, v := range w.statuses {
			s.statuses[k] += v
		}
		for k, v := range w.failures {
			s.failures[k] += v
		}
	}
	slices.Sort(s.latencies)
	return s
}

// ok counts the 2xx answers: only those are throughput (a fast 503 is not work done).
func (s *sample) ok() int {
	n := 0
	for st, c := range s.statuses {
		if st >= 200 && st < 300 {
			n += c
		}
	}
	return n
}

// rate is successful answers per second of wall time.
func (s *sample) rate() float64 {
	if s.elapsed <= 0 {
		return 0
	}
	return float64(s.ok()) / s.elapsed.Seconds()
}

// quantile is the exact nearest-rank quantile q (0 < q ≤ 1) of every request's latency.
func (s *sample) quantile(q float64) time.Duration {
	n := len(s.latencies)
	if n == 0 {
		return 0
	}
	i := int(float64(n)*q+0.999999999) - 1
	return s.latencies[min(max(i, 0), n-1)]
}

func (s *sample) max() time.Duration {
	if len(s.latencies) == 0 {
		return 0
	}
	return s.latencies[len(s.latencies)-1]
}

// errorCounts is every outcome but 2xx, keyed by status ("503") or failure kind ("timeout").
func (s *sample) errorCounts() map[string]int {
	m := map[string]int{}
	for st, c := range s.statuses {
		if st < 200 || st >= 300 {
			m[strconv.Itoa(st)] += c
		}
	}
	for k, c := range s.failures {
		m[k] += c
	}
	return m
}

// formatErrors renders errorCounts compactly for the table: "503×812 timeout×2", or "-".
func formatErrors(m map[string]int) string {
	if len(m) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s×%d", k, m[k])
	}
	return strings.Join(parts, " ")
}

// send performs one request under requestTimeout and returns the status, and the body when keepBody is
// set; otherwise the body is drained, so that the connection goes back to the pool.
func (g *loadgen) send(ctx context.Context, method, path string, body []byte, header http.Header, keepBody bool) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, g.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := g.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	if keepBody {
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, b, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil, err
}
