#!/usr/bin/env bash
# Installs what Pixie needs to build (and, with --browser, to test), skipping
# whatever is already there at the right version. Safe to run again and again.
#
#   dev/setup.sh            wasm32 target, trunk, wasm-bindgen-cli, npm packages
#   dev/setup.sh --browser  the same, plus Debian's chromium and chromium-driver
#   dev/setup.sh --bench    only Debian's clang and llvm (make bench's Rust peers: ring compiles C for wasm)
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS_DIR=${PIXIE_TOOLS_DIR:-$HOME/.cache/pixie-tools}
TRUNK_VERSION=0.21.14
WASM_SPLIT_VERSION=0.2.4
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
export PATH="$TOOLS_DIR/bin:$PATH"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

apt_install() {
  local SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

if [ "${1:-}" = "--bench" ]; then
  if ! { command -v clang && command -v llvm-ar; } >/dev/null; then
    say "installing Debian's clang and llvm (the Rust peers' ring compiles C for wasm32)"
    apt_install clang llvm
  fi
  exit 0
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
# Release builds rebuild std for size (the Makefile's SIZE_ENV): they need its sources.
if ! rustup component list --installed | grep -q '^rust-src'; then
  say "adding the rust-src component (release builds rebuild std for size)"
  rustup component add rust-src
fi

if [ "$("$TOOLS_DIR/bin/trunk" --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION into $TOOLS_DIR (about 6 minutes, once)"
  # 0.22 needs a newer rustc than this toolchain; LTO off halves the build time.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install trunk --version "$TRUNK_VERSION" --locked --root "$TOOLS_DIR"
fi

if [ "$("$TOOLS_DIR/bin/wasm-bindgen" --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION into $TOOLS_DIR (about 3 minutes, once)"
  # Without --locked: its lock file pins a crate version the registry no longer has.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --root "$TOOLS_DIR"
fi

# The splitter that cuts release builds into parts (dev/split.mjs). Not the
# crates.io crate `wasm-split-cli` (Dioxus's, another symbol scheme): Leptos's
# split points need wasm_split_cli_support, whose binary is wasm-split-cli.
# (It has no --version: cargo's install list says which one is there.)
if ! [ -x "$TOOLS_DIR/bin/wasm-split-cli" ] ||
   ! cargo install --list --root "$TOOLS_DIR" | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
  say "installing wasm_split_cli_support $WASM_SPLIT_VERSION into $TOOLS_DIR (about a minute, once)"
  cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --locked --features build-binary --root "$TOOLS_DIR"
fi

# Trunk builds offline, so every crate must be here first: the workspace's, and
# std's own (for the size-optimised release build). Quick when they are.
cargo fetch --quiet
RUSTC_BOOTSTRAP=1 cargo fetch --quiet --manifest-path "$(rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.toml"

# npm ci only when the lock file is newer than what is installed.
npm_ci() {
  local dir=$1
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    say "npm ci in $dir"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  fi
}
npm_ci .              # wasm-opt (binaryen 132) and playwright-core
npm_ci dev/provider   # oidc-provider

if [ "${1:-}" = "--browser" ] && ! { command -v chromium && command -v chromedriver; } >/dev/null; then
  say "installing Debian's chromium and chromium-driver"
  apt_install chromium chromium-driver
fi

say "ready (trunk $TRUNK_VERSION, wasm-bindgen $WASM_BINDGEN_VERSION, wasm-split-cli $WASM_SPLIT_VERSION, wasm-opt $(node_modules/.bin/wasm-opt --version | awk '{print $3}'))"
