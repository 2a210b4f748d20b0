#!/usr/bin/env bash
# The outside judges: Lighthouse 12 (mobile profile) on the home page, the list, the demo's approved
# activity, 登录 and 注册, served by gunicorn with the production settings over plain HTTP on
# 127.0.0.1, with the demo data. Prints the four category scores of each page and fails when
# accessibility, best practices or SEO is below 95 on any of them (JUDGES_TARGET to change it);
# performance is printed, not gated (it is noisy on a shared machine).
#
#   scripts/judges.sh             install the judges if needed, then judge (CI: .ci/run)
#   scripts/judges.sh --install   install them only (scripts/test.sh: axe-core for tests/e2e/test_axe.py)
#
# The judges are npm packages pinned in judges/package-lock.json, installed into judges/node_modules
# (again when the lock file changes); npm itself comes from apt when it is missing. DATABASE_URL names
# a throwaway database to migrate and fill with the demo (CI: kepuri_judges, made afresh each run);
# without it a SQLite file in a temporary folder. Redis is not used: tasks run in-process. Chromium
# is Debian's /usr/bin/chromium, or CHROMIUM_PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

install_judges() {
  if ! command -v npm >/dev/null && command -v apt-get >/dev/null; then
    echo "npm is missing; installing Debian's nodejs and npm for the judges ..."
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get install -y nodejs npm >/dev/null 2>&1 \
      || { $sudo apt-get update >/dev/null && $sudo apt-get install -y nodejs npm >/dev/null; } || true
  fi
  if ! command -v npm >/dev/null; then
    echo "npm is missing and could not be installed: install Node.js 18.16+ with npm (apt-get install nodejs npm)." >&2
    return 1
  fi
  local stamp=judges/node_modules/.installed-lock wanted
  wanted=$(sha256sum judges/package.json judges/package-lock.json | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "Installing the judges pinned in judges/package-lock.json (Lighthouse, axe-core) ..."
    npm ci --prefix judges --no-audit --no-fund --loglevel=error >/dev/null
    echo "$wanted" >"$stamp"
  fi
}

install_judges
[ "${1:-}" = "--install" ] && exit 0

chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "Chromium is not at $chromium: scripts/test.sh installs it, or point CHROMIUM_PATH at one." >&2
  exit 1
fi
scripts/setup.sh requirements.txt

work=$(mktemp -d "${TMPDIR:-/tmp}/kepuri-judges.XXXXXX")
server=""
finish() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap finish EXIT

# Production (DEBUG off, hashed static names, JSON logs) relaxed only where plain HTTP on 127.0.0.1
# needs it, as kepuri/testing.py's PLAIN_HTTP_PRODUCTION; Django serves the demo's posters itself.
unset REDIS_URL
export DJANGO_DEBUG=0 SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 SECURE_HSTS_SECONDS=0
export ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=ERROR SMS_BACKEND=console
SECRET_KEY="judges-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(40))')"
export SECRET_KEY
export DATABASE_URL=${DATABASE_URL:-sqlite:///$work/db.sqlite3}
export STATIC_ROOT=$work/static MEDIA_ROOT=$work/media PRIVATE_MEDIA_ROOT=$work/private SERVE_MEDIA=1

echo "== judges: the demo on gunicorn with the production settings"
.venv/bin/python manage.py migrate --noinput --verbosity=0
.venv/bin/python manage.py load_demo >/dev/null
.venv/bin/python manage.py collectstatic --noinput --verbosity=0
code=$(.venv/bin/python manage.py shell --verbosity=0 -c \
  "from activities.models import Activity; print(Activity.objects.filter(status='approved', owner__phone='13800000001').values_list('public_code', flat=True).first() or '')")
if [ -z "$code" ]; then
  echo "The demo has no approved activity to judge." >&2
  exit 1
fi

port=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.venv/bin/gunicorn kepuri.wsgi --no-control-socket --bind "127.0.0.1:$port" --workers 2 \
  --worker-class gthread --threads 2 --log-level warning >"$work/gunicorn.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port"
up=""
for _ in $(seq 100); do
  .venv/bin/python -c "import urllib.request; urllib.request.urlopen('$base/health/live/', timeout=2)" 2>/dev/null \
    && { up=1; break; }
  kill -0 "$server" 2>/dev/null || break
  sleep 0.3
done
if [ -z "$up" ]; then
  echo "gunicorn did not start:" >&2
  cat "$work/gunicorn.log" >&2
  exit 1
fi

pages=("首页 /" "活动列表 /activities/" "活动页 /a/$code/" "登录 /accounts/login/" "注册 /accounts/register/")
for entry in "${pages[@]}"; do
  name=${entry%% *}
  path=${entry#* }
  echo "   Lighthouse: $name ($path)"
  # Lighthouse's own runtime errors on a busy machine (NO_NAVSTART: the trace missed the page's
  # start, seen once in CI) are its failure, not the page's: it is asked again, up to three times.
  judged=""
  for attempt in 1 2 3; do
    if CHROME_PATH=$chromium node judges/node_modules/lighthouse/cli/index.js "$base$path" --quiet \
      --output=json --output-path="$work/lighthouse-$name.json" \
      --chrome-flags="--headless=new --no-sandbox --disable-dev-shm-usage"; then
      judged=1
      break
    fi
    echo "   Lighthouse failed on $path (attempt $attempt of 3)" >&2
  done
  if [ -z "$judged" ]; then
    echo "Lighthouse could not judge $path; the server's log:" >&2
    cat "$work/gunicorn.log" >&2
    exit 1
  fi
done

if [ -n "${JUDGES_REPORTS:-}" ]; then
  mkdir -p "$JUDGES_REPORTS" && cp "$work"/lighthouse-*.json "$JUDGES_REPORTS"/
fi

JUDGES_WORK=$work JUDGES_TARGET=${JUDGES_TARGET:-95} .venv/bin/python - "${pages[@]}" <<'PY'
import json
import os
import sys
from pathlib import Path

work, target = Path(os.environ["JUDGES_WORK"]), int(os.environ["JUDGES_TARGET"])
categories = {"performance": "performance", "accessibility": "accessibility",
              "best-practices": "best practices", "seo": "SEO"}  # fmt: skip
gated = ("accessibility", "best-practices", "seo")
print(f"{'page':<22}" + "".join(f"{label:>16}" for label in categories.values()))
failures = []
for entry in sys.argv[1:]:
    name, path = entry.split(" ", 1)
    report = json.loads((work / f"lighthouse-{name}.json").read_text())
    scores = {key: round(100 * (report["categories"][key]["score"] or 0)) for key in categories}
    print(f"{path:<22}" + "".join(f"{scores[key]:>16}" for key in categories) + f"   {name}")
    for key in gated:
        if scores[key] >= target:
            continue
        failures.append(f"FAIL {name} {path}: {categories[key]} {scores[key]} < {target}")
        for ref in report["categories"][key]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if not ref["weight"] or (1 if audit["score"] is None else audit["score"]) >= 1:
                continue
            failures.append(f"  {ref['id']}: {audit['title']}")
            for item in (audit.get("details") or {}).get("items", [])[:5]:
                node = item.get("node") or {}
                if node:
                    failures.append(f"    {node.get('selector', '')}  {node.get('snippet', '')[:150]}")
print("(performance is printed, not gated)")
print("\n".join(failures))
sys.exit(1 if failures else 0)
PY
