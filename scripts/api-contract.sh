#!/usr/bin/env bash
# The bureau's API against its own OpenAPI document, with schemathesis: every generated
# request, with a device's token and with an administrator's, must get an answer the document
# names, never a 5xx, every error `{code, message}`. Part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${CARGO_TARGET_DIR:-target}/debug/fieldcase
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
url="http://127.0.0.1:$port"

"$bin" --data-dir "$work/bureau" bureau seed-demo >/dev/null
"$bin" --data-dir "$work/bureau" bureau serve --listen "127.0.0.1:$port" >"$work/bureau.log" 2>&1 &
bureau_pid=$!
trap 'kill -TERM "$bureau_pid" 2>/dev/null; wait "$bureau_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  grep -q "listening on" "$work/bureau.log" && break
  kill -0 "$bureau_pid" 2>/dev/null || { cat "$work/bureau.log" >&2; exit 1; }
  sleep 0.1
done

admin=$("$bin" --data-dir "$work/bureau" bureau admin-token --label contract)
code=$("$bin" --data-dir "$work/bureau" bureau enroll-code --label contract)
"$bin" --data-dir "$work/device" device enroll --bureau "$url" --code "$code" >/dev/null
device=$(sqlite3 "$work/device/fieldcase.db" "SELECT token FROM enrollment")

status=0
# Each token on the operations it is for (a device's token on an administrator's path is
# refused, as it must be, and tells nothing more).
for who in device admin; do
  if [[ $who == device ]]; then token=$device tags=(--include-tag sync --include-tag devices --include-tag bureau --include-tag uploads)
  else token=$admin tags=(--include-tag administration); fi
  echo "schemathesis with a $who token"
  st --no-color --config-file scripts/schemathesis.toml run "$url/api/v1/openapi.json" --checks all "${tags[@]}" \
    -H "Authorization: Bearer $token" --max-examples "${FIELDCASE_CONTRACT_EXAMPLES:-30}" --seed 1 || status=1
done
if grep -q "internal fault" "$work/bureau.log"; then
  echo "the bureau logged an internal fault:" >&2
  grep "internal fault" "$work/bureau.log" >&2
  status=1
fi
exit $status
