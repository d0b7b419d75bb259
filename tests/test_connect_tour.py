import json
import threading
import time
from contextlib import contextmanager

from odoo.tests import tagged

from .common import StripeConnectHttpCommon

# Runs in the browser on the emulator's onboarding page: fill it in and submit it, as the
# business would on Stripe's. Answers whether it did.
SUBMIT_ONBOARDING = """
(() => {
    if (location.origin !== %(origin)s || !location.pathname.startsWith('/connect/onboarding/')) {
        return false;
    }
    const form = document.querySelector('form');
    if (!form) {
        return false;
    }
    form.querySelector('[name=vat]').value = 'BE0477472701';
    form.querySelector('button[type=submit]').click();
    return true;
})()
"""


@tagged('post_install', '-at_install')
class TestStripeConnectTour(StripeConnectHttpCommon):
    """In Chromium: Settings > Connect with Stripe > Stripe's onboarding > back, ready."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The accounting test data has cash basis taxes: without this, Settings opens with a
        # warning dialog about them over the page.
        cls.company.tax_exigibility = True

    @contextmanager
    def allow_requests(self, *args, browser=None, **kwargs):
        """Override of HttpCase to keep the tour's browser at hand for the onboarding page."""
        self.browser = browser or self.browser
        with super().allow_requests(*args, browser=browser, **kwargs):
            yield

    def _complete_onboarding_in_browser(self, done, timeout=60):
        """Wait until the tour's browser shows Stripe's onboarding page, then submit it there.

        The tour's script does not run on Stripe's pages (another origin), so the test acts
        in the browser itself through the DevTools protocol, as a person would.
        """
        code = SUBMIT_ONBOARDING % {'origin': json.dumps(self.emulator.base_url)}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not done.is_set():
            browser = self.browser
            if browser is not None:
                try:
                    answer = browser._websocket_request(
                        'Runtime.evaluate', params={'expression': code, 'returnByValue': True},
                    )
                except Exception:  # the page may be navigating, or closing: try again
                    answer = None
                if answer and answer.get('result', {}).get('value') is True:
                    done.set()
                    return
            time.sleep(0.2)

    def test_connect_tour(self):
        self.assertEqual(self.company.stripe_connect_state, 'not_connected')
        submitted = threading.Event()
        helper = threading.Thread(
            target=self._complete_onboarding_in_browser, args=(submitted,),
            name='stripe-onboarding-page', daemon=True,
        )
        helper.start()
        try:
            self.start_tour(
                '/odoo/action-account.action_account_config',
                'account_stripe_connect_connect_tour', login=self.env.user.login, timeout=120,
            )
        finally:
            submitted.set()
            helper.join(timeout=10)

        self.company.invalidate_recordset()
        self.assertEqual(self.company.stripe_connect_method, 'onboarding')
        self.assertEqual(self.company.stripe_connect_state, 'ready')
        account = self.emulator.get_object(self.company.stripe_account_id)
        self.assertTrue(account['details_submitted'])
        self.assertTrue(account['company']['vat_id_provided'], "the page was filled in")
