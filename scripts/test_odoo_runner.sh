#!/usr/bin/env bash
# Installs storq_serials WITHOUT demo data into a fresh database and runs its tests with
# Odoo's own runner (--test-enable --test-tags /storq_serials).
# Odoo's Repair app is installed alongside: repair stays optional for the module (not in its
# manifest's depends), and scripts/test.sh covers the path without it, so this run covers the
# return wizard's repair orders — and fails if that test was skipped.
set -euo pipefail
here=$(dirname "$0")
source "$here/env.sh"
require_odoo_tree
"$here/ensure_postgres.sh"
db=${STORQ_RUNNER_DB:-storq_runner}
repair_test=TestReturnWizard.test_repair_order_when_the_repair_app_is_installed
# STORQ_RUNNER_LOG=file keeps the runner's whole log there.
log=${STORQ_RUNNER_LOG:-$(mktemp)}
keep_log=${STORQ_RUNNER_LOG:+1}
trap 'dropdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" --if-exists "$db" >/dev/null 2>&1 || true; [ -n "$keep_log" ] || rm -f "$log"' EXIT
dropdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" --if-exists "$db"
echo "== installing storq_serials and repair without demo data into $db and running storq_serials' tests with Odoo's runner"
"$here/odoo.sh" -d "$db" -i storq_serials,repair --without-demo=all --test-enable --test-tags /storq_serials \
    --stop-after-init --http-port="${STORQ_RUNNER_HTTP_PORT:-8170}" --log-level=test 2>&1 | tee "$log" \
    | grep -E "(ERROR|FAIL|CRITICAL|Ran [0-9]+ tests|tests? .* (passed|failed)|odoo.tests.stats|skipped $repair_test)" || true
# Odoo exits 0 even when tests fail: a failing test logs an ERROR line.
if grep -qE " (ERROR|CRITICAL) " "$log"; then
    echo "Odoo's runner reported errors (see above)" >&2
    exit 1
fi
grep -qE "odoo.tests.stats: storq_serials: [1-9][0-9]* tests" "$log" || {
    echo "Odoo's runner ran no storq_serials test" >&2
    exit 1
}
# The repair path runs only here: it must have run, not been skipped.
if ! grep -q "Starting $repair_test " "$log" || grep -q "skipped $repair_test " "$log"; then
    echo "Odoo's runner did not run $repair_test (is the Repair app installed?)" >&2
    exit 1
fi
echo "== $repair_test ran with the Repair app installed"
