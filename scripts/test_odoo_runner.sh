#!/usr/bin/env bash
# Installs storq_serials WITHOUT demo data into a fresh database and runs its tests with
# Odoo's own runner (--test-enable --test-tags /storq_serials).
set -euo pipefail
here=$(dirname "$0")
source "$here/env.sh"
require_odoo_tree
"$here/ensure_postgres.sh"
db=${STORQ_RUNNER_DB:-storq_runner}
log=$(mktemp)
trap 'dropdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" --if-exists "$db" >/dev/null 2>&1 || true; rm -f "$log"' EXIT
dropdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" --if-exists "$db"
echo "== installing storq_serials without demo data into $db and running its tests with Odoo's runner"
"$here/odoo.sh" -d "$db" -i storq_serials --without-demo=all --test-enable --test-tags /storq_serials \
    --stop-after-init --http-port="${STORQ_RUNNER_HTTP_PORT:-8170}" --log-level=test 2>&1 | tee "$log" \
    | grep -E "(ERROR|FAIL|CRITICAL|Ran [0-9]+ tests|tests? .* (passed|failed)|odoo.tests.stats)" || true
# Odoo exits 0 even when tests fail: a failing test logs an ERROR line.
if grep -qE " (ERROR|CRITICAL) " "$log"; then
    echo "Odoo's runner reported errors (see above)" >&2
    exit 1
fi
grep -qE "odoo.tests.stats: storq_serials: [1-9][0-9]* tests" "$log" || {
    echo "Odoo's runner ran no storq_serials test" >&2
    exit 1
}
