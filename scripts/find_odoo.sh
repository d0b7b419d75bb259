# Sourced by the project's scripts: finds Odoo as an Odoo server's user would run it.
# Sets ODOO (the command, an array; empty when Odoo is absent) and ODOO_PY (the Python that
# runs it, where the addon's dependencies go).
#   1. `odoo` on the PATH;
#   2. ~/.local/bin/odoo, where scripts/setup.sh links it for a user other than root (Debian's
#      and Ubuntu's ~/.profile put ~/.local/bin on the PATH only from the next login on);
#   3. `python3 -m odoo`.

# asc_odoo_python ODOO_SCRIPT: prints the Python that runs this `odoo` script.
asc_odoo_python() {
    local script interp arg
    script="$(readlink -f "$1")"
    read -r interp arg _ < <(head -n1 "$script" | sed -n 's/^#![[:space:]]*//p') || true
    case "${interp:-}" in
        */env) command -v "${arg:-python3}" || true ;;
        # pip's launcher where the interpreter's path is too long for a #! line:
        # "#!/bin/sh", then "'''exec' "/path/to/python" "$0" "$@"".
        */sh) sed -n "2s/^'''exec' \"\\([^\"]*\\)\".*/\\1/p" "$script" ;;
        *) echo "${interp:-}" ;;
    esac
}

ODOO=()
ODOO_PY=""
_asc_odoo_bin="$(command -v odoo || true)"
if [ -z "$_asc_odoo_bin" ] && [ -x "$HOME/.local/bin/odoo" ]; then
    _asc_odoo_bin="$HOME/.local/bin/odoo"
fi
if [ -n "$_asc_odoo_bin" ]; then
    ODOO=("$_asc_odoo_bin")
    ODOO_PY="$(asc_odoo_python "$_asc_odoo_bin")"
    [ -n "$ODOO_PY" ] && [ -x "$ODOO_PY" ] || ODOO_PY="$(command -v python3 || true)"
elif python3 -c 'import odoo.release' 2>/dev/null; then
    ODOO_PY="$(command -v python3)"
    ODOO=("$ODOO_PY" -m odoo)
fi
unset _asc_odoo_bin
