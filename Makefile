# masa: two commands on a fresh machine.
#   make run    install front-end packages, build, and serve a demo at http://127.0.0.1:8080
#   make test   install what the tests need, then format check, clippy and every test
# Others: make bench (load benchmark), make assets, make clean.

SHELL := /bin/bash
CARGO ?= cargo
export MASA_LISTEN ?= 127.0.0.1:8080
# Compiled dependencies are kept in one place per machine, so a fresh clone (CI's, say) reuses
# what an earlier build on the machine compiled. Without it, everything is compiled afresh.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/masa/target

.PHONY: run test bench assets test-deps postgres chromium check-tools clean fresh-masa

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets/dist/masa.css: node_modules/.package-lock.json assets/build.mjs $(wildcard assets/scss/*.scss assets/js/*.mjs)
	npm run --silent build

assets: assets/dist/masa.css

run: assets fresh-masa
	$(CARGO) build
	$(CARGO_TARGET_DIR)/debug/masa demo

# What the tests need: Debian's chromium and chromium-driver, and a running PostgreSQL.
test-deps: assets chromium postgres check-tools

chromium:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  echo "installing Debian's chromium and chromium-driver"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

postgres:
	@if ! pg_isready -q -h 127.0.0.1 -p 5432; then \
	  echo "starting PostgreSQL"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -n1) main start || true; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	fi
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "FAIL: PostgreSQL is not reachable at 127.0.0.1:5432; the tests need it" >&2; exit 1; }
	@# Drop databases left by earlier test runs.
	@psql -h 127.0.0.1 -U postgres -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'masa_t_%'" postgres \
	  | while read -r db; do psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $$db" postgres; done

check-tools:
	@command -v cargo-nextest >/dev/null || $(CARGO) install --locked cargo-nextest

# One compilation serves clippy and the tests: clippy-driver compiles masa's own crates (so
# every target is linted as `cargo clippy --all-targets -- -D warnings` would lint it) and
# plain rustc the dependencies, which are therefore compiled once, not once for each.
# CLIPPY_ARGS is how cargo-clippy hands `-D warnings` to clippy-driver.
# masa's own crate is always compiled afresh: its fingerprint in the shared target directory may
# point at another checkout's files (cargo names artifacts the same for every clone and judges
# freshness by the files the last build read), which would let a stale build pass for this one.
fresh-masa:
	@rm -rf $(CARGO_TARGET_DIR)/debug/.fingerprint/masa-* $(CARGO_TARGET_DIR)/release/.fingerprint/masa-*

test: test-deps fresh-masa
	$(CARGO) fmt --all -- --check
	RUSTC_WORKSPACE_WRAPPER=clippy-driver CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__" \
	  INSTA_UPDATE=no $(CARGO) nextest run --no-fail-fast

bench: assets fresh-masa
	$(CARGO) build --release
	command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	python3 scripts/bench.py

clean:
	$(CARGO) clean
	rm -rf assets/dist node_modules
