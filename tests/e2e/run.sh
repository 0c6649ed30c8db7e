#!/usr/bin/env bash
# Runs the end-to-end tests against the real built app: a private D-Bus session, a virtual
# X display, tauri-driver (which drives WebKitWebDriver), and node's test runner.
# Screenshots of failures land in tests/e2e/artifacts/.
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$self")"
root="$(cd ../.. && pwd)"
export SODATE_APP="${SODATE_APP:-$root/target/debug/sodate-desktop}"
export SODATE_CLI="${SODATE_CLI:-$root/target/debug/sodate}"
for f in "$SODATE_APP" "$SODATE_CLI"; do
  [ -x "$f" ] || { echo "error: $f is not built (run make app cli)" >&2; exit 1; }
done
rm -rf artifacts && mkdir -p artifacts

if [ -z "${SODATE_E2E_INNER:-}" ]; then
  export SODATE_E2E_INNER=1
  exec dbus-run-session -- xvfb-run -a -s "-screen 0 1440x900x24" "$self" "$@"
fi

# Every run gets its own data and config folders (WebKit storage, window state).
scratch="$(mktemp -d)"
export XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" XDG_CACHE_HOME="$scratch/cache"
export SODATE_E2E_TMP="$scratch"
export WEBKIT_DISABLE_DMABUF_RENDERER=1 WEBKIT_DISABLE_COMPOSITING_MODE=1
export NO_AT_BRIDGE=1

# SODATE_E2E_PORT lets two runs share a machine (the native driver takes the next port).
export SODATE_E2E_PORT="${SODATE_E2E_PORT:-4444}"
tauri-driver --port "$SODATE_E2E_PORT" --native-port "$((SODATE_E2E_PORT + 1))" \
  --native-driver "$(command -v WebKitWebDriver)" > artifacts/tauri-driver.log 2>&1 &
driver=$!
trap 'kill $driver 2>/dev/null || true; rm -rf "$scratch"' EXIT
for _ in $(seq 1 100); do
  (echo > "/dev/tcp/127.0.0.1/$SODATE_E2E_PORT") 2>/dev/null && break
  sleep 0.1
done

node --test --test-concurrency=1 ${SODATE_E2E_ONLY:-./*.test.mjs}
