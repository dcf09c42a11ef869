# phoneauth — `make help` lists the targets.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/phoneauth
NODE  ?= node
NPM   ?= npm
CLIENT := clients/typescript
# Debian's Chromium for the browser test; never one a tool downloads.
CHROMIUM ?= /usr/bin/chromium

.PHONY: help run build image generate check-generated test test-go test-deploy helm-template test-node test-short fuzz lint vuln bench common-passwords \
	swagger-ui client check-client client-test lint-spec browser-test check-alerts clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

run: build ## build and start the server on the embedded defaults (SQLite file phoneauth.db, 127.0.0.1:8000)
	./$(BIN) serve

# The version and commit phoneauth version and phoneauth_build_info report (the Dockerfile takes the same
# two as build arguments).
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X github.com/phoneauth/phoneauth/internal/buildinfo.version=$(VERSION) \
	-X github.com/phoneauth/phoneauth/internal/buildinfo.commit=$(COMMIT)

build: ## build the binary into bin/phoneauth (static, stripped, stamped with VERSION and COMMIT, as the Dockerfile builds it)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags="$(LDFLAGS)" -o $(BIN) ./cmd/phoneauth

image: ## build the container image phoneauth:VERSION (also tagged phoneauth; needs Docker)
	docker build --build-arg VERSION=$(VERSION) --build-arg COMMIT=$(COMMIT) -t phoneauth:$(VERSION) -t phoneauth .

generate: ## regenerate gen/ from openapi.yaml
	$(GO) tool oapi-codegen -config oapi-codegen.yaml openapi.yaml

check-generated: generate ## fail when gen/ is not what openapi.yaml generates
	@git diff --exit-code -- gen/ || { echo "gen/ is stale: run make generate and commit"; exit 1; }

test: test-go test-deploy check-alerts test-node ## run the whole suite: Go on SQLite, PostgreSQL and Redis; the deploy assets and alert rules; client, spec lint, browser

# The Go tests use PHONEAUTH_TEST_DATABASE_URL and PHONEAUTH_TEST_REDIS_URL when they are set; otherwise
# internal/testservices/run starts a throwaway PostgreSQL (from /usr/lib/postgresql/*/bin) and a
# redis-server (when installed) on free ports, points the variables at them, and stops them afterwards,
# even when the tests fail. What it cannot start is named in a SKIP banner (with CI set, it fails).
TEST_SERVICES := $(GO) run ./internal/testservices/run

test-go: ## the Go tests, with -race, on SQLite, PostgreSQL and Redis (started for the run unless given), then 5s of fuzzing the request path
	$(TEST_SERVICES) $(GO) test -race -count=1 -timeout 12m ./...
	$(GO) test -run '^$$' -fuzz '^FuzzRequestPath$$' -fuzztime 5s ./server/

PROMTOOL ?= promtool
test-deploy: ## promtool check rules and test rules on deploy/prometheus (the Go tests check the chart and compose.yaml); skipped, loudly, without promtool (fails when CI is set)
	@if ! command -v $(PROMTOOL) >/dev/null; then \
		$(call skip_or_fail,the Prometheus rules check,promtool (apt-get install -y prometheus)); \
	else \
		$(PROMTOOL) check rules deploy/prometheus/alerts.yaml && $(PROMTOOL) test rules deploy/prometheus/alerts_test.yaml; \
	fi

HELM ?= $(GO) run helm.sh/helm/v3/cmd/helm@v3.22.0
helm-template: ## render the Helm chart with every option on (deploy/helm/phoneauth/ci/test-values.yaml)
	$(HELM) lint --strict deploy/helm/phoneauth -f deploy/helm/phoneauth/ci/test-values.yaml
	$(HELM) template phoneauth deploy/helm/phoneauth -f deploy/helm/phoneauth/ci/test-values.yaml

FUZZTIME ?= 1m
fuzz: ## fuzz the whole request path in-process for FUZZTIME (default 1m): no input may get a 5xx; failures land in server/testdata/fuzz/
	$(GO) test -run '^$$' -fuzz '^FuzzRequestPath$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 10s ./server/

# skip_or_fail WHAT,MISSING: with CI set, fail; elsewhere say loudly what goes untested and go on.
define skip_or_fail
	if [ -n "$$CI" ]; then echo "FAIL $(1): $(2) not found (CI is set: a missing tool fails the build)" >&2; exit 1; fi; \
	echo "****************************************************************************"; \
	echo "SKIP $(1): $(2) not found"; \
	echo "****************************************************************************"
endef

test-node: ## the Node tests (client, spec lint, browser); skipped, loudly, without Node or Chromium (fails when CI is set)
	@if ! $(NODE) -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' 2>/dev/null || ! command -v $(NPM) >/dev/null; then \
		$(call skip_or_fail,the TypeScript client test + spec lint + browser test,Node.js >= 20 with npm); \
	else \
		$(MAKE) --no-print-directory client-test lint-spec || exit 1; \
		if [ -x "$(CHROMIUM)" ]; then \
			$(MAKE) --no-print-directory browser-test || exit 1; \
		else \
			$(call skip_or_fail,the browser tests (/docs and the client's session),Chromium at $(CHROMIUM) (apt-get install -y chromium)); \
		fi; \
	fi

PROMTOOL ?= promtool
check-alerts: ## check the SMS alert rules (deploy/prometheus/sms-alerts.yaml) and their test cases with promtool; skipped, loudly, without it (fails when CI is set)
	@if ! command -v $(PROMTOOL) >/dev/null; then \
		$(call skip_or_fail,the Prometheus alert rules,promtool (apt-get install -y prometheus)); \
	else \
		cd deploy/prometheus && $(PROMTOOL) check rules sms-alerts.yaml && $(PROMTOOL) test rules sms-alerts.test.yaml; \
	fi

test-short: ## unit tests only, fast
	$(GO) test -short -count=1 ./...

lint: ## go vet, staticcheck, gofmt
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^gen/')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vuln: ## check dependencies for known vulnerabilities
	$(GO) run golang.org/x/vuln/cmd/govulncheck@v1.1.4 ./...

BENCH_FLAGS ?=
bench: ## micro-benchmarks of the hot paths, then the load benchmark against PostgreSQL (BENCH_FLAGS=-quick for a smoke run; writes bench-results.json)
	$(GO) test -run '^$$' -bench . -benchmem ./auth/... ./server/...
	$(GO) run ./cmd/phoneauth-bench $(BENCH_FLAGS)

common-passwords: ## regenerate the embedded common-password list from the pinned npm package
	./scripts/common-passwords.sh

swagger-ui: ## refresh server/swaggerui/ (served at /docs) from the pinned npm package swagger-ui-dist
	./scripts/swagger-ui.sh

# The client's tools (pinned in package-lock.json), installed again whenever the lock file changes.
$(CLIENT)/node_modules/.package-lock.json: $(CLIENT)/package-lock.json
	cd $(CLIENT) && $(NPM) ci --no-fund --no-audit

client: $(CLIENT)/node_modules/.package-lock.json ## regenerate the TypeScript client (src/gen/, dist/) from openapi.yaml
	cd $(CLIENT) && $(NPM) run --silent generate && $(NPM) run --silent build

check-client: client ## fail when the committed TypeScript client is not what openapi.yaml generates
	@out=$$(git status --porcelain -- $(CLIENT)/src/gen $(CLIENT)/dist); if [ -n "$$out" ]; then \
		echo "$$out"; echo "$(CLIENT) is stale: run make client and commit"; exit 1; fi

client-test: build $(CLIENT)/node_modules/.package-lock.json ## type-check the TypeScript client; its unit tests, its flows against bin/phoneauth, its packed tarball
	cd $(CLIENT) && $(NPM) run --silent build && $(NPM) run --silent typecheck && $(NPM) run --silent build:test
	cd $(CLIENT) && $(NODE) --test --test-reporter=spec build/test/session.test.js build/test/client.test.js build/test/package.test.js

lint-spec: $(CLIENT)/node_modules/.package-lock.json ## lint openapi.yaml with the rules in redocly.yaml
	REDOCLY_SUPPRESS_UPDATE_NOTICE=true $(NODE) $(CLIENT)/node_modules/@redocly/cli/bin/cli.js lint --config redocly.yaml openapi.yaml

browser-test: build $(CLIENT)/node_modules/.package-lock.json ## in Chromium: Swagger UI at /docs (screenshot in test-artifacts/), the client's session across reloads and tabs, passkeys with a virtual authenticator
	cd $(CLIENT) && $(NPM) run --silent build && $(NPM) run --silent build:test
	cd $(CLIENT) && CHROMIUM=$(CHROMIUM) $(NODE) --test --test-reporter=spec build/test/docs.browser.test.js build/test/session.browser.test.js build/test/passkey.browser.test.js

clean: ## remove build output
	rm -rf bin $(CLIENT)/build test-artifacts
