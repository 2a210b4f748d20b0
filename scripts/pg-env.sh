# Sourced by backup.sh and restore.sh: the connection and the media folder, as the site reads them.
#
#   pg_env URL   exports PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE (and PGSSLMODE) for the
#                PostgreSQL tools, parsing the URL with django-environ as kepuri/settings.py does;
#                the password goes through the environment, never onto a command line (ps).
#   media_root   MEDIA_ROOT, or media/ beside manage.py (the settings' default).

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${PYTHON:-$root/.venv/bin/python}

pg_env() {
  local assignments
  assignments=$("$python" - "$1" <<'PY'
import shlex
import sys

import environ

config = environ.Env.db_url_config(sys.argv[1])
if config["ENGINE"] != "django.db.backends.postgresql":
    sys.exit("DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/name).")
values = {
    "PGDATABASE": config["NAME"],
    "PGUSER": config["USER"],
    "PGPASSWORD": config["PASSWORD"],
    "PGHOST": config["HOST"],
    "PGPORT": config["PORT"],
    "PGSSLMODE": config.get("OPTIONS", {}).get("sslmode"),
}
for name, value in values.items():
    if value:
        print(f"export {name}={shlex.quote(str(value))}")
PY
  )
  eval "$assignments"
}

media_root() {
  echo "${MEDIA_ROOT:-$root/media}"
}
