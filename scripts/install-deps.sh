#!/usr/bin/env bash
# Installs the Debian packages Ecotone needs to build and test, if missing.
# Usage: scripts/install-deps.sh [--test|--bench]   (--test adds test services/tools)
set -euo pipefail
pkgs=(build-essential cmake ninja-build pkg-config libyaml-cpp-dev libyaml-dev nlohmann-json3-dev
  libcli11-dev libspdlog-dev libfmt-dev libsqlite3-dev libcurl4-openssl-dev
  libcpp-httplib-dev prometheus-cpp-dev coinor-libcbc-dev libglpk-dev libeigen3-dev
  libgtest-dev libgmock-dev libbenchmark-dev curl graphviz)
if [ "${1:-}" = "--test" ]; then
  pkgs+=(clang libclang-rt-14-dev prometheus sqlite3)
  # bench/forecast_compare_test.py (ctest forecast_compare): numpy, scipy.
  pkgs+=(python3-scipy)
  # Kubernetes schema validation (tests/k8s-validate): node and npm; a node
  # that already brings its own npm needs no Debian npm.
  pkgs+=(nodejs)
  command -v npm >/dev/null 2>&1 || pkgs+=(npm)
  # kubectl (patch --local, the actuator's tests); any kubectl will do.
  command -v kubectl >/dev/null 2>&1 || pkgs+=(kubernetes-client)
fi
if [ "${1:-}" = "--bench" ]; then  # side-by-side baselines of bench/forecast_bench.sh
  pkgs+=(r-base-core r-cran-forecast python3-statsmodels)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get -o DPkg::Lock::Timeout=900 update -q
  $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends "${missing[@]}"
fi
k8s_validate="$(dirname "$0")/../tests/k8s-validate"
if [ "${1:-}" = "--test" ] && [ ! -d "$k8s_validate/node_modules" ]; then
  (cd "$k8s_validate" && npm ci --no-audit --no-fund)
fi
