# syntax=docker/dockerfile:1
#
# numbergate as a container image: the compiled service (`npm run build`) on Node 20, as a non-root user.
#
#   docker build -t numbergate .
#   docker run --rm -p 50051:50051 -p 9464:9464 numbergate            # sandbox mode: built-in carrier emulators
#   docker run --rm --env-file numbergate.env -p 50051:50051 -p 9464:9464 -v numbergate-data:/var/lib/numbergate numbergate
#
# Builder and runtime are the same base image on purpose: better-sqlite3 is a native module, and the binary npm
# fetches (or compiles) in the builder must match the runtime's Node ABI, glibc and CPU architecture.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS builder
WORKDIR /app
# better-sqlite3 downloads a prebuilt binary where one exists for the platform; elsewhere it compiles from
# source, which needs these. They stay in this stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# The lock file alone decides the dependency layer, so editing sources does not reinstall node_modules.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY config ./config
COPY generated ./generated
COPY src ./src
# The build copies every file the service reads at run time into dist/ (scripts/build.mjs), so the runtime stage
# needs nothing of the sources. Pruning here keeps the native binary built above, with no second install.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NUMBERGATE_GRPC_ADDR=0.0.0.0:50051 \
    NUMBERGATE_HTTP_ADDR=0.0.0.0:9464 \
    NUMBERGATE_DATA_DIR=/var/lib/numbergate
WORKDIR /app
# Owned by root and read-only to the service: a compromised process cannot rewrite its own code. package.json is
# needed at run time: its "type": "module" makes Node load dist/ as ES modules.
COPY --from=builder /app/package.json ./package.json
COPY --from=builder /app/node_modules ./node_modules
COPY --from=builder /app/dist ./dist
COPY --from=builder /app/scripts/grpc-health-check.mjs ./scripts/grpc-health-check.mjs
# Made and handed to the node user (uid 1000) before VOLUME: a fresh volume takes this owner and mode, and
# changes to the path after VOLUME would be discarded. 0700: the sandbox encryption key file lives here.
RUN mkdir -p /var/lib/numbergate \
 && chown node:node /var/lib/numbergate \
 && chmod 0700 /var/lib/numbergate
USER node
VOLUME ["/var/lib/numbergate"]
EXPOSE 50051 9464
# grpc.health.v1 for the whole server, as Envoy checks it: SERVING only when a carrier can take traffic and the
# process is not shutting down. The start period covers the first carrier probes in live mode.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "scripts/grpc-health-check.mjs"]
# numbergate drains in-flight calls on SIGTERM and exits 0; give it longer than Docker's 10 s default with
# `docker stop -t` or compose's stop_grace_period when purchases are in flight.
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
