#!/usr/bin/env bash
# Installs every system package appealhub needs to build, test and run, from Debian 12's archive.
# Idempotent: packages already present are skipped without touching apt.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev            # Beast (HTTP) and Asio; Debian's default libboost-dev is 1.74
  libboost-url1.81-dev        # Boost.URL (a compiled Boost library): URLs and query strings
  librabbitmq-dev             # rabbitmq-c 0.11, the AMQP client
  libpqxx-dev libpq-dev       # libpqxx 6.4, the PostgreSQL client
  nlohmann-json3-dev          # JSON codec for the common format
  libssl-dev                  # OpenSSL 3: TLS, SHA-256, HMAC, RAND
  libzip-dev                  # libzip: the zip inside a DOCX (reply documents, documents/docx.hpp)
  libcli11-dev                # CLI11 2.1: the command lines of appealhub and appealhub-sim
  libgtest-dev libgmock-dev   # unit and integration tests
  postgresql-15               # the system of record, started locally by scripts/services.sh
  rabbitmq-server             # the bus, started locally by scripts/services.sh
  openssl ca-certificates     # the local test CA for the broker's TLS listener
  procps psmisc netcat-openbsd curl
  wrk                         # HTTP load for bench/gateway_bench (not needed by the tests)
  chromium                    # the browser the web UI's tests drive (npm playwright-core)
  fonts-wqy-microhei          # Chinese glyphs for the browser tests' screenshots
  python3-prometheus-client   # a real Prometheus text parser for the /metrics test
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

# Node.js (the interoperability test with amqplib, later the web UI): this machine kind ships
# Node.js 20 with its own npm; Debian's npm package conflicts with it, so only add Debian's when absent.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Keep the packaged services from starting under systemd/init: the project starts its own copies.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
  rm -f /usr/sbin/policy-rc.d
else
  echo "install-deps: all packages present"
fi
