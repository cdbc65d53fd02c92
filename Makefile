# The two commands a new machine needs: `make demo` and `make test`.
# Both install what is missing first (dev/setup.sh) and are fast when it is all there.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
PIXIE_TOOLS_DIR ?= $(HOME)/.cache/pixie-tools
export PIXIE_TOOLS_DIR
export PATH := $(PIXIE_TOOLS_DIR)/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true

.PHONY: demo test setup setup-browser test-native test-browser test-e2e test-e2e-lean build build-lean csp bench clean

## Run Pixie against the embedded local provider on http://127.0.0.1:8080
demo: setup
	dev/demo.sh

## Run every test: native protocol tests, browser tests, end-to-end
test: setup-browser test-native test-browser test-e2e test-e2e-lean

setup:
	dev/setup.sh

setup-browser:
	dev/setup.sh --browser

test-native:
	cargo test --lib --test protocol --test fuzz

test-browser:
	cargo test --target wasm32-unknown-unknown --test browser

## The release bundle in dist/
build:
	trunk build --release

## The same without the walkthrough (cargo --no-default-features), in dist-lean/
build-lean:
	trunk build --release --no-default-features --dist dist-lean

## The Content-Security-Policy header for that bundle (see dev/csp.mjs)
csp: build
	node dev/csp.mjs dist dist/config.json

test-e2e: build
	node --test tests/e2e/

# The login and the session, on the build without the walkthrough
test-e2e-lean: build-lean
	E2E_DIST=dist-lean E2E_WALKTHROUGH=absent node --test tests/e2e/login.test.mjs tests/e2e/session.test.mjs

## Sizes and login timings of the release bundle against oidc-client-ts (see bench/README.md)
bench: setup-browser build build-lean
	node bench/run.mjs

clean:
	rm -rf dist dist-lean target test-results
