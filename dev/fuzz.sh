#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser of untrusted input in pixie-core
# (cargo-fuzz, libFuzzer): each target in fuzz/fuzz_targets/ runs for SECONDS,
# starting from the seeds in fuzz/seeds/<target>/ and the corpus it grew
# before (fuzz/corpus/<target>/, not committed). Any crash, panic, failed
# assertion or timeout fails the run; libFuzzer leaves the input in
# fuzz/artifacts/<target>/. At the end, a table: executions per target.
#
#   dev/fuzz.sh [SECONDS=60] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${1:-60}
shift || true
TOOLS_DIR=${PIXIE_TOOLS_DIR:-$HOME/.cache/pixie-tools}
CARGO_FUZZ_VERSION=0.13.2
export PATH="$TOOLS_DIR/bin:$PATH"
# cargo-fuzz builds with the address sanitizer, a nightly flag: let the stable toolchain take it.
export RUSTC_BOOTSTRAP=1

say() { printf '\033[1m[fuzz]\033[0m %s\n' "$*"; }

if ! [[ "$SECONDS_PER_TARGET" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: dev/fuzz.sh [SECONDS] [TARGET...]  (SECONDS a whole number, got '$SECONDS_PER_TARGET')" >&2
  exit 2
fi
if [ "$("$TOOLS_DIR/bin/cargo-fuzz" --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  say "installing cargo-fuzz $CARGO_FUZZ_VERSION into $TOOLS_DIR (about 30 s, once)"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --root "$TOOLS_DIR"
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cd fuzz && cargo fuzz list)
fi

say "building ${#targets[@]} targets"
(cd fuzz && cargo fuzz build --release --debug-assertions >/dev/null)

results=()
failed=0
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
  log=$(mktemp)
  say "$target: ${SECONDS_PER_TARGET} s"
  status=0
  # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: so is a runaway allocation.
  (cd fuzz && cargo fuzz run --release --debug-assertions "$target" "corpus/$target" "seeds/$target" -- \
      -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1) >"$log" 2>&1 || status=$?
  runs=$(grep -oE '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1 || true)
  if [ "$status" -ne 0 ]; then
    failed=1
    results+=("$(printf '%-16s %12s  FAILED (exit %s; see fuzz/artifacts/%s)' "$target" "${runs:-?}" "$status" "$target")")
    tail -40 "$log" >&2
  else
    results+=("$(printf '%-16s %12s  ok' "$target" "${runs:-?}")")
  fi
  rm -f "$log"
done

echo
printf '%-16s %12s  %s\n' target executions result
printf '%s\n' "${results[@]}"
printf '(%s s per target)\n' "$SECONDS_PER_TARGET"
exit "$failed"
