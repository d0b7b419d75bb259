#!/usr/bin/env bash
# Runs the addon's Odoo test suite in a fresh database of the Odoo 19 found on this machine.
# Usage: scripts/run_odoo_tests.sh [LOGFILE] [TEST_TAGS]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/odoo_env.sh" || exit 1

LOG="${1:-$(mktemp "${TMPDIR:-/tmp}/asc-odoo-tests.XXXXXX.log")}"
TAGS="${2:-/account_stripe_connect}"
DB="asc_test_$$"

# Tours need Chromium; Odoo silently skips them without it, so make sure it is here.
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 \
        && ! command -v google-chrome >/dev/null 2>&1; then
    bash "$ASC_ROOT/scripts/setup.sh" --only chromium
fi

HTTP_PORT="$("$ODOO_PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cleanup() { dropdb --if-exists "$DB" >/dev/null 2>&1; rm -rf "$ADDON_LINK_DIR"; }
trap cleanup EXIT

echo "Odoo suite: database $DB, tags $TAGS, log $LOG"
"${ODOO[@]}" -c "$ODOO_RC" -d "$DB" --addons-path="$ADDONS_PATH" \
    -i account_stripe_connect --test-enable --test-tags "$TAGS" \
    --stop-after-init --http-interface=127.0.0.1 --http-port="$HTTP_PORT" \
    --log-level=info --max-cron-threads=0 >"$LOG" 2>&1
rc=$?

grep -E 'odoo\.tests\.result|FAIL:|ERROR:|Traceback|skipped .* : ' "$LOG" | tail -n 60

# The addon must also leave cleanly.
if [ "${ASC_SKIP_UNINSTALL:-}" != 1 ]; then
    "${ODOO[@]}" shell -c "$ODOO_RC" -d "$DB" --addons-path="$ADDONS_PATH" --no-http \
        --log-level=warn >"$LOG.uninstall" 2>&1 <<'PY'
module = env['ir.module.module'].search([('name', '=', 'account_stripe_connect')])
module.button_immediate_uninstall()
env.cr.commit()
print('UNINSTALL_STATE', module.state)
PY
    # Judged on what the addon and its removal log, not on Odoo's remarks about its own
    # environment (scripts/check_odoo_log.py says which lines are which).
    if grep -q 'UNINSTALL_STATE uninstalled' "$LOG.uninstall" \
            && "$ODOO_PY" "$ASC_ROOT/scripts/check_odoo_log.py" "$LOG.uninstall"; then
        echo "Uninstall: ok"
    else
        echo "FAILED: uninstall (see $LOG.uninstall)"
        tail -n 30 "$LOG.uninstall"
        rc=1
    fi
fi
if grep -qE ': skipped [^ ]+ : .*(Chrome|chrome|websocket-client)' "$LOG"; then
    echo "FAILED: a browser tour was skipped (Chromium or websocket-client missing)"
    rc=1
fi
if grep -qE ' (ERROR|CRITICAL) ' "$LOG"; then
    echo "FAILED: errors were logged (see $LOG)"
    rc=1
fi
exit $rc
