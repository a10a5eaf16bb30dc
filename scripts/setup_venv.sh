#!/usr/bin/env bash
# Creates or refreshes the virtualenv that runs Odoo 18 + storq_serials and its tests.
# Idempotent: does nothing when the requirement files have not changed since the last run.
set -euo pipefail
source "$(dirname "$0")/env.sh"
require_odoo_tree

stamp="$ODOO_VENV/.storq-requirements.sha"
want=$(cat "$ODOO_PATH/requirements.txt" "$PROJECT_ROOT/requirements-dev.txt" | sha256sum | cut -d' ' -f1)
# websocket-client too: without it Odoo skips every browser tour.
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$ODOO_VENV/bin/python" -c "import odoo, websocket" 2>/dev/null; then
    echo "virtualenv $ODOO_VENV is up to date"
    exit 0
fi

# System libraries Odoo's requirements compile against (python-ldap, psycopg2).
missing=""
for pkg in libldap2-dev libsasl2-dev libpq-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
    echo "installing system packages:$missing"
    # shellcheck disable=SC2086  # one word per package
    apt_install "Odoo's requirements compile against them" $missing || exit 1
fi

python_bin=$(command -v python3.11 || command -v python3)
[ -x "$ODOO_VENV/bin/python" ] || "$python_bin" -m venv "$ODOO_VENV"
pip="$ODOO_VENV/bin/pip"
"$pip" install -q --upgrade pip wheel
# cbor2==5.4.2 (pinned by Odoo) only builds with an old setuptools and setuptools_scm, without build isolation.
"$pip" install -q "setuptools<70" setuptools_scm
"$pip" install -q --no-build-isolation -r "$ODOO_PATH/requirements.txt"
"$pip" install -q -r "$PROJECT_ROOT/requirements-dev.txt"
# Odoo itself is imported from the source tree (PYTHONPATH), never installed into the venv.
echo "$ODOO_PATH" > "$("$ODOO_VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/odoo-source.pth"
echo "$want" > "$stamp"
echo "virtualenv $ODOO_VENV ready"
