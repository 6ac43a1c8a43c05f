# Pouch: `make run` builds and opens the window, `make test` runs every test on real parts.
SHELL := /bin/bash
export LANG ?= C.UTF-8
export CGO_ENABLED := 1

GO        ?= go
TAGS      := sqlite_fts5
BIN       := bin/pouch
STATICCHECK_VERSION := v0.8.2
GOBIN     := $(shell $(GO) env GOPATH)/bin
# The version in `pouch --version`: FyneApp.toml's, and the commit it was built from.
APP_VERSION := $(shell sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
VERSION   ?= $(APP_VERSION)+$(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS   := -X github.com/pouchmail/pouch/app/cli.version=$(VERSION)
# Windows: cgo through Debian's mingw-w64 gcc; a GUI program (no console window), which attaches
# to the terminal it is started from (console_windows.go).
WIN_CC    ?= x86_64-w64-mingw32-gcc
WIN_BIN   := bin/pouch.exe
# go vet for Windows covers every package but the benchmark harness (Linux-only, not shipped);
# for macOS, without a macOS C toolchain, the packages that need no cgo (mailstore and what
# imports it need go-sqlite3, app/ui and main need Fyne's OpenGL driver).
WIN_VET_PKGS    = $(shell $(GO) list ./... | grep -v /bench/)
DARWIN_VET_PKGS := ./pop3/... ./mailstore/mimetext ./app/autoconfig/... ./app/oauth/... ./app/secrets \
                   ./app/envfix ./app/format ./app/datadir/osdir ./internal/mailtls ./resources
# The packaging tool, pinned; installed into bin/tools/ so that no other fyne on PATH is used.
FYNE_TOOLS_VERSION := v1.7.4
FYNE      := bin/tools/fyne-$(FYNE_TOOLS_VERSION)/fyne
METAINFO  := packaging/io.github.pouchmail.pouch.metainfo.xml
# A count, not a duration: Go 1.26's fuzz coordinator can fail a duration-bounded run with a
# spurious "context deadline exceeded" when -fuzztime expires mid-execution (go.dev/issue/75804).
FUZZTIME  ?= 10000x

.PHONY: all build run test test-go test-packaging lint vet-cross windows dist metainfo fuzz screenshots deps-build deps-test deps-windows clean bench deps-bench

all: build

deps-build:
	@scripts/install-deps build

deps-test:
	@scripts/install-deps test
	@$(GO) mod download

deps-windows:
	@scripts/install-deps windows

build: deps-build
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(BIN) .

# bin/pouch.exe, cross-built with cgo. The first build takes 6 to 9 minutes on 2 cores (Fyne,
# GLFW and SQLite in C); later ones come from Go's build cache in seconds.
windows: deps-windows
	CC=$(WIN_CC) GOOS=windows GOARCH=amd64 $(GO) build -tags $(TAGS) -ldflags "-H=windowsgui $(LDFLAGS)" -o $(WIN_BIN) .

# go vet as Windows and macOS see the code (build tags included).
vet-cross: deps-windows
	CC=$(WIN_CC) GOOS=windows GOARCH=amd64 $(GO) vet -tags $(TAGS) $(WIN_VET_PKGS)
	CGO_ENABLED=0 GOOS=darwin GOARCH=arm64 $(GO) vet -tags $(TAGS) $(DARWIN_VET_PKGS)

# The Linux desktop package (Pouch.tar.xz): binary, icon, .desktop entry (a mailto: handler) and
# AppStream metainfo.
# Not part of make test: it builds the whole program again in release mode.
# The binary is built here (release mode, stripped, with the version) and fyne packages it.
dist: deps-build metainfo
	@test -x $(FYNE) || GOBIN=$(CURDIR)/$(dir $(FYNE)) $(GO) install fyne.io/tools/cmd/fyne@$(FYNE_TOOLS_VERSION)
	$(GO) build -tags "$(TAGS) release" -ldflags "-s -w $(LDFLAGS)" -o bin/release/pouch .
	rm -f Pouch.tar.xz
	$(FYNE) package -os linux --executable bin/release/pouch --release --app-version $(APP_VERSION)
	scripts/add-metainfo Pouch.tar.xz $(METAINFO)
	scripts/add-mailto-handler Pouch.tar.xz

# The AppStream metainfo, validated by appstreamcli (Debian's appstream package) when installed.
metainfo:
	@if command -v appstreamcli >/dev/null; then appstreamcli validate --no-net $(METAINFO); \
	  else echo "appstreamcli not installed (Debian package appstream): $(METAINFO) not validated"; fi

# The steps that change fyne's package (metainfo, mailto: handler), on a stand-in package.
test-packaging:
	scripts/test-packaging

run: build
	./$(BIN)

# Everything: lint, unit and end-to-end tests (real Dovecot, real Secret Service, real window
# under Xvfb), and a short fuzz run of every parser.
test: deps-test lint metainfo test-packaging vet-cross windows test-go fuzz

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
	@set -e; for pkg in ./pop3 ./mailstore ./mailstore/mimetext ./app/account ./app/autoconfig ./app/compose ./app/submit; do \
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
# The Go benchmark packages run too (go test -bench .); every metric they report goes into
# bench/RESULTS.md. bench/archive searches an archive of BENCH_ARCHIVE_N messages, built once
# (a million take long) and kept in BENCH_ARCHIVE_DIR for the next runs.
BENCH_PKGS        ?= ./bench/archive/ ./bench/window/
BENCH_ARCHIVE_N   ?= 1000000
BENCH_ARCHIVE_DIR ?= $(HOME)/.cache/pouch-bench/archive-$(BENCH_ARCHIVE_N)
deps-bench:
	@scripts/install-deps bench

bench: deps-bench build
	POUCH_BENCH_ARCHIVE_N=$(BENCH_ARCHIVE_N) POUCH_BENCH_ARCHIVE_KEEP=$(BENCH_ARCHIVE_DIR) \
	scripts/with-keyring scripts/with-xvfb $(GO) run ./bench/cmd/popbench -pouch $(BIN) -n $(BENCH_N) -latency-n $(BENCH_LAT_N) \
	  -idle-n $(BENCH_IDLE_N) -repeat $(BENCH_REPEAT) -out bench/RESULTS.md -go-bench "$(BENCH_PKGS)" \
	  -command "make bench BENCH_N=$(BENCH_N) BENCH_LAT_N=$(BENCH_LAT_N) BENCH_IDLE_N=$(BENCH_IDLE_N) BENCH_REPEAT=$(BENCH_REPEAT) BENCH_ARCHIVE_N=$(BENCH_ARCHIVE_N) $(BENCH_FLAGS)" $(BENCH_FLAGS)

clean:
	rm -rf bin Pouch.tar.xz
