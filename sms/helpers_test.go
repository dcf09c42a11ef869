package sms

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// captured is what a fake provider saw of one request.
type captured struct {
	method string
	path   string
	header http.Header
	body   []byte
}

// newCaptureServer answers every request with status and respBody and hands each request it saw
// to the returned channel, so that assertions run on the test goroutine.
func newCaptureServer(t *testing.T, status int, respBody string) (*httptest.Server, <-chan captured) {
	t.Helper()
	ch := make(chan captured, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ch <- captured{method: r.Method, path: r.URL.Path, header: r.Header.Clone(), body: b}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, respBody)
	}))
	t.Cleanup(srv.Close)
	return srv, ch
}

// receive returns the request the fake saw, failing the test when there was none.
func receive(t *testing.T, ch <-chan captured) captured {
	t.Helper()
	select {
	case c := <-ch:
		return c
	default:
		t.Fatal("the server received no request")
		return captured{}
	}
}

// newBlockingServer never answers: each handler waits until its request is abandoned, or until the
// test ends so that Close does not hang.
func newBlockingServer(t *testing.T) *httptest.Server {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() {
		close(release)
		srv.Close()
	})
	return srv
}
