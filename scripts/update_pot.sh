#!/usr/bin/env bash
# Regenerates storq_serials/i18n/storq_serials.pot from a database with the module installed.
# Usage: scripts/update_pot.sh [database, default storq_test]
set -euo pipefail
here=$(dirname "$0")
source "$here/env.sh"
db=${1:-storq_test}
"$here/odoo.sh" -d "$db" -u storq_serials --stop-after-init --log-level=warn
"$here/odoo.sh" -d "$db" --i18n-export="$PROJECT_ROOT/storq_serials/i18n/storq_serials.pot" \
    --modules=storq_serials --stop-after-init --log-level=warn
