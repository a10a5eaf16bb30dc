#!/usr/bin/env bash
# Starts the local PostgreSQL cluster when it is not answering.
set -euo pipefail
source "$(dirname "$0")/env.sh"
ensure_role() {
    # Odoo refuses to run as the postgres superuser: it gets a role of its own that may create databases.
    if ! psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -tAc "SELECT 1" >/dev/null 2>&1; then
        echo "creating the PostgreSQL role $PGUSER"
        psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -qc "CREATE ROLE \"$PGUSER\" LOGIN CREATEDB"
    fi
}
if pg_isready -h "$PGHOST" -p "$PGPORT" -q; then
    ensure_role
    exit 0
fi
echo "PostgreSQL is not answering on $PGHOST:$PGPORT; starting it"
if command -v pg_ctlcluster >/dev/null 2>&1; then
    version=$(ls /etc/postgresql | sort -V | tail -1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
else
    echo "ERROR: no pg_ctlcluster here: start PostgreSQL yourself" >&2
    exit 1
fi
for _ in $(seq 1 30); do
    if pg_isready -h "$PGHOST" -p "$PGPORT" -q; then
        ensure_role
        exit 0
    fi
    sleep 1
done
echo "ERROR: PostgreSQL did not start" >&2
exit 1
