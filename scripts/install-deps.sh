#!/usr/bin/env bash
# Installs what fieldcase needs on a Debian or Ubuntu machine, skipping what is already there.
#   scripts/install-deps.sh        to build and run the app
#   scripts/install-deps.sh test   also what the tests need (WebDriver, Xvfb, sqlite3 shell, poppler-utils, the
#                                  tus peers, an S3 server, PostgreSQL for a throwaway test cluster)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential pkg-config file libwebkit2gtk-4.1-dev libssl-dev
          libayatana-appindicator3-dev librsvg2-dev libxdo-dev fonts-noto-cjk)
if [[ "${1:-}" == test ]]; then
  # poppler-utils: pdftotext and pdftoppm read back the inspection record's PDF in its test.
  packages+=(webkit2gtk-driver xvfb sqlite3 postgresql poppler-utils)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v cargo >/dev/null || { echo "Rust is missing: install it from https://rustup.rs, then run make again" >&2; exit 1; }
if [[ "${1:-}" == test ]]; then
  for tool in fmt clippy; do
    cargo "$tool" --version >/dev/null 2>&1 ||
      { echo "cargo $tool is missing: run 'rustup component add ${tool/fmt/rustfmt}', then run make again" >&2; exit 1; }
  done
fi
command -v npm >/dev/null || { echo "Node.js 20 or newer with npm is missing: install it, then run make again" >&2; exit 1; }

if [[ "${1:-}" == test ]]; then
  export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
  # schemathesis checks the bureau's API against its OpenAPI document (scripts/api-contract.sh).
  if ! st --version 2>/dev/null | grep -q "4.32.5"; then
    command -v python3 >/dev/null || { echo "Python 3 with pip is missing: install it, then run make again" >&2; exit 1; }
    echo "installing schemathesis"
    python3 -m pip install --quiet --disable-pip-version-check schemathesis==4.32.5
  fi
  if ! tauri-driver --help 2>/dev/null | grep -q -- --native-port; then
    echo "installing tauri-driver 2"
    cargo install tauri-driver --locked --version '^2' --quiet
  fi
  # tuspy, the official Python tus client, uploads to the bureau in the tests (with sha1 checksums).
  if ! python3 -c 'import importlib.metadata as m, sys; sys.exit(m.version("tuspy") != "1.1.0")' 2>/dev/null; then
    echo "installing tuspy"
    python3 -m pip install --quiet --disable-pip-version-check tuspy==1.1.0
  fi
  # s3s-fs, a real S3 server on a folder, which the tests start on loopback to run the evidence
  # store against S3 (0.14 is the last that builds with this Rust; building it takes minutes, once).
  if [[ "$(s3s-fs --version 2>/dev/null)" != "s3s-fs 0.14.1" ]]; then
    echo "installing s3s-fs 0.14.1 (a few minutes, once)"
    cargo install s3s-fs --version 0.14.1 --features binary --locked --quiet
  fi
fi

# npm ci when node_modules is missing or older than the lock file: the UI's packages, and for
# the tests the official Node tus client and server (scripts/tus-peers).
npm_folders=(ui)
[[ "${1:-}" == test ]] && npm_folders+=(scripts/tus-peers)
for folder in "${npm_folders[@]}"; do
  if [[ ! -f $folder/node_modules/.package-lock.json || $folder/package-lock.json -nt $folder/node_modules/.package-lock.json ]]; then
    (cd "$folder" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
