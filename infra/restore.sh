#!/usr/bin/env bash
# Restores a backup of infra/backup.sh into an empty database, then checks it: `entente
# migrate` brings the schema up to date and settles the log clock (after a restore into
# another server, transaction ids go on above the restored ones; it says so), and `entente
# verify` recomputes every event's hash.
#
#   createdb entente            # on the target server
#   DATABASE_URL=postgres://…/entente infra/restore.sh entente-2026-12-01.dump
#
# Stop the service (every instance) before, start it after: see "Backup and restore" in
# README.md. PG_BIN may name the folder of pg_restore and psql.
set -euo pipefail

in=${1:?usage: infra/restore.sh <file.dump>  (DATABASE_URL names an empty database)}
: "${DATABASE_URL:?DATABASE_URL must name the empty database to restore into}"
bin=${PG_BIN:+$PG_BIN/}
root=$(cd "$(dirname "$0")/.." && pwd)

tables=$("${bin}psql" --no-psqlrc -At -d "$DATABASE_URL" -c \
  "select count(*) from pg_tables where schemaname = 'public'")
if [ "$tables" != 0 ]; then
  echo "restore.sh: the database already has $tables tables: restore into an empty one" >&2
  exit 1
fi

# All or nothing: a failed restore leaves the database empty.
"${bin}pg_restore" --no-owner --no-acl --exit-on-error --single-transaction \
  --dbname="$DATABASE_URL" "$in"
node "$root/bin/entente.js" migrate
if ! node "$root/bin/entente.js" verify >/dev/null; then
  echo "restore.sh: the restored log fails verification: run \`entente verify\` for the report" >&2
  exit 1
fi
echo "restored $in; the hash chains verify"
