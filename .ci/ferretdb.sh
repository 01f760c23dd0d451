#!/usr/bin/env bash
# FerretDB v1 (MongoDB wire protocol, embedded SQLite backend) for tests/CI.
#
#   bash .ci/ferretdb.sh install   # build the binary into the user cache (idempotent), print its path
#   bash .ci/ferretdb.sh start     # start in background, print one line: MONGODB_URI=mongodb://127.0.0.1:<port>/
#   bash .ci/ferretdb.sh stop      # stop it (and remove its state dir if this script created it)
#   bash .ci/ferretdb.sh status    # exit 0 and print the URI if running, exit 1 otherwise
#
# Limits of FerretDB v1 that the MongoDB adapter must respect: .ci/FERRETDB.md (batches of
# ≤ 50 updates, no rename dropTarget, no transactions/change streams).
#
# Needs only Go (>= 1.24) and the Go module proxy. Everything except the
# MONGODB_URI line goes to stderr, so `export "$(bash .ci/ferretdb.sh start)"`
# puts MONGODB_URI into the environment of later commands (plain eval would not export it).
#
# Why not `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2`:
# it builds, but the binary panics at startup ("Invalid build/version/version.txt
# file content. Please run `bin/task gen-version`") because that generated file
# is not part of the published module. We therefore copy the module source from
# the Go module cache, write build/version/version.txt, and `go build` there.
#
# Environment (all optional):
#   FERRETDB_VERSION        module version to build            (default v1.24.2)
#   FERRETDB_CACHE_DIR      where the binary is cached         (default ${XDG_CACHE_HOME:-$HOME/.cache}/scayle-erp-ledger/ferretdb-<version>)
#   FERRETDB_PORT           TCP port on 127.0.0.1; 0 = any free port
#                           (default: 27027, or the next free port up to 27127 if 27027 is taken)
#   FERRETDB_STATE_DIR      state dir (SQLite files go to <dir>/data) (default: a fresh mktemp dir, removed by `stop`)
#   FERRETDB_LOG_FILE       server log                          (default <state dir>/ferretdb.log)
#   FERRETDB_LOG_LEVEL      DEBUG|INFO|WARN|ERROR               (default INFO)
#   FERRETDB_PID_FILE       pid file (default ${TMPDIR:-/tmp}/scayle-erp-ledger-ferretdb-$UID-<cksum of checkout path>.pid)
#   FERRETDB_START_TIMEOUT  seconds to wait for the port        (default 30)
#   FERRETDB_KEEP_STATE=1   `stop` keeps a mktemp'd state dir
set -euo pipefail

VERSION="${FERRETDB_VERSION:-v1.24.2}"
MODULE="github.com/FerretDB/FerretDB"
CACHE_DIR="${FERRETDB_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/scayle-erp-ledger/ferretdb-${VERSION}}"
BIN="${CACHE_DIR}/ferretdb"
# The default pid file is keyed by this checkout's path, so a CI clone and a
# developer's work tree on the same machine never see (or stop) each other's server.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
REPO_KEY="$(printf '%s' "$REPO_ROOT" | cksum | cut -d' ' -f1)"
PID_FILE="${FERRETDB_PID_FILE:-${TMPDIR:-/tmp}/scayle-erp-ledger-ferretdb-$(id -u)-${REPO_KEY}.pid}"
INFO_FILE="${PID_FILE}.info"
START_TIMEOUT="${FERRETDB_START_TIMEOUT:-30}"

log() { printf 'ferretdb.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# reports_version BINARY -> 0 if `BINARY --version` says ${VERSION}
# (output captured first: `cmd | grep -q` can SIGPIPE under pipefail)
reports_version() {
  local out
  out="$("$1" --version 2>/dev/null)" || return 1
  [[ $'\n'"$out"$'\n' == *$'\n'"version: ${VERSION}"$'\n'* ]]
}

binary_ok() {
  [[ -x "$BIN" ]] && reports_version "$BIN"
}

# port_in_use PORT -> 0 if something accepts TCP connections on 127.0.0.1:PORT
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

cmd_install() {
  if binary_ok; then
    log "FerretDB ${VERSION} already installed"
    echo "$BIN"
    return 0
  fi
  command -v go >/dev/null 2>&1 || die "'go' not found in PATH (Go >= 1.24 is needed to build FerretDB)"
  mkdir -p "$CACHE_DIR"

  # Serialize concurrent installs (e.g. parallel CI steps) when flock exists.
  if command -v flock >/dev/null 2>&1 && [[ -z "${_FERRETDB_LOCKED:-}" ]]; then
    exec 9>"${CACHE_DIR}/.install.lock"
    flock 9
    export _FERRETDB_LOCKED=1
    if binary_ok; then
      log "FerretDB ${VERSION} installed by a concurrent run"
      echo "$BIN"
      return 0
    fi
  fi

  local work start end src
  work="$(mktemp -d "${TMPDIR:-/tmp}/ferretdb-build.XXXXXX")"
  # shellcheck disable=SC2064
  trap "chmod -R u+w '$work' 2>/dev/null || true; rm -rf '$work'" EXIT
  start=$(date +%s)
  log "building FerretDB ${VERSION} (go $(go env GOVERSION)); this takes ~1-2 min from scratch"

  # Deterministic go settings regardless of the caller's environment.
  export GOFLAGS="" GOWORK=off GO111MODULE=on CGO_ENABLED=0

  # Download (and checksum-verify via GOSUMDB) the published module.
  src="$(cd "$work" && go mod download -json "${MODULE}@${VERSION}" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  [[ -n "$src" && -f "$src/go.mod" ]] || die "go mod download ${MODULE}@${VERSION} gave no module dir"

  cp -R "$src" "$work/src"
  chmod -R u+w "$work/src"
  printf '%s\n' "$VERSION" >"$work/src/build/version/version.txt"
  printf '%s\n' "scayle-erp-ledger-ci" >"$work/src/build/version/package.txt"

  (cd "$work/src" &&
    go build -trimpath -buildvcs=false -ldflags="-s -w" -o "$work/ferretdb" ./cmd/ferretdb) ||
    die "go build of ${MODULE}/cmd/ferretdb@${VERSION} failed"

  reports_version "$work/ferretdb" ||
    die "built binary does not report version ${VERSION}"
  mv -f "$work/ferretdb" "$BIN.tmp.$$"
  mv -f "$BIN.tmp.$$" "$BIN"
  end=$(date +%s)
  log "built in $((end - start))s, $(du -h "$BIN" | cut -f1)"
  echo "$BIN"
}

running_pid() {
  local pid
  [[ -f "$PID_FILE" ]] || return 1
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # guard against a recycled pid
  local cmdline
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  [[ "$cmdline" == *ferretdb* ]] || return 1
  echo "$pid"
}

info_get() { # key
  [[ -f "$INFO_FILE" ]] && sed -n "s/^$1=//p" "$INFO_FILE"
}

cmd_start() {
  local pid
  if pid="$(running_pid)"; then
    log "already running (pid $pid, pid file $PID_FILE)"
    echo "MONGODB_URI=mongodb://127.0.0.1:$(info_get PORT)/"
    return 0
  fi
  rm -f "$PID_FILE" "$INFO_FILE"

  cmd_install >/dev/null

  local port
  if [[ -n "${FERRETDB_PORT:-}" && "${FERRETDB_PORT}" != "0" ]]; then
    port="$FERRETDB_PORT"
    [[ "$port" =~ ^[0-9]+$ ]] || die "FERRETDB_PORT must be a number, got '$port'"
    ! port_in_use "$port" || die "port $port on 127.0.0.1 is already in use"
  elif [[ "${FERRETDB_PORT:-}" == "0" ]]; then
    port=""
    for _ in $(seq 1 50); do
      local p=$((20000 + RANDOM % 30000))
      if ! port_in_use "$p"; then port="$p"; break; fi
    done
    [[ -n "$port" ]] || die "no free port found"
  else
    port=""
    for p in $(seq 27027 27127); do
      if ! port_in_use "$p"; then port="$p"; break; fi
    done
    [[ -n "$port" ]] || die "no free port in 27027-27127"
  fi

  local state created=0
  if [[ -n "${FERRETDB_STATE_DIR:-}" ]]; then
    state="$FERRETDB_STATE_DIR"
    mkdir -p "$state"
  else
    state="$(mktemp -d "${TMPDIR:-/tmp}/ferretdb-state.XXXXXX")"
    created=1
  fi
  state="$(cd "$state" && pwd -P)"
  mkdir -p "$state/data"
  local logf="${FERRETDB_LOG_FILE:-$state/ferretdb.log}"
  mkdir -p "$(dirname "$logf")"

  local t0 t1
  t0=$(date +%s%N)
  # setsid: own session, so the caller's Ctrl-C / job control does not hit it;
  # stdout/stderr go to the log so `$(... start)` does not wait on the pipe.
  local launcher=()
  command -v setsid >/dev/null 2>&1 && launcher=(setsid)
  "${launcher[@]}" "$BIN" \
    --handler=sqlite \
    --sqlite-url="file:${state}/data/" \
    --state-dir="$state" \
    --listen-addr="127.0.0.1:${port}" \
    --debug-addr=- \
    --telemetry=disable \
    --log-level="${FERRETDB_LOG_LEVEL:-INFO}" \
    --log-format=text \
    </dev/null >>"$logf" 2>&1 &
  pid=$!
  echo "$pid" >"$PID_FILE"
  {
    echo "PORT=$port"
    echo "STATE_DIR=$state"
    echo "CREATED_STATE=$created"
    echo "LOG_FILE=$logf"
  } >"$INFO_FILE"

  local deadline=$((SECONDS + START_TIMEOUT))
  until port_in_use "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "FerretDB exited during startup; last log lines ($logf):"
      tail -n 30 "$logf" >&2 || true
      rm -f "$PID_FILE" "$INFO_FILE"
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      log "FerretDB did not accept connections on 127.0.0.1:$port within ${START_TIMEOUT}s; log ($logf):"
      tail -n 30 "$logf" >&2 || true
      kill "$pid" 2>/dev/null || true
      rm -f "$PID_FILE" "$INFO_FILE"
      exit 1
    fi
    sleep 0.1
  done
  t1=$(date +%s%N)
  log "FerretDB ${VERSION} ready in $(((t1 - t0) / 1000000)) ms: pid $pid, state $state, log $logf"
  echo "MONGODB_URI=mongodb://127.0.0.1:${port}/"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    log "not running"
  else
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid did not stop after 10s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "stopped pid $pid"
  fi
  local state created
  state="$(info_get STATE_DIR || true)"
  created="$(info_get CREATED_STATE || true)"
  if [[ "$created" == "1" && -n "$state" && -d "$state" && "${FERRETDB_KEEP_STATE:-0}" != "1" ]]; then
    rm -rf "$state"
  fi
  rm -f "$PID_FILE" "$INFO_FILE"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    log "running: pid $pid, state $(info_get STATE_DIR), log $(info_get LOG_FILE)"
    echo "MONGODB_URI=mongodb://127.0.0.1:$(info_get PORT)/"
  else
    log "not running"
    return 1
  fi
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 {install|start|stop|status}" >&2
    exit 2
    ;;
esac
