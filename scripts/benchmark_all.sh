#!/usr/bin/env bash
# scripts/benchmark.sh --all: every benchmark on one database, then the report. See the usage
# at the top of scripts/benchmark.sh.
set -euo pipefail
# The whole script is one function, read before it runs: editing the file during a run is harmless.
main() {
    here=$(cd "$(dirname "$0")" && pwd)
    source "$here/env.sh"
    db=${STORQ_BENCH_DB:-storq_bench_100000} copy="" empty_db=storq_bench_empty bulk=0 sizes=1000
    only="" out="" doc=1 budget=150 bench_timeout=1200 hygiene_samples=1 deadline=""
    while [ $# -gt 0 ]; do
        case "$1" in
            --db) db=$2; shift 2 ;;
            --copy) copy=$2; shift 2 ;;
            --empty-db) empty_db=$2; shift 2 ;;
            --no-empty) empty_db=""; shift ;;
            --bulk) bulk=1; shift ;;
            --sizes) sizes=$2; shift 2 ;;
            --only) only=$2; shift 2 ;;
            --out) out=$2; shift 2 ;;
            --no-doc) doc=0; shift ;;
            --budget) budget=$2; shift 2 ;;
            --hygiene-samples) hygiene_samples=$2; shift 2 ;;
            --bench-timeout) bench_timeout=$2; shift 2 ;;
            --deadline) deadline=$(date -u -d "$2" +%s); shift 2 ;;
            *) echo "ERROR: unknown option $1 (see the usage at the top of scripts/benchmark.sh)" >&2; exit 2 ;;
        esac
    done
    require_odoo_tree
    "$here/setup_venv.sh" >/dev/null
    "$here/ensure_postgres.sh"
    pg=(-h "$PGHOST" -p "$PGPORT" -U "$PGUSER")
    exists() { psql "${pg[@]}" -lqt | cut -d'|' -f1 | grep -qw "$1"; }
    wanted() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }

    started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    load_start=$(cut -d' ' -f1-3 /proc/loadavg)
    if ! exists "$db"; then
        echo "ERROR: no database $db: build it first, e.g. scripts/benchmark_data.sh --units 100000" >&2
        exit 1
    fi
    source=$db
    if [ -n "$copy" ]; then
        if exists "$copy"; then
            echo "== $copy exists: measured as it is, after its update"
        else
            echo "== copying $db into $copy"
            # createdb -T fails while anyone is connected to the source: retry for a minute.
            for attempt in 1 2 3 4 5 6 7 8 9 10 11 12; do
                createdb "${pg[@]}" -T "$db" "$copy" && break
                [ "$attempt" = 12 ] && { echo "ERROR: could not copy $db" >&2; exit 1; }
                sleep 5
            done
        fi
        db=$copy
    fi
    out=${out:-$PROJECT_ROOT/benchmarks/results/$db}
    mkdir -p "$out"
    # --only adds to the run's results (the report keeps the last line of each case); else a new run.
    [ -z "$only" ] && rm -f "$out"/*.jsonl "$out"/*.log "$out/timings.txt" "$out/failed.txt"
    echo "== updating storq_serials in $db"
    "$here/odoo.sh" -d "$db" -u storq_serials --stop-after-init --log-level=warn
    if [ -n "$empty_db" ]; then
        if exists "$empty_db"; then
            echo "== updating storq_serials in $empty_db"
            "$here/odoo.sh" -d "$empty_db" -u storq_serials --stop-after-init --log-level=warn
        else
            echo "== installing storq_serials (without demo data) into $empty_db"
            "$here/odoo.sh" -d "$empty_db" -i storq_serials --without-demo=all --stop-after-init --log-level=warn
        fi
    fi
    prepared=$(date -u +%Y-%m-%dT%H:%M:%SZ)

    cd "$PROJECT_ROOT"
    odoo_args=(--addons-path="$(addons_path)" --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER"
               --log-level=warn)
    # run NAME DATABASE JSON SCRIPT [ARGS...]: one benchmark, its output to the terminal and its log;
    # a failure or a timeout is recorded and the next benchmark runs. A benchmark killed by the
    # timeout leaves no query behind: PostgreSQL checks every 5 s that its client is still there.
    run() {
        local name=$1 database=$2 json=$3 script=$4 start status limit=$bench_timeout
        shift 4
        if [ -n "$deadline" ]; then
            limit=$(( deadline - $(date +%s) ))
            if [ "$limit" -lt 60 ]; then
                echo "== $name: not run, the deadline is near"
                echo "$name (not run: deadline)" >> "$out/failed.txt"
                return
            fi
            [ "$limit" -gt "$bench_timeout" ] && limit=$bench_timeout
        fi
        echo "== $name on $database ($(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1 /proc/loadavg))"
        start=$(date +%s)
        set +e
        PGOPTIONS="-c client_connection_check_interval=5000" STORQ_BENCH_JSON="$out/$json" \
            PYTHONPATH="$ODOO_PATH" timeout "$limit" "$ODOO_VENV/bin/python" "benchmarks/$script" \
            --database "$database" "$@" -- "${odoo_args[@]}" 2>&1 | tee "$out/$name.log"
        status=${PIPESTATUS[0]}
        set -e
        echo "$name $(( $(date +%s) - start ))" >> "$out/timings.txt"
        if [ "$status" = 124 ]; then
            echo "$name (stopped after ${limit} s)" >> "$out/failed.txt"
            echo "!! $name stopped after ${limit} s: see $out/$name.log" >&2
        elif [ "$status" != 0 ]; then
            echo "$name" >> "$out/failed.txt"
            echo "!! $name failed (exit $status): see $out/$name.log" >&2
        fi
    }
    # Issue 13's targets first (scan, history, warranty, receipt and delivery, each of these followed
    # by the same case on the empty database, under the same machine load), then the others; the
    # hygiene report's rebuild, which reads every unit, last.
    newbench() {
        local bench=$1
        shift
        if [ -f "benchmarks/bench_$bench.py" ]; then
            run "$bench" "$db" results.jsonl "bench_$bench.py" "$@"
        else
            echo "== $bench: benchmarks/bench_$bench.py not there yet, skipped"
            echo "$bench (no script)" >> "$out/failed.txt"
        fi
    }
    if wanted scan; then newbench scan; fi
    if wanted history; then newbench history; fi
    if wanted warranty; then run warranty "$db" results.jsonl bench_warranty.py --lookups 200; fi
    if wanted receipt; then
        run receipt "$db" results.jsonl bench_receipt.py --sizes "$sizes" --budget "$budget"
        if [ -n "$empty_db" ]; then
            run receipt_empty "$empty_db" empty.jsonl bench_receipt.py --sizes "$sizes" --budget "$budget"
        fi
    fi
    if wanted delivery; then
        run delivery "$db" results.jsonl bench_delivery.py --sizes "$sizes" --budget "$budget"
        if [ -n "$empty_db" ]; then
            run delivery_empty "$empty_db" empty.jsonl bench_delivery.py --sizes "$sizes" --scan-max 0 \
                --budget "$budget"
        fi
    fi
    if wanted units; then run units "$db" results.jsonl bench_units.py --on-data; fi
    if wanted recall; then run recall "$db" results.jsonl bench_recall.py --size auto; fi
    # The report's rebuild reads every unit (a minute at 100,000 units): one measured run by default.
    if wanted hygiene; then newbench hygiene --samples "$hygiene_samples"; fi
    if [ "$bulk" = 1 ] && [ -n "$empty_db" ]; then
        run receipt_bulk "$empty_db" bulk.jsonl bench_receipt.py --sizes 10000 --warmup 0 --repeat 1
        run delivery_bulk "$empty_db" bulk.jsonl bench_delivery.py --sizes 10000 --warmup 0 --repeat 1 \
            --scan-max 0
    fi

    report=(--db "$db" --source "$source" --out "$out" --started "$started" --prepared "$prepared"
            --load-start "$load_start")
    [ -n "$empty_db" ] && report+=(--empty-db "$empty_db")
    [ "$doc" = 1 ] && report+=(--doc "$PROJECT_ROOT/docs/benchmarks.md")
    PYTHONPATH="$ODOO_PATH" "$ODOO_VENV/bin/python" benchmarks/report.py "${report[@]}"
    if [ -s "$out/failed.txt" ]; then
        echo "!! failed or missing: $(tr '\n' ' ' < "$out/failed.txt")" >&2
        exit 1
    fi
}
main "$@"; exit $?
