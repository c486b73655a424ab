# Moat: `make run` and `make test` work on a fresh Debian 12 machine (as root, or with sudo).

SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
CONFIG ?= Config/moat.toml
PYTHON ?= python3

# Debian packages: what the build links, and what the tests drive.
BUILD_PACKAGES = pkg-config libclamav-dev libsqlite3-dev libpcre2-dev libhyperscan-dev libunbound-dev libcrypt-dev openssl
# What moat reads at run time: SpamAssassin's rule files ([spam] spamassassin_rules).
RUNTIME_PACKAGES = spamassassin
TEST_PACKAGES = postfix swaks clamav-testfiles clamav-daemon python3 spamassassin spamc dnsmasq-base dovecot-core dovecot-imapd dovecot-sqlite sqlite3 systemd util-linux bsdutils isync fetchmail

SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build release run test unit-test integration-test bench deps test-deps clean tls-pair install uninstall imaptest

all: build

# Installs only what is missing, so repeated runs cost one dpkg query.
deps:
	@missing=$$(for p in $(BUILD_PACKAGES) $(RUNTIME_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
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

# imaptest's scripted IMAP conformance tests against a running server (README: "IMAP
# conformance"). It deletes the user's imaptest* mailboxes: a test account on loopback only.
IMAPTEST_HOST ?= 127.0.0.1
IMAPTEST_PORT ?= 143
imaptest:
	@if [ -z "$(IMAPTEST_USER)" ] || [ -z "$(IMAPTEST_PASSWORD)" ]; then \
	  echo "set IMAPTEST_USER and IMAPTEST_PASSWORD (and IMAPTEST_HOST, IMAPTEST_PORT, IMAPTEST_ONLY)"; exit 2; fi
	$(PYTHON) Tests/IntegrationTests/imaptest/runner.py --host $(IMAPTEST_HOST) --port $(IMAPTEST_PORT) \
	  --user "$(IMAPTEST_USER)" --password "$(IMAPTEST_PASSWORD)" $(if $(IMAPTEST_ONLY),--only $(IMAPTEST_ONLY))

bench: test-deps release
	$(SWIFT) build -c release --product spam-bench
	MOAT_BINARY=$(CURDIR)/.build/release/moat $(PYTHON) Benchmarks/filter_bench.py
	MOAT_BINARY=$(CURDIR)/.build/release/moat $(PYTHON) Benchmarks/mx_bench.py
	$(PYTHON) Benchmarks/spam_bench.py --binary $(CURDIR)/.build/release/spam-bench
	MOAT_BINARY=$(CURDIR)/.build/release/moat $(PYTHON) Benchmarks/imap_bench.py


.PHONY: sa-truth compare-sa
# SpamAssassin's verdicts on ../shared/corpus via a private spamd (cached in Tools/sa/cache/).
sa-truth: test-deps
	$(PYTHON) Tools/sa/sa_truth.py --out /dev/null

# Moat vs SpamAssassin on the stock rules: verdict and per-rule agreement on every folder
# of ../shared/corpus (ham, spam, hard_ham, csdmc2010/ham, csdmc2010/spam), each folder
# on its own and all together; fails if any folder's verdict agreement is under 99.8%
# (issue 11). COMPARE_ARGS replaces the default threshold (e.g. COMPARE_ARGS= to only report).
COMPARE_ARGS ?= --require-verdict 99.8
compare-sa: test-deps
	$(SWIFT) build -c release --product moat --scratch-path .build-release
	MOAT_BINARY=$(CURDIR)/.build-release/release/moat $(PYTHON) Tools/sa/compare.py $(COMPARE_ARGS)

.PHONY: accuracy rescore-rules
# Recall and false positives per corpus folder by 5-fold cross-validation, for the default
# rule set (SpamAssassin's + Rules/), SpamAssassin's alone and Rules/ alone, as shipped and
# rescored, the default also with Bayes; fails when the default rule set, rescored, flags
# more than 2% of hard_ham or 0.1% of ham at the kill level. CORPUS: folders as in
# Tools/accuracy/accuracy.py (ham, hard_ham, csdmc2010/ham, spam, csdmc2010/spam).
CORPUS ?= $(CURDIR)/../shared/corpus
accuracy: deps
	$(SWIFT) build -c release --product moat --scratch-path .build-release
	MOAT_BINARY=$(CURDIR)/.build-release/release/moat $(PYTHON) Tools/accuracy/accuracy.py --corpus $(CORPUS) $(ACCURACY_ARGS)

# Rules/scores/90_moat_rescored.cf, the scores Moat ships: `moat rules rescore --bayes` on the
# whole corpus (what `make accuracy` measures on held-out folds as "rescored").
rescore-rules: deps
	$(SWIFT) build -c release --product moat --scratch-path .build-release
	MOAT_BINARY=$(CURDIR)/.build-release/release/moat $(PYTHON) Tools/accuracy/accuracy.py --corpus $(CORPUS) \
	  --write-shipped Rules/scores/90_moat_rescored.cf

clean:
	rm -rf .build var

# --- install / uninstall -------------------------------------------------------------------
# `make install` (as root): the release binary, Moat's rules, /etc/moat/moat.toml (only when
# absent), the systemd unit, the `moat` system user and Moat's state directories.
# DESTDIR stages the tree for packaging: then no user is created and nothing is chowned.
# BINARY=path installs an already built binary instead of building the release.
PREFIX ?= /usr/local
DESTDIR ?=
BINARY ?= .build/release/moat
SERVICE_USER ?= moat
BINDIR = $(PREFIX)/bin
SHAREDIR = $(PREFIX)/share/moat
DOCDIR = $(PREFIX)/share/doc/moat
CONFDIR = /etc/moat
# /etc/systemd/system: the admin's units (a Debian package would use /lib/systemd/system).
UNITDIR ?= /etc/systemd/system
# Owner-only state: directory, Bayes and quarantine index, queue, Maildirs; quarantine; cache.
STATE_DIRS = /var/lib/moat /var/lib/moat/queue /var/lib/moat/mail /var/spool/moat /var/spool/moat/quarantine /var/cache/moat
# The one path the production config and the unit name under PREFIX.
SUBST = sed -e 's|/usr/local/share/moat|$(SHAREDIR)|g' -e 's|@PREFIX@|$(PREFIX)|g'

install: $(if $(filter command line environment,$(origin BINARY)),,release)
	install -D -m 0755 $(BINARY) $(DESTDIR)$(BINDIR)/moat
	install -d -m 0755 $(DESTDIR)$(SHAREDIR)/rules $(DESTDIR)$(DOCDIR)
	cp -R Rules/. $(DESTDIR)$(SHAREDIR)/rules/
	chmod -R u=rwX,go=rX $(DESTDIR)$(SHAREDIR)/rules
	$(SUBST) Config/moat.production.toml > $(DESTDIR)$(SHAREDIR)/moat.toml.dist
	chmod 0644 $(DESTDIR)$(SHAREDIR)/moat.toml.dist
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	$(SUBST) Packaging/moat.service > $(DESTDIR)$(UNITDIR)/moat.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/moat.service
	@if [ -z "$(DESTDIR)" ]; then \
	  getent group $(SERVICE_USER) >/dev/null || groupadd --system $(SERVICE_USER); \
	  getent passwd $(SERVICE_USER) >/dev/null || useradd --system --gid $(SERVICE_USER) --home-dir /var/lib/moat \
	    --no-create-home --shell /usr/sbin/nologin --comment "Moat mail filter" $(SERVICE_USER); \
	fi
	@# Config: root-owned, readable by the service group (reload re-reads it after the switch).
	install -d -m 0750 $(DESTDIR)$(CONFDIR)
	@if [ -e $(DESTDIR)$(CONFDIR)/moat.toml ]; then \
	  echo "kept $(DESTDIR)$(CONFDIR)/moat.toml; the new defaults are in $(SHAREDIR)/moat.toml.dist"; \
	else install -m 0640 $(DESTDIR)$(SHAREDIR)/moat.toml.dist $(DESTDIR)$(CONFDIR)/moat.toml; fi
	@# State directories are created once; an upgrade keeps the owner and mode an admin chose.
	@for d in $(STATE_DIRS); do \
	  if [ ! -d $(DESTDIR)$$d ]; then install -d -m 0700 $(DESTDIR)$$d && \
	    { [ -n "$(DESTDIR)" ] || chown $(SERVICE_USER):$(SERVICE_USER) $$d; } && echo "created $(DESTDIR)$$d"; fi; \
	done
	@if [ -z "$(DESTDIR)" ]; then \
	  chgrp $(SERVICE_USER) $(CONFDIR) $(CONFDIR)/moat.toml && \
	  if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi; \
	fi

# Removes what install added: never mail, queue, quarantine or the directory (/var/lib/moat,
# /var/spool/moat), nor a config the admin changed, nor the moat user (files still belong to it).
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/moat $(DESTDIR)$(UNITDIR)/moat.service $(DESTDIR)$(DOCDIR)/README.md
	rm -rf $(DESTDIR)$(SHAREDIR)/rules $(DESTDIR)/var/cache/moat
	@if cmp -s $(DESTDIR)$(CONFDIR)/moat.toml $(DESTDIR)$(SHAREDIR)/moat.toml.dist; then \
	  rm -f $(DESTDIR)$(CONFDIR)/moat.toml; rmdir $(DESTDIR)$(CONFDIR) 2>/dev/null || true; \
	elif [ -e $(DESTDIR)$(CONFDIR)/moat.toml ]; then echo "kept $(DESTDIR)$(CONFDIR)/moat.toml (changed)"; fi
	rm -f $(DESTDIR)$(SHAREDIR)/moat.toml.dist
	-rmdir $(DESTDIR)$(SHAREDIR) $(DESTDIR)$(DOCDIR) 2>/dev/null
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
	@echo "kept /var/lib/moat and /var/spool/moat (mail, queue, quarantine) and the $(SERVICE_USER) user"

