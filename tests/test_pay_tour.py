from urllib.parse import quote, urlsplit

from lxml import html

from odoo.tests import tagged

from .common import StripeConnectHttpCommon, StripeLiveMode


@tagged('post_install', '-at_install')
class TestStripePayTour(StripeConnectHttpCommon):
    """In Chromium: the customer opens the invoice email's link, pays, and sees it paid."""

    def _send(self, invoice):
        """Send the invoice through Odoo's Send flow; return the email's pay link."""
        action = invoice.action_send_and_print()
        self.env[action['res_model']].with_context(**action['context']).create({}) \
            .action_send_and_print()
        message = self.env['mail.message'].search([
            ('model', '=', 'account.move'), ('res_id', '=', invoice.id),
            ('message_type', '=', 'comment'),
        ], order='id desc', limit=1)
        mail = self.env['mail.mail'].sudo().search([
            ('mail_message_id', '=', message.id), ('recipient_ids', 'in', invoice.partner_id.ids),
        ])
        button = html.fromstring(mail.body_html).xpath("//a[normalize-space() = 'Pay online']")
        self.assertEqual(len(button), 1, "the customer's email has the Pay online button")
        return button[0].get('href')

    def _start_pay_tour(self, invoice, link, tour):
        """Run a pay tour from the portal's page of the invoice, with the email's link."""
        parts = urlsplit(link)
        self.assertEqual(parts.path, f'/stripe/pay/{invoice.id}')
        self.start_tour(
            f'/my/invoices/{invoice.id}?access_token={invoice.access_token}'
            f'#pay_link={quote(f"{parts.path}?{parts.query}", safe="")}',
            tour, timeout=120,
        )
        self.env.invalidate_all()

    def _calls(self, since, path=None, key_kind='secret'):
        return [
            entry for entry in self.emulator.request_log[since:]
            if entry['key_kind'] == key_kind and (path is None or entry['path'] == path)
        ]

    def test_pay_tour(self):
        """A declined card, then the Visa with a double click: one PaymentIntent, confirmed
        twice by the server (declined, then paid), one charge."""
        self._connect_company()
        invoice = self._make_invoice(275.0)
        link = self._send(invoice)

        calls_before = len(self.emulator.request_log)
        self._start_pay_tour(invoice, link, 'account_stripe_connect_pay_tour')

        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))
        intent = invoice.stripe_payment_intent_ids
        self.assertEqual(len(intent), 1, "the declined PaymentIntent was paid with the Visa")
        self.assertEqual(intent.state, 'succeeded')
        self.assertEqual(intent.payment_id.amount, 275.0)
        stripe_intent = self.emulator.get_object(intent.stripe_id)
        self.assertEqual(stripe_intent['status'], 'succeeded')
        self.assertEqual(stripe_intent['amount'], 27500)
        confirmations = self._calls(calls_before, f'/v1/payment_intents/{intent.stripe_id}/confirm')
        self.assertEqual(len(confirmations), 2, "declined, then paid once, double click or not")
        self.assertEqual({entry['account'] for entry in confirmations},
                         {self.company.stripe_account_id})
        self.assertEqual([entry['status'] for entry in confirmations], [402, 200])
        tokens = self._calls(calls_before, '/v1/confirmation_tokens', key_kind='publishable')
        self.assertEqual(len(tokens), 2, "Stripe.js made one token per press")
        self.assertEqual(len(self._calls(calls_before, '/v1/payment_intents')), 1)
        self.assertEqual(self.env['account.payment'].search_count(
            [('invoice_ids', 'in', invoice.ids)]), 1)

    def test_pay_3ds_tour(self):
        self._connect_company()
        invoice = self._make_invoice(275.0)
        link = self._send(invoice)

        self._start_pay_tour(invoice, link, 'account_stripe_connect_pay_3ds_tour')

        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))
        intent = invoice.stripe_payment_intent_ids
        self.assertEqual(len(intent), 1)
        self.assertEqual(intent.state, 'succeeded')
        self.assertEqual(self.emulator.get_object(intent.stripe_id)['amount_received'], 27500)

    def test_pay_voucher_tour(self):
        self._connect_company()
        invoice = self._make_invoice(275.0, currency=self.setup_other_currency('EUR'))
        link = self._send(invoice)

        self._start_pay_tour(invoice, link, 'account_stripe_connect_pay_voucher_tour')

        intent = invoice.stripe_payment_intent_ids
        self.assertEqual(len(intent), 1)
        self.assertEqual(intent.state, 'pending')
        self.assertEqual(invoice.stripe_status, 'pending')
        self.assertEqual(invoice.payment_state, 'not_paid')
        # Paid at an ATM days later: Stripe's event registers it.
        self.emulator.pay_voucher(intent.stripe_id)
        self._deliver_pending('payment_intent.succeeded')
        self.env.invalidate_all()
        self.assertEqual(intent.state, 'succeeded')
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))

    def test_pay_part_tour(self):
        self._connect_company()
        self.company.write({
            'stripe_allow_partial_payments': True, 'stripe_partial_payment_minimum': 20.0,
        })
        invoice = self._make_invoice(275.0)
        link = self._send(invoice)

        calls_before = len(self.emulator.request_log)
        self._start_pay_tour(invoice, link, 'account_stripe_connect_pay_partial_tour')

        self.assertEqual(invoice.payment_state, 'partial')
        self.assertEqual(invoice.amount_residual, 175.0)
        intent = invoice.stripe_payment_intent_ids
        self.assertEqual(len(intent), 1, "created once, for the amount chosen")
        self.assertEqual(intent.state, 'succeeded')
        self.assertEqual(self.emulator.get_object(intent.stripe_id)['amount'], 10000)
        creation, = self._calls(calls_before, '/v1/payment_intents')
        self.assertEqual(creation['params']['amount'], '10000')


@tagged('post_install', '-at_install')
class TestStripePayTourLive(StripeLiveMode, TestStripePayTour):
    """The same in Chromium, with the platform in live mode: the live publishable key and
    Stripe.js from the server configuration file."""
