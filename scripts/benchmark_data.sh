#!/usr/bin/env bash
# Builds a benchmark database: years of serial-controlled units with their full history.
# Usage: scripts/benchmark_data.sh [--units N] [--db NAME] [--template NAME] [--seed N] [--force]
#                                  [--no-claims | --claims-only]
#   --units     units to write (default 100000; 1000000 works)
#   --db        database to create (default storq_bench_<units>); refused if it exists, unless --force
#   --template  copy this database (storq_serials installed, no benchmark data) instead of
#               installing the module, which saves a few minutes per build
#   --force     drop the database first if it exists
#   --no-claims     leave out the warranty claims and recalls (added after the units by default)
#   --claims-only   add only the claims and recalls, to the existing database --db (built without them)
# The module is installed without demo data; the data is then checked (benchmarks/build_data.py).
set -euo pipefail
here=$(dirname "$0")
source "$here/env.sh"
units=100000 db="" template="" seed=13 force=0 claims=""
while [ $# -gt 0 ]; do
    case "$1" in
        --units) units=$2; shift 2 ;;
        --db) db=$2; shift 2 ;;
        --template) template=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --force) force=1; shift ;;
        --no-claims) claims=--no-claims; shift ;;
        --claims-only) claims=--claims-only; shift ;;
        *) echo "ERROR: unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
    esac
done
db=${db:-storq_bench_$units}
require_odoo_tree
"$here/setup_venv.sh" >/dev/null
"$here/ensure_postgres.sh"
pg=(-h "$PGHOST" -p "$PGPORT" -U "$PGUSER")
odoo_args=(-- --addons-path="$(addons_path)" --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER" --log-level=warn)
if [ "$claims" = --claims-only ]; then
    echo "== adding the warranty claims and recalls to $db"
    cd "$PROJECT_ROOT"
    PYTHONPATH="$ODOO_PATH" "$ODOO_VENV/bin/python" benchmarks/build_data.py --database "$db" --seed "$seed" \
        --claims-only "${odoo_args[@]}"
    exit
fi
if psql "${pg[@]}" -lqt | cut -d'|' -f1 | grep -qw "$db"; then
    if [ "$force" != 1 ]; then
        echo "ERROR: database $db exists; choose another --db or add --force to rebuild it." >&2
        exit 1
    fi
    dropdb "${pg[@]}" "$db"
fi
create_module_db "$db" "$template"
echo "== writing $units units"
cd "$PROJECT_ROOT"
PYTHONPATH="$ODOO_PATH" "$ODOO_VENV/bin/python" benchmarks/build_data.py --database "$db" --units "$units" \
    --seed "$seed" ${claims:+"$claims"} "${odoo_args[@]}"
