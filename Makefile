# vpcshift — build, test, lint, demo, benchmarks.
GO            ?= go
STATICCHECK   ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
VERSION       ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS       := -s -w -X main.version=$(VERSION)
BIN           := bin/vpcshift

.PHONY: all build test test-short lint fmt vet golden bench demo report clean

all: build

## build: the vpcshift binary in bin/
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/vpcshift

## test: go vet and every test with the race detector (hermetic: loopback only)
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

## test-short: the tests without -race, for a quick loop
test-short:
	$(GO) test -count=1 ./...

## lint: gofmt check, go vet, staticcheck (installed through the Go toolchain)
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

## fmt: format the code
fmt:
	gofmt -w $$(git ls-files '*.go')

## golden: rewrite every golden file under testdata/ (review the diff!)
golden:
	$(GO) test ./... -update

## bench: benchmarks that print their figures (inventory, analysis, TUI)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./...

## demo: the interactive UI on the built-in demo estate (no Google account needed)
demo:
	$(GO) run ./cmd/vpcshift --demo

## report: the demo's JSON report
report:
	$(GO) run ./cmd/vpcshift --demo --report

clean:
	rm -rf bin/
