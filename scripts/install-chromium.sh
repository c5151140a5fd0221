#!/usr/bin/env bash
# Installs Debian's Chromium (and a CJK font for readable screenshots) for the browser tests; needs root or sudo.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
chromium --version
