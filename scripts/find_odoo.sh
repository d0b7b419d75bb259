# Sourced by the project's scripts: finds Odoo as an Odoo server's user would run it.
# Sets ODOO (the command, an array; empty when Odoo is absent) and ODOO_PY (the Python that
# runs it, where the addon's dependencies go).
#   1. `odoo` on the PATH;
#   2. ~/.local/bin/odoo, where scripts/setup.sh links it for a user other than root (Debian's
#      and Ubuntu's ~/.profile put ~/.local/bin on the PATH only from the next login on);
#   3. `python3 -m odoo`.

ODOO=()
ODOO_PY=""
_asc_odoo_bin="$(command -v odoo || true)"
if [ -z "$_asc_odoo_bin" ] && [ -x "$HOME/.local/bin/odoo" ]; then
    _asc_odoo_bin="$HOME/.local/bin/odoo"
fi
if [ -n "$_asc_odoo_bin" ]; then
    ODOO=("$_asc_odoo_bin")
    # The interpreter of its first line: "#!/venv/bin/python3" or "#!/usr/bin/env python3".
    read -r _asc_interp _asc_arg _ < <(head -n1 "$(readlink -f "$_asc_odoo_bin")" \
        | sed -n 's/^#![[:space:]]*//p') || true
    case "${_asc_interp:-}" in
        */env) ODOO_PY="$(command -v "${_asc_arg:-python3}" || true)" ;;
        *) ODOO_PY="${_asc_interp:-}" ;;
    esac
    [ -n "$ODOO_PY" ] && [ -x "$ODOO_PY" ] || ODOO_PY="$(command -v python3 || true)"
elif python3 -c 'import odoo.release' 2>/dev/null; then
    ODOO_PY="$(command -v python3)"
    ODOO=("$ODOO_PY" -m odoo)
fi
unset _asc_odoo_bin _asc_interp _asc_arg
