#!/usr/bin/env bash
# `make run`: the desktop app on a demo data directory (made on first run, kept in .demo/).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/debug
device_dir=.demo/device

if [[ ! -f "$device_dir/fieldcase.db" ]]; then
  "$bin/fieldcase" --data-dir "$device_dir" demo seed
fi

if [[ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
  echo "The app opens a window and needs a desktop session (or run: xvfb-run -a make run)." >&2
  exit 1
fi
echo "fieldcase: data in $device_dir (delete .demo/ to start again)"
exec "$bin/fieldcase-desktop" --data-dir "$device_dir"
