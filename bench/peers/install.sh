#!/usr/bin/env bash
# Installs the peers if missing: Debian's packages, and Node's sharp.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
PACKAGES=(python3 python3-pil python3-opencv python3-numpy parallel imagemagick libvips-tools)
# Node and npm from Debian only where no npm is on the PATH already.
command -v npm >/dev/null || PACKAGES+=(nodejs npm)
. "$here/../packages.sh"
install_packages "${PACKAGES[@]}"

# Node's sharp, a peer measured against, never a dependency: from the npm
# registry into bench/peers/node (ignored by git), once. It bundles its own
# libvips (8.18 in sharp 0.35).
if [ ! -d "$here/node/node_modules/sharp" ]; then
  echo "installing sharp (npm) into $here/node" >&2
  mkdir -p "$here/node"
  npm install --silent --no-audit --no-fund --prefix "$here/node" sharp@0.35 >/dev/null
fi
