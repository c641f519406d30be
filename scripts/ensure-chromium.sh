#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the real-browser tests (Playwright drives
# it; Playwright's own browser download does not work here). Installs the `chromium` package with
# apt-get when it is missing. Exit 0: the browser is there; 1: it is not, with the reason on stderr.
set -uo pipefail
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

works() { [ -x "$CHROMIUM" ] && "$CHROMIUM" --headless --no-sandbox --version >/dev/null 2>&1; }

works && exit 0

if [ "$(id -u)" = 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "ensure-chromium: $CHROMIUM is missing and installing it needs root: apt-get install chromium" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and there is no apt-get to install it with" >&2
  exit 1
fi

echo "== installing Debian's chromium package (apt-get) for the browser tests"
log=$(mktemp)
if ! { "${SUDO[@]}" apt-get update -q \
  && DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q chromium; } \
  >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  rm -f "$log"
  echo "ensure-chromium: apt-get could not install chromium (output above)" >&2
  exit 1
fi
rm -f "$log"
works || { echo "ensure-chromium: chromium installed but $CHROMIUM does not run" >&2; exit 1; }
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null)"
