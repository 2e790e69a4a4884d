#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests when it is missing (a test tool's own
# browser download does not work on machines without general internet access).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  printf '\033[1;34m==>\033[0m %s\n' "installing Debian's chromium for the browser tests ..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "chromium is missing: install it (Debian/Ubuntu: sudo apt-get install chromium) and run again." >&2
  exit 1
fi
