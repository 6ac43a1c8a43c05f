# Pouch: `make run` builds and opens the window, `make test` runs every test on real parts.
SHELL := /bin/bash
export LANG ?= C.UTF-8
export CGO_ENABLED := 1

GO        ?= go
TAGS      := sqlite_fts5
BIN       := bin/pouch
STATICCHECK_VERSION := v0.8.2
GOBIN     := $(shell $(GO) env GOPATH)/bin
# A count, not a duration: Go 1.26's fuzz coordinator can fail a duration-bounded run with a
# spurious "context deadline exceeded" when -fuzztime expires mid-execution (go.dev/issue/75804).
FUZZTIME  ?= 10000x

.PHONY: all build run test test-go lint fuzz screenshots deps-build deps-test clean bench deps-bench

all: build

deps-build:
	@scripts/install-deps build

deps-test:
	@scripts/install-deps test
	@$(GO) mod download

build: deps-build
	$(GO) build -tags $(TAGS) -o $(BIN) .

run: build
	./$(BIN)

# Everything: lint, unit and end-to-end tests (real Dovecot, real Secret Service, real window
# under Xvfb), and a short fuzz run of every parser.
test: deps-test lint test-go fuzz

lint:
	@test -x $(GOBIN)/staticcheck || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet -tags $(TAGS) ./...
	$(GOBIN)/staticcheck -tags $(TAGS) ./...

# The REQUIRE switches turn a missing real part into a failure instead of a skip, so a test
# that guards "failures delete nothing" cannot silently stop running. The tmpfs tests (full
# disk, read-only data dir) mount and remount a tmpfs, which needs root: as another user,
# `make test POUCH_REQUIRE_TMPFS=0` lets them skip. with-keyring sets POUCH_TEST_SECRET_SERVICE.
POUCH_REQUIRE_TMPFS ?= 1
test-go:
	POUCH_REQUIRE_DOVECOT=1 POUCH_REQUIRE_SMTPD=1 POUCH_REQUIRE_XVFB=1 POUCH_REQUIRE_SECRET_SERVICE=1 \
	  POUCH_REQUIRE_TMPFS=$(POUCH_REQUIRE_TMPFS) scripts/with-keyring scripts/with-xvfb \
	  $(GO) test -race -count=1 -tags $(TAGS) -timeout 20m ./...

fuzz:
	@set -e; for pkg in ./pop3 ./mailstore ./mailstore/mimetext ./app/account ./app/autoconfig; do \
	  for f in $$($(GO) test -tags $(TAGS) -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f ($(FUZZTIME))"; \
	    $(GO) test -tags $(TAGS) -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; done

# Fresh screenshots for docs/screenshots (a real window under Xvfb on fetched mail).
screenshots: deps-test
	POUCH_SCREENSHOT_DIR=$(CURDIR)/docs/screenshots POUCH_REQUIRE_XVFB=1 scripts/with-keyring scripts/with-xvfb \
	  $(GO) test -tags $(TAGS) -run TestWindowScreenshot -count=1 -v ./app/e2e/

# Pouch side by side with mpop, fetchmail and the server's limit on a private Dovecot; writes
# bench/RESULTS.md. Quick check: make bench BENCH_N=1000 BENCH_REPEAT=1 BENCH_IDLE_N=10000
BENCH_N       ?= 10000
BENCH_LAT_N   ?= 500
BENCH_IDLE_N  ?= 100000
BENCH_REPEAT  ?= 3
BENCH_FLAGS   ?=
deps-bench:
	@scripts/install-deps bench

bench: deps-bench build
	scripts/with-keyring $(GO) run ./bench/cmd/popbench -pouch $(BIN) -n $(BENCH_N) -latency-n $(BENCH_LAT_N) \
	  -idle-n $(BENCH_IDLE_N) -repeat $(BENCH_REPEAT) -out bench/RESULTS.md \
	  -command "make bench BENCH_N=$(BENCH_N) BENCH_LAT_N=$(BENCH_LAT_N) BENCH_IDLE_N=$(BENCH_IDLE_N) BENCH_REPEAT=$(BENCH_REPEAT) $(BENCH_FLAGS)" $(BENCH_FLAGS)

clean:
	rm -rf bin
