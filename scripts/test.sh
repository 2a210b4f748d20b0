#!/usr/bin/env bash
# Set up, install Chromium and axe-core for the browser tests if they are missing,
# and run the whole test suite. Extra arguments go to pytest. With nothing set the tests use
# SQLite; DATABASE_URL and REDIS_URL point them at PostgreSQL and Redis, and
# REQUIRE_SERVICES=1 makes a missing service or browser a failure (as .ci/run does).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements-dev.txt

chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "Chromium is missing at $chromium; installing Debian's chromium package for the browser tests ..."
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if command -v apt-get >/dev/null; then
    $sudo apt-get install -y chromium >/dev/null 2>&1 \
      || { $sudo apt-get update >/dev/null && $sudo apt-get install -y chromium >/dev/null; } \
      || echo "Could not install chromium; the browser tests will fail and say how to install it." >&2
  else
    echo "No apt-get here: install Chromium and set CHROMIUM_PATH, or the browser tests will fail." >&2
  fi
fi

# axe-core for tests/e2e/test_axe.py (and Lighthouse, for scripts/judges.sh): npm packages pinned in
# judges/package-lock.json, installed into judges/node_modules (npm itself from apt when missing).
scripts/judges.sh --install \
  || echo "Could not install the judges; tests/e2e/test_axe.py cannot run and says how to install them." >&2

# The QR code's caption is drawn with a CJK font.
if ! fc-list :lang=zh 2>/dev/null | grep -q . && command -v apt-get >/dev/null; then
  echo "No CJK font; installing fonts-noto-cjk for the QR code captions ..."
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get install -y fonts-noto-cjk >/dev/null 2>&1 || echo "Could not install fonts-noto-cjk." >&2
fi

exec .venv/bin/python -m pytest -n auto "$@"
