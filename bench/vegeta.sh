#!/usr/bin/env bash
# vegeta (github.com/tsenart/vegeta), the constant-rate, open-loop HTTP load generator of the
# ingest benchmark's fixed-rate phase (bench/ingest.bench.ts).
#
#   bash bench/vegeta.sh install   # build the pinned binary into the user cache (idempotent), print its path
#   bash bench/vegeta.sh path      # print its path and exit 0 if it is built, exit 1 otherwise (never builds)
#
# Why vegeta and not autocannon's `overallRate` for a fixed rate: autocannon lets each connection send
# its per-second quota back to back at the start of every 1-second window and then pause, so
# "500 req/s" arrives as one burst of 500 each second; vegeta sends one request every 1/rate s
# (open loop: a slow answer does not delay the next request).
#
# Needs only Go and the Go module proxy (`go install` checks the module against GOSUMDB). Everything
# except the binary's path goes to stderr, so `bin="$(bash bench/vegeta.sh install)"` works.
#
# Environment (all optional):
#   VEGETA_VERSION     module version to build   (default v12.13.0)
#   VEGETA_CACHE_DIR   where the binary is cached (default ${XDG_CACHE_HOME:-$HOME/.cache}/scayle-erp-ledger/vegeta-<version>)
set -euo pipefail

VERSION="${VEGETA_VERSION:-v12.13.0}"
MODULE="github.com/tsenart/vegeta/v12"
CACHE_DIR="${VEGETA_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/scayle-erp-ledger/vegeta-${VERSION}}"
BIN="${CACHE_DIR}/vegeta"
# Written after a build that reported the right module version: vegeta's own `-version` prints
# only what release builds stamp in with -ldflags, so the stamp is what tells a finished build.
STAMP="${CACHE_DIR}/.installed"

log() { printf 'vegeta.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

binary_ok() {
  [[ -x "$BIN" && -f "$STAMP" && "$(cat "$STAMP")" == "${MODULE}@${VERSION}" ]]
}

cmd_install() {
  if binary_ok; then
    log "vegeta ${VERSION} already installed"
    echo "$BIN"
    return 0
  fi
  command -v go >/dev/null 2>&1 || die "'go' not found in PATH (Go is needed to build vegeta ${VERSION}; https://go.dev/dl/)"
  mkdir -p "$CACHE_DIR"

  # Serialize concurrent installs when flock exists.
  if command -v flock >/dev/null 2>&1; then
    exec 9>"${CACHE_DIR}/.install.lock"
    flock 9
    if binary_ok; then
      log "vegeta ${VERSION} installed by a concurrent run"
      echo "$BIN"
      return 0
    fi
  fi

  local work start
  work="$(mktemp -d "${TMPDIR:-/tmp}/vegeta-build.XXXXXX")"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  start=$(date +%s)
  log "building vegeta ${VERSION} (go $(go env GOVERSION)); this takes ~1 min from scratch"

  # Deterministic go settings regardless of the caller's environment; outside any module.
  (cd "$work" &&
    GOFLAGS="" GOWORK=off GO111MODULE=on CGO_ENABLED=0 GOBIN="$work" \
      go install -trimpath -ldflags="-s -w" "${MODULE}@${VERSION}") ||
    die "go install ${MODULE}@${VERSION} failed"

  # The binary records the module it was built from; check it is the pinned one.
  local built
  built="$(go version -m "$work/vegeta")" || die "built binary has no build information"
  [[ "$built" == *$'\tmod\t'"${MODULE}"$'\t'"${VERSION}"* ]] ||
    die "built binary is not ${MODULE}@${VERSION}"

  rm -f "$STAMP"
  mv -f "$work/vegeta" "$BIN.tmp.$$"
  mv -f "$BIN.tmp.$$" "$BIN"
  printf '%s' "${MODULE}@${VERSION}" >"$STAMP"
  log "built in $(($(date +%s) - start))s, $(du -h "$BIN" | cut -f1)"
  echo "$BIN"
}

cmd_path() {
  binary_ok || { log "vegeta ${VERSION} is not installed (bash $0 install)"; return 1; }
  echo "$BIN"
}

case "${1:-}" in
  install) cmd_install ;;
  path) cmd_path ;;
  *)
    echo "usage: $0 {install|path}" >&2
    exit 2
    ;;
esac
