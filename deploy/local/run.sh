#!/usr/bin/env bash
# Entry point for `npm start` and `npm test` on a fresh clone: makes sure Node 24 and the
# dependencies are there, builds, then hands over to start.mjs / test.mjs.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

die() {
  echo "run.sh: error: $*" >&2
  exit 1
}

usage() {
  echo "usage: bash deploy/local/run.sh <start|test|bench|exec> [args...]" >&2
  exit 2
}

# shellcheck source=deploy/local/ensure-node.sh
source "$REPO_ROOT/deploy/local/ensure-node.sh"

ensure_dependencies() {
  # npm ci records what it installed in node_modules/.package-lock.json.
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "run.sh: installing dependencies (npm ci)" >&2
    npm ci --no-audit --no-fund >&2 || die "npm ci failed"
  fi
}

build() {
  npx --no-install tsc -b tsconfig.json >&2 || die "TypeScript build failed (npx tsc -b tsconfig.json)"
}

main() {
  [ $# -ge 1 ] || usage
  local command="$1"
  shift
  case "$command" in
    start | test | bench | exec) ;;
    *) usage ;;
  esac

  cd "$REPO_ROOT"
  ensure_node
  ensure_dependencies
  build

  # kafkajs 2.2.4 computes a negative timer delay on every connection, which Node 24 reports
  # as a TimeoutNegativeWarning (tulios/kafkajs#1751; Node clamps it to 1 ms, so it is harmless).
  # Silenced for every Node process below: the runner, its test files and the services.
  export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--disable-warning=TimeoutNegativeWarning"

  # exec, here and in package.json's scripts: npm passes SIGINT/SIGTERM to its child only, so node
  # must be that child for `kill -INT <npm's pid>` to stop everything (see shutdown-request.mjs).
  case "$command" in
    start) exec node deploy/local/start.mjs "$@" ;;
    test) exec node deploy/local/test.mjs "$@" ;;
    # A benchmark script with PostgreSQL, Kafka and GreenMail started for it (like test.mjs).
    bench) exec node deploy/local/bench.mjs "$@" ;;
    # A built script that needs no infrastructure (e.g. the reply accuracy report).
    exec) exec node "$@" ;;
  esac
}

main "$@"
