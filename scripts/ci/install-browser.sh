#!/usr/bin/env bash
# Installs headless Chromium and its WebDriver (Debian's `chromium`, `chromium-driver`) for the
# dashboard's browser test, unless both are already on PATH. Safe to run any number of times.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
echo "installing chromium and chromium-driver"
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq chromium chromium-driver >/dev/null
chromium --version
chromedriver --version
