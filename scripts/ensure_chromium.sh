#!/usr/bin/env bash
# The browser check needs Debian's chromium. Install it when missing and we can; otherwise say
# loudly that the browser tests will be skipped (they skip themselves when it is absent).
set -uo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "chromium is missing: installing Debian's chromium (about a minute)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/tmp/chromium-install.log 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/tmp/chromium-install.log 2>&1; } \
    || tail -5 /tmp/chromium-install.log
fi
if ! command -v chromium >/dev/null 2>&1; then
  printf '\n%s\n%s\n\n' "!!!!!!!! BROWSER TESTS SKIPPED: chromium is not installed and could not be installed." \
    "!!!!!!!! Install Debian's 'chromium' package (or run as root with apt-get) to run them."
fi
exit 0
