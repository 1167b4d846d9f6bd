#!/usr/bin/env bash
# Installs the Debian packages ltx2.cpp builds against. Safe to run repeatedly: it only
# calls apt-get when a package is missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libdnnl-dev libhwy-dev nlohmann-json3-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  sox ffmpeg xz-utils
  libavformat-dev libavcodec-dev libswscale-dev libswresample-dev libavutil-dev libstb-dev libjpeg62-turbo-dev
  libcurl4-openssl-dev libssl-dev libcpp-httplib-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing: ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
