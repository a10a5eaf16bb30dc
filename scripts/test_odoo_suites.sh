#!/usr/bin/env bash
# Runs Odoo's own stock, sale_stock and purchase_stock test suites with storq_serials installed.
#
# pytest-odoo runs them on an installed database with the full registry loaded, so the module's
# overrides are active in every test (Odoo's runner would run the at_install tests before the
# module is loaded). Run that way, a few at_install tests fail on plain Odoo too, because other
# modules are installed: scripts/odoo_suites_plain_failures.txt lists them. Any other failure
# fails this script.
#
# Usage: scripts/test_odoo_suites.sh [--plain [--write-baseline]] [pytest options...]
#   --plain           run on plain Odoo (sale_stock, purchase_stock, barcodes_gs1_nomenclature)
#   --write-baseline  with --plain: rewrite the list of tests that fail on plain Odoo
#   STORQ_SUITES_DB   database name (default storq_suites), dropped at the end
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/env.sh"
require_odoo_tree
"$here/ensure_postgres.sh"

modules=storq_serials
write_baseline=0
if [ "${1:-}" = "--plain" ]; then
    modules=sale_stock,purchase_stock,barcodes_gs1_nomenclature
    shift
    if [ "${1:-}" = "--write-baseline" ]; then write_baseline=1; shift; fi
fi
db=${STORQ_SUITES_DB:-storq_suites}
baseline="$here/odoo_suites_plain_failures.txt"
workdir=$(mktemp -d)
trap 'dropdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" --if-exists "$db" >/dev/null 2>&1 || true; rm -rf "$workdir"' EXIT

write_test_config "$workdir/odoo.conf" "${STORQ_SUITES_HTTP_PORT:-8175}"

dropdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" --if-exists "$db"
echo "== installing $modules (with demo data, as Odoo's suites expect) into $db"
"$ODOO_VENV/bin/python" "$ODOO_PATH/odoo-bin" -c "$workdir/odoo.conf" -d "$db" -i "$modules" \
    --stop-after-init --log-level=warn

echo "== Odoo's stock, sale_stock and purchase_stock tests (about 20 minutes on 2 cores)"
set +e
(cd "$workdir" && PYTHONPATH="$ODOO_PATH" TZ=UTC "$ODOO_VENV/bin/python" -m pytest \
    -p no:cacheprovider --import-mode=importlib -q -rfE \
    --odoo-config="$workdir/odoo.conf" --odoo-database="$db" --odoo-addons-path="$(addons_path)" \
    --odoo-http --odoo-log-level=critical \
    "$ODOO_PATH/addons/stock/tests" "$ODOO_PATH/addons/sale_stock/tests" \
    "$ODOO_PATH/addons/purchase_stock/tests" "$@") | tee "$workdir/pytest.log"
status=${PIPESTATUS[0]}
set -e
grep -E "^(FAILED|ERROR) " "$workdir/pytest.log" | sed -E 's#^(FAILED|ERROR) .*addons/##; s# - .*##' \
    | sort -u > "$workdir/failures.txt" || true
# 0: all passed, 1: some failed (compared with the baseline below); anything else means the
# run was interrupted or broken, and an interrupted run proves nothing.
if [ "$status" -gt 1 ] || grep -q "KeyboardInterrupt" "$workdir/pytest.log"; then
    echo "The suites did not run to the end (pytest exit $status)." >&2
    exit 1
fi
passed=$(grep -oE "[0-9]+ passed" "$workdir/pytest.log" | tail -1 | cut -d' ' -f1 || true)
if [ "${passed:-0}" -lt "${STORQ_SUITES_MIN_PASSED:-900}" ]; then
    echo "Only ${passed:-0} tests passed: the suites did not all run." >&2
    exit 1
fi

if [ "$write_baseline" = 1 ]; then
    { grep '^#' "$baseline"; cat "$workdir/failures.txt"; } > "$workdir/baseline" && mv "$workdir/baseline" "$baseline"
    echo "wrote $(grep -vc '^#' "$baseline") known plain-Odoo failures to $baseline"
    exit 0
fi
new=$(grep -vxF -f <(grep -v '^#' "$baseline") "$workdir/failures.txt" || true)
if [ -n "$new" ]; then
    echo "FAILED: these Odoo tests fail with $modules but pass on plain Odoo:" >&2
    echo "$new" >&2
    exit 1
fi
echo "Odoo's suites: no failure beyond the $(grep -vc '^#' "$baseline") that plain Odoo has when run this way."
