# Sourced by the project's scripts: starts the local PostgreSQL when it is down (Debian's and
# Ubuntu's cluster tools, through systemd where it runs).

if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q 2>/dev/null; then
    _asc_sudo=()
    [ "$(id -u)" -eq 0 ] || ! command -v sudo >/dev/null 2>&1 || _asc_sudo=(sudo)
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        echo "Starting PostgreSQL (systemctl start postgresql)" >&2
        "${_asc_sudo[@]}" systemctl start postgresql || true
    elif command -v pg_lsclusters >/dev/null 2>&1; then
        while read -r _asc_version _asc_cluster _ _asc_status _; do
            [ "$_asc_status" = down ] || continue
            echo "Starting PostgreSQL (cluster $_asc_version/$_asc_cluster)" >&2
            "${_asc_sudo[@]}" pg_ctlcluster --skip-systemctl-redirect "$_asc_version" \
                "$_asc_cluster" start || true
        done < <(pg_lsclusters --no-header 2>/dev/null)
    fi
    for _ in $(seq 1 30); do pg_isready -q 2>/dev/null && break; sleep 1; done
    pg_isready -q 2>/dev/null || echo "Could not start PostgreSQL (see pg_lsclusters)" >&2
    unset _asc_sudo _asc_version _asc_cluster _asc_status
fi
