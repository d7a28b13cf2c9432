# Carapace: the server, with SkyPilot pre-installed by the same script, paths and
# environment as bin/setup and the running app, so the app never installs at runtime.
#
#   docker build -t carapace .
#   docker build --build-arg CARAPACE_UV_MIRROR=https://mirror.example/uv \
#                --build-arg UV_DEFAULT_INDEX=https://mirror.example/pypi/simple -t carapace .
#   docker run -p 127.0.0.1:3001:3001 carapace
ARG BASE_IMAGE=node:24-bookworm-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

FROM ${BASE_IMAGE}
# What the installer needs (curl and CA certificates, which slim images lack; ps, to
# find SkyPilot's local API server) and what a real `sky launch` runs on this machine
# (ssh and rsync, as SkyPilot's own image ships), cleaned up in this layer.
RUN set -eu; \
    apt-get update; \
    apt-get install -y --no-install-recommends curl ca-certificates procps openssh-client rsync; \
    rm -rf /var/lib/apt/lists/*; \
    useradd --create-home --uid 10001 --user-group --shell /bin/sh carapace

USER carapace
ENV HOME=/home/carapace \
    CARAPACE_HOME=/home/carapace/.carapace
WORKDIR /home/carapace/app

# A build can use a mirror, a proxy or a CA bundle; build args left unset stay unset.
# The proxy's are not declared: HTTP_PROXY, HTTPS_PROXY and NO_PROXY (and their lower-case
# forms; ALL_PROXY too with Docker, not with buildah 1.28) are build args Docker and buildah
# predefine, which reach RUN steps without an ARG and stay out of the image's history,
# where a declared ARG's value is recorded -- with the proxy's password in it. The values
# of the args declared below are recorded: put no password in them.
ARG CARAPACE_UV_MIRROR
ARG CARAPACE_UV_VERSION
ARG CARAPACE_UV_SHA256
ARG CARAPACE_CLOUDS
ARG CARAPACE_SKYPILOT_SPEC
ARG CARAPACE_PYTHON
ARG UV_DEFAULT_INDEX
ARG UV_INDEX
ARG UV_INDEX_URL
ARG UV_PYTHON_INSTALL_MIRROR
ARG UV_HTTP_TIMEOUT
ARG UV_SYSTEM_CERTS
ARG SSL_CERT_FILE
ARG CURL_CA_BUNDLE

# The one install step. It comes before the app's sources, so that this heavy layer
# stays cached when they change.
COPY --chown=carapace:carapace scripts/install-skypilot.sh scripts/install-skypilot.sh
RUN sh scripts/install-skypilot.sh

COPY --chown=carapace:carapace package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --chown=carapace:carapace --from=build /build/dist ./dist
COPY --chown=carapace:carapace public ./public

# Listening on all interfaces inside the container; publish it on the host's loopback
# (-p 127.0.0.1:3001:3001). Requests must still name localhost or 127.0.0.1 in their
# Host header (add other names with CARAPACE_ALLOWED_HOSTS) and carry the token: the
# link the server prints at start (docker logs) has it.
ENV CARAPACE_HOST=0.0.0.0 \
    CARAPACE_PORT=3001 \
    NODE_ENV=production
EXPOSE 3001
# Asks the port the server listens on, CARAPACE_PORT included when `docker run -e` changes it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.CARAPACE_PORT || 3001) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
