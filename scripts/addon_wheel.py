"""Build backend of the addon's package: whool, with the wheel holding the addon only.

whool packs every file under git control and has no option to leave any out; this backend
lets whool build the wheel, then takes out of it the paths listed in pyproject.toml's
``[tool.addon_wheel] exclude`` (the Stripe emulator, the tests that need it, the scripts, the
docs and CI) and rewrites the wheel's RECORD to match. Everything else (metadata, sdist,
editable installs) is whool's own.
"""

import csv
import io
import os
import tempfile
import zipfile
from pathlib import Path

from whool import buildapi as _whool

try:
    import tomllib
except ImportError:  # Python < 3.11, where whool depends on tomli
    import tomli as tomllib

ADDON = 'account_stripe_connect'

build_sdist = _whool.build_sdist


class FolderNameError(Exception):
    """The folder is not named like the addon."""


def _check_folder_name():
    """Refuse to build from a folder not named like the addon: whool takes the package's name
    from the folder's, and Odoo finds an addon by its folder's name."""
    folder = Path.cwd()
    if folder.name != ADDON and not (folder / 'PKG-INFO').exists():
        raise FolderNameError(
            f"this folder is named {folder.name!r}: clone or copy it as {ADDON!r} "
            f"(the package and the addon take their name from the folder)"
        )


def _excluded():
    with open('pyproject.toml', 'rb') as handle:
        options = tomllib.load(handle).get('tool', {}).get('addon_wheel', {})
    return tuple(options.get('exclude', ()))


def _is_excluded(name, excluded):
    """Whether a wheel entry (``odoo/addons/<addon>/<path>``) is one of the excluded paths."""
    prefix = f'odoo/addons/{ADDON}/'
    if not name.startswith(prefix):
        return False
    path = name[len(prefix):]
    return any(path == item or (item.endswith('/') and path.startswith(item)) for item in excluded)


def _prune(wheel_path, excluded):
    """Rewrite the wheel without the excluded entries, and its RECORD without their lines."""
    with zipfile.ZipFile(wheel_path) as source:
        infos = [info for info in source.infolist() if not _is_excluded(info.filename, excluded)]
        record_name = next(
            info.filename for info in infos if info.filename.endswith('.dist-info/RECORD')
        )
        record = io.StringIO(newline='')
        writer = csv.writer(record, lineterminator='\n')
        for row in csv.reader(io.StringIO(source.read(record_name).decode())):
            if row and not _is_excluded(row[0], excluded):
                writer.writerow(row)
        handle, temporary = tempfile.mkstemp(dir=os.path.dirname(wheel_path), suffix='.whl')
        os.close(handle)
        with zipfile.ZipFile(temporary, 'w', zipfile.ZIP_DEFLATED) as target:
            for info in infos:
                if info.filename == record_name:
                    target.writestr(info, record.getvalue())
                else:
                    target.writestr(info, source.read(info.filename))
    os.replace(temporary, wheel_path)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    """Build the wheel with whool, then take the excluded paths out of it."""
    _check_folder_name()
    name = _whool.build_wheel(wheel_directory, config_settings, metadata_directory)
    _prune(os.path.join(wheel_directory, name), _excluded())
    return name


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """whool's editable wheel (a link to this folder), from a folder named like the addon."""
    _check_folder_name()
    return _whool.build_editable(wheel_directory, config_settings, metadata_directory)


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    """whool's metadata, from a folder named like the addon."""
    _check_folder_name()
    return _whool.prepare_metadata_for_build_wheel(metadata_directory, config_settings)


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel
