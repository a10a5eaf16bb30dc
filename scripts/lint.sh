#!/usr/bin/env bash
# Lints the addon: ruff (style and errors) and pylint-odoo's checks.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$PROJECT_ROOT"
echo "== ruff"
"$ODOO_VENV/bin/ruff" check storq_serials
echo "== pylint-odoo"
# stock.lot is extended in one file per concern (validation, unit record) on purpose.
PYTHONPATH="$ODOO_PATH" "$ODOO_VENV/bin/pylint" --rcfile=.pylintrc \
    --disable=consider-merging-classes-inherited storq_serials
