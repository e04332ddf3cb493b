#!/usr/bin/env bash
# Install Debian's Chromium for the browser example's end-to-end test (test/examples/browser.test.ts
# drives it headless through playwright-core; WebGPU there runs on SwiftShader).
# - Idempotent: returns at once when chromium is on the PATH (or CHROMIUM points at a browser).
# - Needs root and apt; otherwise it prints a warning and exits 0 (the test then skips, loudly).
set -euo pipefail

log() { echo "setup-chromium: $*"; }

if [[ -n "${CHROMIUM:-}" && -x "${CHROMIUM}" ]]; then
  log "ok: CHROMIUM=${CHROMIUM}"
  exit 0
fi
if command -v chromium >/dev/null 2>&1; then
  log "ok: $(chromium --version 2>/dev/null || echo chromium)"
  exit 0
fi
if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  log "WARNING: chromium is missing and this is not root with apt; the browser test will be skipped" >&2
  exit 0
fi
log "installing chromium (apt)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || log "WARNING: apt-get update failed; trying the cached lists" >&2
apt-get install -y -qq --no-install-recommends chromium >/dev/null
log "ok: $(chromium --version 2>/dev/null || echo chromium installed)"
