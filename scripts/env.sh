# Shared settings for the project's scripts (sourced, not run).
# ODOO_PATH: an Odoo 18.0 Community source tree (odoo-bin, odoo/, addons/).
# ODOO_VENV: the virtualenv that runs it.
ODOO_PATH=${ODOO_PATH:-/opt/odoo-18.0}
ODOO_VENV=${ODOO_VENV:-/opt/odoo-18.0-venv}
PROJECT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-odoo}
export ODOO_PATH ODOO_VENV PROJECT_ROOT PGHOST PGPORT PGUSER

require_odoo_tree() {
    if [ ! -x "$ODOO_PATH/odoo-bin" ] || [ ! -f "$ODOO_PATH/odoo/release.py" ]; then
        echo "ERROR: no Odoo 18.0 source tree at ODOO_PATH=$ODOO_PATH." >&2
        echo "       Put an Odoo 18.0 Community checkout there (or set ODOO_PATH); see README.md." >&2
        return 1
    fi
    if ! grep -q "^version_info = (18, 0" "$ODOO_PATH/odoo/release.py"; then
        echo "ERROR: $ODOO_PATH is not Odoo 18.0 ($(grep '^version_info' "$ODOO_PATH/odoo/release.py"))." >&2
        return 1
    fi
}

addons_path() {
    echo "$ODOO_PATH/odoo/addons,$ODOO_PATH/addons,$PROJECT_ROOT"
}

# Writes an Odoo configuration file for test runs: write_test_config FILE HTTP_PORT
write_test_config() {
    cat > "$1" <<CONF
[options]
addons_path = $(addons_path)
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
db_password = False
http_interface = 127.0.0.1
http_port = $2
test_enable = True
CONF
}
