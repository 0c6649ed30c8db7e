#!/usr/bin/env bash
# Installs what building, running and testing Sodate needs, only what is missing:
# Debian packages (as root, or through sudo), tauri-driver, and the npm packages.
# Usage: scripts/install-deps.sh [run|test]
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-run}"

# perl and make: the SQLCipher build compiles OpenSSL from source (openssl-src runs its
# Configure script with perl, then make).
build_pkgs=(libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev librsvg2-dev
  libayatana-appindicator3-dev libxdo-dev libssl-dev build-essential pkg-config file perl make
  fonts-noto-cjk)
# imagemagick: `import` grabs the X display for failure screenshots (WebKitWebDriver's own
# screenshot command hangs under Xvfb).
# python3-openpyxl, python3-vobject: the export tests open Sodate's XLSX and vCard files in
# readers this project did not write (and python's csv module reads the CP932/BOM CSVs).
# sqlite3: the import benchmark times the shell's `.import` of the same file as a reference.
test_pkgs=(xvfb xauth webkit2gtk-driver dbus dbus-x11 imagemagick python3 python3-openpyxl
  python3-vobject sqlite3)

wanted=("${build_pkgs[@]}")
if [ "$purpose" = test ]; then wanted+=("${test_pkgs[@]}"); fi

missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
    echo "error: these Debian packages are missing and I am neither root nor have sudo: ${missing[*]}" >&2
    exit 1
  fi
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "error: Node.js 20 or newer is needed (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

if [ "$purpose" = test ] && ! command -v tauri-driver >/dev/null; then
  echo "Installing tauri-driver (version 2)"
  cargo install tauri-driver --locked --version '^2'
fi

npm_install() { # dir
  if [ ! -d "$1/node_modules" ] || [ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]; then
    (cd "$1" && npm ci --no-audit --no-fund)
  fi
}
npm_install ui
if [ "$purpose" = test ]; then npm_install tests/e2e; fi
