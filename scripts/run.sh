#!/usr/bin/env bash
# Set up, load the demo data and serve the site on http://127.0.0.1:8000
# (SQLite, in-process tasks, SMS codes printed here in the console).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements.txt
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py load_demo
echo "Serving on http://127.0.0.1:8000 (Ctrl-C to stop). SMS codes appear below as [SMS] lines."
exec .venv/bin/python manage.py runserver 127.0.0.1:8000
