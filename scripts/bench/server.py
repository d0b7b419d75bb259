"""An Odoo HTTP server on 127.0.0.1 for the benchmark, and the query counts of its log.

Odoo 19 ends each werkzeug access line with ``query_count query_time remaining_time`` (see
odoo/netsvc.py, ``PerfFilter``): the SQL queries and seconds one request cost the server.
"""

import os
import re
import signal
import subprocess
import time
import urllib.request

from .env import free_port

ACCESS_LINE = re.compile(
    r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) \S+ '
    r'(?P<queries>\d+) (?P<query_time>[\d.]+) (?P<other_time>[\d.]+)'
)


class LogTail:
    """Reads the access lines a server appends to its log file, in order."""

    def __init__(self, path):
        self.path = path
        self.offset = os.path.getsize(path) if os.path.exists(path) else 0
        self.buffer = ''

    def _lines(self):
        if not os.path.exists(self.path):
            return []
        with open(self.path, encoding='utf-8', errors='replace') as handle:
            handle.seek(self.offset)
            chunk = handle.read()
            self.offset = handle.tell()
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split('\n')
        return lines

    def skip(self):
        """Forget everything logged so far."""
        self._lines()
        self.buffer = ''

    def lines(self):
        """The lines logged since the last read."""
        return self._lines()

    def count(self, text):
        """How many of the lines logged since the last read contain ``text``."""
        return sum(text in line for line in self._lines())

    def next_access(self, method, path, timeout=10.0):
        """Return the next access line of ``method path`` (query string and the ``#model.method``
        Odoo adds to JSON-RPC calls ignored) as a dict:
        ``status``, ``queries``, ``server_ms``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self._lines():
                match = ACCESS_LINE.search(line)
                if not match or match['method'] != method:
                    continue
                if re.split(r'[?#]', match['path'], maxsplit=1)[0] != path:
                    continue
                return {
                    'status': int(match['status']),
                    'queries': int(match['queries']),
                    'server_ms': 1000 * (float(match['query_time']) + float(match['other_time'])),
                }
            time.sleep(0.02)
        raise TimeoutError(f"no access line for {method} {path} in {self.path}")


class OdooServer:
    """``odoo server`` for one database, threaded (workers=0) or with prefork workers."""

    def __init__(self, env, database, port, logfile, workers=0):
        self.env = env
        self.database = database
        self.port = port
        self.logfile = logfile
        self.workers = workers
        self.process = None
        self.log = None

    @property
    def url(self):
        return f'http://127.0.0.1:{self.port}'

    def start(self, timeout=180):
        command = [
            *self.env.odoo, 'server', *self.env.options(self.database),
            '--http-interface=127.0.0.1', f'--http-port={self.port}',
            f'--gevent-port={free_port()}', f'--db-filter=^{self.database}$',
            f'--workers={self.workers}', '--max-cron-threads=0', '--log-level=info',
            f'--logfile={self.logfile}',
        ]
        self.log = LogTail(self.logfile)
        self.started_at = self.log.offset
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Odoo stopped at start; see {self.logfile}")
            try:
                with urllib.request.urlopen(f'{self.url}/web/health', timeout=2):
                    self.log.skip()
                    return self
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"Odoo did not answer in {timeout}s; see {self.logfile}")

    def stop(self):
        """Stop the server (and its workers) it started, gracefully then by force."""
        if not self.process or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def error_lines(self):
        """The ERROR and CRITICAL lines this server logged since it started."""
        if not os.path.exists(self.logfile):
            return []
        with open(self.logfile, encoding='utf-8', errors='replace') as handle:
            handle.seek(getattr(self, 'started_at', 0))
            return [line for line in handle.read().splitlines()
                    if re.match(r'^\S+ \S+ \d+ (ERROR|CRITICAL) ', line)]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
