#!/usr/bin/env bash
# API fuzzing (issue 9 item 7): schemathesis against the running service, from openapi/openapi.yaml.
# Starts the service on the embedded stores in a temp dir (loopback only, known keys), runs
# schemathesis with bounded examples and time, stops the service. Fails on any 5xx and on any
# response the spec does not document (status, content type, headers, body schema).
#
#   bash .ci/schemathesis.sh            # needs `npm run build` first
#
# Environment (optional): ST_MAX_EXAMPLES (default 25), ST_MAX_TIME seconds (default 300),
# ST_PORT (default 18181), SCHEMATHESIS_VENV (default ~/.cache/scayle-erp-ledger/schemathesis-4.32.5).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.32.5
VENV="${SCHEMATHESIS_VENV:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/scayle-erp-ledger/schemathesis-${VERSION}}"
PORT="${ST_PORT:-18181}"
log() { printf 'schemathesis.sh: %s\n' "$*" >&2; }

if ! "$VENV/bin/st" --version 2>/dev/null | grep -q "version ${VERSION}$"; then
  log "installing schemathesis ${VERSION} into ${VENV}"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==${VERSION}"
fi

DATA="$(mktemp -d)"
export ST_API_KEY="st-admin-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export ST_WEBHOOK_USER=scayle
export ST_WEBHOOK_PASSWORD="st-webhook-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
LEDGER_DATA_DIR="$DATA" PORT="$PORT" HOST=127.0.0.1 LOG_LEVEL=warn LEDGER_INGEST_RATE_LIMIT=0 LEDGER_SQLITE_SYNCHRONOUS=NORMAL \
  LEDGER_API_KEYS="admin:${ST_API_KEY}" SCAYLE_WEBHOOK_USERNAME="$ST_WEBHOOK_USER" SCAYLE_WEBHOOK_PASSWORD="$ST_WEBHOOK_PASSWORD" \
  node bin/scayle-ledger.js serve > "$DATA/service.log" 2>&1 &
SERVICE=$!
cleanup() {
  kill -TERM "$SERVICE" 2>/dev/null || true
  wait "$SERVICE" 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT

for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:${PORT}/v1/health" > /dev/null 2>&1 && break
  kill -0 "$SERVICE" 2>/dev/null || { cat "$DATA/service.log" >&2; log "the service did not start"; exit 1; }
  sleep 0.5
done

# The coverage phase is left out: on Python 3.11 it trips a hypothesis bug ("AST constructor
# recursion depth mismatch") on some of our patterns; examples + fuzzing cover every operation.
# The stateful phase follows the spec's OpenAPI links (ids, ETags and failure ids one answer hands
# to the next request), so it reaches refunds, exception decisions and retries of real records;
# fuzzing and stateful share the --max-time budget.
# filter_too_much is a health check of the generator, not of the API: in a full run (not when the
# exception routes are fuzzed alone) it fails the five /v1/exceptions/{exceptionId} operations once the
# queue holds real exceptions, whose ids all contain '/'; the API answers every request it gets.
set +e
"$VENV/bin/st" --config-file .ci/schemathesis.toml run openapi/openapi.yaml \
  --url "http://127.0.0.1:${PORT}" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --phases examples,fuzzing,stateful \
  --max-examples "${ST_MAX_EXAMPLES:-25}" \
  --max-time "${ST_MAX_TIME:-300}" \
  --workers 2 \
  --suppress-health-check filter_too_much \
  --request-timeout 30 \
  --seed 20240601 \
  --no-color 2>&1 |
  # schemathesis closes with pytest's banner ("=== 3 warnings in 300.04s ==="), which CI would read as
  # a pytest run that executed no test; the banners are reworded so the only closing line is .ci/run's.
  sed -E -e 's/^=+ (.*[^ =]) =+$/schemathesis: \1/' -e 's/^(schemathesis: .*) in ([0-9.]+s)$/\1 (\2)/'
STATUS=${PIPESTATUS[0]}
set -e
if grep -q '"request failed"' "$DATA/service.log"; then
  log "the service logged internal errors:"; grep '"request failed"' "$DATA/service.log" | head -5 >&2
  STATUS=1
fi
exit "$STATUS"
