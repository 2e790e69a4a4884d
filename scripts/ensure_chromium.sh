#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests when it is missing (a test tool's own
# browser download does not work on machines without general internet access), and a CJK font
# so that the pages' Chinese renders (and the screenshots under docs/ are readable).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if command -v fc-list >/dev/null 2>&1 && ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  missing+=(fonts-wqy-zenhei)
fi
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  printf '\033[1;34m==>\033[0m %s\n' "installing ${missing[*]} for the browser tests ..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
elif [[ " ${missing[*]} " == *" chromium "* ]]; then
  echo "chromium is missing: install it (Debian/Ubuntu: sudo apt-get install chromium fonts-wqy-zenhei) and run again." >&2
  exit 1
else
  echo "no Chinese font: pages render as boxes in screenshots (sudo apt-get install fonts-wqy-zenhei)." >&2
fi
