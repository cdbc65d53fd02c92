# The two commands a new machine needs: `make demo` and `make test`.
# Both install what is missing first (dev/setup.sh) and are fast when it is all there.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
PIXIE_TOOLS_DIR ?= $(HOME)/.cache/pixie-tools
export PIXIE_TOOLS_DIR
export PATH := $(PIXIE_TOOLS_DIR)/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true

# Release bundles rebuild std for size: -Zbuild-std with optimize_for_size and
# panic=immediate-abort (no panic formatting in the bundle), on the stable
# toolchain through RUSTC_BOOTSTRAP, in their own target directory. About 10%
# smaller (see README, "Size and speed"); tests and `make demo` use plain builds.
# The linker keeps its relocations (-Clink-args=--emit-relocs) for the splitter:
# the demo's release builds are cut into parts (cargo feature `split`, Trunk.toml's
# hook dev/split.mjs); wasm-bindgen drops them from a module that is not cut.
SIZE_RUSTFLAGS := --cfg erase_components -Zunstable-options -Cpanic=immediate-abort -Clink-args=--emit-relocs
SIZE_ENV := RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
	CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size \
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$(SIZE_RUSTFLAGS)" \
	CARGO_TARGET_DIR=$(CURDIR)/target/size

.PHONY: demo notes test setup setup-browser test-native test-browser test-e2e test-e2e-lean doc \
	test-fuzz fuzz build build-lean build-notes build-check check csp bench bench-rust-peers clean

# Seconds per fuzz target: `make fuzz FUZZ_SECONDS=600`.
FUZZ_SECONDS ?= 60

## Run Pixie against the embedded local provider on http://127.0.0.1:8080
demo: setup
	dev/demo.sh

## Run examples/notes against the local provider on http://127.0.0.1:8081
notes: setup
	dev/demo.sh notes

## Run every test: native protocol tests, docs, a short fuzz run, browser tests, end-to-end
test: setup-browser test-native doc test-fuzz test-browser test-e2e test-e2e-lean

setup:
	dev/setup.sh

setup-browser:
	dev/setup.sh --browser

## The protocol core (pixie-core) and the demo's own logic, natively
test-native:
	cargo test -p pixie-core
	cargo test -p pixie-demo --lib

## Coverage-guided fuzzing of every parser of untrusted input, FUZZ_SECONDS per target
fuzz: setup
	dev/fuzz.sh $(FUZZ_SECONDS)

# The same, a few seconds per target, so the targets never rot
test-fuzz: setup
	dev/fuzz.sh 3

## rustdoc for the two crates (a warning, such as a missing doc or a broken link, fails), and pixie's examples
doc:
	RUSTDOCFLAGS="-D warnings" cargo doc -p pixie-core -p pixie --no-deps --features pixie/trace
	cargo test -p pixie --doc --features trace

## The library's IO and components, and the demo's, in headless Chromium
test-browser:
	cargo test -p pixie --target wasm32-unknown-unknown --lib --features trace
	cargo test -p pixie-demo --target wasm32-unknown-unknown --test browser

## The release bundle in dist/
build:
	$(SIZE_ENV) trunk build --release --features split
	node dev/csp.mjs --meta dist

## The same without the walkthrough (cargo --no-default-features), in dist-lean/
build-lean:
	$(SIZE_ENV) trunk build --release --no-default-features --features split --dist dist-lean
	node dev/csp.mjs --meta dist-lean

## examples/notes, in examples/notes/dist/
build-notes:
	cd examples/notes && $(SIZE_ENV) trunk build --release --features split

## The Content-Security-Policy header for that bundle (see dev/csp.mjs)
csp: build
	node dev/csp.mjs dist dist/config.json

## Every e2e file: the demo, examples/notes, and the README's app (built from the README)
test-e2e: build build-notes build-check
	node --test tests/e2e/

# The login and the session, on the build without the walkthrough
test-e2e-lean: build-lean
	E2E_DIST=dist-lean E2E_WALKTHROUGH=absent node --test tests/e2e/login.test.mjs tests/e2e/session.test.mjs

## What a config.json will meet at its provider: `make check CONFIG=config.json [ORIGIN=https://app.example]`
CONFIG ?= dev/config.json
check: build-check
	target/debug/pixie check $(CONFIG) $(if $(ORIGIN),--origin $(ORIGIN),$(if $(filter dev/config.json,$(CONFIG)),--origin http://127.0.0.1:8080))

# The `pixie check` command (crates/pixie-cli), native
build-check: setup
	cargo build -q -p pixie-cli

## Sizes and login timings of the release bundle against oidc-client-ts (see bench/README.md)
bench: setup-browser build build-lean bench-rust-peers
	node bench/run.mjs

# The smallest app on each other Leptos OIDC crate (bench/rust-peers/), for the
# size table: Pixie's release profile and size flags, without the relocations
# only the splitter needs, in their own target directory. The first build takes
# several minutes (reqwest, jsonwebtoken, ring, leptos_router).
PEER_ENV := $(SIZE_ENV) CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg erase_components -Zunstable-options -Cpanic=immediate-abort" \
	CARGO_TARGET_DIR=$(CURDIR)/target/peers
bench-rust-peers: setup
	dev/setup.sh --bench
	for peer in keycloak leptos_oidc; do \
		(cd bench/rust-peers/$$peer && cargo fetch --quiet && $(PEER_ENV) trunk build --release); \
	done

clean:
	rm -rf dist dist-lean examples/notes/dist bench/rust-peers/*/dist target test-results fuzz/target
