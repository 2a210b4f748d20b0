#!/usr/bin/env bash
# Back up the database and the uploaded media into one new timestamped folder.
#
#   scripts/backup.sh [--database-url URL] [--media-root DIR] [DEST]
#
# The database is DATABASE_URL (PostgreSQL only), the media MEDIA_ROOT (default media/),
# as for the site; DEST defaults to BACKUP_DIR, else backups/. It writes
#   DEST/kepuri-YYYYmmdd-HHMMSS/db.dump      pg_dump --format=custom: schema, data, triggers
#   DEST/kepuri-YYYYmmdd-HHMMSS/media.tar    the media folder (posters, photos, attachments)
#   DEST/kepuri-YYYYmmdd-HHMMSS/SHA256SUMS
# and prints the folder's path on its last line. The dump is one consistent snapshot taken
# while the site runs; the media are copied after it, so every file the dump names is there.
# A folder is complete once it has its final name (it is built as *.partial).
set -euo pipefail
source "$(dirname "$0")/pg-env.sh"

database_url=${DATABASE_URL:-}
media=$(media_root)
dest=${BACKUP_DIR:-$root/backups}
while [ $# -gt 0 ]; do
  case $1 in
    --database-url) database_url=$2; shift 2 ;;
    --media-root) media=$2; shift 2 ;;
    -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "Unknown option $1 (see --help)." >&2; exit 2 ;;
    *) dest=$1; shift ;;
  esac
done
[ -n "$database_url" ] || { echo "Set DATABASE_URL (or --database-url) to the database to back up." >&2; exit 2; }
pg_env "$database_url"

umask 077  # the dump holds phone numbers and password hashes
mkdir -p "$dest"
folder="$dest/kepuri-$(date +%Y%m%d-%H%M%S)"
partial="$folder.partial"
mkdir "$partial"
trap 'rm -rf "$partial"' EXIT

pg_dump --format=custom --file="$partial/db.dump"
if [ -d "$media" ]; then
  tar -C "$media" -cf "$partial/media.tar" .
else
  echo "No media folder at $media: the backup holds an empty media.tar." >&2
  tar -cf "$partial/media.tar" -T /dev/null
fi
(cd "$partial" && sha256sum db.dump media.tar > SHA256SUMS)

mv "$partial" "$folder"
trap - EXIT
echo "Backed up $PGDATABASE and $media into:" >&2
echo "$folder"
