#!/usr/bin/env bash
# Installs storq_serials WITHOUT demo data into a fresh database and runs its tests with
# Odoo's own runner (--test-enable --test-tags /storq_serials).
# Odoo's Repair and Dropship (stock_dropshipping) apps are installed alongside: both stay optional
# for the module (not in its manifest's depends), and scripts/test.sh covers the paths without
# them, so this run covers the return wizard's repair orders and Odoo's real dropship flow and its
# returns and Bulk Serial Entry on a dropship — and fails if any of those tests was skipped.
set -euo pipefail
here=$(dirname "$0")
source "$here/env.sh"
require_odoo_tree
"$here/ensure_postgres.sh"
db=${STORQ_RUNNER_DB:-storq_runner}
repair_test=TestReturnWizard.test_repair_order_when_the_repair_app_is_installed
dropship_test=TestDropshipFlow.test_dropship_delivers_the_vendor_units_to_the_customer
dropship_return_test=TestDropshipReturn.test_dropship_units_come_back_into_stock_with_the_wizard
dropship_bulk_test=TestBulkEntryDropship.test_bulk_entry_on_a_dropship_delivers_the_vendor_units
claim_repair_test=TestWarrantyClaimResolution.test_repair_order_when_the_repair_app_is_installed
# STORQ_RUNNER_LOG=file keeps the runner's whole log there.
log=${STORQ_RUNNER_LOG:-$(mktemp)}
keep_log=${STORQ_RUNNER_LOG:+1}
trap 'dropdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" --if-exists "$db" >/dev/null 2>&1 || true; [ -n "$keep_log" ] || rm -f "$log"' EXIT
dropdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" --if-exists "$db"
echo "== installing storq_serials, repair and stock_dropshipping without demo data into $db and running storq_serials' tests with Odoo's runner"
"$here/odoo.sh" -d "$db" -i storq_serials,repair,stock_dropshipping --without-demo=all --test-enable --test-tags /storq_serials \
    --stop-after-init --http-port="${STORQ_RUNNER_HTTP_PORT:-8170}" --log-level=test 2>&1 | tee "$log" \
    | grep -E "(ERROR|FAIL|CRITICAL|Ran [0-9]+ tests|tests? .* (passed|failed)|odoo.tests.stats|skipped ($repair_test|$dropship_test|$dropship_return_test|$dropship_bulk_test|$claim_repair_test))" || true
# Odoo exits 0 even when tests fail: a failing test logs an ERROR line.
if grep -qE " (ERROR|CRITICAL) " "$log"; then
    echo "Odoo's runner reported errors (see above)" >&2
    exit 1
fi
grep -qE "odoo.tests.stats: storq_serials: [1-9][0-9]* tests" "$log" || {
    echo "Odoo's runner ran no storq_serials test" >&2
    exit 1
}
# The repair and dropship paths run only here: they must have run, not been skipped.
require_run() {  # require_run TEST APP
    if ! grep -q "Starting $1 " "$log" || grep -q "skipped $1 " "$log"; then
        echo "Odoo's runner did not run $1 (is the $2 app installed?)" >&2
        exit 1
    fi
    echo "== $1 ran with the $2 app installed"
}
require_run "$repair_test" Repair
require_run "$dropship_test" Dropship
require_run "$dropship_return_test" Dropship
require_run "$dropship_bulk_test" Dropship
require_run "$claim_repair_test" Repair
