# One image for every topology: the same `node dist/main.js` runs the monolith, a single module core
# or the API-only gateway; MODULES / API / PORT choose which (see docs/extracting.md).
#
# BUILD_IMAGE has Node 24 and npm (the official node:24-bookworm-slim); RUNTIME_IMAGE is plain Debian
# bookworm (debian:bookworm-slim), which receives only the node binary from the build stage: no npm, no
# headers, no compiler. scripts/build-image.sh builds both bases locally when no registry is reachable.
ARG BUILD_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=debian:bookworm-slim

# --- dependencies and compiler ------------------------------------------------------------------------
FROM ${BUILD_IMAGE} AS build
# binutils strips the node binary's debug information for the runtime stage (about 18 MB).
RUN apt-get update \
 && apt-get install -y --no-install-recommends binutils \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# The optional npmrc secret carries registry settings (CA bundle, mirror, token) without baking them into
# a layer. argon2 loads its prebuilt linux-x64 addon, so no toolchain is needed here.
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc \
    --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY scripts/write-entry.mjs scripts/node-version.mjs scripts/copy-assets.mjs scripts/
COPY scripts/image/prune-runtime.sh scripts/image/
COPY migrations migrations
COPY src src
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc \
    --mount=type=cache,target=/root/.npm \
    npm run build \
 && rm -f dist/.tsbuildinfo \
 && find dist -name '*.map' -delete \
 && npm prune --omit=dev --no-audit --no-fund \
 && scripts/image/prune-runtime.sh node_modules \
 && mkdir -p /out \
 && strip --strip-all -o /out/node "$(command -v node)"

# --- runtime: the node binary, compiled code and production dependencies ------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime
ENV NODE_ENV=production \
    DATA_DIR=/data \
    PORT=3000
COPY --from=build /out/node /usr/local/bin/node
# The embedded database lives under /data, owned by the unprivileged `node` user (uid 1000, as in the
# official node images, so volumes and Kubernetes' runAsUser carry over).
RUN groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --no-create-home --home-dir /app --shell /usr/sbin/nologin node \
 && mkdir -p /data \
 && chown node:node /data
WORKDIR /app
# package.json is needed at run time: it marks dist/ as ES modules, and dist/main.js checks the running
# Node.js against its engines before loading the application.
COPY package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
USER 1000:1000
VOLUME /data
EXPOSE 3000
# SIGTERM drains: readiness turns 503, accepted requests and messages finish within SHUTDOWN_GRACE_MS.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# V8 settings for a small resident footprint (npm start and npm run bench:http use the same flags; npm run
# validate:deploy checks that they agree):
# - a young generation of at most 2 x 8 MB: on a large machine V8 grows it to 2 x 32 MB during start-up
#   and keeps it: 20 to 40 MB of an idle process;
# - WebAssembly, which only the embedded database runs, kept on V8's baseline compiler (--liftoff-only,
#   listed by V8 as a testing flag; it changes only which compiler tier runs that code): the optimising
#   tier held about 60 MB for code the database runs once at start-up, and GET /v1/users/me on the
#   embedded database answered as fast without it.
CMD ["node", "--max-semi-space-size=8", "--liftoff-only", "dist/main.js"]
