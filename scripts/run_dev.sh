#!/usr/bin/env bash
# Starts Odoo 18 on http://localhost:8069 with storq_serials and its demo data (no Docker).
# Usage: scripts/run_dev.sh [database name, default storq_demo] [extra odoo-bin options...]
set -euo pipefail
here=$(dirname "$0")
source "$here/env.sh"
db=${1:-storq_demo}
shift || true
"$here/setup_venv.sh"
"$here/ensure_postgres.sh"
installed=$(psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$db" -tAc \
    "SELECT 1 FROM ir_module_module WHERE name='storq_serials' AND state='installed'" 2>/dev/null || true)
if [ "$installed" != "1" ]; then
    echo "Installing storq_serials with demo data into database $db ..."
    "$here/odoo.sh" -d "$db" -i storq_serials --stop-after-init
fi
echo "Odoo is starting on http://localhost:8069 (database $db, login admin / password admin)"
exec "$here/odoo.sh" -d "$db" --db-filter="^${db}\$" --http-interface=127.0.0.1 --http-port=8069 "$@"
