#!/usr/bin/env bash
# Benchmarks storq_serials against plain Odoo in the same run on the same database.
# Usage: scripts/benchmark.sh [--receipt | --delivery | --units | --recall] [sizes, default 100,1000,10000]
#   without a flag, the receipt and delivery benchmarks run (receipts, then deliveries)
#   --units: Generate Serials of 1,000 serials, and one unit's creation among 100 and 1,000,000
#            units of its product (sizes: the existing units, default 100,1000000)
#   --recall: recall preview and confirmation of a range of N units (size, default 100000) against
#            plain Odoo's lot and delivery search, on a database of scripts/benchmark_data.sh
#            (STORQ_BENCH_DB, default storq_bench_1000000; never created here)
#   --recall-notify: confirm a range of N units (default 100000) as above, then notify its
#            customers through the cron batches (time per batch, largest transaction, mails)
#   --warranty: warranty lookup of N random serials (default 200) against plain Odoo's lot search
#            and last delivery, on the same database as --recall (its units' warranty fields are
#            filled by the builder, or by benchmarks/build_data.py --warranty-only)
#   STORQ_BENCH_DB=name   database (created with the module, without demo data, if missing)
#
# scripts/benchmark.sh --all [--db NAME] [--copy NAME] [--empty-db NAME | --no-empty] [--bulk]
#                            [--sizes 1000] [--only b1,b2] [--out DIR] [--no-doc]
#   every benchmark on one database (default $STORQ_BENCH_DB, else storq_bench_100000), writing
#   their JSON lines (benchmarks/bench_common.emit) and the generated section of
#   docs/benchmarks.md for the database's size (benchmarks/report.py): receipt and delivery of
#   1,000 serials (median of 5 warm runs; on the database's product with the most units, and the
#   same on an empty database for the "<= 20 % slower" target), Generate Serials and one unit's
#   creation, single scan check, unit history, hygiene report, warranty lookup, recall
#   preview/confirmation of a tenth of the units; plain Odoo beside each where it has a path.
#   --db NAME       the database measured; it is updated to this tree's module first (-u), so
#                   give --copy for a shared one: it is never written otherwise (runs roll back)
#   --copy NAME     copy --db into NAME (createdb -T; kept if it exists) and measure the copy
#   --empty-db NAME the empty database of the comparison (default storq_bench_empty: installed
#                   without demo data when missing); --no-empty skips the comparison
#   --bulk          also 10,000 serials received and delivered once, on the empty database
#   --only LIST     only these benches (receipt,delivery,units,scan,history,hygiene,warranty,recall)
#   --out DIR       where the JSON lines and logs go (default benchmarks/results/<database>)
#   --no-doc        do not write docs/benchmarks.md (benchmarks/report.py can do it later)
#   --budget S      receipt and delivery: no further run of a flow starts after S seconds (150)
#   --bench-timeout S  a benchmark still running after S seconds is stopped (1200) and reported
#   --deadline TIME a benchmark that would end after TIME (e.g. 16:40, UTC) is stopped or not
#                   started, so that the report is written by then
#   --hygiene-samples N  measured rebuilds of the hygiene report, after one warm-up (default 1:
#                   a rebuild reads every unit)
set -euo pipefail
here=$(dirname "$0")
source "$here/env.sh"
if [ "${1:-}" = --all ]; then
    exec "$here/benchmark_all.sh" "${@:2}"
fi
benches=(receipt delivery)
recall_options=()
case "${1:-}" in
    --receipt) benches=(receipt); shift ;;
    --delivery) benches=(delivery); shift ;;
    --units) benches=(units); shift ;;
    --recall) benches=(recall); shift ;;
    --recall-notify) benches=(recall); recall_options=(--confirm-only --notify); shift ;;
    --warranty) benches=(warranty); shift ;;
esac
require_odoo_tree
"$here/setup_venv.sh" >/dev/null
"$here/ensure_postgres.sh"
db=${STORQ_BENCH_DB:-storq_bench}
if [ "${benches[*]}" = recall ] || [ "${benches[*]}" = warranty ]; then
    db=${STORQ_BENCH_DB:-storq_bench_1000000}
    if ! psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -lqt | cut -d'|' -f1 | grep -qw "$db"; then
        echo "ERROR: no database $db: build it first, e.g. scripts/benchmark_data.sh --units 1000000" >&2
        exit 1
    fi
fi
sizes=${1:-100,1000,10000}
[ "${benches[*]}" = units ] && sizes=${1:-100,1000000}
[ "${benches[*]}" = recall ] && sizes=${1:-100000}
[ "${benches[*]}" = warranty ] && sizes=${1:-200}
if psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -lqt | cut -d'|' -f1 | grep -qw "$db"; then
    "$here/odoo.sh" -d "$db" -u storq_serials --stop-after-init --log-level=warn
else
    "$here/odoo.sh" -d "$db" -i storq_serials --without-demo=all --stop-after-init --log-level=warn
fi
cd "$PROJECT_ROOT"
for bench in "${benches[@]}"; do
    echo "== $bench"
    size_option=(--sizes "$sizes")
    [ "$bench" = units ] && size_option=(--existing "$sizes")
    [ "$bench" = recall ] && size_option=(--size "$sizes" "${recall_options[@]}")
    [ "$bench" = warranty ] && size_option=(--lookups "$sizes")
    PYTHONPATH="$ODOO_PATH" "$ODOO_VENV/bin/python" "benchmarks/bench_$bench.py" --database "$db" "${size_option[@]}" -- \
        --addons-path="$(addons_path)" --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER" --log-level=warn
done
