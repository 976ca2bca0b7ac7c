#!/bin/sh
# One-shot job on temporalio/admin-tools: creates Temporal's two PostgreSQL databases
# (persistence and visibility), sets up schema versioning and upgrades both to the schema
# version this image ships. Every step is idempotent: `create-database` on an existing database
# and `setup-schema -v 0.0` on a versioned schema change nothing, and `update-schema` applies
# only the versions newer than the database's. So a second `up` is a no-op and a new admin-tools
# tag (bumped with the server) migrates in place before the new server starts.
# Connection: SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER, SQL_PASSWORD (read by temporal-sql-tool).
set -eu
SCHEMA_DIR="${SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}"
for pair in "${DBNAME:-temporal}:temporal" "${VISIBILITY_DBNAME:-temporal_visibility}:visibility"; do
    database="${pair%%:*}"
    schema="${pair#*:}"
    temporal-sql-tool --db "$database" create-database
    temporal-sql-tool --db "$database" setup-schema -v 0.0
    temporal-sql-tool --db "$database" update-schema -d "$SCHEMA_DIR/$schema/versioned"
    echo "schema $schema ready in database $database"
done
