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
# Only what the installer needs (slim images lack curl and CA certificates), cleaned up in this layer.
RUN set -eu; \
    if ! command -v curl >/dev/null 2>&1 || [ ! -s /etc/ssl/certs/ca-certificates.crt ]; then \
        apt-get update; \
        apt-get install -y --no-install-recommends curl ca-certificates; \
        rm -rf /var/lib/apt/lists/*; \
    fi; \
    useradd --create-home --uid 10001 --user-group --shell /bin/sh carapace

USER carapace
ENV HOME=/home/carapace \
    CARAPACE_HOME=/home/carapace/.carapace
WORKDIR /home/carapace/app

# A build can use a mirror, a proxy or a CA bundle; build args left unset stay unset.
ARG CARAPACE_UV_MIRROR
ARG CARAPACE_UV_VERSION
ARG CARAPACE_UV_SHA256
ARG CARAPACE_SKYPILOT_SPEC
ARG CARAPACE_PYTHON
ARG UV_DEFAULT_INDEX
ARG UV_INDEX
ARG UV_INDEX_URL
ARG UV_PYTHON_INSTALL_MIRROR
ARG UV_HTTP_TIMEOUT
ARG UV_SYSTEM_CERTS
ARG HTTP_PROXY
ARG HTTPS_PROXY
ARG ALL_PROXY
ARG NO_PROXY
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
# Host header; add other names with CARAPACE_ALLOWED_HOSTS.
ENV CARAPACE_HOST=0.0.0.0 \
    CARAPACE_PORT=3001 \
    NODE_ENV=production
EXPOSE 3001
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s \
    CMD ["node", "-e", "fetch('http://127.0.0.1:3001/status').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
