# Sourced by the project's scripts: finds Odoo 19 and prepares an addons path with this addon.
# Sets ODOO (command array), ODOO_PY, ADDONS_PATH, ADDON_LINK_DIR. Starts PostgreSQL if down.

ASC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if command -v odoo >/dev/null 2>&1; then
    ODOO=("$(command -v odoo)")
    _shebang="$(head -n1 "$(readlink -f "${ODOO[0]}")")"
    ODOO_PY="${_shebang#\#!}"; ODOO_PY="${ODOO_PY%% *}"
    [ -x "$ODOO_PY" ] || ODOO_PY="$(command -v python3)"
elif python3 -c 'import odoo' 2>/dev/null; then
    ODOO_PY="$(command -v python3)"
    ODOO=("$ODOO_PY" -m odoo)
else
    echo "Odoo 19 was not found: put 'odoo' on PATH (or make 'python3 -m odoo' work)." >&2
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

# PostgreSQL, started when it is down (Debian's cluster tools).
if ! pg_isready -q 2>/dev/null; then
    if command -v pg_ctlcluster >/dev/null 2>&1; then
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start \
            || echo "Could not start PostgreSQL" >&2
        for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
    fi
fi
