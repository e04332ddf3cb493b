#!/usr/bin/env bash
# Make WebGPU (the npm package `webgpu`, i.e. Dawn's dawn.node) work in Node on a
# machine without a GPU, by installing Mesa's lavapipe Vulkan driver (CPU).
#
# - Idempotent: when everything is already in place it returns in well under a second
#   and touches no network.
# - Debian bookworm's own Mesa (22.x) is too old for Dawn ("shaderUniform*ArrayDynamicIndexing
#   required"), so mesa-vulkan-drivers comes from bookworm-backports (Mesa 25); an installed
#   old one is upgraded.
# - Needs root to install. Without root (or without apt) it prints a warning and exits 0.
# - Never fails the test run (npm's pretest): when apt cannot finish (no network, a held lock,
#   a broken mirror) it warns and exits 0, and the WGSL tests are then skipped loudly. apt waits
#   for the dpkg lock and every apt step has a time limit. (.ci/run still requires an adapter.)
# - The webgpu package's postinstall (build/postinstall.js) only strips the macOS quarantine
#   xattr from the darwin dawn.node; it does nothing on Linux, so skipping it (npm 11 did) is
#   harmless. On macOS we run it (it is idempotent).
#
# Usage: scripts/setup-webgpu.sh          (FORCE=1 to skip the fast path)
set -euo pipefail

MIN_MESA=24 # backports ships 25.0.x; 22.x (bookworm) does not work with Dawn
PKGS=(mesa-vulkan-drivers libvulkan1)
LIST="${GRADC_APT_SOURCES_DIR:-/etc/apt/sources.list.d}/gradc-backports.list"
APT_TIMEOUT="${GRADC_APT_TIMEOUT:-300}" # seconds per apt step
APT_OPTS=(-o DPkg::Lock::Timeout=120 -o Acquire::Retries=1 -o Acquire::http::Timeout=20)
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { echo "setup-webgpu: $*"; }
warn() { echo "setup-webgpu: WARNING: $*" >&2; }

# One apt step with the lock wait and a time limit; on failure: warn, and exit 0 (tests skip).
apt_step() {
  if ! timeout "$APT_TIMEOUT" apt-get "${APT_OPTS[@]}" "$@"; then
    warn "'apt-get $*' failed or timed out (no network, or the dpkg lock is held):" \
      "WebGPU is not set up and the WGSL tests will be SKIPPED. Re-run $0 when it can finish."
    exit 0
  fi
}

# --- macOS: the only thing needed is webgpu's postinstall (quarantine xattr removal). ---
if [[ "$(uname -s)" == "Darwin" ]]; then
  if [[ -f "$ROOT_DIR/node_modules/webgpu/build/postinstall.js" ]]; then
    (cd "$ROOT_DIR/node_modules/webgpu" && node build/postinstall.js) || warn "webgpu postinstall failed"
  fi
  log "macOS: Dawn uses Metal, nothing else to do."
  exit 0
fi

# Installed version of a package, or empty.
pkg_version() { dpkg-query -W -f='${db:Status-Abbrev}${Version}' "$1" 2>/dev/null | sed -n 's/^ii *//p'; }

have_lavapipe() {
  command -v dpkg-query >/dev/null 2>&1 || return 1
  local mesa vk
  mesa="$(pkg_version mesa-vulkan-drivers)"
  vk="$(pkg_version libvulkan1)"
  [[ -n "$mesa" && -n "$vk" ]] || return 1
  dpkg --compare-versions "$mesa" ge "$MIN_MESA" || return 1
  return 0
}

# --- Fast path: already set up. ---
if [[ "${FORCE:-0}" != 1 ]] && have_lavapipe; then
  log "ok: mesa-vulkan-drivers $(pkg_version mesa-vulkan-drivers), libvulkan1 $(pkg_version libvulkan1)"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1 || [[ ! -f /etc/debian_version ]]; then
  warn "not a Debian/apt system: install a Vulkan driver (e.g. Mesa >= $MIN_MESA lavapipe) yourself," \
    "or use a machine with a GPU. WebGPU tests will be skipped."
  exit 0
fi

if [[ "$(id -u)" != 0 ]]; then
  mesa="$(pkg_version mesa-vulkan-drivers || true)"
  warn "WebGPU needs mesa-vulkan-drivers >= $MIN_MESA (from bookworm-backports) and libvulkan1" \
    "(installed: mesa-vulkan-drivers='${mesa:-none}'). Re-run as root:  sudo $0" \
    "— or use a machine with a GPU. WebGPU tests will be skipped."
  exit 0
fi

codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
if [[ "$codename" != bookworm ]]; then
  # Newer Debian (trixie+) already ships Mesa >= 25 in main.
  log "Debian '$codename': installing ${PKGS[*]} from the default suite"
  export DEBIAN_FRONTEND=noninteractive
  apt_step update -qq
  apt_step install -y -qq "${PKGS[@]}"
else
  # Reuse the Debian mirror this machine already uses (deb822 or one-line format).
  mirror="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
    2>/dev/null | grep -v '^[[:space:]]*#' | grep -oE 'https?://[^[:space:]]+' |
    grep -E '/debian/?$' | head -n1 || true)"
  mirror="${mirror%/}"
  mirror="${mirror:-http://deb.debian.org/debian}"
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  opts=""
  [[ -f "$keyring" ]] && opts="[signed-by=$keyring] "
  line="deb ${opts}${mirror} bookworm-backports main"
  if ! grep -rqsE '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/ "$(dirname "$LIST")"; then
    log "adding $LIST: $line"
    echo "$line" >"$LIST"
  fi
  export DEBIAN_FRONTEND=noninteractive
  log "apt-get update"
  apt_step update -qq
  log "apt-get install -t bookworm-backports ${PKGS[*]}"
  apt_step install -y -qq --no-install-recommends -t bookworm-backports "${PKGS[@]}"
fi

if have_lavapipe; then
  log "installed: mesa-vulkan-drivers $(pkg_version mesa-vulkan-drivers), libvulkan1 $(pkg_version libvulkan1)"
  if [[ -f "$ROOT_DIR/scripts/probe-webgpu.ts" && -x "$ROOT_DIR/node_modules/.bin/tsx" ]]; then
    (cd "$ROOT_DIR" && node_modules/.bin/tsx scripts/probe-webgpu.ts --short) || warn "probe failed"
  fi
else
  warn "install finished but mesa-vulkan-drivers >= $MIN_MESA is not present:" \
    "the WGSL tests will be SKIPPED"
  exit 0
fi
