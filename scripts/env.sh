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
        echo "       Get one with a shallow clone of Odoo's 18.0 branch (or set ODOO_PATH to yours):" >&2
        echo "         git clone --depth 1 --branch 18.0 https://github.com/odoo/odoo.git \"$ODOO_PATH\"" >&2
        echo "       See README.md, \"Without Docker\"." >&2
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

# Installs Debian packages as root, failing at once with a clear message when apt cannot (it is
# locked by another apt/dpkg process for longer than STORQ_APT_LOCK_WAIT seconds, default 300, or
# the package cannot be found), rather than letting a later step fail on a missing header.
# Usage: apt_install WHY PACKAGE...
apt_install() {
    local why=$1; shift
    if [ "$(id -u)" != 0 ]; then
        echo "ERROR: missing system packages $* ($why); install them as root: apt-get install -y $*" >&2
        return 1
    fi
    local wait=${STORQ_APT_LOCK_WAIT:-300} waited=0
    local lock_opts=(-o "DPkg::Lock::Timeout=$wait")
    # apt-get update takes the lists lock, which DPkg::Lock::Timeout does not wait for: retry.
    until apt-get update -qq "${lock_opts[@]}"; do
        if [ "$waited" -ge "$wait" ]; then
            echo "ERROR: 'apt-get update' failed (is another apt or dpkg process holding its lock?" >&2
            echo "       waited ${waited}s). Needed: $* ($why). Retry when apt is free." >&2
            return 1
        fi
        echo "apt-get update failed, retrying in 10 s (another apt process may hold the lock)" >&2
        sleep 10; waited=$((waited + 10))
    done
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${lock_opts[@]}" "$@"; then
        echo "ERROR: 'apt-get install $*' failed ($why). See apt's message above." >&2
        return 1
    fi
}

# Makes database DB with storq_serials: a copy of TEMPLATE (a database with the module
# installed), updated to this tree's module, or, without TEMPLATE, a fresh install without demo
# data. DB must not exist. Usage: create_module_db DB [TEMPLATE]
create_module_db() {
    local db=$1 template=${2:-}
    local here pg=(-h "$PGHOST" -p "$PGPORT" -U "$PGUSER")
    here="$PROJECT_ROOT/scripts"
    if [ -n "$template" ]; then
        echo "== copying $template into $db"
        createdb "${pg[@]}" -T "$template" "$db"
        "$here/odoo.sh" -d "$db" -u storq_serials --stop-after-init --log-level=warn
    else
        echo "== installing storq_serials (without demo data) into $db"
        "$here/odoo.sh" -d "$db" -i storq_serials --without-demo=all --stop-after-init --log-level=warn
    fi
}
