package server

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/phoneauth/phoneauth"
)

// docsFS holds our Swagger UI page (docs/) and the files vendored from swagger-ui-dist (swaggerui/,
// refreshed by make swagger-ui). Everything /docs serves is in the binary; nothing comes from a CDN.
//
//go:embed docs swaggerui
var docsFS embed.FS

// docsCSP allows what Swagger UI needs and nothing more: scripts, styles and fetches (the spec, and the
// requests "Try it out" sends) from this origin, the inline styles its components set, and the data: URIs
// of its icons.
const docsCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// staticFile is a file /docs serves. An embedded file's body is read from the binary's read-only data
// on each request rather than copied to the heap at start-up, and its ETag is computed on first use:
// the 1.7 MB Swagger UI bundle costs an instance nothing until somebody opens /docs.
type staticFile struct {
	open        func() (io.ReadSeeker, error) // a fresh reader over the whole body
	contentType string
	etag        func() (string, error) // computed once
}

// contentTypes covers every extension /docs serves; it is spelled out rather than taken from the mime
// package, whose answers depend on the host's /etc/mime.types.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".png":  "image/png",
	".json": "application/json",
	".yaml": "application/yaml; charset=utf-8", // RFC 9512
	".txt":  "text/plain; charset=utf-8",
	"":      "text/plain; charset=utf-8", // LICENSE, NOTICE, VERSION
}

func newStaticFile(name string, open func() (io.ReadSeeker, error)) (*staticFile, error) {
	ct, ok := contentTypes[path.Ext(name)]
	if !ok {
		return nil, fmt.Errorf("%s: no content type for %q", name, path.Ext(name))
	}
	f := &staticFile{open: open, contentType: ct}
	f.etag = sync.OnceValues(func() (string, error) {
		body, err := open()
		if err != nil {
			return "", err
		}
		sum := sha256.New()
		if _, err := io.Copy(sum, body); err != nil {
			return "", err
		}
		return `"` + base64.RawURLEncoding.EncodeToString(sum.Sum(nil)[:16]) + `"`, nil
	})
	return f, nil
}

// embeddedFile serves docsFS's file at name; embed's files are seekable and never fail to read.
func embeddedFile(name string) (*staticFile, error) {
	return newStaticFile(name, func() (io.ReadSeeker, error) {
		f, err := docsFS.Open(name)
		if err != nil {
			return nil, err
		}
		rs, ok := f.(io.ReadSeeker)
		if !ok {
			return nil, fmt.Errorf("embedded %s is not seekable", name)
		}
		return rs, nil
	})
}

// builtFile serves the body build makes on first use (the spec in JSON and YAML).
func builtFile(name string, build func() ([]byte, error)) (*staticFile, error) {
	body := sync.OnceValues(build)
	return newStaticFile(name, func() (io.ReadSeeker, error) {
		b, err := body()
		if err != nil {
			return nil, fmt.Errorf("building %s: %w", name, err)
		}
		return bytes.NewReader(b), nil
	})
}

// serve writes f, answering conditional requests with 304: browsers revalidate (no-cache) and the
// ETag changes with the binary.
func (f *staticFile) serve(c echo.Context, csp bool) error {
	etag, err := f.etag()
	if err != nil {
		return err
	}
	body, err := f.open()
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, f.contentType)
	h.Set("ETag", etag)
	h.Set("Cache-Control", "no-cache")
	h.Set(echo.HeaderXContentTypeOptions, "nosniff")
	if csp {
		h.Set(echo.HeaderContentSecurityPolicy, docsCSP)
	}
	http.ServeContent(c.Response(), c.Request(), "", time.Time{}, body)
	return nil
}

// registerDocs serves Swagger UI at /docs, openapi.yaml at /openapi.yaml and /openapi.json, and
// redirects / to /docs. These paths are outside /api/ and /.well-known/, so the request validator
// skips them.
func registerDocs(e *echo.Echo) error {
	assets := map[string]*staticFile{}
	for _, dir := range []string{"docs", "swaggerui"} {
		entries, err := fs.ReadDir(docsFS, dir)
		if err != nil {
			return fmt.Errorf("reading embedded %s: %w", dir, err)
		}
		for _, entry := range entries {
			if _, dup := assets[entry.Name()]; dup {
				return fmt.Errorf("embedded %s/%s: a file of that name is already served", dir, entry.Name())
			}
			if assets[entry.Name()], err = embeddedFile(path.Join(dir, entry.Name())); err != nil {
				return err
			}
		}
	}
	index, ok := assets["index.html"]
	if !ok {
		return fmt.Errorf("embedded docs/index.html is missing")
	}
	delete(assets, "index.html") // served at /docs only

	// The reviewed file itself, byte for byte, and its JSON conversion: not gen's embedded copy, which
	// oapi-codegen rewrites (operationIds come out PascalCased).
	jsonFile, err := builtFile("openapi.json", func() ([]byte, error) { return yamlToJSON(phoneauth.OpenAPIYAML()) })
	if err != nil {
		return err
	}
	yamlFile, err := builtFile("openapi.yaml", func() ([]byte, error) { return phoneauth.OpenAPIYAML(), nil })
	if err != nil {
		return err
	}

	get := func(p string, h echo.HandlerFunc) {
		e.Match([]string{http.MethodGet, http.MethodHead}, p, h)
	}
	get("/", func(c echo.Context) error { return c.Redirect(http.StatusFound, "/docs") })
	get("/docs", func(c echo.Context) error { return index.serve(c, true) })
	get("/docs/:name", func(c echo.Context) error {
		f, ok := assets[c.Param("name")]
		if !ok {
			return echo.ErrNotFound
		}
		return f.serve(c, true)
	})
	get("/openapi.json", func(c echo.Context) error { return jsonFile.serve(c, false) })
	get("/openapi.yaml", func(c echo.Context) error { return yamlFile.serve(c, false) })
	return nil
}
