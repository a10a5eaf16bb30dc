#!/usr/bin/env bash
# JSON-RPC load test of the scan (issue 13, "Load"): scanner clients against Odoo with workers.
# Usage: scripts/load_test.sh [--clients 20] [--scans 50] [--pairs 2] [--workers 4] [--port 8283]
#                             [--db storq_load] [--template NAME] [--think SECONDS]
#   --clients   scanner clients with their own transfer (half receipts, half deliveries)
#   --scans     serials each client scans (plus its product barcode and a repeat every tenth)
#   --pairs     race pairs of each kind: two deliveries scanning the same units, two receipts
#               receiving the same new serials (4 extra clients per pair)
#   --template  copy this database (storq_serials installed) instead of installing the module
#               (without demo data); the copy is then updated (-u storq_serials)
#   --think     seconds between a client's scans (default 0: back to back)
# Drops and re-creates --db, prepares the data and users, starts Odoo with --workers on --port
# (gevent port + 1), runs the load, stops Odoo, checks the invariants and prints the report.
# Exit status: non-zero on an invariant violation or a server error. Not part of CI (minutes).
set -euo pipefail
here=$(dirname "$0")
source "$here/env.sh"
clients=20 scans=50 pairs=2 workers=4 port=8283 db=storq_load template="" think=0
while [ $# -gt 0 ]; do
    case "$1" in
        --clients) clients=$2; shift 2 ;;
        --scans) scans=$2; shift 2 ;;
        --pairs) pairs=$2; shift 2 ;;
        --workers) workers=$2; shift 2 ;;
        --port) port=$2; shift 2 ;;
        --db) db=$2; shift 2 ;;
        --template) template=$2; shift 2 ;;
        --think) think=$2; shift 2 ;;
        *) echo "ERROR: unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
    esac
done
require_odoo_tree
"$here/ensure_postgres.sh"
pg=(-h "$PGHOST" -p "$PGPORT" -U "$PGUSER")
python=("$ODOO_VENV/bin/python")
work=$(mktemp -d "${TMPDIR:-/tmp}/storq_load.XXXXXX")
odoo_args=(--addons-path="$(addons_path)" --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER")
dropdb "${pg[@]}" --if-exists "$db"
create_module_db "$db" "$template"
cd "$PROJECT_ROOT"
echo "== preparing $clients clients x $scans scans, $pairs race pairs of each kind"
PYTHONPATH="$ODOO_PATH" "${python[@]}" benchmarks/load_scan.py prepare --database "$db" \
    --plan "$work/plan.json" --clients "$clients" --scans "$scans" --pairs "$pairs" \
    -- "${odoo_args[@]}" --log-level=warn
echo "== starting Odoo: --workers $workers on port $port (log: $work/odoo.log)"
# benchmarks/load_odoo.py: odoo-bin without the long-polling process (see its docstring).
PYTHONPATH="$ODOO_PATH" "${python[@]}" benchmarks/load_odoo.py "${odoo_args[@]}" \
    -d "$db" --db-filter="^$db\$" --no-database-list --workers "$workers" \
    --max-cron-threads 0 --http-port "$port" --gevent-port "$((port + 1))" --http-interface 127.0.0.1 \
    --log-level=warn --logfile "$work/odoo.log" &
odoo_pid=$!
stop_odoo() { kill "$odoo_pid" 2>/dev/null && wait "$odoo_pid" 2>/dev/null || true; }
trap stop_odoo EXIT
for _ in $(seq 120); do
    curl -sf "http://127.0.0.1:$port/web/health" >/dev/null && break
    sleep 1
done
curl -sf "http://127.0.0.1:$port/web/health" >/dev/null || { echo "ERROR: Odoo did not start, see $work/odoo.log" >&2; exit 1; }
echo "== running the load"
"${python[@]}" benchmarks/load_scan.py run --url "http://127.0.0.1:$port" --database "$db" \
    --plan "$work/plan.json" --results "$work/results.json" --think "$think"
stop_odoo
trap - EXIT
pgv=$(psql "${pg[@]}" -d "$db" -Atc "SHOW server_version")
deployment="Odoo 18.0 --workers $workers (max-cron-threads 0), PostgreSQL $pgv on the same host, $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB RAM; load $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "== checking (outcomes: $work/results.json; server errors in the log: $(grep -c ' ERROR ' "$work/odoo.log" || true))"
"${python[@]}" benchmarks/load_scan.py check --dsn "dbname=$db host=$PGHOST port=$PGPORT user=$PGUSER" \
    --plan "$work/plan.json" --results "$work/results.json" --deployment "$deployment" \
    --odoo-log "$work/odoo.log"
