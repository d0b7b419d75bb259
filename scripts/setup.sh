#!/usr/bin/env bash
# From a fresh Debian or Ubuntu machine to one that runs this addon's demo and tests. It installs
# what is missing, and only that, and says what it did; a second run changes nothing.
#
#   postgresql   PostgreSQL, started, and a role for you (peer login, can create databases)
#   odoo         Odoo 19 in a virtualenv, built from Odoo's official source (a shallow clone of
#                https://github.com/odoo/odoo, branch 19.0, or a local copy with --odoo-src),
#                with Odoo's Python requirements, and the `odoo` command on the PATH
#   requirements the addon's Python requirements, in the Python that runs `odoo`
#   config       an Odoo configuration file ($ODOO_RC, default ~/.odoorc) with the addons path
#   wkhtmltopdf  for PDF invoices, from the distribution's package
#   chromium     Chromium and its driver, for the browser tests
#
# Usage: bash scripts/setup.sh [options]     (bash scripts/setup.sh --help)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/find_odoo.sh
source "$ROOT/scripts/find_odoo.sh"  # for asc_odoo_python
ODOO_GIT_URL="https://github.com/odoo/odoo.git"
ODOO_BRANCH="19.0"
ODOO_MAJOR=19
STEPS=(postgresql odoo requirements config wkhtmltopdf chromium)

usage() {
    cat <<EOF
Usage: bash scripts/setup.sh [options]

Installs what this addon's demo and tests need and is missing here; says what it did.

  --odoo-src DIR   build Odoo from this local Odoo ${ODOO_BRANCH} source folder (a checkout or an
                   unpacked archive of ${ODOO_GIT_URL%.git}) instead of cloning it;
                   the folder is only read
  --venv DIR       the virtualenv for Odoo (default: /opt/odoo${ODOO_MAJOR}-venv as root,
                   ~/.local/share/odoo${ODOO_MAJOR}-venv otherwise)
  --bin-dir DIR    where the \`odoo\` command is linked (default: /usr/local/bin as root,
                   ~/.local/bin otherwise)
  --python PY      the Python for the virtualenv (default: /usr/bin/python3; 3.10 to 3.13)
  --skip STEPS     leave these steps out (comma-separated: ${STEPS[*]})
  --only STEPS     run only these steps
  -h, --help       this help

An Odoo ${ODOO_MAJOR} already on the PATH is used as it is. The Odoo configuration file is
\$ODOO_RC, default ~/.odoorc: an existing one is never replaced, only completed. Debian and Ubuntu
packages are installed with apt-get (through sudo when you are not root). Python packages come
from PyPI (or what pip is told: PIP_INDEX_URL, PIP_FIND_LINKS); pip's cache (~/.cache/pip or
PIP_CACHE_DIR) keeps the wheels, so a rebuild downloads nothing.
EOF
}

# === OPTIONS === #

ODOO_SRC=""
VENV=""
BIN_DIR=""
PYTHON=""
SKIP=","
ONLY=""
while [ $# -gt 0 ]; do
    case "$1" in
        --odoo-src) ODOO_SRC="${2:?--odoo-src needs a folder}"; shift 2 ;;
        --venv) VENV="${2:?--venv needs a folder}"; shift 2 ;;
        --bin-dir) BIN_DIR="${2:?--bin-dir needs a folder}"; shift 2 ;;
        --python) PYTHON="${2:?--python needs an interpreter}"; shift 2 ;;
        --skip) SKIP=",${2:?--skip needs steps},"; shift 2 ;;
        --only) ONLY=",${2:?--only needs steps},"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "setup.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
for step in ${SKIP//,/ } ${ONLY//,/ }; do
    case " ${STEPS[*]} " in
        *" $step "*) ;;
        *) echo "setup.sh: unknown step '$step' (steps: ${STEPS[*]})" >&2; exit 2 ;;
    esac
done

IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1
if [ $IS_ROOT -eq 1 ]; then
    VENV="${VENV:-/opt/odoo${ODOO_MAJOR}-venv}"
    BIN_DIR="${BIN_DIR:-/usr/local/bin}"
else
    VENV="${VENV:-${XDG_DATA_HOME:-$HOME/.local/share}/odoo${ODOO_MAJOR}-venv}"
    BIN_DIR="${BIN_DIR:-$HOME/.local/bin}"
fi
if [ -n "$ODOO_SRC" ]; then
    ODOO_SRC="$(cd "$ODOO_SRC" 2>/dev/null && pwd)" \
        || { echo "setup.sh: --odoo-src: no such folder" >&2; exit 2; }
fi
ODOO_RC_FILE="${ODOO_RC:-$HOME/.odoorc}"
ME="$(id -un)"

# === REPORTING === #

CHANGES=0
TODOS=0
ok() { printf '  ok       %s\n' "$*"; }
did() { printf '  done     %s\n' "$*"; CHANGES=$((CHANGES + 1)); }
skip() { printf '  skipped  %s\n' "$*"; }
todo() { printf '  TODO     %s\n' "$*"; TODOS=$((TODOS + 1)); }
step() { printf '\n%s\n' "$*"; }
die() { printf '  FAILED   %s\n' "$*" >&2; exit 1; }

wanted() {
    [[ "$SKIP" != *",$1,"* ]] && { [ -z "$ONLY" ] || [[ "$ONLY" == *",$1,"* ]]; }
}

# === SYSTEM PACKAGES === #

OS_ID=""
OS_LIKE=""
if [ -r /etc/os-release ]; then
    OS_ID="$(. /etc/os-release && echo "${ID:-}")"
    OS_LIKE="$(. /etc/os-release && echo "${ID_LIKE:-}")"
fi
is_debian_family() { [ "$OS_ID" = debian ] || [ "$OS_ID" = ubuntu ] || [[ " $OS_LIKE " == *" debian "* ]]; }
is_ubuntu() { [ "$OS_ID" = ubuntu ] || [[ " $OS_LIKE " == *" ubuntu "* ]]; }

as_root() {
    if [ $IS_ROOT -eq 1 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "  (needs root, and sudo is not here: $*)" >&2
        return 1
    fi
}

as_postgres() {
    if [ $IS_ROOT -eq 1 ]; then
        runuser -u postgres -- "$@"
    else
        sudo -u postgres "$@"
    fi
}

pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

APT_UPDATED=0
apt_update_once() {
    [ $APT_UPDATED -eq 1 ] && return 0
    echo "  ...      apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
    APT_UPDATED=1
}

# apt_has PACKAGE: whether the distribution offers it.
apt_has() {
    if ! compgen -G '/var/lib/apt/lists/*Packages*' >/dev/null; then
        apt_update_once || return 1
    fi
    local candidate
    candidate="$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *//p')"
    [ -n "$candidate" ] && [ "$candidate" != "(none)" ]
}

# apt_install WHAT PACKAGE...: installs those missing; says which.
apt_install() {
    local what="$1"; shift
    local missing=() package
    for package in "$@"; do
        pkg_installed "$package" || missing+=("$package")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        ok "$what: Debian packages already installed ($*)"
        return 0
    fi
    if ! is_debian_family || ! command -v apt-get >/dev/null 2>&1; then
        todo "$what: install ${missing[*]} (or your system's equivalent): this script knows only apt-get"
        return 1
    fi
    apt_update_once || { todo "$what: could not run apt-get update"; return 1; }
    echo "  ...      apt-get install ${missing[*]}"
    if as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends "${missing[@]}" >/dev/null; then
        did "$what: installed Debian packages ${missing[*]}"
    else
        todo "$what: apt-get install ${missing[*]} failed"
        return 1
    fi
}

# === POSTGRESQL === #

setup_postgresql() {
    step "PostgreSQL"
    if ! command -v psql >/dev/null 2>&1 || ! command -v pg_isready >/dev/null 2>&1; then
        apt_install "PostgreSQL's client" postgresql-client \
            || die "PostgreSQL is needed: install it, then run this again"
    fi
    if ! pg_isready -q 2>/dev/null; then
        # Not reachable: install the server where none is installed, then start it.
        if ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
            apt_install "PostgreSQL" postgresql \
                || die "PostgreSQL is needed: install it, then run this again"
        fi
        if command -v pg_lsclusters >/dev/null 2>&1 \
                && [ -z "$(pg_lsclusters --no-header 2>/dev/null)" ]; then
            local version
            version="$(ls /usr/lib/postgresql | sort -V | tail -n1)"
            as_root pg_createcluster "$version" main >/dev/null
            did "created the PostgreSQL cluster $version/main"
        fi
        if ! pg_isready -q 2>/dev/null; then
            # shellcheck source=scripts/start_postgresql.sh
            source "$ROOT/scripts/start_postgresql.sh"
            pg_isready -q 2>/dev/null || die "PostgreSQL does not start (see pg_lsclusters)"
            did "started PostgreSQL"
        fi
    fi
    ok "PostgreSQL is running"

    # A role named after you: Debian's and Ubuntu's PostgreSQL let a local user in as the role of
    # the same name ("peer"), with no password, which is all a development machine needs.
    local can_create error
    if can_create="$(psql -d postgres -Atqc \
            'SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user' 2>&1)"; then
        if [ "$can_create" = t ]; then
            ok "PostgreSQL role '$ME' can log in and create databases"
        else
            as_postgres psql -d postgres -qc "ALTER ROLE \"$ME\" CREATEDB" >/dev/null \
                || die "could not let the role '$ME' create databases"
            did "PostgreSQL role '$ME' may now create databases"
        fi
    else
        error="$can_create"
        if [[ "$error" == *"role \"$ME\" does not exist"* ]]; then
            as_postgres createuser --createdb --no-createrole --no-superuser "$ME" \
                || die "could not create the PostgreSQL role '$ME'"
            did "created the PostgreSQL role '$ME' (log in as yourself, create databases)"
        else
            die "cannot log in to PostgreSQL as '$ME': $error"
        fi
    fi
    local server
    server="$(psql -d postgres -Atqc 'SHOW server_version_num' 2>/dev/null || echo 0)"
    if [ "${server:-0}" -ge 130000 ]; then
        ok "PostgreSQL $(psql -d postgres -Atqc 'SHOW server_version' | awk '{print $1}') (Odoo $ODOO_MAJOR needs 13 or later)"
    else
        todo "this PostgreSQL (${server:-?}) is older than 13, which Odoo $ODOO_MAJOR needs"
    fi
}

# === ODOO === #

# odoo_major COMMAND: the major version `COMMAND --version` prints, or nothing.
odoo_major() {
    "$@" --version 2>/dev/null | sed -n 's/^Odoo Server \([0-9]*\)\..*/\1/p' | head -n1
}

# The `odoo` command set up or found, and the Python that runs it.
ODOO_CMD=""
ODOO_PY=""
interpreter_of() { asc_odoo_python "$1"; }

python_ok() {
    "$1" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null
}

# The Odoo source: the --odoo-src folder copied, or a shallow clone of Odoo's repository.
fetch_odoo_source() {
    local target="$1"
    if [ -n "$ODOO_SRC" ]; then
        [ -f "$ODOO_SRC/odoo/release.py" ] && [ -f "$ODOO_SRC/setup.py" ] \
            && [ -f "$ODOO_SRC/requirements.txt" ] \
            || die "$ODOO_SRC is not an Odoo source folder (no odoo/release.py, setup.py, requirements.txt)"
        local major
        major="$(sed -n 's/^version_info = (\([0-9]*\),.*/\1/p' "$ODOO_SRC/odoo/release.py")"
        [ "$major" = "$ODOO_MAJOR" ] || die "$ODOO_SRC holds Odoo ${major:-?}, not Odoo $ODOO_MAJOR"
        echo "  ...      copying $ODOO_SRC (left as it is)"
        mkdir -p "$target"
        tar -C "$ODOO_SRC" --exclude=./.git --exclude=./build --exclude='./*.egg-info' \
            --exclude='__pycache__' --exclude='*.py[co]' -cf - . | tar -C "$target" -xf -
    else
        command -v git >/dev/null 2>&1 || apt_install "Odoo's source" git ca-certificates \
            || die "git is needed to fetch Odoo (or give --odoo-src DIR)"
        echo "  ...      git clone --depth 1 --branch $ODOO_BRANCH $ODOO_GIT_URL"
        git clone --quiet --depth 1 --branch "$ODOO_BRANCH" --single-branch "$ODOO_GIT_URL" "$target" \
            || die "could not clone $ODOO_GIT_URL (no internet? give a local copy with --odoo-src DIR)"
    fi
}

# Odoo's requirements.txt, made installable: cbor2 5.4.2 (its pin for Python < 3.12) no longer
# builds, 5.6.2 does; python-ldap (only Odoo's auth_ldap uses it) is left out when the LDAP and
# SASL headers are missing.
write_requirements() {
    local source="$1" target="$2"
    local keep_ldap=1
    [ -f /usr/include/ldap.h ] && [ -f /usr/include/sasl/sasl.h ] || keep_ldap=0
    "$VENV/bin/python" - "$source" "$target" "$keep_ldap" <<'PY'
import re
import sys

source, target, keep_ldap = sys.argv[1], sys.argv[2], sys.argv[3] == '1'
lines = []
with open(source, encoding='utf-8') as handle:
    for line in handle:
        if re.match(r'\s*cbor2\s*==\s*5\.4\.2\b', line):
            line = re.sub(r'5\.4\.2', '5.6.2', line, count=1)
            print("  note     cbor2 5.4.2 (Odoo's pin for Python < 3.12) no longer builds: 5.6.2 instead")
        elif not keep_ldap and re.match(r'\s*python-ldap\b', line, re.IGNORECASE):
            print("  note     python-ldap left out (only Odoo's auth_ldap uses it): it needs the "
                  "libldap2-dev and libsasl2-dev packages")
            continue
        lines.append(line)
with open(target, 'w', encoding='utf-8') as handle:
    handle.writelines(lines)
PY
}

# quietly LOG COMMAND...: runs it with its output in LOG, shown (the end of it) if it fails.
quietly() {
    local log="$1"; shift
    if "$@" >"$log" 2>&1; then
        return 0
    fi
    tail -n 40 "$log" | sed 's/^/  | /'
    return 1
}

install_odoo() {
    # What pip needs to build Odoo's requirements (Odoo's documentation: libldap2-dev, libpq-dev,
    # libsasl2-dev; a compiler and Python's headers for psycopg2 and python-ldap).
    local build_packages=(python3-venv python3-dev build-essential libpq-dev libldap2-dev libsasl2-dev)
    apt_install "building Odoo's requirements" "${build_packages[@]}" || true

    if [ -z "$PYTHON" ]; then
        if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON="$(command -v python3 || true)"; fi
    fi
    [ -n "$PYTHON" ] && python_ok "$PYTHON" \
        || die "Odoo $ODOO_MAJOR needs Python 3.10 to 3.13 (give one with --python)"
    if [ -x "$VENV/bin/python" ]; then
        ok "virtualenv $VENV is there"
    else
        "$PYTHON" -m venv "$VENV" || die "could not create the virtualenv $VENV (python3-venv missing?)"
        did "created the virtualenv $VENV ($("$PYTHON" -V))"
    fi

    local build
    build="$(mktemp -d "${TMPDIR:-/tmp}/odoo-build.XXXXXX")"
    # shellcheck disable=SC2064
    trap "rm -rf '$build'" EXIT
    fetch_odoo_source "$build/odoo"

    write_requirements "$build/odoo/requirements.txt" "$build/requirements.txt"
    # A current pip, and wheel, so that every package is built as a wheel (and cached).
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --progress-bar off \
        --upgrade pip wheel || die "could not upgrade pip in $VENV"
    echo "  ...      pip install Odoo's requirements (a few minutes the first time)"
    quietly "$build/pip.log" "$VENV/bin/python" -m pip install --disable-pip-version-check \
        --progress-bar off -r "$build/requirements.txt" || die "Odoo's requirements did not install"
    did "installed Odoo's Python requirements in $VENV"

    # As Odoo's own packaging does (setup/package.py): the addons go into odoo/addons, then
    # the folder is installed as a regular (not editable) Python package.
    local addon
    for addon in "$build/odoo/addons"/*/; do
        [ -d "$addon" ] || continue  # a source already laid out so (Odoo's own sdist)
        mv "$addon" "$build/odoo/odoo/addons/"
    done
    echo "  ...      pip install Odoo $ODOO_MAJOR"
    quietly "$build/pip.log" "$VENV/bin/python" -m pip install --disable-pip-version-check \
        --progress-bar off --no-deps "$build/odoo" || die "Odoo did not install"
    rm -rf "$build"
    [ "$(odoo_major "$VENV/bin/odoo")" = "$ODOO_MAJOR" ] || die "$VENV/bin/odoo does not run"
    did "installed Odoo $ODOO_MAJOR in $VENV"
}

link_odoo() {
    local link="$BIN_DIR/odoo" target="$VENV/bin/odoo"
    if [ -L "$link" ] && [ "$(readlink -f "$link")" = "$(readlink -f "$target")" ]; then
        ok "$link -> $target"
    elif [ -e "$link" ] || [ -L "$link" ]; then
        todo "$link exists and is another program: left as it is; run $target, or put $VENV/bin first in your PATH"
        return
    else
        mkdir -p "$BIN_DIR"
        ln -s "$target" "$link"
        did "linked $link -> $target"
    fi
    case ":$PATH:" in
        *":$BIN_DIR:"*) ;;
        *)
            if [ "$BIN_DIR" = "$HOME/.local/bin" ]; then
                echo "  note     $BIN_DIR is not in this shell's PATH: Debian's and Ubuntu's ~/.profile adds it at your next login; this project's scripts look there already"
            else
                todo "$BIN_DIR is not in your PATH: add it, or run $link"
            fi
            ;;
    esac
}

setup_odoo() {
    step "Odoo $ODOO_MAJOR"
    local found
    found="$(command -v odoo || true)"
    if [ -n "$found" ] && [ "$(odoo_major "$found")" = "$ODOO_MAJOR" ]; then
        ODOO_CMD="$found"
        ok "Odoo $ODOO_MAJOR is on the PATH: $found"
        [ -z "$ODOO_SRC" ] || skip "--odoo-src $ODOO_SRC: not needed"
    else
        [ -z "$found" ] || echo "  note     $found is Odoo $(odoo_major "$found"), not $ODOO_MAJOR"
        if [ -x "$VENV/bin/odoo" ] && [ "$(odoo_major "$VENV/bin/odoo")" = "$ODOO_MAJOR" ]; then
            ok "Odoo $ODOO_MAJOR is installed in $VENV"
        else
            install_odoo
        fi
        link_odoo
        ODOO_CMD="$VENV/bin/odoo"
    fi
    ODOO_PY="$(interpreter_of "$ODOO_CMD")"
}

find_odoo_quietly() {
    [ -n "$ODOO_CMD" ] && return 0
    local found
    found="$(command -v odoo || true)"
    [ -n "$found" ] || { [ -x "$VENV/bin/odoo" ] && found="$VENV/bin/odoo"; }
    [ -n "$found" ] || return 1
    ODOO_CMD="$found"
    ODOO_PY="$(interpreter_of "$found")"
}

# === THE ADDON'S REQUIREMENTS === #

# missing_requirements PY FILE: the lines of FILE that PY's environment does not satisfy.
missing_requirements() {
    "$1" - "$2" <<'PY'
import sys
from importlib.metadata import PackageNotFoundError, version

try:
    from packaging.requirements import Requirement
except ImportError:
    from pip._vendor.packaging.requirements import Requirement

with open(sys.argv[1], encoding='utf-8') as handle:
    for line in handle:
        line = line.split('#', 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate():
            continue
        try:
            installed = version(requirement.name)
        except PackageNotFoundError:
            print(line)
            continue
        if not requirement.specifier.contains(installed, prereleases=True):
            print(line)
PY
}

setup_requirements() {
    step "The addon's Python requirements (requirements.txt)"
    find_odoo_quietly || { skip "Odoo is not installed (step odoo)"; return; }
    local missing
    missing="$(missing_requirements "$ODOO_PY" "$ROOT/requirements.txt")" \
        || die "could not read the requirements with $ODOO_PY"
    if [ -z "$missing" ]; then
        ok "$(tr '\n' ' ' <"$ROOT/requirements.txt" | sed 's/ *$//') in $ODOO_PY"
        return
    fi
    # shellcheck disable=SC2086
    "$ODOO_PY" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements.txt" \
        || die "pip could not install $(echo $missing) into $ODOO_PY"
    did "installed $(echo $missing) into $ODOO_PY"
}

# === ODOO'S CONFIGURATION FILE === #

setup_config() {
    step "Odoo's configuration file ($ODOO_RC_FILE)"
    find_odoo_quietly || { skip "Odoo is not installed (step odoo)"; return; }
    # Where Odoo's own addons are: odoo/addons (base and, in a packaged Odoo, all the others)
    # and, for a source checkout, the addons folder beside it.
    local wanted
    wanted="$("$ODOO_PY" - <<'PY'
import importlib.util
import os

spec = importlib.util.find_spec('odoo')
root = next(p for p in spec.submodule_search_locations if os.path.isdir(p))
folders = [os.path.join(os.path.dirname(root), 'addons'), os.path.join(root, 'addons')]
print(','.join(f for f in folders if os.path.isfile(os.path.join(f, 'base', '__manifest__.py'))
               or os.path.isfile(os.path.join(f, 'account', '__manifest__.py'))))
PY
)" || die "could not locate Odoo's addons with $ODOO_PY"
    local rc=0
    "$ODOO_PY" - "$ODOO_RC_FILE" "$wanted" <<'PY' || rc=$?
import configparser
import os
import re
import sys

path, wanted = sys.argv[1], [f for f in sys.argv[2].split(',') if f]
if not os.path.exists(path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write("[options]\n; Written by account_stripe_connect's scripts/setup.sh\n"
                     f"addons_path = {','.join(wanted)}\n")
    print(f"  done     wrote {path} (addons_path = {','.join(wanted)})")
    sys.exit(10)

parser = configparser.RawConfigParser()
parser.read(path)
current = [f.strip() for f in parser.get('options', 'addons_path', fallback='').split(',') if f.strip()]
for folder in current:
    if not os.path.isdir(folder):
        print(f"  note     addons_path of {path} lists {folder}, which is not a folder "
              "(Odoo skips it with a warning); left as it is")
missing = [f for f in wanted if os.path.realpath(f) not in {os.path.realpath(c) for c in current}]
if not missing:
    print(f"  ok       {path} is there; its addons_path has Odoo's addons")
    sys.exit(0)

# Complete the file as it is written (its comments and order stay): the addons_path line, or a
# new one in [options], or a new [options] section.
with open(path, encoding='utf-8') as handle:
    lines = handle.readlines()
section = None
done = False
for index, line in enumerate(lines):
    header = re.match(r'\s*\[([^\]]+)\]', line)
    if header:
        section = header.group(1).strip()
        continue
    if section == 'options' and re.match(r'\s*addons_path\s*[=:]', line):
        value = line.rstrip('\n').rstrip()
        separator = ',' if current else ''
        lines[index] = f"{value}{separator}{','.join(missing)}\n"
        done = True
        break
if not done:
    for index, line in enumerate(lines):
        if re.match(r'\s*\[options\]', line):
            lines.insert(index + 1, f"addons_path = {','.join(missing)}\n")
            done = True
            break
if not done:
    if lines and not lines[-1].endswith('\n'):
        lines[-1] += '\n'
    lines += ['[options]\n', f"addons_path = {','.join(missing)}\n"]
with open(path, 'w', encoding='utf-8') as handle:
    handle.writelines(lines)
print(f"  done     added {','.join(missing)} to the addons_path of {path} (the rest is as it was)")
sys.exit(10)
PY
    # 0: nothing to change; 10: written or completed (said above).
    case $rc in
        0) ;;
        10) CHANGES=$((CHANGES + 1)) ;;
        *) die "could not complete $ODOO_RC_FILE" ;;
    esac
}

# === WKHTMLTOPDF === #

setup_wkhtmltopdf() {
    step "wkhtmltopdf (PDF invoices)"
    if command -v wkhtmltopdf >/dev/null 2>&1; then
        ok "$(wkhtmltopdf --version 2>/dev/null | head -n1)"
        return
    fi
    if is_debian_family && command -v apt-get >/dev/null 2>&1 && apt_has wkhtmltopdf; then
        apt_install "wkhtmltopdf" wkhtmltopdf || return 0
        echo "  note     the distribution's wkhtmltopdf prints PDFs without Odoo's headers and footers;" \
            "Odoo recommends 0.12.6.1 with patched Qt (https://github.com/wkhtmltopdf/packaging/releases)"
    else
        todo "no wkhtmltopdf package here: Odoo shows reports as HTML; for PDFs install wkhtmltopdf 0.12.6.1 (https://github.com/wkhtmltopdf/packaging/releases)"
    fi
}

# === CHROMIUM === #

setup_chromium() {
    step "Chromium (the browser tests)"
    local browser
    for browser in google-chrome chromium chromium-browser google-chrome-stable; do
        if command -v "$browser" >/dev/null 2>&1; then
            local driver=""
            driver="$(command -v chromedriver || command -v chromium.chromedriver || true)"
            if [ -z "$driver" ] && [ "$browser" = chromium ] && is_debian_family && ! is_ubuntu; then
                apt_install "Chromium's driver" chromium-driver || true
                return
            fi
            ok "$browser: $(command -v "$browser")${driver:+, driver: $driver}"
            return
        fi
    done
    if is_ubuntu; then
        # Ubuntu ships Chromium only as a snap; a snap has its own /tmp, where Odoo's test runner
        # cannot find the browser's DevTools port, so the browser tests need another browser.
        todo "no Chromium or Chrome here, and Ubuntu's Chromium is a snap, which Odoo's browser tests cannot drive (the snap's private /tmp). Install Google Chrome's .deb: wget https://dl.google.com/linux/direct/google-chrome-stable_current_amd64.deb && sudo apt-get install -y ./google-chrome-stable_current_amd64.deb"
    elif is_debian_family; then
        apt_install "Chromium" chromium chromium-driver || true
    else
        todo "install Chromium or Google Chrome (the browser tests look for google-chrome, chromium or chromium-browser on the PATH)"
    fi
}

# === MAIN === #

echo "Setting up what account_stripe_connect's demo and tests need (scripts/setup.sh --help)"
is_debian_family || echo "  note     this is not Debian or Ubuntu: system packages are left to you"
for name in "${STEPS[@]}"; do
    if wanted "$name"; then
        "setup_$name"
    elif [ -z "$ONLY" ]; then
        step "$name"
        skip "--skip $name"
    fi
done
echo
if [ $CHANGES -eq 0 ] && [ $TODOS -eq 0 ]; then
    echo "Nothing to do: everything was already in place."
elif [ $TODOS -eq 0 ]; then
    echo "Done: $CHANGES change(s), listed above."
else
    echo "Done: $CHANGES change(s); $TODOS thing(s) left to you (TODO above)."
fi
