# Sourced by the project's scripts: finds Odoo 19 and prepares an addons path with this addon.
# Sets ODOO (command array), ODOO_PY, ODOO_RC, ADDONS_PATH, ADDON_LINK_DIR. Starts PostgreSQL
# if it is down.

ASC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

source "$ASC_ROOT/scripts/find_odoo.sh"
if [ ${#ODOO[@]} -eq 0 ]; then
    echo "Odoo 19 was not found: put 'odoo' on PATH (or make 'python3 -m odoo' work)," \
        "or run scripts/setup.sh, which installs it." >&2
    return 1 2>/dev/null || exit 1
fi

# The addons path of the server's configuration file, plus a folder holding this addon under
# its technical name (the checkout's own folder may be named anything).
ODOO_RC="${ODOO_RC:-$HOME/.odoorc}"
_rc_addons="$("$ODOO_PY" - "$ODOO_RC" <<'PY'
import configparser, sys
parser = configparser.RawConfigParser()
parser.read(sys.argv[1])
print(parser.get('options', 'addons_path', fallback=''))
PY
)"
ADDON_LINK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/asc-addons.XXXXXX")"
ln -s "$ASC_ROOT" "$ADDON_LINK_DIR/account_stripe_connect"
ADDONS_PATH="${_rc_addons:+$_rc_addons,}$ADDON_LINK_DIR"

source "$ASC_ROOT/scripts/start_postgresql.sh"
