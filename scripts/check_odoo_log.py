"""Judge an Odoo log for what the addon did (installed, uninstalled), not for Odoo's remarks
about its own environment.

Usage: python3 scripts/check_odoo_log.py LOGFILE

Fails (exit 1, one line per problem) on:

- any ERROR or CRITICAL record, and any traceback, whatever the logger;
- WARNING records of the loggers that speak for the addon and for what installing or removing
  it does: the addon's own (``odoo.addons.account_stripe_connect``), Odoo's modules
  (``odoo.addons.*``: ``base`` drops the addon's models, fields, views, menus, access rules and
  data; the modules it extends clean up after it), the ORM and the registry (``odoo.models``,
  ``odoo.fields``, ``odoo.schema``, ``odoo.registry``, ``odoo.modules.loading``, ...) and Python
  warnings raised from the addon's own files.

Not judged, printed as such: WARNING records about Odoo's environment, which an addon can
neither cause nor fix:

- ``odoo.modules.module: addons path is not a directory``: an entry of Odoo's own addons path
  that it cannot list, such as the path hook of an editable install of Odoo
  (``__editable__.odoo-19.0.finder.__path_hook__``), logged at every registry load; the rest of
  that logger (manifests, versions, dependencies) is judged;
- ``odoo.tools.config``: options of the configuration file that Odoo skips;
- ``py.warnings`` raised from other code than the addon's (Odoo's, libraries');
- any other logger (the server, HTTP, the process).
"""

import re
import sys

ADDON = 'account_stripe_connect'
RECORD = re.compile(
    r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>[\w.]+): '
    r'(?P<message>.*)$'
)
JUDGED_PREFIXES = (
    'odoo.addons.',
    'odoo.modules.module',
    'odoo.models',
    'odoo.fields',
    'odoo.schema',
    'odoo.registry',
    'odoo.modules.loading',
    'odoo.modules.registry',
    'odoo.modules.migration',
    'odoo.orm',
    'odoo.api',
    'odoo.domains',
    'odoo.sql_db',
)
# (logger, message pattern or None for any): WARNING records about Odoo's environment.
NOT_JUDGED = (
    ('odoo.modules.module', re.compile(r'addons path is not a directory: '),
     "Odoo's own addons path"),
    ('odoo.tools.config', None, "Odoo's configuration file"),
)


def not_judged_why(logger, message):
    """Return why a WARNING record is not the addon's, or None when it is judged."""
    for name, pattern, why in NOT_JUDGED:
        if logger == name and (pattern is None or pattern.match(message)):
            return why
    if logger == 'py.warnings':
        return None if f'/{ADDON}/' in message else "a Python warning from outside the addon"
    if any(logger == prefix.rstrip('.') or logger.startswith(prefix) for prefix in JUDGED_PREFIXES):
        return None
    return "Odoo's environment"


def check(lines):
    """Return (problems, remarks): judged lines, and the WARNING lines not judged."""
    problems, remarks = [], []
    for raw in lines:
        line = raw.rstrip('\n')
        if line.startswith('Traceback (most recent call last)'):
            problems.append(line)
            continue
        record = RECORD.match(line)
        if not record:
            continue
        level, logger, message = record['level'], record['logger'], record['message']
        if level in ('ERROR', 'CRITICAL'):
            problems.append(line)
        elif level == 'WARNING':
            why = not_judged_why(logger, message)
            if why is None:
                problems.append(line)
            else:
                remarks.append(f"not judged ({why}): {logger}: {message}")
    return problems, remarks


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    if sys.argv[1] in ('-h', '--help'):
        print(__doc__)
        return
    with open(sys.argv[1], encoding='utf-8', errors='replace') as handle:
        problems, remarks = check(handle)
    for remark in dict.fromkeys(remarks):
        print(remark)
    for problem in problems:
        print(f"problem: {problem}")
    sys.exit(1 if problems else 0)


if __name__ == '__main__':
    main()
