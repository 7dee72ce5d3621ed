#!/usr/bin/env bash
# Builds the container image on a machine without a Docker engine or registry access:
# a local stand-in for node:20-bookworm-slim (Debian bookworm minbase + this machine's node and npm),
# then the project's Dockerfile on top of it, with buildah (vfs storage, chroot isolation).
#
#   sudo scripts/build-image.sh                   # builds localhost/modular-monolith:latest
#   IMAGE=localhost/mm:dev scripts/build-image.sh # other tag
#
# Needs root, buildah and debootstrap (apt-get install -y buildah debootstrap) and a Debian mirror.
set -euo pipefail

cd "$(dirname "$0")/.."

IMAGE="${IMAGE:-localhost/modular-monolith:latest}"
BASE_IMAGE="${BASE_IMAGE:-localhost/node20-base}"
ROOTFS="${ROOTFS:-/var/tmp/node20-bookworm-rootfs}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
CA_BUNDLE="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
BUILDAH=(buildah --storage-driver vfs)

if ! "${BUILDAH[@]}" inspect --type image "$BASE_IMAGE" >/dev/null 2>&1; then
  if [ ! -e "$ROOTFS/.debootstrap-done" ]; then
    rm -rf "$ROOTFS"
    debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR"
    touch "$ROOTFS/.debootstrap-done"
  fi
  # Same places (binaries, npm, headers) and user as the official node image, so the Dockerfile works on both unchanged.
  install -D -m 0755 "$(command -v node)" "$ROOTFS/usr/local/bin/node"
  npm_root="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  rm -rf "$ROOTFS/usr/local/lib/node_modules/npm"
  mkdir -p "$ROOTFS/usr/local/lib/node_modules"
  cp -a "$npm_root" "$ROOTFS/usr/local/lib/node_modules/npm"
  ln -sfn ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
  ln -sfn ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
  node_include="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")/include/node"
  rm -rf "$ROOTFS/usr/local/include/node"
  mkdir -p "$ROOTFS/usr/local/include"
  cp -a "$node_include" "$ROOTFS/usr/local/include/node"
  if ! chroot "$ROOTFS" getent passwd node >/dev/null; then
    chroot "$ROOTFS" groupadd --gid 1000 node
    chroot "$ROOTFS" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  fi
  rm -rf "$ROOTFS/var/cache/apt/archives/"*.deb "$ROOTFS/var/lib/apt/lists/"*

  ctr="$("${BUILDAH[@]}" from scratch)"
  mnt="$("${BUILDAH[@]}" mount "$ctr")"
  tar -C "$ROOTFS" --exclude=./.debootstrap-done -cf - . | tar -C "$mnt" -xpf -
  "${BUILDAH[@]}" umount "$ctr" >/dev/null
  "${BUILDAH[@]}" config \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env NODE_VERSION="$(node -v | sed 's/^v//')" \
    --cmd node "$ctr"
  "${BUILDAH[@]}" commit "$ctr" "$BASE_IMAGE"
  "${BUILDAH[@]}" rm "$ctr" >/dev/null
fi

# npm inside the build trusts this machine's CA bundle (mounted read-only), passed as a build secret
# so it never lands in a layer.
npmrc="$(mktemp)"
trap 'rm -f "$npmrc"' EXIT
printf 'cafile=%s\n' "$CA_BUNDLE" >"$npmrc"

"${BUILDAH[@]}" bud --isolation chroot --layers --format docker \
  --build-arg BASE_IMAGE="$BASE_IMAGE" \
  --secret id=npmrc,src="$npmrc" \
  -v /etc/ssl/certs:/etc/ssl/certs:ro \
  -t "$IMAGE" .

"${BUILDAH[@]}" images "$IMAGE"
