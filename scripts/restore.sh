#!/usr/bin/env bash
# Restore a folder written by backup.sh: the database, then the media.
#
#   scripts/restore.sh [--database-url URL] [--media-root DIR] [--clean] FOLDER
#
# The target is DATABASE_URL (PostgreSQL) and MEDIA_ROOT (default media/), as for the site.
# The database must exist (createdb) and be empty; --clean restores over one that holds
# tables, dropping the dump's objects first (pg_restore --clean --if-exists). The restore
# runs in one transaction: on any error the database is left as it was. The media files
# are then extracted into MEDIA_ROOT (files of the backup are written over, others stay).
# Afterwards `manage.py migrate` has nothing to apply when the code is the backup's.
set -euo pipefail
source "$(dirname "$0")/pg-env.sh"

database_url=${DATABASE_URL:-}
media=$(media_root)
clean=()
folder=""
while [ $# -gt 0 ]; do
  case $1 in
    --database-url) database_url=$2; shift 2 ;;
    --media-root) media=$2; shift 2 ;;
    --clean) clean=(--clean --if-exists); shift ;;
    -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
    -*) echo "Unknown option $1 (see --help)." >&2; exit 2 ;;
    *) folder=$1; shift ;;
  esac
done
[ -n "$folder" ] || { echo "Name the backup folder to restore (see --help)." >&2; exit 2; }
[ -n "$database_url" ] || { echo "Set DATABASE_URL (or --database-url) to the database to restore into." >&2; exit 2; }
for file in db.dump media.tar SHA256SUMS; do
  [ -f "$folder/$file" ] || { echo "$folder has no $file: not a complete backup." >&2; exit 1; }
done
(cd "$folder" && sha256sum --check --quiet SHA256SUMS) || { echo "$folder is damaged." >&2; exit 1; }
pg_env "$database_url"

tables=$(psql --no-psqlrc --tuples-only --no-align --dbname="$PGDATABASE" \
  --command="SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" != 0 ] && [ ${#clean[@]} -eq 0 ]; then
  echo "$PGDATABASE holds $tables tables: restore into an empty database, or add --clean to replace them." >&2
  exit 1
fi

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction "${clean[@]}" \
  --dbname="$PGDATABASE" "$folder/db.dump"
mkdir -p "$media"
tar -C "$media" -xf "$folder/media.tar"
echo "Restored $folder into the database $PGDATABASE and $media." >&2
