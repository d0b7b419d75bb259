#!/usr/bin/env bash
# Takes the README's screenshots of the pay page (desktop and phone) into docs/screenshots/,
# from a run of the whole flow on a scratch database with the Stripe emulator.
# Usage: scripts/screenshots.sh [--database NAME] [--port PORT] [--out DIR]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/odoo_env.sh"
trap 'rm -rf "$ADDON_LINK_DIR"' EXIT
"$ODOO_PY" "$ASC_ROOT/scripts/screenshots.py" --odoo "${ODOO[@]}" --config "$ODOO_RC" \
    --addons-path "$ADDONS_PATH" "$@"
