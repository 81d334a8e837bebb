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
  build_web
}

# The browser app (services/app/web) into services/app/dist/web, which the app serves; only when
# a file under services/app/web is newer than the last build.
build_web() {
  local built="services/app/dist/web/index.html"
  [ -d services/app/web ] || return 0   # a tree without the web app (the signal tests' stand-in)
  if [ -f "$built" ] && [ -z "$(find services/app/web -type f -newer "$built" -print -quit)" ]; then
    return
  fi
  echo "run.sh: building the web app (vite build)" >&2
  npx --no-install tsc -p services/app/web/tsconfig.json >&2 || die "web app type check failed (npx tsc -p services/app/web/tsconfig.json)"
  VITE_CONFIG_NATIVE_IGNORE_WARNING=true npx --no-install vite build --config services/app/web/vite.config.mts --logLevel warn >&2 ||
    die "web app build failed (npx vite build --config services/app/web/vite.config.mts)"
}

# Browser tests drive Debian's Chromium (playwright-core): installed when missing.
ensure_chromium() {
  [ -x /usr/bin/chromium ] && return
  if [ "$(id -u)" != "0" ]; then
    die "the browser tests need Chromium: run 'sudo apt-get install -y chromium' (Debian's package, /usr/bin/chromium)"
  fi
  echo "run.sh: installing Chromium for the browser tests (apt-get install -y chromium)" >&2
  { apt-get install -y chromium >&2 || { apt-get update >&2 && apt-get install -y chromium >&2; }; } ||
    die "installing Chromium failed: run 'apt-get update && apt-get install -y chromium'"
}

# The IMAP tests also run against Debian's Dovecot (test.mjs starts it with its own configuration):
# installed when missing.
ensure_dovecot() {
  [ -x /usr/sbin/dovecot ] && return
  if [ "$(id -u)" != "0" ]; then
    die "the IMAP tests need Dovecot: run 'sudo apt-get install -y dovecot-imapd' (Debian's package, /usr/sbin/dovecot)"
  fi
  echo "run.sh: installing Dovecot for the IMAP tests (apt-get install -y dovecot-imapd)" >&2
  { apt-get install -y dovecot-imapd >&2 || { apt-get update >&2 && apt-get install -y dovecot-imapd >&2; }; } ||
    die "installing Dovecot failed: run 'apt-get update && apt-get install -y dovecot-imapd'"
}

# The content service converts Word and PowerPoint files with LibreOffice headless and reads PDFs
# with poppler (pdfinfo, pdftoppm, pdftotext): Debian's -nogui packages, installed when missing.
ensure_libreoffice() {
  command -v soffice >/dev/null && command -v pdftoppm >/dev/null && return
  local packages="libreoffice-writer-nogui libreoffice-impress-nogui poppler-utils"
  if [ "$(id -u)" != "0" ]; then
    die "the content service needs LibreOffice and poppler: run 'sudo apt-get install -y $packages'"
  fi
  echo "run.sh: installing LibreOffice (headless) and poppler for document conversion (apt-get install -y $packages)" >&2
  # shellcheck disable=SC2086
  { apt-get install -y --no-install-recommends $packages >&2 || { apt-get update >&2 && apt-get install -y --no-install-recommends $packages >&2; }; } ||
    die "installing LibreOffice failed: run 'apt-get update && apt-get install -y $packages'"
}

# bench:tracker drives load with Debian's wrk (a C load generator; ADR 8): installed when missing.
ensure_wrk() {
  [ -x "${BENCH_WRK:-/usr/bin/wrk}" ] && return
  if [ "$(id -u)" != "0" ]; then
    die "the tracker benchmark needs wrk: run 'sudo apt-get install -y wrk' (Debian's package, /usr/bin/wrk)"
  fi
  echo "run.sh: installing wrk for the tracker benchmark (apt-get install -y wrk)" >&2
  { apt-get install -y wrk >&2 || { apt-get update >&2 && apt-get install -y wrk >&2; }; } ||
    die "installing wrk failed: run 'apt-get update && apt-get install -y wrk'"
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
    start)
      ensure_libreoffice
      exec node deploy/local/start.mjs "$@"
      ;;
    test)
      ensure_chromium
      ensure_dovecot
      ensure_libreoffice
      exec node deploy/local/test.mjs "$@"
      ;;
    # A benchmark script with PostgreSQL, Kafka and GreenMail started for it (like test.mjs).
    bench)
      # bench:mailbox-sync also measures against Dovecot; bench:tracker drives load with wrk.
      ensure_dovecot
      case "$*" in *tracker.bench*) ensure_wrk ;; esac
      case "$*" in *documents.bench*) ensure_libreoffice ;; esac
      exec node deploy/local/bench.mjs "$@"
      ;;
    # A built script that needs no infrastructure (e.g. the reply accuracy report).
    exec) exec node "$@" ;;
  esac
}

main "$@"
