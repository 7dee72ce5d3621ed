# One image for every topology: the same `node dist/main.js` runs the monolith, a single module core
# or the API-only gateway; MODULES / API / PORT choose which (see docs/extracting.md).
ARG BASE_IMAGE=node:20-bookworm-slim

# --- dependencies and compiler ------------------------------------------------------------------------
FROM ${BASE_IMAGE} AS build
# A toolchain for native addons (argon2) where no prebuilt binary loads; it stays in this stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# Build addons against the headers shipped with the image's node instead of downloading them.
ENV npm_config_nodedir=/usr/local
WORKDIR /app
COPY package.json package-lock.json ./
# The optional npmrc secret carries registry settings (CA bundle, mirror, token) without baking them
# into a layer.
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc \
    npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/write-entry.mjs scripts/
COPY migrations migrations
COPY src src
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# --- runtime: compiled code and production dependencies only -------------------------------------------
FROM ${BASE_IMAGE} AS runtime
ENV NODE_ENV=production \
    DATA_DIR=/data \
    PORT=3000
WORKDIR /app
# package.json is needed at run time: it marks dist/ as ES modules.
COPY package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
# The embedded database lives under /data; the unprivileged `node` user of the base image owns it.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
