"""Find Odoo as the project's other scripts do (scripts/odoo_env.sh) and run its commands."""

import json
import os
import shutil
import socket
import subprocess
from dataclasses import dataclass

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHELL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'shell')
RESULT_MARK = 'BENCH_RESULT '


def free_port():
    """Return a TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@dataclass
class OdooEnv:
    """The ``odoo`` command, its configuration file and an addons path holding this addon."""

    odoo: list
    python: str
    config: str
    addons_path: str
    link_dir: str

    @classmethod
    def discover(cls):
        """Source scripts/odoo_env.sh (which also starts PostgreSQL when it is down)."""
        script = os.path.join(SCRIPTS, 'odoo_env.sh')
        probe = ('source "$1" >&2 || exit 1; printf "%s\\n" '
                 '"$ODOO_PY" "$ODOO_RC" "$ADDONS_PATH" "$ADDON_LINK_DIR" "${ODOO[@]}"')
        done = subprocess.run(['bash', '-c', probe, 'odoo_env', script],
                              capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(done.stderr.strip() or "Odoo 19 was not found.")
        python, config, addons_path, link_dir, *odoo = done.stdout.splitlines()
        return cls(odoo=odoo, python=python, config=config, addons_path=addons_path,
                   link_dir=link_dir)

    def cleanup(self):
        shutil.rmtree(self.link_dir, ignore_errors=True)

    def has_module(self, name):
        """Whether a module of that name is in the addons path."""
        return any(
            os.path.isfile(os.path.join(path.strip(), name, '__manifest__.py'))
            for path in self.addons_path.split(',') if path.strip()
        )

    def options(self, database):
        return ['-c', self.config, '-d', database, f'--addons-path={self.addons_path}']

    def install(self, database, modules, logfile):
        """Drop the database and create it again with ``modules`` installed."""
        subprocess.run(['dropdb', '--if-exists', database], check=True)
        command = [*self.odoo, 'server', *self.options(database), '-i', ','.join(modules),
                   '--stop-after-init', '--no-http', '--max-cron-threads=0',
                   f'--logfile={logfile}']
        done = subprocess.run(command, check=False, timeout=1200)
        if done.returncode:
            raise SystemExit(f"Installing {modules} failed; see {logfile}")

    def shell(self, database, script, params, logfile, timeout=1800):
        """Run scripts/bench/shell/<script> in ``odoo shell``; return what it reported.

        The script reads its parameters from ``BENCH_PARAMS`` (JSON) and prints one line
        ``BENCH_RESULT <json>``.
        """
        with open(os.path.join(SHELL_DIR, script), encoding='utf-8') as handle:
            code = handle.read()
        command = [*self.odoo, 'shell', *self.options(database), '--no-http',
                   f'--logfile={logfile}']
        environ = dict(os.environ, BENCH_PARAMS=json.dumps(params))
        done = subprocess.run(command, input=code, text=True, capture_output=True,
                              env=environ, timeout=timeout, check=False)
        for line in done.stdout.splitlines():
            if line.startswith(RESULT_MARK):
                return json.loads(line[len(RESULT_MARK):])
        raise RuntimeError(
            f"odoo shell {script} reported nothing (exit {done.returncode}); see {logfile}\n"
            f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )

    def psql(self, database, query):
        """Run one SQL query with psql and return its rows as lists of strings."""
        done = subprocess.run(['psql', '-X', '-q', '-d', database, '-At', '-F', '\t', '-c', query],
                              capture_output=True, text=True, check=True, timeout=60)
        return [line.split('\t') for line in done.stdout.splitlines() if line]
