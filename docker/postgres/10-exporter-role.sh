#!/bin/sh
# Runs once, when the postgres container initialises an empty data directory:
# a login role for postgres-exporter with pg_monitor (read access to every
# statistics view, no superuser). Its password comes from the compose secret.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
	-v pw="$(cat /run/secrets/postgres_exporter_password)" <<'SQL'
CREATE ROLE postgres_exporter LOGIN PASSWORD :'pw';
GRANT pg_monitor TO postgres_exporter;
SQL
