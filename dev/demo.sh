#!/usr/bin/env bash
# Runs the local provider, `trunk watch` (rebuilds dist/ on every change) and
# dev/static-server.mjs on dist/ (which sends the Content-Security-Policy and
# the other security headers, as production should); Ctrl-C stops all three.
#
#   dev/demo.sh          the demo on http://127.0.0.1:8080/
#   dev/demo.sh notes    examples/notes on http://127.0.0.1:8081/
set -euo pipefail
cd "$(dirname "$0")/.."

app_dir=.
port=8080
name=Pixie
if [ "${1:-}" = "notes" ]; then
  app_dir=examples/notes
  port=8081
  name="The notes example"
fi

pids=()
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

for taken in 9000 "$port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$taken") 2>/dev/null; then
    echo "Port $taken on 127.0.0.1 is already in use; stop whatever runs there first." >&2
    exit 1
  fi
done

# A stale bundle must not answer before the first watch build is in place
# (Trunk replaces all of dist/ when that build finishes anyway).
rm -f "$app_dir/dist/index.html"

node dev/provider/server.mjs &
pids+=($!)
(cd "$app_dir" && trunk watch) &
pids+=($!)
node dev/static-server.mjs "$app_dir/dist" "$port" &
pids+=($!)

# Wait until the provider answers and the first build is served, then say
# where to go. The first build can take minutes on a fresh machine.
waited=0
until curl -fsS -o /dev/null http://127.0.0.1:9000/.well-known/openid-configuration 2>/dev/null &&
      curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; do
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "A server exited during start-up; see the output above." >&2; exit 1; }
  done
  if (( ++waited == 120 )); then
    echo "Still waiting for the first build (a compile error shows above; fix it and trunk rebuilds)..." >&2
  fi
  sleep 0.5
done
cat <<MSG

  $name is running:   http://127.0.0.1:$port/  (rebuilt on every change; reload the page)
  Local provider:     http://127.0.0.1:9000/  (any username and password log in)
  Stop with Ctrl-C.

MSG
wait -n "${pids[@]}"
