#!/usr/bin/env bash
# Re-pin requirements.txt and requirements-dev.txt from the loose *.in files,
# each resolved in a throw-away virtual environment.
#
# By default the current pins are kept as constraints, so adding a package to an
# .in file pins it (and what it needs) without moving anything else; --upgrade
# resolves the whole tree afresh.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

constraints=()
if [ "${1:-}" != "--upgrade" ]; then
  grep -h '==' requirements.txt requirements-dev.txt > "$tmp/pins.txt" || true
  constraints=(-c "$tmp/pins.txt")
fi

freeze() {  # freeze <in-file> <venv>
  python3 -m venv "$2"
  "$2/bin/python" -m pip install -q --upgrade "pip>=25.3"
  "$2/bin/pip" install -q --build-constraint requirements/build-constraints.txt "${constraints[@]}" -r "$1"
  "$2/bin/pip" freeze --exclude-editable | sort -f
}

freeze requirements.in "$tmp/run" > "$tmp/run.txt"
freeze requirements-dev.in "$tmp/dev" > "$tmp/dev.txt"
{
  echo "# Pinned by scripts/freeze.sh from requirements.in; do not edit by hand."
  cat "$tmp/run.txt"
} > requirements.txt
{
  echo "# Pinned by scripts/freeze.sh from requirements-dev.in; do not edit by hand."
  echo "-r requirements.txt"
  grep -vxF -f "$tmp/run.txt" "$tmp/dev.txt"
} > requirements-dev.txt
echo "requirements.txt: $(grep -c '==' requirements.txt) pins; requirements-dev.txt: $(grep -c '==' requirements-dev.txt) more"
