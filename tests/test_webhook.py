from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common import StripeLiveMode
from .webhook_common import StripeWebhookCommon


@tagged('post_install', '-at_install')
class TestWebhookExactlyOnce(StripeWebhookCommon):
    """Whatever Stripe does (redeliveries, disorder, failures) and whoever is first (the
    webhook or the pay page), a PaymentIntent produces one payment."""

    def setUp(self):
        super().setUp()
        self._connect_company()
        self.invoice = self._make_invoice(100.0)

    def test_redelivered_event_is_acknowledged_and_does_nothing_more(self):
        intent = self._paid_intent(self.invoice)
        event = self._event_of('payment_intent.succeeded', intent.stripe_id)
        outcomes = []
        for _attempt in range(3):
            response = self._post_event(event['id'])
            self.assertEqual(response.status_code, 200, response.text)
            outcomes.append(response.json()['outcome'])
        self.assertEqual(outcomes, ['processed', 'duplicate', 'duplicate'])
        self.assertEqual(len(self._recorded_events(event['id'])), 1)
        self.assertEqual(len(self._payments_of(self.invoice)), 1)
        self.assertEqual(self.invoice.payment_state, 'paid')
        messages = self.invoice.message_ids.filtered(lambda m: intent.stripe_id in (m.body or ''))
        self.assertEqual(len(messages), 1, "one chatter message")

    def test_two_events_of_one_intent_register_it_once(self):
        """``succeeded`` and an older ``processing`` both make Odoo ask Stripe: one payment."""
        intent = self._paid_intent(self.invoice, payment_method='pm_bank_debit')
        self.emulator.settle_payment_intent(intent.stripe_id)
        # Stripe sends them in any order: succeeded first, processing late.
        succeeded, _response = self._deliver('payment_intent.succeeded', intent.stripe_id)
        processing, response = self._deliver('payment_intent.processing', intent.stripe_id)
        self.assertEqual(response.json()['outcome'], 'processed')
        self.assertIn("Already registered", self._recorded_events(processing['id']).note)
        self.assertEqual(intent.state, 'succeeded', "a late processing does not move it back")
        self.assertEqual(intent.stripe_status, 'succeeded')
        self.assertEqual(self.invoice.stripe_status, 'paid')
        self.assertEqual(len(self._payments_of(self.invoice)), 1)
        self.assertEqual(self.invoice.payment_state, 'paid')
        for event in (succeeded, processing):
            self.assertEqual(self._post_event(event['id']).json()['outcome'], 'duplicate')
        self.assertEqual(len(self._payments_of(self.invoice)), 1)

    def test_pay_page_sync_first_then_webhook(self):
        intent = self._paid_intent(self.invoice)
        self.invoice._stripe_sync_intent(intent.stripe_id, "pay page")
        self.assertEqual(self.invoice.payment_state, 'paid')
        event, response = self._deliver('payment_intent.succeeded', intent.stripe_id)
        self.assertEqual(response.json()['outcome'], 'processed')
        self.assertIn("Already registered", self._recorded_events(event['id']).note)
        self.assertEqual(len(self._payments_of(self.invoice)), 1)

    def test_webhook_first_then_pay_page_sync(self):
        intent = self._paid_intent(self.invoice)
        self._deliver('payment_intent.succeeded', intent.stripe_id)
        payment = intent.payment_id
        self.assertTrue(payment)
        self.invoice._stripe_sync_intent(intent.stripe_id, "pay page")
        self.assertEqual(self._payments_of(self.invoice), payment)

    def test_database_error_answers_500_and_stripe_retry_succeeds(self):
        intent = self._paid_intent(self.invoice)
        event = self._event_of('payment_intent.succeeded', intent.stripe_id)
        # A genuine error of PostgreSQL while the payment is written (as a full disk would).
        self.env.cr.execute(SQL("""
            CREATE FUNCTION asc_test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END $$;
            CREATE TRIGGER asc_test_disk_full BEFORE INSERT ON account_payment
                FOR EACH ROW EXECUTE FUNCTION asc_test_disk_full();
        """))
        with mute_logger(
            'odoo.sql_db', 'odoo.addons.account_stripe_connect.models.stripe_webhook_event',
        ):
            response = self._post_event(event['id'])
        self.assertEqual(response.status_code, 500, response.text)
        record = self._recorded_events(event['id'])
        self.assertRecordValues(record, [{
            'state': 'error', 'move_id': self.invoice.id, 'attempts': 1,
        }])
        self.assertIn(record, self.invoice.stripe_webhook_event_ids, "shown on the invoice")
        self.assertIn("could not extend file", record.note)
        self.assertFalse(self._payments_of(self.invoice))
        self.assertEqual(intent.state, 'draft', "the failed delivery's work is undone")
        self.assertEqual(self.invoice.payment_state, 'not_paid')

        self.env.cr.execute(SQL("DROP TRIGGER asc_test_disk_full ON account_payment"))
        response = self._post_event(event['id'])  # Stripe's retry
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()['outcome'], 'processed')
        record = self._recorded_events(event['id'])
        self.assertRecordValues(record, [{
            'state': 'processed', 'move_id': self.invoice.id, 'attempts': 2,
        }])
        self.assertEqual(len(self._payments_of(self.invoice)), 1)
        self.assertEqual(self.invoice.payment_state, 'paid')
        self.assertEqual(self._post_event(event['id']).json()['outcome'], 'duplicate')
        self.assertEqual(len(self._payments_of(self.invoice)), 1)

    def test_stripe_unreachable_answers_500_and_stripe_retry_succeeds(self):
        intent = self._paid_intent(self.invoice)
        event = self._event_of('payment_intent.succeeded', intent.stripe_id)
        self.emulator.set_down()
        try:
            with mute_logger('odoo.addons.account_stripe_connect.models.stripe_webhook_event'):
                response = self._post_event(event['id'])
        finally:
            self.emulator.set_down(False)
        self.assertEqual(response.status_code, 500, response.text)
        self.assertEqual(self._recorded_events(event['id']).state, 'error')
        self.assertFalse(self._payments_of(self.invoice))
        response = self._post_event(event['id'])
        self.assertEqual(response.json()['outcome'], 'processed')
        self.assertEqual(len(self._payments_of(self.invoice)), 1)


@tagged('post_install', '-at_install')
class TestWebhookExactlyOnceLive(StripeLiveMode, TestWebhookExactlyOnce):
    """The same, with the platform in live mode."""
