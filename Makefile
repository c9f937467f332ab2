# Berth. `make help` lists the targets.
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.DEFAULT_GOAL := help
.PHONY: help run test generate lint bench bench-compare build screenshots

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: ## Run Berth in local mode: http://127.0.0.1:8080, emulator on 127.0.0.1:4566
	$(GO) run ./cmd/berth serve

test: generate ## Run every test (needs awscli, chromium, podman, postgresql, python3-boto3 and uidmap; .ci/run installs them)
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || (gofmt -l . ; echo "gofmt would change the files above"; exit 1)
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	.ci/with-postgres.sh $(GO) test -count=1 ./...

generate: ## Regenerate templ components (*_templ.go)
	$(GO) tool templ generate

lint: generate ## gofmt, go vet, staticcheck, and check that generated files are committed
	@test -z "$$(gofmt -l .)" || (gofmt -l . ; exit 1)
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	git diff --exit-code -- '*_templ.go'

bench: ## Run the benchmarks (bench/run.sh; figures in docs/benchmarks.md)
	bench/run.sh

bench-compare: ## Compare the emulator with kumo, another Go emulator, on this machine (bench/compare.sh; fetches kumo through the Go module proxy)
	bench/compare.sh

build: generate ## Build a static binary into bin/berth
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/berth ./cmd/berth

screenshots: ## Refresh docs/img/home.png from a running Berth in headless Chromium
	$(GO) test -tags screenshots -run TestScreenshots -count=1 ./web/
