"""What the project's scripts share to run Odoo against the Stripe emulator: the emulator
itself, the platform settings that point the addon at it, and waiting for a server."""

import os
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from stripe_emulator import StripeEmulator  # noqa: E402

__all__ = ['ROOT', 'StripeEmulator', 'platform_settings', 'run', 'wait_for']


def platform_settings(emulator):
    """Return the addon's platform settings for this emulator as the Stripe platform."""
    return {
        'secret_key': emulator.secret_key,
        'publishable_key': emulator.publishable_key,
        'client_id': emulator.client_id,
        'mode': 'test',
        'api_base': emulator.base_url,
        'connect_base': emulator.base_url,
        'js_url': emulator.js_url,
    }


def run(command, **kwargs):
    """Run a command, echoing it, and fail when it fails."""
    print('$', ' '.join(command), flush=True)
    return subprocess.run(command, check=True, **kwargs)


def wait_for(url, timeout=120):
    """Return whether ``url`` answered within ``timeout`` seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            time.sleep(0.5)
    return False
