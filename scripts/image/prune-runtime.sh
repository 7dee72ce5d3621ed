#!/usr/bin/env bash
# Trims production node_modules to what `node dist/main.js` loads on linux-x64 with glibc: no type
# declarations, source maps, TypeScript sources or docs, no compile-time packages that runtime
# dependencies declare (typescript and ts-node, used only by @nestjs/swagger's CLI plugin and typeorm's
# CLI), no browser builds, and native addons for this platform only. The container smoke test runs the
# result.
set -euo pipefail

cd "${1:?usage: prune-runtime.sh <node_modules dir>}"

find . -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.tsbuildinfo' \
  -o -name '*.md' -o -name '*.markdown' -o -name '*.mts' -o -name '*.cts' -o \( -name '*.ts' ! -name '*.d.ts' \) \) -delete
rm -rf typescript ts-node @types @microsoft @cspotcode @tsconfig typeorm/browser class-validator/bundles
find . -type d \( -name test -o -name tests -o -name __tests__ -o -name example -o -name examples \) -prune -exec rm -rf {} +
# Swagger UI's page loads the bundle, the standalone preset and the stylesheet; the other builds are for bundlers.
rm -f swagger-ui-dist/swagger-ui-es-bundle*.js swagger-ui-dist/swagger-ui.js swagger-ui-dist/swagger-ui-es-bundle-core.js

# argon2 ships prebuilt addons for several platforms and libcs; keep linux-x64 glibc only.
if [ -d argon2/prebuilds ]; then
  find argon2/prebuilds -mindepth 1 -maxdepth 1 ! -name linux-x64 -exec rm -rf {} +
  find argon2/prebuilds/linux-x64 -type f ! -name '*.glibc.node' -delete
fi
rm -rf argon2/build argon2/argon2 argon2/src
find . -depth -type d -empty -delete
