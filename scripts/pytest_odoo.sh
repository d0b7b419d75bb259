#!/usr/bin/env bash
# Runs the addon's Odoo tests with pytest-odoo against an existing database (quick local runs;
# CI uses run_odoo_tests.sh on a fresh database). A database that does not exist yet is
# created with the addon installed; an existing one must have the addon installed.
# Usage: scripts/pytest_odoo.sh DATABASE [pytest arguments...]
set -euo pipefail
DB="${1:?usage: scripts/pytest_odoo.sh DATABASE [pytest arguments...]}"
shift
source "$(dirname "${BASH_SOURCE[0]}")/odoo_env.sh"
trap 'rm -rf "$ADDON_LINK_DIR"' EXIT
"$ODOO_PY" -m pip install --quiet --disable-pip-version-check pytest-odoo
if ! psql -Atqc "SELECT 1 FROM pg_database WHERE datname = '$DB'" postgres | grep -q 1; then
    echo "Creating database $DB with account_stripe_connect installed"
    "${ODOO[@]}" server -c "$ODOO_RC" -d "$DB" --addons-path="$ADDONS_PATH" \
        -i account_stripe_connect --stop-after-init --log-level=warn
fi
RC_FILE="$(mktemp "${TMPDIR:-/tmp}/asc-odoorc.XXXXXX")"
trap 'rm -rf "$ADDON_LINK_DIR" "$RC_FILE"' EXIT
"$ODOO_PY" - "$ODOO_RC" "$RC_FILE" "$ADDONS_PATH" <<'PY'
import configparser, sys
source, target, addons_path = sys.argv[1:]
parser = configparser.RawConfigParser()
parser.read(source)
if not parser.has_section('options'):
    parser.add_section('options')
parser.set('options', 'addons_path', addons_path)
with open(target, 'w') as handle:
    parser.write(handle)
PY
cd "$ADDON_LINK_DIR"
"$ODOO_PY" -m pytest -p no:cacheprovider --odoo-database="$DB" --odoo-config="$RC_FILE" --odoo-http \
    account_stripe_connect/tests "$@"
