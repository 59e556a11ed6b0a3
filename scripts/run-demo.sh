#!/usr/bin/env bash
# `make run`: a local bureau with demo data on loopback, the desktop app enrolled with it on a
# demo device, and the bureau stopped again when the app closes. All data lives in .demo/
# (delete it to start again).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/debug
bureau_dir=.demo/bureau
device_dir=.demo/device
listen=${FIELDCASE_DEMO_LISTEN:-127.0.0.1:8787}

if [[ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
  echo "The app opens a window and needs a desktop session (or run: xvfb-run -a make run)." >&2
  exit 1
fi

mkdir -p .demo
"$bin/fieldcase" --data-dir "$bureau_dir" bureau seed-demo >/dev/null
"$bin/fieldcase" --data-dir "$bureau_dir" bureau serve --listen "$listen" > .demo/bureau.log 2>&1 &
bureau_pid=$!
trap 'kill -TERM "$bureau_pid" 2>/dev/null; wait "$bureau_pid" 2>/dev/null || true' EXIT

for _ in $(seq 50); do
  grep -q "listening on" .demo/bureau.log && break
  kill -0 "$bureau_pid" 2>/dev/null || { cat .demo/bureau.log >&2; echo "the demo bureau did not start (is $listen in use? set FIELDCASE_DEMO_LISTEN)" >&2; exit 1; }
  sleep 0.1
done

# Enrolled first, as at the office: the laptop learns the bureau's clock, so the demo records
# carry a trusted time (records made before any contact with a bureau are flagged there).
first_run=0
[[ -f "$device_dir/fieldcase.db" ]] || first_run=1
if ! "$bin/fieldcase" --data-dir "$device_dir" --json device status 2>/dev/null | grep -q '"bureau_url": "http'; then
  # The demo laptop serves the demo officers' unit (seed-demo gives it them), so it holds their
  # PIN verifiers, and no others.
  code=$("$bin/fieldcase" --data-dir "$bureau_dir" bureau enroll-code --label "demo laptop" --unit 执法一队)
  "$bin/fieldcase" --data-dir "$device_dir" device enroll --bureau "http://$listen" --code "$code"
fi
if ((first_run)); then
  # Records are made by a signed-in officer: the first sync brings the registry (with the
  # officers' PIN verifiers), then the demo officer signs in and the sample records are made.
  "$bin/fieldcase" --data-dir "$device_dir" device sync --once >/dev/null
  echo 107107 | "$bin/fieldcase" --data-dir "$device_dir" signin JC-0107 >/dev/null
  "$bin/fieldcase" --data-dir "$device_dir" demo seed
fi

echo "fieldcase: bureau on http://$listen (log in .demo/bureau.log), device data in $device_dir"
"$bin/fieldcase-desktop" --data-dir "$device_dir"
