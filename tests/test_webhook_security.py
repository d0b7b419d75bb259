import json
import time

from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import LIVE_SECRET_KEY, StripeLiveMode
from .webhook_common import StripeWebhookCommon


@tagged('post_install', '-at_install')
class TestWebhookVerification(StripeWebhookCommon):
    """Only events signed with the endpoint's secret, recently, are taken; the others get a
    400 and leave no trace."""

    def setUp(self):
        super().setUp()
        self._connect_company()
        self.invoice = self._make_invoice(100.0)
        self.intent = self._paid_intent(self.invoice)
        self.event = self._event_of('payment_intent.succeeded', self.intent.stripe_id)
        self.body, self.headers = self.emulator.signed_request(self.event['id'])

    def _assert_refused(self, response):
        self.assertEqual(response.status_code, 400, response.text)
        self.assertFalse(self._recorded_events(), "a refused webhook records nothing")
        self.assertFalse(self._payments_of(self.invoice), "a refused webhook registers nothing")
        self.assertEqual(self.invoice.payment_state, 'not_paid')

    def test_signed_event_is_taken(self):
        response = self._post_raw(self.body, self.headers)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()['outcome'], 'processed')
        self.assertEqual(len(self._recorded_events(self.event['id'])), 1)
        self.assertEqual(len(self._payments_of(self.invoice)), 1)

    def test_unsigned_event_is_refused(self):
        headers = {k: v for k, v in self.headers.items() if k != 'Stripe-Signature'}
        self._assert_refused(self._post_raw(self.body, headers))

    def test_garbage_signature_is_refused(self):
        self._assert_refused(self._post_raw(self.body, {**self.headers, 'Stripe-Signature': 'x'}))

    def test_event_signed_with_another_secret_is_refused(self):
        self._assert_refused(self._post_signed(self.event, secret='whsec_not_the_endpoints'))

    def test_altered_body_is_refused(self):
        event = json.loads(self.body)
        event['data']['object']['amount_received'] = 1
        altered = json.dumps(event, indent=2).encode()
        self.assertNotEqual(altered, self.body)
        self._assert_refused(self._post_raw(altered, self.headers))

    def test_stale_signature_is_refused(self):
        self._assert_refused(self._post_event(self.event['id'], timestamp=time.time() - 600))

    def test_signature_within_tolerance_is_taken(self):
        response = self._post_event(self.event['id'], timestamp=time.time() - 240)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(len(self._payments_of(self.invoice)), 1)

    def test_no_signing_secret_configured_refuses_everything(self):
        self.platform._set_setting('webhook_secret', False)
        self._assert_refused(self._post_raw(self.body, self.headers))

    def test_signed_body_that_is_not_an_event_is_refused(self):
        response = self._post_signed({'object': 'list', 'data': []})
        self.assertEqual(response.status_code, 400, response.text)
        self.assertFalse(self._recorded_events())

    def test_get_is_not_allowed(self):
        response = self.url_open('/stripe_connect/webhook')
        self.assertEqual(response.status_code, 405)
        self.assertFalse(self._recorded_events())


@tagged('post_install', '-at_install')
class TestWebhookModes(StripeWebhookCommon):
    """Test-mode events never act on a live platform, nor live events on a test platform."""

    def setUp(self):
        super().setUp()
        self._connect_company()
        self.invoice = self._make_invoice(100.0)
        self.intent = self._paid_intent(self.invoice)
        self.event = self._event_of('payment_intent.succeeded', self.intent.stripe_id)

    def test_live_event_on_test_platform_is_refused(self):
        live_event = {**self.event, 'livemode': True}
        response = self._post_signed(live_event)
        self.assertEqual(response.status_code, 200, response.text)
        record = self._recorded_events(self.event['id'])
        self.assertEqual(record.state, 'refused')
        self.assertTrue(record.livemode)
        self.assertEqual(record.company_id, self.company)
        self.assertFalse(self._payments_of(self.invoice))
        self.assertEqual(self.intent.state, 'draft')

    def test_test_event_on_live_platform_is_ignored(self):
        """Stripe sends a live Connect endpoint the test-mode events of connected accounts
        too: a live platform acknowledges them and does nothing more."""
        for key, value in (('secret_key', LIVE_SECRET_KEY), ('publishable_key', 'pk_live_x'),
                           ('mode', 'live')):
            self.platform._set_setting(key, value)
        self.assertTrue(self.platform._is_live(), "the key decides")
        response = self._post_event(self.event['id'])
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()['outcome'], 'ignored')
        record = self._recorded_events(self.event['id'])
        self.assertEqual(record.state, 'ignored')
        self.assertFalse(record.livemode)
        self.assertEqual(self.intent.state, 'draft')
        self.assertFalse(self._payments_of(self.invoice))
        self.assertFalse(
            [r for r in self.emulator.request_log if r['method'] == 'GET'
             and r['path'].startswith('/v1/payment_intents/')],
            "a refused event does not even reach Stripe",
        )


@tagged('post_install', '-at_install')
class TestWebhookRecords(StripeWebhookCommon):
    """Every verified event is recorded once; accountants read them on the invoice and
    administrators find them in a menu."""

    def test_events_are_recorded_with_type_account_mode_invoice_and_outcome(self):
        self._connect_company()
        invoice = self._make_invoice(80.0)
        intent = self._paid_intent(invoice)
        for event in self._emulator_events():
            response = self._post_event(event['id'])
            self.assertEqual(response.status_code, 200, response.text)
        records = self._recorded_events()
        by_type = {record.event_type: record for record in records}
        self.assertEqual(len(records), len(self._emulator_events()), "each event once")
        succeeded = by_type['payment_intent.succeeded']
        self.assertRecordValues(succeeded, [{
            'stripe_account_id': self.company.stripe_account_id,
            'livemode': self.stripe_live,
            'stripe_object_id': intent.stripe_id,
            'move_id': invoice.id,
            'company_id': self.company.id,
            'state': 'processed',
            'attempts': 1,
        }])
        self.assertIn(intent.payment_id.display_name, succeeded.note)
        payload = json.loads(succeeded.payload)
        self.assertEqual(payload['id'], succeeded.stripe_event_id)
        self.assertEqual(payload['data']['object']['client_secret'], '[redacted]')
        self.assertNotIn(intent.sudo().client_secret, succeeded.payload)
        self.assertEqual(by_type['payment_intent.created'].state, 'ignored')
        self.assertEqual(by_type['charge.succeeded'].state, 'ignored')
        self.assertIn(succeeded, invoice.stripe_webhook_event_ids)

    def test_invoicing_user_reads_the_events_of_the_invoice(self):
        self._connect_company()
        invoice = self._make_invoice(80.0)
        intent = self._paid_intent(invoice)
        self._deliver('payment_intent.succeeded', intent.stripe_id)
        billing_user = new_test_user(
            self.env, login='stripe_billing', groups='account.group_account_invoice',
            company_id=self.company.id, company_ids=[Command.set(self.company.ids)],
        )
        auditor = new_test_user(
            self.env, login='stripe_auditor', groups='account.group_account_readonly',
            company_id=self.company.id, company_ids=[Command.set(self.company.ids)],
        )
        for user in (billing_user, auditor):
            invoice_as_user = invoice.with_user(user)
            invoice_as_user.invalidate_recordset()
            rows = invoice_as_user.stripe_webhook_event_ids.read(
                ['create_date', 'stripe_event_id', 'event_type', 'state', 'note'],
            )
            self.assertEqual([row['event_type'] for row in rows], ['payment_intent.succeeded'])
            self.assertEqual(rows[0]['state'], 'processed')
            intents = invoice_as_user.stripe_payment_intent_ids.read(['state', 'payment_id'])
            self.assertEqual(intents[0]['state'], 'succeeded')
            # The invoice form with its Stripe tab opens for them.
            invoice_as_user.get_views([(False, 'form')])
            self.assertFalse(
                invoice_as_user.stripe_webhook_event_ids.has_access('write'),
                "events are read-only",
            )

    def test_administrators_find_events_in_a_menu(self):
        menu = self.env.ref('account_stripe_connect.menu_stripe_webhook_event')
        action = self.env.ref('account_stripe_connect.stripe_webhook_event_action')
        self.assertEqual(menu.action, action)
        self.assertIn(self.env.ref('base.group_system'), menu.group_ids)
        admin = self.env.ref('base.user_admin')
        self.assertIn(menu.id, self.env['ir.ui.menu'].with_user(admin)._visible_menu_ids())


@tagged('post_install', '-at_install')
class TestWebhookVerificationLive(StripeLiveMode, TestWebhookVerification):
    """The same, with the platform in live mode."""


@tagged('post_install', '-at_install')
class TestWebhookRecordsLive(StripeLiveMode, TestWebhookRecords):
    """The same, with the platform in live mode."""
