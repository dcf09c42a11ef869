package server

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"time"

	"github.com/labstack/echo/v4"
	"go.yaml.in/yaml/v4"

	"github.com/phoneauth/phoneauth/gen"
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

// staticFile is an embedded file ready to serve.
type staticFile struct {
	body        []byte
	contentType string
	etag        string
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

func newStaticFile(name string, body []byte) (staticFile, error) {
	ct, ok := contentTypes[path.Ext(name)]
	if !ok {
		return staticFile{}, fmt.Errorf("%s: no content type for %q", name, path.Ext(name))
	}
	sum := sha256.Sum256(body)
	return staticFile{body: body, contentType: ct, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`}, nil
}

// serve writes f, answering conditional requests with 304: browsers revalidate (no-cache) and the
// ETag changes with the binary.
func (f staticFile) serve(c echo.Context, csp bool) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, f.contentType)
	h.Set("ETag", f.etag)
	h.Set("Cache-Control", "no-cache")
	h.Set(echo.HeaderXContentTypeOptions, "nosniff")
	if csp {
		h.Set(echo.HeaderContentSecurityPolicy, docsCSP)
	}
	http.ServeContent(c.Response(), c.Request(), "", time.Time{}, bytes.NewReader(f.body))
	return nil
}

// registerDocs serves Swagger UI at /docs, the embedded spec at /openapi.json and /openapi.yaml, and
// redirects / to /docs. These paths are outside /api/ and /.well-known/, so the request validator
// skips them.
func registerDocs(e *echo.Echo) error {
	assets := map[string]staticFile{}
	for _, dir := range []string{"docs", "swaggerui"} {
		entries, err := fs.ReadDir(docsFS, dir)
		if err != nil {
			return fmt.Errorf("reading embedded %s: %w", dir, err)
		}
		for _, entry := range entries {
			body, err := fs.ReadFile(docsFS, path.Join(dir, entry.Name()))
			if err != nil {
				return fmt.Errorf("reading embedded %s/%s: %w", dir, entry.Name(), err)
			}
			if _, dup := assets[entry.Name()]; dup {
				return fmt.Errorf("embedded %s/%s: a file of that name is already served", dir, entry.Name())
			}
			if assets[entry.Name()], err = newStaticFile(entry.Name(), body); err != nil {
				return err
			}
		}
	}
	index, ok := assets["index.html"]
	if !ok {
		return fmt.Errorf("embedded docs/index.html is missing")
	}
	delete(assets, "index.html") // served at /docs only

	specJSON, err := gen.GetSpecJSON()
	if err != nil {
		return fmt.Errorf("loading embedded spec: %w", err)
	}
	specYAML, err := jsonToYAML(specJSON)
	if err != nil {
		return fmt.Errorf("converting embedded spec to YAML: %w", err)
	}
	jsonFile, err := newStaticFile("openapi.json", specJSON)
	if err != nil {
		return err
	}
	yamlFile, err := newStaticFile("openapi.yaml", specYAML)
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

// jsonToYAML re-encodes a JSON document as block-style YAML.
func jsonToYAML(doc []byte) ([]byte, error) {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return nil, err
	}
	return yaml.Dump(v)
}
