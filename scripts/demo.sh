#!/usr/bin/env bash
# The demo: Odoo 19 with the addon, the Stripe emulator as Stripe, a company ready to connect
# and a posted invoice. Resets the database (default asc_demo). Ctrl-C stops everything.
# Usage: scripts/demo.sh [--database NAME] [--port 8069] [--stripe-port 12111]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/odoo_env.sh"
trap 'rm -rf "$ADDON_LINK_DIR"' EXIT
"$ODOO_PY" -m pip install --quiet --disable-pip-version-check -r "$ASC_ROOT/requirements.txt"
"$ODOO_PY" "$ASC_ROOT/scripts/demo.py" --odoo "${ODOO[@]}" --config "$ODOO_RC" \
    --addons-path "$ADDONS_PATH" "$@"
