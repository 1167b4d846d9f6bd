#!/usr/bin/env bash
# Installs the Debian packages ltx2.cpp builds against (and chromium, Node.js and the npm
# packages its page test uses). Safe to run repeatedly: it only calls apt-get when a package is
# missing, and npm when the pinned versions changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libdnnl-dev libhwy-dev nlohmann-json3-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  sox ffmpeg xz-utils valgrind
  libavformat-dev libavcodec-dev libswscale-dev libswresample-dev libavutil-dev libstb-dev libjpeg62-turbo-dev
  libcurl4-openssl-dev libssl-dev libcpp-httplib-dev libhiredis-dev redis-server
  chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm run the page test's driver; any installation will do (a NodeSource nodejs
# package brings its own npm, which conflicts with Debian's).
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

# npm packages of the tests (puppeteer-core, which drives Debian's chromium) go into the
# git-ignored .cache/npm, at the versions tests/browser/package-lock.json pins.
if [ ! -f .cache/npm/node_modules/.package-lock.json ] ||
   ! cmp -s tests/browser/package-lock.json .cache/npm/package-lock.json; then
  mkdir -p .cache/npm
  cp tests/browser/package.json tests/browser/package-lock.json .cache/npm/
  (cd .cache/npm && npm ci --no-audit --no-fund --loglevel=error)
fi
