#!/usr/bin/env bash
# Runs the local provider and `trunk serve` together; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

pids=()
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

for port in 9000 8080; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port on 127.0.0.1 is already in use; stop whatever runs there first." >&2
    exit 1
  fi
done

node dev/provider/server.mjs &
pids+=($!)
trunk serve &
pids+=($!)

# Wait until both answer, then say where to go.
for _ in $(seq 1 600); do
  if curl -fsS -o /dev/null http://127.0.0.1:9000/.well-known/openid-configuration 2>/dev/null &&
     curl -fsS -o /dev/null http://127.0.0.1:8080/ 2>/dev/null; then
    cat <<MSG

  Pixie is running:   http://127.0.0.1:8080/
  Local provider:     http://127.0.0.1:9000/  (any username and password log in)
  Stop with Ctrl-C.

MSG
    break
  fi
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "A server exited during start-up; see the output above." >&2; exit 1; }
  done
  sleep 0.5
done
wait -n "${pids[@]}"
