"""Check the addon's built wheel: the addon and only the addon, with its dependencies.

Usage: python3 scripts/check_wheel.py WHEEL SOURCE_FOLDER

SOURCE_FOLDER holds the files the wheel was built from (the git-tracked files). The wheel must
hold exactly those files under odoo/addons/account_stripe_connect/, less what is not the addon
(listed below, independently of pyproject.toml's exclude list); every file the manifest loads
(data, assets) must be in it; its metadata must name the package and pin stripe.
"""

import ast
import csv
import fnmatch
import io
import os
import sys
import zipfile

ADDON = 'account_stripe_connect'
PREFIX = f'odoo/addons/{ADDON}/'
# Not the addon: the emulator and the tests that run against it, the scripts, docs
# (screenshots included), CI and development files. pyproject.toml is dropped by whool.
NOT_SHIPPED_FOLDERS = ('.ci/', 'docs/', 'scripts/', 'stripe_emulator/', 'tests/')
NOT_SHIPPED_FILES = ('.gitignore', '.pylintrc-mandatory', 'pyproject.toml',
                     'requirements.txt', 'requirements-test.txt')
REQUIRED_DEPENDENCIES = {'odoo==19.0.*', 'qrcode', 'stripe<17,>=16.1'}


def _normalized(requirement):
    """'stripe>=16.1,<17' and 'stripe<17,>=16.1' alike: name plus sorted specifiers."""
    for index, char in enumerate(requirement):
        if char in '<>=!~':
            name, specifiers = requirement[:index], requirement[index:]
            return name.strip() + ','.join(sorted(s.strip() for s in specifiers.split(',')))
    return requirement.strip()


def source_files(folder):
    files = set()
    for directory, subdirs, names in os.walk(folder):
        subdirs[:] = [d for d in subdirs if d not in ('__pycache__', '.git')]
        for name in names:
            if not name.endswith(('.pyc', '.pyo')):
                files.add(os.path.relpath(os.path.join(directory, name), folder))
    return files


def shipped(path):
    return not (path.startswith(NOT_SHIPPED_FOLDERS) or path in NOT_SHIPPED_FILES)


def check(wheel_path, folder):
    """Return the list of problems (empty when the wheel is right) and the addon's files."""
    problems = []
    with zipfile.ZipFile(wheel_path) as wheel:
        names = wheel.namelist()
        metadata_name = next((n for n in names if n.endswith('.dist-info/METADATA')), None)
        record_name = next((n for n in names if n.endswith('.dist-info/RECORD')), None)
        metadata = wheel.read(metadata_name).decode() if metadata_name else ''
        record = wheel.read(record_name).decode() if record_name else ''
    addon = {n[len(PREFIX):] for n in names if n.startswith(PREFIX)}
    others = [n for n in names if not n.startswith(PREFIX) and '.dist-info/' not in n]

    expected = {path for path in source_files(folder) if shipped(path)}
    for path in sorted(addon - expected):
        problems.append(f"in the wheel, not the addon's: {path}")
    for path in sorted(expected - addon):
        problems.append(f"missing from the wheel: {path}")
    problems += [f"outside the addon's folder: {name}" for name in others]

    # What the manifest loads.
    with open(os.path.join(folder, '__manifest__.py'), encoding='utf-8') as handle:
        manifest = ast.literal_eval(handle.read())
    for path in manifest.get('data', []) + manifest.get('demo', []):
        if path not in addon:
            problems.append(f"the manifest loads {path}, which is not in the wheel")
    for bundle, globs in manifest.get('assets', {}).items():
        for pattern in globs:
            if isinstance(pattern, str) and pattern.startswith(f'{ADDON}/'):
                own = pattern[len(ADDON) + 1:].replace('**/', '')
                if not any(fnmatch.fnmatch(path, own) for path in addon):
                    problems.append(f"asset {pattern} of {bundle} matches nothing in the wheel")
    for required in ('__init__.py', '__manifest__.py'):
        if required not in addon:
            problems.append(f"missing from the wheel: {required}")

    # The metadata: name and dependencies; the RECORD lists exactly the wheel's files.
    fields = [line.split(': ', 1) for line in metadata.split('\n\n', 1)[0].splitlines()]
    name = next((value for key, value in fields if key == 'Name'), None)
    if name != f'odoo-addon-{ADDON}':
        problems.append(f"package name {name!r}, not 'odoo-addon-{ADDON}'")
    requires = {_normalized(value) for key, value in fields if key == 'Requires-Dist'}
    for dependency in sorted(REQUIRED_DEPENDENCIES):
        if _normalized(dependency) not in requires:
            problems.append(f"dependency {dependency} missing (Requires-Dist: {sorted(requires)})")
    recorded = {row[0] for row in csv.reader(io.StringIO(record)) if row}
    if recorded != set(names):
        problems.append(f"RECORD does not list the wheel's files: {sorted(recorded ^ set(names))}")
    return problems, addon


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    problems, addon = check(sys.argv[1], sys.argv[2])
    folders = sorted({path.split('/')[0] + ('/' if '/' in path else '') for path in addon})
    print(f"{os.path.basename(sys.argv[1])}: {len(addon)} files of the addon: {' '.join(folders)}")
    for problem in problems:
        print(f"problem: {problem}")
    sys.exit(1 if problems else 0)


if __name__ == '__main__':
    main()
