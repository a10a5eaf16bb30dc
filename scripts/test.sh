#!/usr/bin/env bash
# Runs the storq_serials test suite with pytest-odoo on a freshly created database.
# Usage: scripts/test.sh [pytest options or test paths...]
#   STORQ_TEST_DB=name   database to (re)create (default storq_test)
#   STORQ_KEEP_DB=1      keep the database afterwards
#   STORQ_REUSE_DB=1     update the module in an existing database instead (faster, for development)
set -euo pipefail
here=$(dirname "$0")
source "$here/env.sh"
require_odoo_tree
"$here/setup_venv.sh"
"$here/ensure_postgres.sh"

db=${STORQ_TEST_DB:-storq_test}
workdir=$(mktemp -d)
conf="$workdir/odoo.conf"
write_test_config "$conf" "${STORQ_TEST_HTTP_PORT:-8169}"

cleanup() {
    if [ "${STORQ_KEEP_DB:-0}" != 1 ]; then
        dropdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" --if-exists "$db" >/dev/null 2>&1 || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT

if [ "${STORQ_REUSE_DB:-0}" = 1 ] && psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -lqt | cut -d'|' -f1 | grep -qw "$db"; then
    echo "== updating storq_serials in the existing database $db"
    "$ODOO_VENV/bin/python" "$ODOO_PATH/odoo-bin" -c "$conf" -d "$db" -u storq_serials \
        --stop-after-init --log-level=warn
else
    dropdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" --if-exists "$db"
    echo "== installing storq_serials (with demo data) into a fresh database $db"
    "$ODOO_VENV/bin/python" "$ODOO_PATH/odoo-bin" -c "$conf" -d "$db" -i storq_serials \
        --stop-after-init --log-level=warn
fi

echo "== running the storq_serials tests with pytest-odoo"
cd "$PROJECT_ROOT"
PYTHONPATH="$ODOO_PATH${PYTHONPATH:+:$PYTHONPATH}" "$ODOO_VENV/bin/python" -m pytest \
    -p no:cacheprovider --import-mode=importlib \
    --odoo-config="$conf" --odoo-database="$db" --odoo-addons-path="$(addons_path)" \
    --odoo-http --odoo-log-level=warn \
    "${@:-storq_serials/tests}"
