# Moat: `make run` and `make test` work on a fresh Debian 12 machine (as root, or with sudo).

SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
CONFIG ?= Config/moat.toml
PYTHON ?= python3

# Debian packages: what the build links, and what the tests drive.
BUILD_PACKAGES = pkg-config libclamav-dev libsqlite3-dev libpcre2-dev libhyperscan-dev libunbound-dev libcrypt-dev openssl
TEST_PACKAGES = postfix swaks clamav-testfiles clamav-daemon python3 spamassassin spamc dnsmasq-base dovecot-core

SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build release run test unit-test integration-test bench deps test-deps clean tls-pair

all: build

# Installs only what is missing, so repeated runs cost one dpkg query.
deps:
	@missing=$$(for p in $(BUILD_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

test-deps: deps
	@missing=$$(for p in $(TEST_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  echo "postfix postfix/main_mailer_type select No configuration" | $(SUDO) debconf-set-selections; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@$(PYTHON) -c 'import pytest' 2>/dev/null || $(PYTHON) -m pip install -q pytest

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# A self-signed pair for the MX's STARTTLS ([mx.tls] defaults), made once when missing.
TLS_DIR = var/tls
tls-pair:
	@if [ ! -s $(TLS_DIR)/cert.pem ] || [ ! -s $(TLS_DIR)/key.pem ]; then \
	  mkdir -p $(TLS_DIR) && umask 077 && \
	  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=$$(hostname -f 2>/dev/null || hostname)" \
	    -keyout $(TLS_DIR)/key.pem -out $(TLS_DIR)/cert.pem 2>/dev/null && \
	  echo "created a self-signed STARTTLS pair in $(TLS_DIR)"; \
	fi

run: release tls-pair
	.build/release/moat serve -c $(CONFIG)

unit-test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

integration-test: test-deps build
	MOAT_BINARY=$(CURDIR)/.build/debug/moat $(PYTHON) -m pytest -q Tests/IntegrationTests

test: test-deps unit-test integration-test

bench: test-deps release
	$(SWIFT) build -c release --product spam-bench
	MOAT_BINARY=$(CURDIR)/.build/release/moat $(PYTHON) Benchmarks/filter_bench.py
	MOAT_BINARY=$(CURDIR)/.build/release/moat $(PYTHON) Benchmarks/mx_bench.py
	$(PYTHON) Benchmarks/spam_bench.py --binary $(CURDIR)/.build/release/spam-bench


.PHONY: sa-truth compare-sa
# SpamAssassin's verdicts on ../shared/corpus via a private spamd (cached in Tools/sa/cache/).
sa-truth: test-deps
	$(PYTHON) Tools/sa/sa_truth.py --out /dev/null

# Moat vs SpamAssassin on the stock rules: verdict and per-rule agreement (issue 3).
compare-sa: test-deps release
	MOAT_BINARY=$(CURDIR)/.build/release/moat $(PYTHON) Tools/sa/compare.py $(COMPARE_ARGS)

.PHONY: accuracy
# Moat's own rules (Rules/) with and without Bayes on ../shared/corpus: even-index files
# train Bayes, odd-index files are the test half; fails if test ham FP at 6.31 > 0.5%.
accuracy: deps
	$(SWIFT) build -c release --product moat --scratch-path .build-release
	MOAT_BINARY=$(CURDIR)/.build-release/release/moat $(PYTHON) Tools/accuracy/accuracy.py $(ACCURACY_ARGS)

clean:
	rm -rf .build var
