#!/usr/bin/env bash
# Create .venv with Python 3.11+ and install a pinned requirements file into it.
# Installs again only when a requirements file changed. Usage:
#   scripts/setup.sh [requirements.txt | requirements-dev.txt]
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=${1:-requirements.txt}
python=${PYTHON:-python3}

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Python 3.11 or newer is needed as '$python' (set PYTHON=/path/to/python3.11)." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv || {
    echo "Could not create the virtual environment: on Debian or Ubuntu, apt-get install python3-venv." >&2
    exit 1
  }
fi

stamp=".venv/.installed-$(basename "$requirements")"
wanted=$(cat requirements*.txt requirements/build-constraints.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "Installing $requirements into .venv ..."
  # pip 25.3 brings --build-constraint, needed for XStatic-Bootstrap's sdist.
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=25.3"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check \
    --build-constraint requirements/build-constraints.txt -r "$requirements"
  echo "$wanted" > "$stamp"
fi
