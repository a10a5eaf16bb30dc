#!/usr/bin/env bash
# Benchmarks storq_serials against plain Odoo in the same run on the same database.
# Usage: scripts/benchmark.sh [sizes, default 100,1000,10000]
#   STORQ_BENCH_DB=name   database (created with the module, without demo data, if missing)
set -euo pipefail
here=$(dirname "$0")
source "$here/env.sh"
require_odoo_tree
"$here/setup_venv.sh" >/dev/null
"$here/ensure_postgres.sh"
db=${STORQ_BENCH_DB:-storq_bench}
sizes=${1:-100,1000,10000}
if psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -lqt | cut -d'|' -f1 | grep -qw "$db"; then
    "$here/odoo.sh" -d "$db" -u storq_serials --stop-after-init --log-level=warn
else
    "$here/odoo.sh" -d "$db" -i storq_serials --without-demo=all --stop-after-init --log-level=warn
fi
cd "$PROJECT_ROOT"
PYTHONPATH="$ODOO_PATH" "$ODOO_VENV/bin/python" benchmarks/bench_receipt.py --database "$db" --sizes "$sizes" -- \
    --addons-path="$(addons_path)" --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER" --log-level=warn
