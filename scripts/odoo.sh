#!/usr/bin/env bash
# Runs odoo-bin from $ODOO_PATH in the project's virtualenv with the addon on the addons path.
# Usage: scripts/odoo.sh [odoo-bin options...]
set -euo pipefail
source "$(dirname "$0")/env.sh"
require_odoo_tree
subcommand=()
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
    subcommand=("$1")  # e.g. shell, scaffold: must come before the options
    shift
fi
exec "$ODOO_VENV/bin/python" "$ODOO_PATH/odoo-bin" "${subcommand[@]}" \
    --addons-path="$(addons_path)" \
    --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER" \
    "$@"
