import time

from odoo import sql_db
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.stripe_webhook_event import EVENT_LOCK_NAMESPACE
from .common import StripeLiveMode
from .webhook_common import StripeWebhookCommon


@tagged('post_install', '-at_install')
class TestWebhookRace(StripeWebhookCommon):
    """A delivery that meets another delivery of the same event in progress (on another
    worker or server) waits for nothing: it is answered at once with a non-2xx status, so
    that Stripe delivers the event again later, and nothing is recorded."""

    def setUp(self):
        super().setUp()
        self._connect_company()
        self.invoice = self._make_invoice(100.0)

    def _claimed_elsewhere(self, event_id):
        """Return another connection to the database holding the event's claim, as the
        transaction of a delivery in progress holds it."""
        other = sql_db.db_connect(self.env.cr.dbname).cursor()
        other.execute(SQL(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", EVENT_LOCK_NAMESPACE, event_id,
        ))
        return other

    def test_racing_delivery_is_answered_409_at_once_and_stripe_retry_processes(self):
        intent = self._paid_intent(self.invoice)
        event = self._event_of('payment_intent.succeeded', intent.stripe_id)
        other = self._claimed_elsewhere(event['id'])
        try:
            started = time.monotonic()
            response = self._post_event(event['id'])
            elapsed = time.monotonic() - started
        finally:
            other.rollback()  # The other delivery failed: its transaction ends, nothing kept.
            other.close()
        self.assertEqual(response.status_code, 409, response.text)
        self.assertEqual(response.json()['outcome'], 'busy')
        self.assertLess(elapsed, 5.0, "answered at once, not after waiting for the other")
        self.assertFalse(self._recorded_events(event['id']), "nothing recorded")
        self.assertFalse(self._payments_of(self.invoice))
        self.assertEqual(self.invoice.payment_state, 'not_paid')

        # Stripe delivers it again later: the event is not lost.
        response = self._post_event(event['id'])
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()['outcome'], 'processed')
        self.assertEqual(len(self._payments_of(self.invoice)), 1)
        self.assertEqual(self.invoice.payment_state, 'paid')
        self.assertEqual(self._post_event(event['id']).json()['outcome'], 'duplicate')

    def test_claim_of_one_event_leaves_other_events_alone(self):
        first = self._paid_intent(self.invoice)
        second_invoice = self._make_invoice(50.0)
        second = self._paid_intent(second_invoice)
        first_event = self._event_of('payment_intent.succeeded', first.stripe_id)
        second_event = self._event_of('payment_intent.succeeded', second.stripe_id)
        other = self._claimed_elsewhere(first_event['id'])
        try:
            response = self._post_event(second_event['id'])
        finally:
            other.rollback()
            other.close()
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()['outcome'], 'processed')
        self.assertEqual(len(self._payments_of(second_invoice)), 1)
        self.assertFalse(self._payments_of(self.invoice))


@tagged('post_install', '-at_install')
class TestWebhookRaceLive(StripeLiveMode, TestWebhookRace):
    """The same, with the platform in live mode."""
