package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
	"go.yaml.in/yaml/v4"

	"github.com/phoneauth/phoneauth"
	"github.com/phoneauth/phoneauth/auth"
)

// docsServer is a bare Echo with the docs routes and the service's error handler.
func docsServer(t *testing.T) *echo.Echo {
	t.Helper()
	e := echo.New()
	e.HTTPErrorHandler = errorHandler(slog.New(slog.DiscardHandler))
	if err := registerDocs(e); err != nil {
		t.Fatalf("registerDocs: %v", err)
	}
	return e
}

func do(t *testing.T, e *echo.Echo, method, target string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

func TestDocsPage(t *testing.T) {
	e := docsServer(t)
	rec := do(t, e, http.MethodGet, "/docs", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /docs = %d, want 200", rec.Code)
	}
	if got := rec.Header().Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q, want text/html; charset=utf-8", got)
	}
	csp := rec.Header().Get("Content-Security-Policy")
	directives := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	for name, want := range map[string]string{
		"default-src":     "'self'",
		"script-src":      "'self'", // no inline scripts, no eval
		"connect-src":     "'self'",
		"img-src":         "'self' data:",
		"frame-ancestors": "'none'",
	} {
		if got := directives[name]; got != want {
			t.Errorf("Content-Security-Policy %s = %q, want %q (policy %q)", name, got, want, csp)
		}
	}

	// Every file the page links must be served, from this origin, with the policy.
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(rec.Body.String(), -1)
	if len(refs) < 3 {
		t.Fatalf("found %d links in /docs, want the stylesheet, icons and scripts", len(refs))
	}
	for _, ref := range refs {
		if !strings.HasPrefix(ref[1], "/docs/") {
			t.Errorf("/docs links %q, want a path under /docs/", ref[1])
			continue
		}
		if res := do(t, e, http.MethodGet, ref[1], nil); res.Code != http.StatusOK || res.Header().Get("Content-Security-Policy") != csp {
			t.Errorf("GET %s = %d (CSP %q), want 200 with the docs policy", ref[1], res.Code, res.Header().Get("Content-Security-Policy"))
		}
	}
}

func TestDocsAssets(t *testing.T) {
	e := docsServer(t)
	tests := []struct {
		path, contentType, contains string
	}{
		{"/docs/swagger-ui-bundle.js", "text/javascript; charset=utf-8", "SwaggerUIBundle"},
		{"/docs/swagger-ui.css", "text/css; charset=utf-8", ".swagger-ui"},
		{"/docs/init.js", "text/javascript; charset=utf-8", "'/openapi.json'"},
		{"/docs/favicon-32x32.png", "image/png", "\x89PNG"},
		{"/docs/LICENSE", "text/plain; charset=utf-8", "Apache License"},
	}
	for _, tt := range tests {
		rec := do(t, e, http.MethodGet, tt.path, nil)
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", tt.path, rec.Code)
			continue
		}
		if got := rec.Header().Get("Content-Type"); got != tt.contentType {
			t.Errorf("GET %s: Content-Type = %q, want %q", tt.path, got, tt.contentType)
		}
		if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options = %q, want nosniff", tt.path, got)
		}
		if !strings.Contains(rec.Body.String(), tt.contains) {
			t.Errorf("GET %s: body does not contain %q", tt.path, tt.contains)
		}

		etag := rec.Header().Get("ETag")
		if etag == "" {
			t.Errorf("GET %s: no ETag", tt.path)
			continue
		}
		if again := do(t, e, http.MethodGet, tt.path, http.Header{"If-None-Match": {etag}}); again.Code != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match = %d, want 304", tt.path, again.Code)
		}
	}

	// The page's scripts and styles must differ, so their ETags must too.
	js, css := do(t, e, http.MethodGet, "/docs/init.js", nil), do(t, e, http.MethodGet, "/docs/swagger-ui.css", nil)
	if js.Header().Get("ETag") == css.Header().Get("ETag") {
		t.Errorf("init.js and swagger-ui.css share the ETag %s", js.Header().Get("ETag"))
	}
}

func TestDocsNotFound(t *testing.T) {
	e := docsServer(t)
	for _, p := range []string{"/docs/", "/docs/nope.js", "/docs/index.html", "/docs/swaggerui/LICENSE", "/docs/..%2fdocs.go", "/docs.json"} {
		rec := do(t, e, http.MethodGet, p, nil)
		if rec.Code != http.StatusNotFound || strings.TrimSpace(rec.Body.String()) != `{"detail":"Not Found"}` {
			t.Errorf(`GET %s = %d %s, want 404 {"detail":"Not Found"}`, p, rec.Code, rec.Body)
		}
	}
}

func TestRootRedirectsToDocs(t *testing.T) {
	rec := do(t, docsServer(t), http.MethodGet, "/", nil)
	if rec.Code != http.StatusFound || rec.Header().Get("Location") != "/docs" {
		t.Fatalf("GET / = %d Location %q, want 302 to /docs", rec.Code, rec.Header().Get("Location"))
	}
}

// checkSpec checks that body is a valid OpenAPI document with openapi.yaml's operations.
func checkSpec(t *testing.T, name string, body []byte) {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(body)
	if err != nil {
		t.Fatalf("%s does not load: %v", name, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("%s is not a valid OpenAPI document: %v", name, err)
	}
	want, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := doc.Paths.InMatchingOrder(), want.Paths.InMatchingOrder(); !slices.Equal(got, want) {
		t.Errorf("%s paths = %v, want %v", name, got, want)
	}
	if doc.Paths.Find("/api/v1/auth/me") == nil || doc.Components.SecuritySchemes["HTTPBearer"] == nil {
		t.Errorf("%s lacks GET /api/v1/auth/me or the HTTPBearer scheme", name)
	}
}

func TestOpenAPIDocuments(t *testing.T) {
	e := docsServer(t)

	jsonRec := do(t, e, http.MethodGet, "/openapi.json", nil)
	if jsonRec.Code != http.StatusOK || jsonRec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET /openapi.json = %d %q, want 200 application/json", jsonRec.Code, jsonRec.Header().Get("Content-Type"))
	}
	var fromJSON any
	if err := json.Unmarshal(jsonRec.Body.Bytes(), &fromJSON); err != nil {
		t.Fatalf("/openapi.json is not JSON: %v", err)
	}
	checkSpec(t, "/openapi.json", jsonRec.Body.Bytes())

	yamlRec := do(t, e, http.MethodGet, "/openapi.yaml", nil)
	if yamlRec.Code != http.StatusOK || yamlRec.Header().Get("Content-Type") != "application/yaml; charset=utf-8" {
		t.Fatalf("GET /openapi.yaml = %d %q, want 200 application/yaml", yamlRec.Code, yamlRec.Header().Get("Content-Type"))
	}
	if !bytes.Equal(yamlRec.Body.Bytes(), phoneauth.OpenAPIYAML()) {
		t.Errorf("/openapi.yaml is not openapi.yaml byte for byte")
	}
	var fromYAML any
	if err := yaml.Load(yamlRec.Body.Bytes(), &fromYAML); err != nil {
		t.Fatalf("/openapi.yaml is not YAML: %v", err)
	}
	checkSpec(t, "/openapi.yaml", yamlRec.Body.Bytes())

	// Both must be the same document: compare them after a JSON round trip, which evens out number types.
	roundTrip, err := json.Marshal(fromYAML)
	if err != nil {
		t.Fatalf("re-encoding the YAML document: %v", err)
	}
	var yamlAsJSON any
	if err := json.Unmarshal(roundTrip, &yamlAsJSON); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(yamlAsJSON, fromJSON) {
		t.Errorf("/openapi.yaml and /openapi.json differ")
	}

	if head := do(t, e, http.MethodHead, "/openapi.json", nil); head.Code != http.StatusOK || head.Body.Len() != 0 {
		t.Errorf("HEAD /openapi.json = %d with %d bytes, want 200 and no body", head.Code, head.Body.Len())
	}
}

// TestSpecNamesEveryAuditEventType: the audit trail's consumers read the event types off the spec.
func TestSpecNamesEveryAuditEventType(t *testing.T) {
	spec, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	desc := spec.Components.Schemas["AuditEvent"].Value.Properties["type"].Value.Description
	for _, typ := range auth.EventTypes {
		if !strings.Contains(desc, "`"+typ+"`") {
			t.Errorf("openapi.yaml's AuditEvent.type does not name %s", typ)
		}
	}
}
