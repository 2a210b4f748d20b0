#!/usr/bin/env bash
# Re-pin requirements.txt and requirements-dev.txt from the loose *.in files,
# each resolved in a throw-away virtual environment.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

freeze() {  # freeze <in-file> <venv>
  python3 -m venv "$2"
  "$2/bin/python" -m pip install -q --upgrade "pip>=25.3"
  "$2/bin/pip" install -q --build-constraint requirements/build-constraints.txt -r "$1"
  "$2/bin/pip" freeze --exclude-editable | sort -f
}

{
  echo "# Pinned by scripts/freeze.sh from requirements.in; do not edit by hand."
  freeze requirements.in "$tmp/run"
} > requirements.txt
{
  echo "# Pinned by scripts/freeze.sh from requirements-dev.in; do not edit by hand."
  echo "-r requirements.txt"
  freeze requirements-dev.in "$tmp/dev" | grep -vxF -f requirements.txt
} > requirements-dev.txt
echo "requirements.txt: $(grep -c '==' requirements.txt) pins; requirements-dev.txt: $(grep -c '==' requirements-dev.txt) more"
