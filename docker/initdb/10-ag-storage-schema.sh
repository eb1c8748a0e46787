#!/usr/bin/env bash
# Applies ag-storage's migrations (sql/migrations.index order) to schema ag_storage on first start, and records
# them in schema_migrations with the same SHA-256 checksums the Java migration runner verifies.
set -euo pipefail
schema="${AG_STORAGE_SCHEMA:-ag_storage}"
psql=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB")
"${psql[@]}" -c "CREATE EXTENSION IF NOT EXISTS timescaledb" -c "CREATE SCHEMA IF NOT EXISTS $schema" \
  -c "CREATE TABLE IF NOT EXISTS $schema.schema_migrations (version integer PRIMARY KEY, description text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), execution_ms integer NOT NULL)"
grep -vE '^\s*(#|$)' /ag-storage/sql/migrations.index | while read -r file; do
  version=$((10#$(echo "$file" | sed -E 's/^V([0-9]+)__.*/\1/')))
  description="$(echo "$file" | sed -E 's/^V[0-9]+__(.*)\.sql$/\1/')"
  checksum="$(tr -d '\r' <"/ag-storage/sql/$file" | sha256sum | cut -d' ' -f1)"
  echo "ag-storage: applying $file to schema $schema"
  "${psql[@]}" -1 -c "SET search_path TO $schema, public" -f "/ag-storage/sql/$file" \
    -c "INSERT INTO $schema.schema_migrations (version, description, checksum, execution_ms) VALUES ($version, '$description', '$checksum', 0)"
done
