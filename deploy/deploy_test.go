// Package deploy holds the deployment assets (compose.yaml, the Helm chart, the systemd unit, the
// Grafana dashboard and the Prometheus rules) and the tests that check what can be checked without
// Docker or a cluster. The test that every metric they use is exposed is tests/observability_test.go,
// where the server runs.
package deploy

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

// helmVersion is the Helm the chart is checked with, run from the Go module proxy (no binary
// download); HELM names another helm command (e.g. HELM=/usr/local/bin/helm).
const helmVersion = "helm.sh/helm/v3/cmd/helm@v3.22.0"

const chart = "helm/phoneauth"

func helm(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var cmd *exec.Cmd
	if h := strings.Fields(os.Getenv("HELM")); len(h) > 0 {
		cmd = exec.Command(h[0], append(h[1:], args...)...)
	} else {
		cmd = exec.Command("go", append([]string{"run", helmVersion}, args...)...)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if err != nil {
		err = errors.New(err.Error() + ": " + errOut.String())
	}
	return out.String(), err
}

// manifests parses a multi-document YAML stream.
func manifests(t *testing.T, rendered string) []map[string]any {
	t.Helper()
	dec := yaml.NewDecoder(strings.NewReader(rendered))
	var docs []map[string]any
	for {
		var d map[string]any
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("rendered manifests: %v", err)
		}
		if d != nil {
			docs = append(docs, d)
		}
	}
}

// get walks a parsed document by map keys and list indexes.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func byKind(docs []map[string]any, kind string) []map[string]any {
	var out []map[string]any
	for _, d := range docs {
		if d["kind"] == kind {
			out = append(out, d)
		}
	}
	return out
}

func TestHelmChart(t *testing.T) {
	if out, err := helm(t, "lint", "--strict", chart, "-f", chart+"/ci/test-values.yaml"); err != nil {
		t.Fatalf("helm lint: %v\n%s", err, out)
	}
	// Secrets are referenced, never made: without existingSecret the chart refuses to render.
	if _, err := helm(t, "template", "phoneauth", chart); err == nil || !strings.Contains(err.Error(), "existingSecret is required") {
		t.Errorf("rendering without existingSecret: %v", err)
	}

	t.Run("everything on", func(t *testing.T) {
		out, err := helm(t, "template", "phoneauth", chart, "-f", chart+"/ci/test-values.yaml")
		if err != nil {
			t.Fatal(err)
		}
		docs := manifests(t, out)
		kinds := map[string]int{}
		for _, d := range docs {
			kinds[d["kind"].(string)]++
		}
		for kind, n := range map[string]int{"Deployment": 1, "Service": 1, "PodDisruptionBudget": 1, "HorizontalPodAutoscaler": 1,
			"ServiceMonitor": 1, "Job": 1, "Secret": 0, "ConfigMap": 0} {
			if kinds[kind] != n {
				t.Errorf("%d %s, want %d (all: %v)", kinds[kind], kind, n, kinds)
			}
		}
		dep := byKind(docs, "Deployment")[0]
		if get(dep, "spec", "replicas") != nil {
			t.Error("the Deployment sets replicas although the autoscaler owns them")
		}
		pod := get(dep, "spec", "template", "spec")
		checkPod(t, "Deployment", pod, "serve")
		c := get(pod, "containers", 0)
		for probe, path := range map[string]string{"livenessProbe": "/healthz", "readinessProbe": "/readyz"} {
			if got := get(c, probe, "httpGet", "path"); got != path {
				t.Errorf("%s path %v, want %s", probe, got, path)
			}
		}
		if get(c, "resources", "limits", "memory") == nil || get(c, "resources", "requests", "cpu") == nil {
			t.Errorf("resources %v", get(c, "resources"))
		}
		if get(dep, "spec", "strategy", "rollingUpdate", "maxUnavailable") != 0 {
			t.Errorf("rolling update %v: a rollout must not take a pod away before its successor is ready", get(dep, "spec", "strategy"))
		}

		job := byKind(docs, "Job")[0]
		hooks, _ := get(job, "metadata", "annotations", "helm.sh/hook").(string)
		if !strings.Contains(hooks, "pre-install") || !strings.Contains(hooks, "pre-upgrade") {
			t.Errorf("migration job hooks %q", hooks)
		}
		checkPod(t, "Job", get(job, "spec", "template", "spec"), "migrate")
		if get(job, "spec", "template", "metadata", "labels", "app.kubernetes.io/name") == get(dep, "spec", "selector", "matchLabels", "app.kubernetes.io/name") {
			t.Error("the migration pod has the server's selector labels: the Service and the PodDisruptionBudget would count it")
		}

		sm := byKind(docs, "ServiceMonitor")[0]
		if get(sm, "spec", "endpoints", 0, "path") != "/metrics" || get(sm, "spec", "endpoints", 0, "authorization", "credentials", "name") != "phoneauth-secrets" ||
			get(sm, "spec", "endpoints", 0, "authorization", "credentials", "key") != "PHONEAUTH_METRICS_TOKEN" {
			t.Errorf("ServiceMonitor endpoint %v", get(sm, "spec", "endpoints", 0))
		}
		if get(byKind(docs, "PodDisruptionBudget")[0], "spec", "selector", "matchLabels") == nil {
			t.Error("the PodDisruptionBudget selects nothing")
		}
	})

	t.Run("defaults", func(t *testing.T) {
		out, err := helm(t, "template", "auth", chart, "--set", "existingSecret=auth-secrets")
		if err != nil {
			t.Fatal(err)
		}
		docs := manifests(t, out)
		if len(byKind(docs, "HorizontalPodAutoscaler")) != 0 || len(byKind(docs, "ServiceMonitor")) != 0 {
			t.Error("the autoscaler and the ServiceMonitor are optional, off by default")
		}
		dep := byKind(docs, "Deployment")[0]
		if get(dep, "metadata", "name") != "auth-phoneauth" || get(dep, "spec", "replicas") != 2 {
			t.Errorf("Deployment %v with %v replicas", get(dep, "metadata", "name"), get(dep, "spec", "replicas"))
		}
		checkPod(t, "Deployment", get(dep, "spec", "template", "spec"), "serve")
	})
}

// checkPod: non-root, a read-only root filesystem, no privilege escalation, no capabilities, no
// service links (their PHONEAUTH_* variables would be refused as unknown settings), production mode,
// secrets from existingSecret only.
func checkPod(t *testing.T, what string, pod any, arg string) {
	t.Helper()
	if get(pod, "enableServiceLinks") != false || get(pod, "automountServiceAccountToken") != false {
		t.Errorf("%s: enableServiceLinks %v, automountServiceAccountToken %v; want both false", what, get(pod, "enableServiceLinks"), get(pod, "automountServiceAccountToken"))
	}
	if get(pod, "securityContext", "runAsNonRoot") != true {
		t.Errorf("%s: pod runAsNonRoot %v", what, get(pod, "securityContext", "runAsNonRoot"))
	}
	c := get(pod, "containers", 0)
	sc := get(c, "securityContext")
	if get(sc, "runAsNonRoot") != true || get(sc, "readOnlyRootFilesystem") != true || get(sc, "allowPrivilegeEscalation") != false ||
		!slices.Equal(toStrings(get(sc, "capabilities", "drop")), []string{"ALL"}) {
		t.Errorf("%s: container securityContext %v", what, sc)
	}
	if args := toStrings(get(c, "args")); !slices.Equal(args, []string{arg}) {
		t.Errorf("%s: args %v, want [%s]", what, args, arg)
	}
	env := map[string]string{}
	for _, e := range get(c, "env").([]any) {
		env[get(e, "name").(string)], _ = get(e, "value").(string)
	}
	if env["PHONEAUTH_ENV"] != "production" || env["PHONEAUTH_ADDR"] != ":8000" {
		t.Errorf("%s: env %v", what, env)
	}
	for name := range env {
		if strings.Contains(name, "PASSWORD") || strings.Contains(name, "TOKEN") || strings.Contains(name, "KEY") || strings.Contains(name, "SECRET") {
			t.Errorf("%s: %s is a value in the manifest; secrets come from existingSecret", what, name)
		}
	}
	if get(c, "envFrom", 0, "secretRef", "name") == nil {
		t.Errorf("%s: no envFrom secretRef", what)
	}
}

func toStrings(v any) []string {
	l, _ := v.([]any)
	s := make([]string, len(l))
	for i, x := range l {
		s[i], _ = x.(string)
	}
	return s
}

func TestComposeFile(t *testing.T) {
	data, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	services, _ := c["services"].(map[string]any)
	for _, name := range []string{"phoneauth", "migrate", "postgres", "redis"} {
		if services[name] == nil {
			t.Fatalf("no service %s", name)
		}
	}
	for _, name := range []string{"phoneauth", "postgres", "redis"} {
		if test := toStrings(get(services[name], "healthcheck", "test")); len(test) < 2 || test[0] != "CMD" {
			t.Errorf("%s: healthcheck %v", name, get(services[name], "healthcheck"))
		}
	}
	if test := toStrings(get(services["phoneauth"], "healthcheck", "test")); !slices.Contains(test, "healthcheck") {
		t.Errorf("phoneauth's healthcheck %v does not run phoneauth healthcheck", test)
	}
	for name, want := range map[string]map[string]string{
		"phoneauth": {"postgres": "service_healthy", "redis": "service_healthy", "migrate": "service_completed_successfully"},
		"migrate":   {"postgres": "service_healthy"},
	} {
		for dep, cond := range want {
			if got := get(services[name], "depends_on", dep, "condition"); got != cond {
				t.Errorf("%s depends on %s with condition %v, want %s", name, dep, got, cond)
			}
		}
		if get(services[name], "env_file", 0, "path") != "phoneauth.env" || get(services[name], "env_file", 0, "required") != true {
			t.Errorf("%s: env_file %v, want the required phoneauth.env", name, get(services[name], "env_file"))
		}
		if get(services[name], "read_only") != true || !slices.Equal(toStrings(get(services[name], "cap_drop")), []string{"ALL"}) {
			t.Errorf("%s: read_only %v, cap_drop %v", name, get(services[name], "read_only"), get(services[name], "cap_drop"))
		}
		if get(services[name], "environment", "PHONEAUTH_ENV") != "production" {
			t.Errorf("%s: not in production mode", name)
		}
	}
	if args := toStrings(get(services["migrate"], "command")); !slices.Equal(args, []string{"migrate"}) {
		t.Errorf("migrate runs %v", args)
	}
	// Secrets are interpolated from the env file, never written here.
	for name, svc := range services {
		env, _ := get(svc, "environment").(map[string]any)
		for k, v := range env {
			s, _ := v.(string)
			secret := strings.HasSuffix(k, "PASSWORD") || strings.HasSuffix(k, "_AUTH") || strings.Contains(s, "@") // a URL with credentials
			if secret && !strings.Contains(s, "${") {
				t.Errorf("%s: %s=%q holds a secret; take it from the env file", name, k, s)
			}
		}
	}
	// The env file compose.yaml names is the example's copy, and the example sets what it needs.
	example, err := os.ReadFile("phoneauth.env.example")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"POSTGRES_PASSWORD=", "REDIS_PASSWORD=", "PHONEAUTH_ENCRYPTION_KEY=", "PHONEAUTH_METRICS_TOKEN=", "PHONEAUTH_PUBLIC_URL="} {
		if !strings.Contains(string(example), "\n"+v) {
			t.Errorf("phoneauth.env.example does not set %s", v)
		}
	}
}

// TestSystemdUnit: the unit's hardening is there, and systemd-analyze accepts it where it is
// installed.
func TestSystemdUnit(t *testing.T) {
	data, err := os.ReadFile("phoneauth.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := string(data)
	for _, want := range []string{"ExecStart=/usr/local/bin/phoneauth serve", "EnvironmentFile=/etc/phoneauth/phoneauth.env", "Environment=PHONEAUTH_ENV=production",
		"DynamicUser=yes", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "PrivateDevices=yes",
		"CapabilityBoundingSet=\n", "RestrictAddressFamilies=", "SystemCallFilter=@system-service", "MemoryDenyWriteExecute=yes",
		"RestartPreventExitStatus=2", "KillSignal=SIGTERM"} {
		if !strings.Contains(unit, want) {
			t.Errorf("phoneauth.service lacks %q", want)
		}
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze is not installed: the unit's syntax is not verified")
		return
	}
	// verify wants the ExecStart binary to exist: point it at one that does.
	dir := t.TempDir()
	copy := filepath.Join(dir, "phoneauth.service")
	if err := os.WriteFile(copy, []byte(strings.ReplaceAll(unit, "/usr/local/bin/phoneauth", "/bin/true")), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", copy).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
