# agentplane — the two commands are `make run` and `make test`.
GO      ?= go
PKGS    ?= ./...
FUZZTIME ?= 60s

.PHONY: run test test-sqlite lint fmt build fuzz openapi openapi-lint client console

## run: start a server on SQLite in ./data on 127.0.0.1:8080
run:
	$(GO) run ./cmd/agentplane serve

## build: build bin/agentplane
build:
	$(GO) build -o bin/agentplane ./cmd/agentplane

## test: every test on SQLite and on a throwaway PostgreSQL started for the run, then the console's component tests (with Node)
test:
	scripts/with-postgres $(GO) test -race -count=1 -timeout 30m $(PKGS)
	scripts/console-test

## test-sqlite: the quick loop, SQLite only (PostgreSQL tests skip loudly)
test-sqlite:
	$(GO) test -count=1 $(PKGS)

## lint: gofmt, go.mod tidy, go vet, staticcheck and openapi-lint must all be clean
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@$(GO) mod tidy -diff || { echo "go.mod or go.sum is not tidy: run go mod tidy"; exit 1; }
	$(GO) vet $(PKGS)
	$(GO) tool staticcheck $(PKGS)
	$(MAKE) openapi-lint

## openapi: rewrite the generated part of internal/httpapi/openapi.yaml (the AgentConfig components) from the Go types
openapi:
	$(GO) run ./internal/httpapi/gen

## client: regenerate client/api.gen.go from internal/httpapi/openapi.yaml with oapi-codegen (after `make openapi` or any change to the document; a test fails when it is stale)
client:
	$(GO) generate ./client

## console: build the web console (web/console) into internal/console/dist, which the binary embeds (needs node and npm; commit the result)
console:
	cd web/console && npm ci --ignore-scripts --no-audit --no-fund && npm run gen:api && npm run build

## openapi-lint: Redocly, Spectral, openapi-typescript + tsc and oapi-codegen + go build on /openapi.json (tools/openapi; needs node and npm, skips loudly without them except in CI)
openapi-lint:
	tools/openapi/lint

## fmt: format the tree
fmt:
	gofmt -w $$(git ls-files '*.go')

## fuzz: run every fuzz target for FUZZTIME each (default 60s)
fuzz:
	@set -e; grep -rl --include='*_test.go' '^func Fuzz' . | while read -r f; do \
	  pkg=$$(dirname $$f); \
	  for fn in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' $$f | sed 's/func //'); do \
	    echo "== $$pkg $$fn ($(FUZZTIME))"; \
	    $(GO) test $$pkg -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) || exit 1; \
	  done; \
	done

## bench: performance targets P1–P5 (DESIGN.md §6) on SQLite and PostgreSQL against baselines measured in the same run; see docs/performance.md
.PHONY: bench
bench:
	@if [ -n "$$BENCH_POSTGRES_URL" ] || [ "$$(echo "$${BENCH_ENGINES:-sqlite,postgres}" | tr -d ' ')" = sqlite ]; then \
	  $(GO) run ./bench; \
	else \
	  env -u AGENTPLANE_TEST_POSTGRES_URL WITH_POSTGRES_DURABLE=1 scripts/with-postgres $(GO) run ./bench; \
	fi
