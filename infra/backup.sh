#!/usr/bin/env bash
# Backs up Entente's database with pg_dump in the custom format: one consistent snapshot,
# compressed, taken while the service runs (readers and writers are not blocked).
#
#   DATABASE_URL=postgres://… infra/backup.sh entente-2026-12-01.dump
#
# PG_BIN may name the folder of pg_dump (of the server's major version or newer).
set -euo pipefail

out=${1:?usage: infra/backup.sh <file.dump>  (DATABASE_URL names the database)}
: "${DATABASE_URL:?DATABASE_URL must name the database to back up}"
bin=${PG_BIN:+$PG_BIN/}

# Written beside the target and renamed once complete and readable: a failed run leaves no
# file that looks like a backup.
"${bin}pg_dump" --format=custom --no-owner --no-acl --file="$out.partial" "$DATABASE_URL"
"${bin}pg_restore" --list "$out.partial" >/dev/null
mv "$out.partial" "$out"
echo "backed up to $out ($(wc -c <"$out") bytes)"
