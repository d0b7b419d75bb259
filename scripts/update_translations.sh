#!/usr/bin/env bash
# Regenerates i18n/account_stripe_connect.pot with Odoo's own export, then merges every
# i18n/*.po with it: new and changed terms untranslated (no fuzzy guesses: Odoo would load a
# fuzzy entry as a real translation), gone ones kept as obsolete entries at the end, which
# Odoo ignores. For maintainers, after changing a translatable string.
# Usage: scripts/update_translations.sh
# Needs Odoo 19 (scripts/setup.sh installs it) and gettext's msgmerge (apt-get install gettext).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/odoo_env.sh" || exit 1

if ! command -v msgmerge >/dev/null 2>&1; then
    echo "msgmerge not found: install gettext (sudo apt-get install gettext)." >&2
    exit 1
fi

I18N="$ASC_ROOT/i18n"
POT="$I18N/account_stripe_connect.pot"
DB="asc_i18n_$$"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/asc-i18n.XXXXXX")"
cleanup() { dropdb --if-exists "$DB" >/dev/null 2>&1; rm -rf "$ADDON_LINK_DIR" "$WORK"; }
trap cleanup EXIT

# `odoo i18n` reads the addons path from a configuration file only: the server's, with this
# addon's folder added.
"$ODOO_PY" - "$ODOO_RC" "$WORK/odoo.conf" "$ADDONS_PATH" <<'PY'
import configparser, sys
parser = configparser.RawConfigParser()
parser.read(sys.argv[1])
if not parser.has_section('options'):
    parser.add_section('options')
parser.set('options', 'addons_path', sys.argv[3])
with open(sys.argv[2], 'w') as conf:
    parser.write(conf)
PY

echo "Installing account_stripe_connect in the throwaway database $DB"
"${ODOO[@]}" -c "$WORK/odoo.conf" -d "$DB" -i account_stripe_connect --stop-after-init \
    --no-http --max-cron-threads=0 --log-level=warn >"$WORK/install.log" 2>&1 \
    || { tail -n 30 "$WORK/install.log" >&2; exit 1; }

echo "Exporting the terms to $POT"
"${ODOO[@]}" i18n export -c "$WORK/odoo.conf" -d "$DB" -o "$WORK/export.pot" \
    account_stripe_connect >"$WORK/export.log" 2>&1 \
    || { tail -n 30 "$WORK/export.log" >&2; exit 1; }
mkdir -p "$I18N"
cp "$WORK/export.pot" "$POT"

shopt -s nullglob
for po in "$I18N"/*.po; do
    echo "Merging $(basename "$po")"
    # Odoo's export wraps no lines; neither does the merge, so diffs stay readable.
    msgmerge --quiet --update --backup=none --no-wrap --no-fuzzy-matching "$po" "$POT"
    msgfmt --check-format --output-file=/dev/null --statistics "$po"
done
